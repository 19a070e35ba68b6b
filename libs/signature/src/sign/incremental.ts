/**
 * Incremental-update writer (ISO 32000-1 §7.5.6): the original bytes are kept verbatim and a new
 * revision is appended (changed/new objects + xref section or xref stream + trailer with /Prev), so
 * earlier signatures keep covering exactly what they covered.
 *
 * pdf-lib is used only to read the existing objects and to build new ones; it never serialises the
 * document.
 */
import * as crypto from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFObject, PDFRef, PDFHexString, PDFString } from 'pdf-lib';
import { concat } from './der';

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

export interface PdfTail {
  /** offset of the last xref section (the `startxref` value) */
  startxref: number;
  /** whether that section is a cross-reference stream */
  xrefStream: boolean;
  /** /Size of the last trailer (0 when unreadable) */
  size: number;
}

/** Reads the last `startxref` and the trailer /Size without parsing the body. */
export function readTail(pdf: Uint8Array): PdfTail {
  const tailStart = Math.max(0, pdf.length - 4096);
  const tail = Buffer.from(pdf.buffer, pdf.byteOffset + tailStart, pdf.length - tailStart).toString('latin1');
  const i = tail.lastIndexOf('startxref');
  if (i < 0) throw new Error('PDF: no startxref in the last 4 KiB');
  const m = /startxref\s+(\d+)/.exec(tail.slice(i));
  if (!m) throw new Error('PDF: unreadable startxref');
  const startxref = Number(m[1]);
  if (startxref >= pdf.length) throw new Error('PDF: startxref points outside the file');
  const head = Buffer.from(pdf.buffer, pdf.byteOffset + startxref, Math.min(65536, pdf.length - startxref)).toString('latin1');
  const xrefStream = !/^\s*xref/.test(head);
  let section = head;
  if (!xrefStream) {
    const t = head.indexOf('trailer');
    section = t >= 0 ? head.slice(t) : '';
  } else {
    const s = head.indexOf('stream');
    section = s >= 0 ? head.slice(0, s) : head;
  }
  const size = /\/Size\s+(\d+)/.exec(section);
  return { startxref, xrefStream, size: size ? Number(size[1]) : 0 };
}

export interface BuiltUpdate {
  bytes: Uint8Array;
  /** absolute offset of each written object's body (after `N G obj\n`) by object number */
  bodyOffsets: Map<number, number>;
}

export class IncrementalUpdate {
  private readonly changed = new Map<number, PDFRef>();
  private readonly rawBodies = new Map<number, { ref: PDFRef; body: Uint8Array }>();
  private readonly baseLargest: number;

  private constructor(
    readonly original: Uint8Array,
    readonly doc: PDFDocument,
    readonly tail: PdfTail,
  ) {
    // New objects are numbered from max(/Size, largest seen + 1): never reuse a live number.
    const ctxLargest = doc.context.largestObjectNumber;
    this.baseLargest = Math.max(ctxLargest, tail.size - 1);
    doc.context.largestObjectNumber = this.baseLargest;
  }

  static async open(original: Uint8Array): Promise<IncrementalUpdate> {
    const tail = readTail(original);
    const doc = await PDFDocument.load(original, { updateMetadata: false, throwOnInvalidObject: false });
    if (doc.isEncrypted) throw new Error('PDF: encrypted documents are not supported');
    return new IncrementalUpdate(original, doc, tail);
  }

  get context() {
    return this.doc.context;
  }

  get catalogRef(): PDFRef {
    const r = this.doc.context.trailerInfo.Root;
    if (!(r instanceof PDFRef)) throw new Error('PDF: trailer /Root is not a reference');
    return r;
  }

  /** Mark an existing object as modified in memory: it is rewritten in the new revision. */
  markChanged(ref: PDFRef): void {
    this.changed.set(ref.objectNumber, ref);
  }

  /** Reserve an object number whose body the caller supplies as raw bytes. */
  reserveRaw(): PDFRef {
    return this.doc.context.nextRef();
  }

  setRaw(ref: PDFRef, body: Uint8Array): void {
    this.rawBodies.set(ref.objectNumber, { ref, body });
  }

  /** Resolve `holder[key]` for modification, returning the object to edit and marking its owner changed. */
  editableArray(owner: PDFRef, holder: PDFDict, key: string): PDFArray {
    const name = PDFName.of(key);
    const v = holder.get(name);
    if (v instanceof PDFRef) {
      const arr = this.context.lookup(v);
      if (arr instanceof PDFArray) {
        this.markChanged(v);
        return arr;
      }
    } else if (v instanceof PDFArray) {
      this.markChanged(owner);
      return v;
    }
    const arr = this.context.obj([]);
    holder.set(name, arr);
    this.markChanged(owner);
    return arr;
  }

