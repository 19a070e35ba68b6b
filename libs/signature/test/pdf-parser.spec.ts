/**
 * The verifier's own PDF parser on well-formed and hostile input: always a structured result, never an
 * exception out of verifyPdf, never a hang.
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { verifyPdfSync } from '@archive/signature';
import { PdfDocument } from '../src/pdf/document';
import { PdfParseError, isArray, isDict, isName, isRef, isString, textOf } from '../src/pdf/objects';
import { PdfParser } from '../src/pdf/parser';
import { findSignatures } from '../src/pdf/signatures';

const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/external-signed-pdfs');

const parse = (s: string): ReturnType<PdfParser['parseValue']> => new PdfParser(Buffer.from(s, 'latin1')).parseValue();

/** Builds a classic PDF (header, objects, xref table, trailer) from object bodies. */
function buildPdf(objects: string[], trailerExtra = '', opts: { startxref?: string } = {}): Buffer {
  let out = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra} >>\nstartxref\n${opts.startxref ?? xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const MINIMAL = [
  '<< /Type /Catalog /Pages 2 0 R >>',
  '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
  '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>',
];

/** Runs verifyPdfSync and checks it returned a report quickly. */
function verifyBounded(pdf: Uint8Array, maxMs = 5000): ReturnType<typeof verifyPdfSync> {
  const t = Date.now();
  const r = verifyPdfSync(pdf, { trustAnchors: [], maxContentsBytes: 1 << 20 });
  expect(Date.now() - t).toBeLessThan(maxMs);
  expect(['VALID', 'INVALID', 'INDETERMINATE', 'UNSIGNED', 'CORRUPT']).toContain(r.summary);
  return r;
}

describe('PdfParser', () => {
  it('parses the basic object types', () => {
    const v = parse('<< /A 1 /B -2.5 /C (a\\(b\\)\\n\\101) /D <48656C6C6F> /E [1 0 R /N#41me true null] /F << >> >>');
    expect(isDict(v)).toBe(true);
    if (!isDict(v)) return;
    expect(v.map.get('A')).toBe(1);
    expect(v.map.get('B')).toBe(-2.5);
    expect(textOf(v.map.get('C'))).toBe('a(b)\nA');
    expect(textOf(v.map.get('D'))).toBe('Hello');
    const e = v.map.get('E');
    expect(isArray(e) && isRef(e.items[0]) && isName(e.items[1], 'NAme') && e.items[2] === true && e.items[3] === null).toBe(true);
  });

  it('records the byte span of strings (used for the /Contents hole)', () => {
    const v = parse('<< /Contents <0102> >>');
    const c = isDict(v) ? v.map.get('Contents') : undefined;
    expect(isString(c) && c.start === 13 && c.end === 19).toBe(true);
  });

  it.each([
    ['unterminated dictionary', '<< /A 1'],
    ['unterminated string', '(abc'],
    ['unterminated hex string', '<414243'],
    ['bad hex digit', '<41zz>'],
    ['non-name key', '<< 1 2 >>'],
    ['stray bracket', ']'],
  ])('rejects %s with PdfParseError', (_n, src) => {
    expect(() => parse(src)).toThrow(PdfParseError);
  });

  it('bounds nesting depth instead of overflowing the stack', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(() => parse(deep)).toThrow(/nesting too deep/);
    const deepDict = '<< /A '.repeat(50_000) + '1' + ' >>'.repeat(50_000);
    expect(() => parse(deepDict)).toThrow(/nesting too deep/);
  });

  it('bounds string size', () => {
    const p = new PdfParser(Buffer.from(`<${'00'.repeat(5000)}>`), 0, { maxDepth: 10, maxStringBytes: 1000, maxContainerItems: 10 });
    expect(() => p.parseValue()).toThrow(/too long/);
  });

  it('treats huge numbers as numbers, not crashes', () => {
    expect(parse('123456789012345678901234567890')).toBe(123456789012345678901234567890);
    expect(parse('1e999')).toBe(0); // not a PDF number: read as 0, like other readers
  });
});

