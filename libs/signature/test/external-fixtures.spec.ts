/**
 * Acceptance over the 56 externally produced signed PDFs in ../shared/fixtures/external-signed-pdfs
 * (pyHanko, EU DSS, node-signpdf test suites). See that folder's README.md for the manifest format.
 *
 * Per asserted signature the verdict must be the expected one or an accepted alternative; VALID is
 * never accepted unless it is the expected verdict (0 false VALID). UNASSERTED entries are not scored
 * but must still produce a report.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as forge from 'node-forge';
import * as path from 'path';
import { DocumentReport, SIGNATURE_VERDICTS, SignatureVerdict, verifyPdf } from '@archive/signature';

const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/external-signed-pdfs');
if (!fs.existsSync(path.join(FIXTURES, 'MANIFEST.tsv'))) {
  // CI checks the shared folder out beside the repository: its absence is an error, not a skip.
  throw new Error(`external signed-PDF fixtures not found at ${FIXTURES} (expected ../shared beside the repo)`);
}

interface Row {
  file: string;
  n: number;
  expected: string[];
  alternatives: string;
  anchors: string[];
}

const rows: Row[] = fs
  .readFileSync(path.join(FIXTURES, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'))
  .map((c) => ({
    file: c[0],
    n: Number(c[3]),
    expected: c[4].split(';'),
    alternatives: c[8] ?? '',
    anchors: c[9] === 'none' ? [] : c[9].split('+').map((s) => s.trim()),
  }));

/**
 * Conditions in `acceptable_alternatives` that hold for this verifier and configuration. The others
 * ("if anchor not configured", "if validation time set to 2020-11-01", "if signature timestamp is
 * ignored") describe a different setup than the one the test uses, so those alternatives are refused.
 */
const CONDITIONS_THAT_HOLD = [/Ed448 unsupported/];

/** Accepted alternative verdicts for signature `i` (0-based) parsed from the free-text column. */
function alternativesFor(text: string, i: number): SignatureVerdict[] {
  const out: SignatureVerdict[] = [];
  for (const clause of text.split(';')) {
    const sel = /^\s*sig(\d+)\b/.exec(clause);
    if (sel && Number(sel[1]) !== i + 1) continue;
    const m = new RegExp(`\\b(${SIGNATURE_VERDICTS.join('|')})\\b`).exec(clause);
    if (!m) continue;
    const cond = /\bif\b(.*)$/.exec(clause);
    if (cond && !CONDITIONS_THAT_HOLD.some((re) => re.test(cond[1]))) continue;
    const v = m[1] as SignatureVerdict;
    if (v !== 'VALID') out.push(v); // VALID is never an acceptable substitute
  }
  return out;
}

/**
 * Manifest lines this team judges wrong, with the evidence. Empty: every asserted verdict is matched
 * exactly or by a listed alternative. Two rows whose primary verdict contradicts the README's own
 * check order (the verifier gives the listed alternative, which is the first failing check):
 * - dss__hello_signed_INCSAVE_signed_EDITED.pdf sig 2, primary INVALID_DIGEST: besides /M, the edit
 *   rewrote the 2nd /ByteRange to the 1st signature's [0 196862 215808 313] (`cmp` with
 *   dss__hello_signed_INCSAVE_signed.pdf: bytes 235681–235689 differ), so the gap is not the
 *   /Contents string → INVALID_BYTERANGE comes first.
 * - dss__pdf-signed-corrupted.pdf, primary INVALID_DIGEST: the manifest itself says the /ByteRange
 *   now runs past EOF (0+18801, 37747+113379 = 151126 > 151116 bytes) → INVALID_BYTERANGE first.
 */
const MANIFEST_EXCEPTIONS: Record<string, { index: number; accept: SignatureVerdict; evidence: string }[]> = {};

const anchorsOf = (r: Row): Uint8Array[] => r.anchors.map((a) => fs.readFileSync(path.join(FIXTURES, a)));

