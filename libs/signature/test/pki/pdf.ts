/**
 * Test PDFs: a small Vietnamese document generator and tampering helpers. Every tamper helper that
 * changes structure appends an incremental update (as an attacker editing a signed file would);
 * `flipByte` corrupts the signed bytes in place.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef, PDFStream, StandardFonts, rgb } from 'pdf-lib';
import { IncrementalUpdate } from '../../src/sign/incremental';

let dejavu: Uint8Array | undefined;
export function dejavuSans(): Uint8Array {
  dejavu ??= new Uint8Array(fs.readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')));
  return dejavu;
}

export const SAMPLE_TEXT = [
  'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
  'Độc lập - Tự do - Hạnh phúc',
  '',
  'QUYẾT ĐỊNH',
  'Về việc ban hành Danh mục hồ sơ năm 2026',
  '',
  'Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ',
  'về công tác văn thư;',
  'Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024;',
  'Theo đề nghị của Chánh Văn phòng Ủy ban nhân dân tỉnh,',
  '',
  'Điều 1. Ban hành kèm theo Quyết định này Danh mục hồ sơ năm 2026.',
  'Điều 2. Quyết định có hiệu lực kể từ ngày ký.',
];

export interface MakePdfOptions {
  /** number of A4 pages (default 2) */
  pages?: number;
  /** lines printed on each page (default SAMPLE_TEXT) */
  lines?: string[];
  /** add an uncompressible raw image of about this many bytes (for benchmarks); spread over pages */
  padBytes?: number;
  /** xref stream + object streams (pdf-lib default, true) or a classic xref table (false) */
  objectStreams?: boolean;
  /** PDF /Title */
  title?: string;
}

/** A4 pages of Vietnamese text in embedded DejaVu Sans. */
export async function makePdf(opts: MakePdfOptions = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(opts.title ?? 'Quyết định ban hành Danh mục hồ sơ năm 2026');
  doc.setAuthor('Ủy ban nhân dân tỉnh Thử Nghiệm');
  doc.setCreationDate(new Date('2026-01-05T02:00:00Z'));
  doc.setModificationDate(new Date('2026-01-05T02:00:00Z'));
  const font = await doc.embedFont(dejavuSans(), { subset: true });
  const nPages = opts.pages ?? 2;
  const lines = opts.lines ?? SAMPLE_TEXT;
  for (let p = 0; p < nPages; p++) {
    const page = doc.addPage([595.28, 841.89]);
    let y = 780;
    for (const line of lines) {
      page.drawText(line, { x: 60, y, size: 11, font, color: rgb(0, 0, 0) });
      y -= 18;
    }
    page.drawText(`Trang ${p + 1}/${nPages}`, { x: 280, y: 40, size: 9, font });
  }
  if (opts.padBytes && opts.padBytes > 0) {
    // Raw RGB "scan" images of random bytes: realistic size, nothing for flate to shrink.
    const pages = doc.getPages();
    const perPage = Math.ceil(opts.padBytes / pages.length);
    for (const page of pages) {
      const width = 1000;
      const height = Math.max(1, Math.ceil(perPage / (width * 3)));
      const data = crypto.randomBytes(width * height * 3);
      const img = doc.context.register(
        doc.context.stream(data, { Type: 'XObject', Subtype: 'Image', Width: width, Height: height, ColorSpace: 'DeviceRGB', BitsPerComponent: 8 }),
      );
      const name = page.node.newXObject('Scan', img);
      const content = doc.context.register(doc.context.stream(`q 475 0 0 200 60 400 cm /${name.asString().slice(1)} Do Q`));
      page.node.addContentStream(content);
    }
  }
  return doc.save({ useObjectStreams: opts.objectStreams ?? true });
}

/** A tiny PDF with a standard font, without embedding (fast path for many small docs). */
export async function makeTinyPdf(text = 'Van ban thu nghiem'): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([595.28, 841.89]).drawText(text, { x: 60, y: 780, size: 12, font });
  return doc.save({ useObjectStreams: false });
}

// ---------------------------------------------------------------------------------------------
// Tampering

/** /ByteRange of every signature, in file order (regex scan: fine for our own test files). */
export function byteRanges(pdf: Uint8Array): number[][] {
  const s = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.length).toString('latin1');
  const out: number[][] = [];
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push([Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])]);
  return out;
}

/**
 * Flip one bit of a byte inside the first signed range. Default position: inside the binary
 * comment on line 2 of the header, so the file still parses and only the digest breaks.
 */
