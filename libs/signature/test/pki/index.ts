/**
 * Test PKI and PDF builders for libs/signature tests and the service's e2e tests.
 *
 *   const pki = getTestPki();                       // cached per process
 *   const pdf = await makePdf();
 *   const signed = await signAs(pdf, pki.signer);   // PAdES B-B by the person
 *   const sealed = await signAs(signed, pki.seal);  // + agency seal, incremental
 *   verifyPdf(sealed, { trustAnchors: pki.trustAnchors, crls: pki.crls })
 */
import { signPdf } from '../../src/sign/sign-pdf';
import type { SignPdfOptions } from '../../src/sign/sign-pdf';
import { TestCert, getTestPki } from './pki';

export * from './pki';
export * from './pdf';
export * from './x509';
export * from './tsa';

/** Sign with one of the test certificates (genuine PKI unless the cert comes from another). */
export async function signAs(pdf: Uint8Array, cert: TestCert, options: SignPdfOptions & { timestamped?: boolean | Date } = {}): Promise<Uint8Array> {
  const pki = getTestPki(cert.variant);
  const { timestamped, ...rest } = options;
  const timestamp = timestamped ? pki.timestampProvider(timestamped instanceof Date ? timestamped : undefined) : rest.timestamp;
  return signPdf(pdf, pki.signerKey(cert), { ...rest, timestamp });
}
