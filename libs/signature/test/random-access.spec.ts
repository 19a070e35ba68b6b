/**
 * The random-access entry points (verifyPdfSource, verifyPdfFile) must judge exactly as verifyPdf:
 * same report, field for field, on every external fixture and on our own two-signature PDF, with
 * the default windows and with 16-byte first windows (so every "need more bytes" path of the parser
 * and of the xref reader runs).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ByteSource, DocumentReport, verifyPdf, verifyPdfFile, verifyPdfSource } from '@archive/signature';
import { PdfDocument } from '../src/pdf/document';
import { getTestPki, makePdf, signAs } from './pki';

const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/external-signed-pdfs');
const anchors = fs.readdirSync(path.join(FIXTURES, 'anchors')).map((f) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'anchors', f))));
const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.pdf'));
const at = new Date('2021-06-01T00:00:00Z');

/** A source that is not in memory as a whole and returns fresh copies, like a file. */
const copyingSource = (buf: Uint8Array): ByteSource => ({
  size: buf.length,
  read: (o, l) => Uint8Array.from(buf.subarray(Math.max(0, o), Math.max(0, Math.min(buf.length, o + l)))),
});

function withFirstWindow<T>(w: number, f: () => T): T {
  const saved = PdfDocument.firstWindow;
  PdfDocument.firstWindow = w;
  try {
    return f();
  } finally {
    PdfDocument.firstWindow = saved;
  }
}

async function expectSameEverywhere(buf: Uint8Array, opts: Parameters<typeof verifyPdf>[1]): Promise<DocumentReport> {
  const inMemory = await verifyPdf(buf, opts);
  expect(verifyPdfSource(copyingSource(buf), opts)).toEqual(inMemory);
  expect(withFirstWindow(16, () => verifyPdfSource(copyingSource(buf), opts))).toEqual(inMemory);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sig-ra-'));
  try {
    fs.writeFileSync(path.join(dir, 'f.pdf'), buf);
    expect(await verifyPdfFile(path.join(dir, 'f.pdf'), opts)).toEqual(inMemory);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return inMemory;
}

describe('random-access verification gives the in-memory report', () => {
  it.each(files)('%s', async (f) => {
    await expectSameEverywhere(new Uint8Array(fs.readFileSync(path.join(FIXTURES, f))), { trustAnchors: anchors, validationTime: at });
  });

  it('our two-signature PDF (timestamped seal over a visible signature)', async () => {
    const pki = getTestPki();
    const once = await signAs(await makePdf({ pages: 2, padBytes: 300_000 }), pki.signer, { visible: { page: 1, rect: [340, 60, 560, 130], text: 'Người ký' } });
    const twice = await signAs(once, pki.seal, { timestamped: true });
    const r = await expectSameEverywhere(twice, { trustAnchors: [pki.root.der], crls: pki.crls, validationTime: new Date() });
    expect(r.summary).toBe('VALID');
  });

  it('a damaged file larger than maxReconstructBytes is CORRUPT, never read whole', async () => {
    const pki = getTestPki();
    const signed = Buffer.from(await signAs(await makePdf({ pages: 1, padBytes: 8_000_000 }), pki.signer));
    // a wrong startxref offset: the cross-reference chain is unreadable, the file must be rebuilt by scanning
    const at = signed.lastIndexOf('startxref');
    const damaged = Buffer.concat([signed.subarray(0, at), Buffer.from('startxref\n17\n%%EOF\n')]);
    const opts = { trustAnchors: [pki.root.der], crls: pki.crls, validationTime: new Date() };
    const inMemory = await verifyPdf(damaged, opts);
    expect(inMemory.messages.map((m) => m.code)).toContain('PDF_RECONSTRUCTED');
    // within the bound: rebuilt exactly as in memory
    expect(verifyPdfSource(copyingSource(damaged), opts)).toEqual(inMemory);
    // beyond it: refused, and no read came near the whole file
    let largest = 0;
    const src = copyingSource(damaged);
    const watched: ByteSource = { size: src.size, read: (o, l) => ((largest = Math.max(largest, l)), src.read(o, l)) };
    const bounded = verifyPdfSource(watched, { ...opts, maxReconstructBytes: damaged.length - 1 });
    expect(bounded.summary).toBe('CORRUPT');
    expect(bounded.messages.map((m) => m.en).join(' ')).toContain('too large to reconstruct');
    expect(largest).toBeLessThan(damaged.length);
  });

  it('a truncated file and an empty source stay structured results', async () => {
    const buf = new Uint8Array(fs.readFileSync(path.join(FIXTURES, files[0])));
    await expectSameEverywhere(buf.subarray(0, Math.floor(buf.length / 2)), { trustAnchors: anchors, validationTime: at });
    await expectSameEverywhere(new Uint8Array(0), { trustAnchors: anchors, validationTime: at });
  });
});