export function flipByte(pdf: Uint8Array, offset?: number): Uint8Array {
  const out = pdf.slice();
  let pos = offset;
  if (pos === undefined) {
    const nl = out.indexOf(0x0a);
    pos = out[nl + 1] === 0x25 /* % */ ? nl + 2 : Math.floor((byteRanges(pdf)[0]?.[1] ?? out.length) / 2);
  }
  out[pos] ^= 0x01;
  return out;
}

function pageRef(u: IncrementalUpdate, page: number): { ref: PDFRef; node: PDFDict } {
  const p = u.doc.getPages()[page - 1];
  if (!p) throw new Error(`no page ${page}`);
  return { ref: p.ref, node: p.node };
}

/**
 * Change what a page shows, in a new revision.
 *  - `append`: add a content stream (a red box with text-like strokes) to the page's /Contents;
 *  - `replace`: overwrite the page's first content stream object under the same object number.
 */
export async function editPageContent(pdf: Uint8Array, opts: { page?: number; mode?: 'append' | 'replace' } = {}): Promise<Uint8Array> {
  const u = await IncrementalUpdate.open(pdf);
  const { ref, node } = pageRef(u, opts.page ?? 1);
  const drawing = 'q 1 0 0 rg 60 600 300 40 re f 1 1 1 RG 2 w 70 620 m 350 620 l S Q';
  const contents = node.get(PDFName.of('Contents'));
  if ((opts.mode ?? 'append') === 'replace') {
    const first = contents instanceof PDFRef ? contents : contents instanceof PDFArray ? contents.get(0) : undefined;
    if (!(first instanceof PDFRef)) throw new Error('page has no indirect content stream');
    const old = u.context.lookup(first);
    if (!(old instanceof PDFStream)) throw new Error('content is not a stream');
    u.context.assign(first, u.context.stream(drawing));
    u.markChanged(first);
  } else {
    const added = u.context.register(u.context.stream(drawing));
    const arr = u.context.obj([]) as PDFArray;
    if (contents instanceof PDFArray) for (let i = 0; i < contents.size(); i++) arr.push(contents.get(i));
    else if (contents) arr.push(contents);
    arr.push(added);
    node.set(PDFName.of('Contents'), arr);
    u.markChanged(ref);
  }
  return u.build().bytes;
}

/** Append a blank page (new revision): changes the page tree. */
export async function addPage(pdf: Uint8Array): Promise<Uint8Array> {
  const u = await IncrementalUpdate.open(pdf);
  const page = u.doc.addPage([595.28, 841.89]);
  markAncestors(u, page.node);
  return u.build().bytes;
}

/** Remove a page (new revision). */
export async function removePage(pdf: Uint8Array, page = 1): Promise<Uint8Array> {
  const u = await IncrementalUpdate.open(pdf);
  const { node } = pageRef(u, page);
  markAncestors(u, node);
  u.doc.removePage(page - 1);
  return u.build().bytes;
}

function markAncestors(u: IncrementalUpdate, node: PDFDict): void {
  let parent = node.get(PDFName.of('Parent'));
  for (let depth = 0; parent instanceof PDFRef && depth < 64; depth++) {
    u.markChanged(parent);
    parent = u.context.lookup(parent, PDFDict).get(PDFName.of('Parent'));
  }
}

/** Add a sticky-note annotation (a change PERMITTED after an approval signature without DocMDP). */
export async function addAnnotation(pdf: Uint8Array, opts: { page?: number; text?: string } = {}): Promise<Uint8Array> {
  const u = await IncrementalUpdate.open(pdf);
  const { ref, node } = pageRef(u, opts.page ?? 1);
  const annot = u.context.register(
    u.context.obj({ Type: 'Annot', Subtype: 'Text', Rect: [500, 780, 520, 800], Contents: PDFHexString.fromText(opts.text ?? 'Ghi chú của văn thư'), P: ref }),
  );
  u.editableArray(ref, node, 'Annots').push(annot);
  return u.build().bytes;
}

/** Append arbitrary bytes after %%EOF (outside every signed range). */
export function appendBytes(pdf: Uint8Array, tail: string | Uint8Array): Uint8Array {
  const t = typeof tail === 'string' ? Buffer.from(tail, 'latin1') : tail;
  const out = new Uint8Array(pdf.length + t.length);
  out.set(pdf);
  out.set(t, pdf.length);
  return out;
}