describe('PdfDocument on malformed files', () => {
  it('reads a minimal well-formed PDF', () => {
    const doc = new PdfDocument(buildPdf(MINIMAL));
    expect(doc.reconstructed).toBe(false);
    expect(doc.sections).toHaveLength(1);
    expect(verifyBounded(buildPdf(MINIMAL)).summary).toBe('UNSIGNED');
  });

  it('reconstructs when startxref points nowhere', () => {
    const doc = new PdfDocument(buildPdf(MINIMAL, '', { startxref: '99999999999999999999' }));
    expect(doc.reconstructed).toBe(true);
    expect(verifyBounded(buildPdf(MINIMAL, '', { startxref: '99999999999999999999' })).summary).toBe('UNSIGNED');
  });

  it('survives a /Prev cycle', () => {
    const pdf = buildPdf(MINIMAL);
    const xrefAt = pdf.indexOf('xref');
    const cyclic = Buffer.from(pdf.toString('latin1').replace('/Root 1 0 R', `/Root 1 0 R /Prev ${xrefAt}`), 'latin1');
    expect(verifyBounded(cyclic).summary).toBe('UNSIGNED');
  });

  it('survives reference cycles in the field tree and in the page tree', () => {
    const pdf = buildPdf([
      '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>',
      '<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R >>',
      '<< /T (a) /Kids [5 0 R] >>',
      '<< /T (b) /Kids [4 0 R 5 0 R] /Parent 4 0 R /FT /Sig /V 6 0 R >>',
      '6 0 R',
    ]);
    const r = verifyBounded(pdf);
    expect(['UNSIGNED', 'INVALID', 'CORRUPT']).toContain(r.summary);
  });

  it('never throws on unusable arguments', async () => {
    const { verifyPdf } = await import('@archive/signature');
    expect((await verifyPdf(null as unknown as Uint8Array, { trustAnchors: [] })).summary).toBe('CORRUPT');
    expect((await verifyPdf(buildPdf(MINIMAL), { trustAnchors: [], validationTime: new Date('nonsense') })).summary).toBe('CORRUPT');
    expect((await verifyPdf(buildPdf(MINIMAL), { trustAnchors: [Buffer.from('junk')] })).summary).toBe('UNSIGNED');
  });

  it('reports garbage and empty input as CORRUPT', () => {
    expect(verifyBounded(new Uint8Array(0)).summary).toBe('CORRUPT');
    expect(verifyBounded(Buffer.from('hello world')).summary).toBe('CORRUPT');
    expect(verifyBounded(Buffer.from('%PDF-1.7\n%%EOF')).summary).toBe('CORRUPT');
    const random = Buffer.alloc(200_000);
    for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
    random.write('%PDF-1.4\n', 0);
    expect(verifyBounded(random).summary).toBe('CORRUPT');
  });

  it('handles absurd xref stream parameters', () => {
    const pdf = buildPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [] /Count 0 >>',
      '<< /Type /XRef /W [8 8 8] /Size 99999999999 /Index [0 99999999999] /Length 4 >>\nstream\nabcd\nendstream',
      '<< /Type /ObjStm /N 1000000000 /First 99999999 /Length 4 >>\nstream\nabcd\nendstream',
    ]);
    verifyBounded(pdf);
  });

  it('bounds a huge /Contents', () => {
    const huge = '00'.repeat(3 << 20); // 3 MiB signature value, limit is 1 MiB
    const pdf = buildPdf([
      '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R >>',
      '<< /FT /Sig /T (S) /V 5 0 R >>',
      `<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <${huge}> >>`,
    ]);
    const r = verifyBounded(pdf);
    // The signature dictionary cannot be read within the limit: reported, not ignored.
    expect(r.signatureCount).toBe(1);
    expect(r.signatures[0].verdict).toBe('MALFORMED_CMS');
    expect(r.summary).toBe('INVALID');
  });

  it('reports a signature with a non-CMS /Contents as MALFORMED_CMS and a bad /ByteRange as such', () => {
    const pdf = buildPdf([
      '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 6 0 R] >> >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R >>',
      '<< /FT /Sig /T (S1) /V 5 0 R >>',
      '<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 1e300 -5 7] /Contents <3003020101> >>',
      '<< /FT /Sig /T (S2) /V 7 0 R >>',
      '<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 99999999999999999999] /Contents <deadbeef> >>',
    ]);
    const r = verifyBounded(pdf);
    expect(r.signatureCount).toBe(2);
    expect(r.signatures.map((s) => s.verdict)).toEqual(['MALFORMED_CMS', 'MALFORMED_CMS']);
    expect(r.summary).toBe('INVALID');
  });

  it('bounds the work on thousands of signature fields', () => {
    const n = 3000;
    const objs = [
      `<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [${Array.from({ length: n }, (_, i) => `${4 + 2 * i} 0 R`).join(' ')}] >> >>`,
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R >>',
    ];
    for (let i = 0; i < n; i++) objs.push(`<< /FT /Sig /T (S${i}) /V ${5 + 2 * i} 0 R >>`, '<< /Type /Sig /ByteRange [0 1 2 3] /Contents <3000> >>');
    const r = verifyBounded(buildPdf(objs), 20_000);
    expect(r.signatureCount).toBe(n);
    expect(r.summary).toBe('INVALID');
    expect(r.messages.map((m) => m.code)).toContain('TOO_MANY_SIGNATURES');
  });

  it('bounds reconstruction of a file full of object headers and no xref', () => {
    const body = '1 0 obj\n<< /A 1 >>\nendobj\n'.repeat(200_000);
    verifyBounded(Buffer.from(`%PDF-1.7\n${body}%%EOF\n`, 'latin1'), 20_000);
  });

  it('finds one signature referenced by two fields once', () => {
    const doc = new PdfDocument(
      buildPdf([
        '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 5 0 R] >> >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R >>',
        '<< /FT /Sig /T (A) /V 6 0 R >>',
        '<< /FT /Sig /T (B) /V 6 0 R >>',
        '<< /Type /Sig /Contents <00> /ByteRange [0 1 2 3] >>',
      ]),
    );
    const sigs = findSignatures(doc, doc.finalState());
    expect(sigs).toHaveLength(1);
    expect(sigs[0].fieldNames).toEqual(['A', 'B']);
  });
});

describe('truncated and mutated signed files', () => {
  const file = path.join(FIXTURES, 'dss__pades-ltv.pdf');
  const original = fs.existsSync(file) ? fs.readFileSync(file) : null;

  it('gives a structured result for every truncation point (sampled)', () => {
    if (!original) throw new Error(`fixture missing: ${file}`);
    for (let cut = 0; cut < original.length; cut += Math.floor(original.length / 40)) {
      const r = verifyBounded(original.subarray(0, cut));
      expect(r.signatures.every((s) => s.verdict !== 'VALID')).toBe(true);
    }
  });

  it('never throws or hangs on random byte mutations', () => {
    if (!original) throw new Error(`fixture missing: ${file}`);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(original.length - 1), fc.nat(255)), { minLength: 1, maxLength: 20 }), (muts) => {
        const copy = Buffer.from(original);
        for (const [at, b] of muts) copy[at] = b;
        const r = verifyBounded(copy);
        // Nothing here is trusted: no anchor is configured.
        return r.signatures.every((s) => s.verdict !== 'VALID');
      }),
      { numRuns: 60 },
    );
  });
});
