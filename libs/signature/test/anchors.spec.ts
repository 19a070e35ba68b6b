/** Trust-anchor input formats: DER, PEM (several blocks), PKCS#7 bundles (.p7b) in DER or PEM. */
import * as fs from 'fs';
import * as path from 'path';
import * as forge from 'node-forge';
import { verifyPdf } from '@archive/signature';
import { parseCertificates } from '../src/crypto/certificates';

const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/external-signed-pdfs');
const pem = (name: string): string => fs.readFileSync(path.join(FIXTURES, 'anchors', name), 'latin1');

describe('trust anchor formats', () => {
  const a = pem('node-signpdf-certificate-p12-selfsigned.pem');
  const b = pem('pyhanko-testing-ca-root.pem');
  const certA = forge.pki.certificateFromPem(a);
  const derA = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(certA)).getBytes(), 'binary');

  it('reads DER and multi-block PEM', () => {
    expect(parseCertificates(derA)).toHaveLength(1);
    expect(parseCertificates(Buffer.from(a + '\n' + b))).toHaveLength(2);
  });

  it('reads a PKCS#7 certificate bundle (.p7b) in DER and PEM', () => {
    const p7 = forge.pkcs7.createSignedData();
    p7.addCertificate(certA);
    p7.addCertificate(forge.pki.certificateFromPem(b));
    const der = Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
    const fromDer = parseCertificates(der);
    expect(fromDer).toHaveLength(2);
    const pemText = `-----BEGIN PKCS7-----\n${der.toString('base64')}\n-----END PKCS7-----\n`;
    expect(parseCertificates(Buffer.from(pemText)).map((c) => c.sha256)).toEqual(fromDer.map((c) => c.sha256));
  });

  it('ignores garbage', () => {
    expect(parseCertificates(Buffer.from('not a certificate'))).toEqual([]);
    expect(parseCertificates(new Uint8Array([0x30, 0x82, 0xff, 0xff, 0x01]))).toEqual([]);
  });

  it('a .p7b anchor is used like a PEM anchor', async () => {
    const p7 = forge.pkcs7.createSignedData();
    p7.addCertificate(certA);
    const der = Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
    const report = await verifyPdf(fs.readFileSync(path.join(FIXTURES, 'node-signpdf__signed.pdf')), { trustAnchors: [der] });
    expect(report.summary).toBe('VALID');
  });
});
