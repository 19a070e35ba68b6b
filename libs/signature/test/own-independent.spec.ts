/**
 * PDFs signed by independent implementations with our Vietnamese-named test PKI, judged by our
 * verifier: OpenSSL's CMS encoder (through signPdfExternal) and poppler's own signer
 * (`pdfsig -add-signature`, NSS). Each part runs only where its tools are installed
 * (openssl; pdfsig + certutil/pk12util from libnss3-tools).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { verifyPdf } from '@archive/signature';
import { signPdfExternal } from '../src/sign';
import { TestCert, TestPki, editPageContent, getTestPki, makePdf, signAs } from './pki';

const has = (cmd: string, args: string[]): boolean => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch (e) {
    // certutil/pk12util exit non-zero on -h but exist
    return (e as { code?: string }).code !== 'ENOENT';
  }
};
const hasOpenssl = has('openssl', ['version']);
const hasNss = fs.existsSync('/usr/bin/pdfsig') && has('certutil', ['-h']) && has('pk12util', ['-h']);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'own-indep-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const file = (bytes: Uint8Array | string, ext: string): string => {
  const f = path.join(tmp, `f${n++}.${ext}`);
  fs.writeFileSync(f, bytes);
  return f;
};

const pki = getTestPki();
const fake = getTestPki('lookalike');
const verdicts = async (pdf: Uint8Array, anchors = pki.trustAnchors, crls = pki.crls): Promise<string[]> =>
  (await verifyPdf(pdf, { trustAnchors: anchors, crls })).signatures.map((s) => s.verdict);

let base: Uint8Array;
beforeAll(async () => {
  base = await makePdf({ pages: 2 });
});

(hasOpenssl ? describe : describe.skip)('CMS from OpenSSL (openssl cms -sign) in our PDF container', () => {
  /** Detached CMS over the byte ranges by OpenSSL: its own attribute set (signingTime, SMIMECapabilities; ESS v2 with -cades). */
  const opensslSign = (p: TestPki, cert: TestCert, extra: string[]) => async (ranges: [Uint8Array, Uint8Array]): Promise<Uint8Array> => {
    const data = file(Buffer.concat(ranges), 'bin');
    const out = path.join(tmp, `cms${n++}.der`);
    execFileSync('openssl', [
      'cms', '-sign', '-binary', '-in', data, '-outform', 'DER', '-out', out, '-md', 'sha256',
      '-signer', file(cert.pem, 'pem'), '-inkey', file(cert.keyPem, 'pem'), '-certfile', file(p.chainPem(cert).slice(cert.pem.length), 'pem'),
      ...extra,
    ], { stdio: 'pipe' });
    return new Uint8Array(fs.readFileSync(out));
  };

  it.each([
    ['RSA, adbe.pkcs7.detached, OpenSSL default attributes', pki.signer, [], 'adbe.pkcs7.detached'],
    ['RSA seal, -cades (ESS signing-certificate-v2)', pki.seal, ['-cades'], 'ETSI.CAdES.detached'],
    ['ECDSA P-256, -cades', pki.signerEcdsa, ['-cades'], 'ETSI.CAdES.detached'],
    ['RSASSA-PSS, -cades', pki.signer, ['-cades', '-keyopt', 'rsa_padding_mode:pss'], 'ETSI.CAdES.detached'],
  ] as Array<[string, TestCert, string[], 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached']>)('%s → VALID', async (_l, cert, extra, subFilter) => {
    const signed = await signPdfExternal(base, opensslSign(pki, cert, extra), { subFilter });
    expect(await verdicts(signed)).toEqual(['VALID']);
  });

  it('OpenSSL-signed by the revoked certificate → REVOKED; by the look-alike PKI → UNTRUSTED_CHAIN', async () => {
    expect(await verdicts(await signPdfExternal(base, opensslSign(pki, pki.revoked, ['-cades'])))).toEqual(['REVOKED']);
    expect(await verdicts(await signPdfExternal(base, opensslSign(fake, fake.signer, ['-cades'])))).toEqual(['UNTRUSTED_CHAIN']);
  });
});

(hasNss ? describe : describe.skip)('signed by poppler (pdfsig -add-signature, NSS)', () => {
  /** NSS database holding the PKCS#12 of each listed certificate (nickname = role). */
  function nssDb(p: TestPki, certs: TestCert[]): string {
    const dir = path.join(tmp, `nss${n++}`);
    fs.mkdirSync(dir);
    execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password'], { stdio: 'pipe' });
    for (const c of certs) execFileSync('pk12util', ['-i', file(p.pkcs12(c, 'pw', c.role), 'p12'), '-d', `sql:${dir}`, '-W', 'pw'], { stdio: 'pipe' });
    return dir;
  }
  const popplerSign = (db: string, pdf: Uint8Array, nick: string): Uint8Array => {
    const out = path.join(tmp, `poppler${n++}.pdf`);
    execFileSync('/usr/bin/pdfsig', ['-nssdir', `sql:${db}`, '-add-signature', '-nick', nick, '-reason', 'Ký số', file(pdf, 'pdf'), out], { stdio: 'pipe' });
    return new Uint8Array(fs.readFileSync(out));
  };
  let db: string;
  beforeAll(() => {
    db = nssDb(pki, [pki.signer, pki.seal, pki.revoked]);
  });

  it('poppler alone → VALID; ours then poppler and poppler then ours → VALID, VALID', async () => {
    expect(await verdicts(popplerSign(db, base, 'seal'))).toEqual(['VALID']);
    expect(await verdicts(popplerSign(db, await signAs(base, pki.signer), 'seal'))).toEqual(['VALID', 'VALID']);
    expect(await verdicts(await signAs(popplerSign(db, base, 'signer'), pki.seal, { timestamped: true }))).toEqual(['VALID', 'VALID']);
  });

  it('poppler-signed then page edited → MODIFIED_AFTER_SIGNING; revoked → REVOKED; look-alike → UNTRUSTED_CHAIN', async () => {
    expect(await verdicts(await editPageContent(popplerSign(db, base, 'signer')))).toEqual(['MODIFIED_AFTER_SIGNING']);
    expect(await verdicts(popplerSign(db, base, 'revoked'))).toEqual(['REVOKED']);
    const fakeDb = nssDb(fake, [fake.signer]);
    expect(await verdicts(popplerSign(fakeDb, base, 'signer'))).toEqual(['UNTRUSTED_CHAIN']);
  });
});
