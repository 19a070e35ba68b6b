/**
 * Changes after signing, on hand-built incremental updates: what the role-based diff permits and
 * what it refuses (see src/validation/modifications.ts).
 */
import { analyseModifications } from '../src/validation/modifications';
import { PdfDocument } from '../src/pdf/document';

/** Objects 1..n of the base revision (1 = catalog). */
const BASE: Record<number, string> = {
  1: '<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>',
  2: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
  3: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /X1 5 0 R >> >> /Annots [7 0 R] >>',
  4: '<< /Length 8 >>\nstream\nBT ET q Q\nendstream',
  5: '<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 3 >>\nstream\nq Q\nendstream',
  6: '<< /Fields [7 0 R] >>',
  7: '<< /FT /Tx /T (name) /V (old) /Type /Annot /Subtype /Widget /Rect [0 0 100 20] /P 3 0 R /AP << /N 8 0 R >> /AA << /K 9 0 R >> >>',
  8: '<< /Type /XObject /Subtype /Form /BBox [0 0 100 20] /Length 3 >>\nstream\nq Q\nendstream',
  9: '<< /S /JavaScript /JS (1;) >>',
};

function build(objects: Record<number, string>, root = 1): Buffer {
  let out = '%PDF-1.7\n';
  const offsets = new Map<number, number>();
  for (const [n, body] of Object.entries(objects)) {
    offsets.set(Number(n), out.length);
    out += `${n} 0 obj\n${body}\nendobj\n`;
  }
  const max = Math.max(...offsets.keys());
  const xref = out.length;
  out += `xref\n0 ${max + 1}\n0000000000 65535 f \n`;
  for (let i = 1; i <= max; i++) {
    const o = offsets.get(i);
    out += o === undefined ? '0000000000 65535 f \n' : `${String(o).padStart(10, '0')} 00000 n \n`;
  }
  out += `trailer\n<< /Size ${max + 1} /Root ${root} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Appends an incremental update redefining/adding `objects`. */
function update(pdf: Buffer, objects: Record<number, string>, trailerExtra = '', root = 1): Buffer {
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(pdf.toString('latin1'))![1]);
  let out = pdf.toString('latin1');
  const entries: string[] = [];
  for (const [n, body] of Object.entries(objects)) {
    entries.push(`${n} 1\n${String(out.length).padStart(10, '0')} 00000 n \n`);
    out += `${n} 0 obj\n${body}\nendobj\n`;
  }
  const xref = out.length;
  const size = Math.max(...Object.keys(objects).map(Number), ...Object.keys(BASE).map(Number)) + 1;
  out += `xref\n0 1\n0000000000 65535 f \n${entries.join('')}trailer\n<< /Size ${size} /Root ${root} 0 R /Prev ${prev} ${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function analyse(base: Buffer, updated: Buffer, docMdp: number | null = null): ReturnType<typeof analyseModifications> {
  const doc = new PdfDocument(updated);
  return analyseModifications(doc, doc.stateAt(base.length), doc.finalState(), { docMdp, lockedFields: [] });
}

const base = build(BASE);

describe('changes after signing', () => {
  it('no change → NONE', () => {
    expect(analyse(base, base).level).toBe('NONE');
  });

  it('an identical re-write of an object is not a change', () => {
    expect(analyse(base, update(base, { 2: BASE[2] })).level).not.toBe('DISALLOWED');
  });

  it.each([
    ['page content stream replaced', { 4: '<< /Length 11 >>\nstream\n0 0 m 9 9 l\nendstream' }],
    ['XObject used by the page replaced', { 5: '<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 4 >>\nstream\nq  Q\nendstream' }],
    ['page added to the page tree', { 2: '<< /Type /Pages /Kids [3 0 R 10 0 R] /Count 2 >>', 10: '<< /Type /Page /Parent 2 0 R >>' }],
    ['page removed', { 2: '<< /Type /Pages /Kids [] /Count 0 >>' }],
    ['page /MediaBox changed', { 3: BASE[3].replace('612 792', '600 800') }],
    ['catalog /Pages swapped (hide-and-replace)', { 1: '<< /Type /Catalog /Pages 10 0 R /AcroForm 6 0 R >>', 10: '<< /Type /Pages /Kids [] /Count 0 >>' }],
    ['catalog /OpenAction added', { 1: '<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /OpenAction 9 0 R >>' }],
    ['field JavaScript action changed', { 9: '<< /S /JavaScript /JS (app.alert(1);) >>' }],
    ['field appearance changed without a value change (shadow "replace")', { 7: BASE[7].replace('/N 8 0 R', '/N 10 0 R'), 10: BASE[8] }],
    ['form field removed', { 6: '<< /Fields [] >>' }],
    ['document-level JavaScript added to the name dictionary', { 1: '<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /Names << /JavaScript 9 0 R >> >>' }],
  ])('%s → DISALLOWED', (_n, objs) => {
    const r = analyse(base, update(base, objs as Record<number, string>));
    expect(r.level).toBe('DISALLOWED');
    expect(r.details.length).toBeGreaterThan(0);
  });

  it('a different /Root → DISALLOWED', () => {
    const objs = { 10: '<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>' };
    expect(analyse(base, update(base, objs, '', 10)).level).toBe('DISALLOWED');
  });

  it.each([
    ['form filled (value and appearance)', { 7: BASE[7].replace('(old)', '(new)').replace('/N 8 0 R', '/N 10 0 R'), 10: BASE[8] }],
    ['annotation added to the page', { 3: BASE[3].replace('/Annots [7 0 R]', '/Annots [7 0 R 10 0 R]'), 10: '<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /Contents (note) >>' }],
    [
      'signature field added (field, widget, AcroForm, page /Annots)',
      {
        3: BASE[3].replace('/Annots [7 0 R]', '/Annots [7 0 R 10 0 R]'),
        6: '<< /Fields [7 0 R 10 0 R] /SigFlags 3 >>',
        10: '<< /FT /Sig /T (Sig2) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /V 11 0 R >>',
        11: '<< /Type /Sig /Contents <00> /ByteRange [0 0 0 0] >>',
      },
    ],
    ['DSS added', { 1: '<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /DSS 10 0 R >>', 10: '<< /Certs [] >>' }],
    ['document info updated', { 10: '<< /ModDate (D:20260101) >>' }, '/Info 10 0 R'],
  ])('%s → PERMITTED', (_n, objs, trailer = '') => {
    const r = analyse(base, update(base, objs as Record<number, string>, trailer as string));
    expect(r).toEqual(expect.objectContaining({ level: 'PERMITTED' }));
  });

  it('DocMDP P=1 refuses form filling, P=2 refuses new annotations, P=3 allows both', () => {
    const filled = update(base, { 7: BASE[7].replace('(old)', '(new)') });
    const annotated = update(base, { 3: BASE[3].replace('/Annots [7 0 R]', '/Annots [7 0 R 10 0 R]'), 10: '<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] >>' });
    expect(analyse(base, filled, 1).level).toBe('DISALLOWED');
    expect(analyse(base, filled, 2).level).toBe('PERMITTED');
    expect(analyse(base, annotated, 2).level).toBe('DISALLOWED');
    expect(analyse(base, annotated, 3).level).toBe('PERMITTED');
  });
});
