/** The test PKI and PDF helpers themselves: names, validity, EKU, CRL, look-alikes, tampering. */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { addAnnotation, addPage, byteRanges, editPageContent, exportTestPki, flipByte, getTestPki, makePdf, removePage, signAs } from './pki';
import { loadSignerKey } from '../src/sign';

const pki = getTestPki();
const fake = getTestPki('lookalike');
const x509 = (der: Uint8Array): crypto.X509Certificate => new crypto.X509Certificate(Buffer.from(der));
const hasPdfsig = fs.existsSync('/usr/bin/pdfsig');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'own-pki-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function pdfsig(pdf: Uint8Array): string {
  const f = path.join(tmp, `${crypto.randomUUID()}.pdf`);
  fs.writeFileSync(f, pdf);
  try {
    return execFileSync('/usr/bin/pdfsig', ['-nocert', f], { encoding: 'utf8' });
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e);
  }
}

describe('test PKI', () => {
  it('is named like the Ban Cơ yếu hierarchy and chains root → intermediate → end entities', () => {
    const root = x509(pki.root.der);
    const inter = x509(pki.intermediate.der);
    expect(pki.root.subject.CN).toBe('Test RootCA chuyên dùng Chính phủ G2');
    expect(pki.root.subject.O).toBe('Ban Cơ yếu Chính phủ');
    expect(root.ca && inter.ca).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(inter.verify(root.publicKey)).toBe(true);
    for (const c of [pki.signer, pki.seal, pki.signerEcdsa, pki.expired, pki.revoked, pki.tsa]) {
      const x = x509(c.der);
      expect(x.ca).toBe(false);
      expect(x.verify(inter.publicKey)).toBe(true);
      expect(x.checkIssued(inter)).toBe(true);
    }
    expect(x509(pki.signerEcdsa.der).publicKey.asymmetricKeyType).toBe('ec');
  });

  it('has an expired person certificate and a TSA with critical EKU timeStamping', () => {
    expect(pki.expired.notAfter.getTime()).toBeLessThan(Date.now());
    const tsa = x509(pki.tsa.der);
    expect(tsa.keyUsage).toEqual(['1.3.6.1.5.5.7.3.8']);
    expect(Buffer.from(pki.tsa.der).includes(Buffer.from('0603551d250101ff', 'hex'))).toBe(true); // EKU, critical TRUE
  });

  it('look-alike PKI: same subject names, different keys, does not verify under the genuine root', () => {
    for (const role of ['root', 'intermediate', 'signer'] as const) {
      expect(x509(fake[role].der).subject).toBe(x509(pki[role].der).subject);
      expect(x509(fake[role].der).fingerprint256).not.toBe(x509(pki[role].der).fingerprint256);
    }
    expect(x509(fake.intermediate.der).verify(x509(pki.root.der).publicKey)).toBe(false);
  });

  it('CRL lists the revoked certificate and parses with openssl', () => {
    const f = path.join(tmp, 'i.crl');
    fs.writeFileSync(f, pki.crl);
    const caf = path.join(tmp, 'i.pem');
    fs.writeFileSync(caf, pki.intermediate.pem);
    let out: string;
    try {
      out = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', f, '-noout', '-text', '-CAfile', caf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      return; // no openssl: nothing more to check here
    }
    expect(out.replace(/:/g, '').toLowerCase()).toContain(pki.revoked.serialHex);
    expect(out).toMatch(/Key Compromise/);
  });

  it('exports files usable by the CLI and loadSignerKey', () => {
    const out = exportTestPki(pki, path.join(tmp, 'export'));
    expect(fs.readFileSync(out.rootPem, 'utf8')).toBe(pki.root.pem);
    expect(out.crlFiles.map((f) => fs.statSync(f).size)).toEqual([pki.crl.length, pki.rootCrl.length]);
    const key = loadSignerKey({ keyPem: fs.readFileSync(out.files.seal.keyPem, 'utf8'), certPem: fs.readFileSync(out.files.seal.chainPem, 'utf8') });
    expect(key.certificateChain).toHaveLength(3);
  });

  it('is cached per process', () => {
    expect(getTestPki()).toBe(pki);
  });
});

describe('PDF builders and tampering', () => {
  let signed: Uint8Array;
  beforeAll(async () => {
    signed = await signAs(await makePdf({ pages: 3 }), pki.signer);
  });

  const pageCount = async (pdf: Uint8Array): Promise<number> => (await PDFDocument.load(pdf, { updateMetadata: false })).getPageCount();

  it('makePdf pads to the requested size', async () => {
    const big = await makePdf({ pages: 2, padBytes: 1_000_000 });
    expect(big.length).toBeGreaterThan(1_000_000);
    expect(big.length).toBeLessThan(1_200_000);
  });

  it('every structural tamper appends a revision and keeps the signed bytes', async () => {
    for (const t of [
      await editPageContent(signed),
      await editPageContent(signed, { mode: 'replace' }),
      await addPage(signed),
      await removePage(signed, 2),
      await addAnnotation(signed),
    ]) {
      expect(t.length).toBeGreaterThan(signed.length);
      expect(Buffer.from(t.subarray(0, signed.length)).equals(Buffer.from(signed))).toBe(true);
    }
    expect(await pageCount(await addPage(signed))).toBe(4);
    expect(await pageCount(await removePage(signed, 2))).toBe(2);
  });

  (hasPdfsig ? it : it.skip)('pdfsig sees the tampering the way poppler does', async () => {
    // poppler only notices that the signature no longer covers the whole file...
    const edited = pdfsig(await editPageContent(signed));
    expect(edited).toMatch(/Signature is Valid/);
    expect(edited).toMatch(/Not total document signed/);
    // ...but catches a flipped byte.
    const flipped = flipByte(signed);
    expect(byteRanges(flipped)).toEqual(byteRanges(signed));
    expect(pdfsig(flipped)).toMatch(/Digest Mismatch/);
  });
});