describe('external signed PDFs (MANIFEST.tsv)', () => {
  it('lists all 56 fixtures', () => {
    expect(rows).toHaveLength(56);
    for (const r of rows) expect(fs.existsSync(path.join(FIXTURES, r.file))).toBe(true);
  });

  const reports = new Map<string, DocumentReport>();
  const validationTime = new Date();

  it.each(rows.map((r) => [r.file, r] as const))('%s', async (_name, r) => {
    const pdf = fs.readFileSync(path.join(FIXTURES, r.file));
    const started = Date.now();
    const report = await verifyPdf(pdf, { trustAnchors: anchorsOf(r), validationTime });
    expect(Date.now() - started).toBeLessThan(10_000);
    reports.set(r.file, report);
    expect(report.signatureCount).toBe(r.n);
    expect(report.signatures.map((s) => s.index)).toEqual(r.expected.map((_, i) => i));
    r.expected.forEach((exp, i) => {
      const got = report.signatures[i].verdict;
      if (exp === 'UNASSERTED') {
        if (r.anchors.length === 0) expect(got).not.toBe('VALID');
        return;
      }
      const accepted = new Set<string>([exp, ...alternativesFor(r.alternatives, i)]);
      for (const ex of MANIFEST_EXCEPTIONS[r.file] ?? []) if (ex.index === i) accepted.add(ex.accept);
      if (!accepted.has(got)) {
        throw new Error(`${r.file} signature ${i + 1}: got ${got}, expected ${[...accepted].join(' or ')}\n` + JSON.stringify(report.signatures[i].messages.map((m) => m.en)));
      }
    });
  });

  it('never reports a false VALID', () => {
    const falseValid: string[] = [];
    for (const r of rows) {
      const rep = reports.get(r.file);
      if (!rep) continue;
      rep.signatures.forEach((s, i) => {
        if (s.verdict === 'VALID' && r.expected[i] !== 'VALID') falseValid.push(`${r.file}#${i + 1}`);
      });
      if (r.anchors.length === 0) expect(rep.summary).not.toBe('VALID');
    }
    expect(falseValid).toEqual([]);
  });

  it('reports every verdict with an ETSI indication and bilingual messages', () => {
    for (const rep of reports.values()) {
      for (const s of rep.signatures) {
        expect(s.indication === 'TOTAL_PASSED').toBe(s.verdict === 'VALID');
        expect(s.messages.length).toBeGreaterThan(0);
        for (const m of s.messages) expect(m.vi && m.en).toBeTruthy();
      }
    }
  });
});

describe('pyHanko fixtures at their freeze time (2020-11-01)', () => {
  // The pyHanko tests validate these at freeze_time 2020-11-01 with the testing CA as trust root.
  it.each([
    'pyhanko__pades-with-old-style-signing-cert-attr.pdf',
    'pyhanko__certified-with-indirect-refs-in-dir.pdf',
    'pyhanko__pades-lta-dss-indirect-arrs-test.pdf',
  ])('%s is VALID at 2020-11-01', async (file) => {
    const report = await verifyPdf(fs.readFileSync(path.join(FIXTURES, file)), {
      trustAnchors: [fs.readFileSync(path.join(FIXTURES, 'anchors/pyhanko-testing-ca-root.pem'))],
      validationTime: new Date('2020-11-01T00:00:00Z'),
    });
    expect(report.signatures.map((s) => s.verdict).every((v) => v === 'VALID')).toBe(true);
    expect(report.summary).toBe('VALID');
  });

  it('a look-alike anchor (same subject and encoding, another key) is not trusted', async () => {
    const real = forge.pki.certificateFromPem(fs.readFileSync(path.join(FIXTURES, 'anchors/node-signpdf-certificate-p12-selfsigned.pem'), 'latin1'));
    const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const fake = forge.pki.createCertificate();
    fake.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    fake.serialNumber = real.serialNumber;
    fake.validity.notBefore = real.validity.notBefore;
    fake.validity.notAfter = real.validity.notAfter;
    fake.setSubject(real.subject.attributes);
    fake.setIssuer(real.issuer.attributes);
    fake.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
    const report = await verifyPdf(fs.readFileSync(path.join(FIXTURES, 'node-signpdf__signed.pdf')), {
      trustAnchors: [Buffer.from(forge.pki.certificateToPem(fake))],
    });
    expect(report.signatures[0].verdict).toBe('UNTRUSTED_CHAIN');
    expect(report.summary).toBe('INDETERMINATE');
  });
});