  build(): BuiltUpdate {
    const ctx = this.doc.context;
    const entries = new Map<number, { ref: PDFRef; body: Uint8Array }>();
    for (const [ref, obj] of ctx.enumerateIndirectObjects()) {
      if (ref.objectNumber > this.baseLargest) entries.set(ref.objectNumber, { ref, body: serialize(obj) });
    }
    for (const ref of this.changed.values()) {
      const obj = ctx.lookup(ref);
      if (obj) entries.set(ref.objectNumber, { ref, body: serialize(obj) });
    }
    for (const [n, e] of this.rawBodies) entries.set(n, e);

    const orig = this.original;
    const last = orig[orig.length - 1];
    const parts: Uint8Array[] = [];
    let pos = orig.length;
    const push = (b: Uint8Array): void => {
      parts.push(b);
      pos += b.length;
    };
    if (last !== 0x0a && last !== 0x0d) push(latin1('\n'));
    const offsets = new Map<number, { off: number; gen: number }>();
    const bodyOffsets = new Map<number, number>();
    const nums = [...entries.keys()].sort((a, b) => a - b);
    for (const n of nums) {
      const e = entries.get(n)!;
      offsets.set(n, { off: pos, gen: e.ref.generationNumber });
      push(latin1(`${n} ${e.ref.generationNumber} obj\n`));
      bodyOffsets.set(n, pos);
      push(e.body);
      push(latin1('\nendobj\n'));
    }

    const maxNum = Math.max(this.baseLargest, ctx.largestObjectNumber, ...nums);
    const ti = ctx.trailerInfo;
    const trailerEntries: string[] = [`/Root ${this.catalogRef.toString()}`];
    if (ti.Info) trailerEntries.push(`/Info ${ti.Info.toString()}`);
    trailerEntries.push(`/ID ${idArray(ti.ID)}`);
    trailerEntries.push(`/Prev ${this.tail.startxref}`);

    const xrefOffset = pos;
    if (!this.tail.xrefStream) {
      let s = 'xref\n';
      for (const [start, run] of runs(nums)) {
        s += `${start} ${run.length}\n`;
        for (const n of run) {
          const o = offsets.get(n)!;
          s += `${String(o.off).padStart(10, '0')} ${String(o.gen).padStart(5, '0')} n\r\n`;
        }
      }
      s += `trailer\n<< /Size ${maxNum + 1} ${trailerEntries.join(' ')} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
      push(latin1(s));
    } else {
      // The previous section is a cross-reference stream: continue with one (readers that follow
      // /Prev from a classic table into a stream are rarer than the reverse).
      const xrefNum = maxNum + 1;
      offsets.set(xrefNum, { off: xrefOffset, gen: 0 });
      const all = [...nums, xrefNum];
      const w2 = xrefOffset > 0xffffffff ? 6 : 4;
      const rows: number[] = [];
      for (const n of all) {
        const o = offsets.get(n)!;
        rows.push(1);
        for (let i = w2 - 1; i >= 0; i--) rows.push(Math.floor(o.off / 2 ** (8 * i)) & 0xff);
        rows.push((o.gen >> 8) & 0xff, o.gen & 0xff);
      }
      const data = Uint8Array.from(rows);
      const index = runs(all).map(([start, run]) => `${start} ${run.length}`).join(' ');
      push(latin1(`${xrefNum} 0 obj\n<< /Type /XRef /Size ${xrefNum + 1} /Index [${index}] /W [1 ${w2} 2] ${trailerEntries.join(' ')} /Length ${data.length} >>\nstream\n`));
      push(data);
      push(latin1(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`));
    }
    return { bytes: concat([orig, ...parts]), bodyOffsets };
  }
}

function serialize(obj: PDFObject): Uint8Array {
  const buf = new Uint8Array(obj.sizeInBytes());
  obj.copyBytesInto(buf, 0);
  return buf;
}

/** Keep the permanent first ID; a fresh second part marks the new revision (§14.4). */
function idArray(id: PDFObject | undefined): string {
  const fresh = crypto.randomBytes(16).toString('hex').toUpperCase();
  if (id instanceof PDFArray && id.size() >= 1) {
    const first = id.get(0);
    if (first instanceof PDFHexString || first instanceof PDFString) return `[${first.toString()} <${fresh}>]`;
  }
  return `[<${fresh}> <${fresh}>]`;
}

function runs(sorted: number[]): Array<[number, number[]]> {
  const out: Array<[number, number[]]> = [];
  for (const n of sorted) {
    const cur = out[out.length - 1];
    if (cur && cur[1][cur[1].length - 1] === n - 1) cur[1].push(n);
    else out.push([n, [n]]);
  }
  return out;
}
