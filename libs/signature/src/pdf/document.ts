/**
 * Lazy, revision-aware view of a PDF: reads the xref chain (tables, xref streams, hybrid files,
 * incremental updates) and resolves objects on demand "as of" a byte offset, so the verifier can look
 * at the document exactly as it was when each signature was made. Falls back to scanning for
 * "N G obj" headers when the xref chain is broken. All work is bounded (see DocumentLimits).
 */
import { decodeStream } from './filters';
import {
  PdfDict,
  PdfParseError,
  PdfRef,
  PdfStream,
  PdfValue,
  isArray,
  isDict,
  isName,
  isRef,
  isStream,
} from './objects';
import { DEFAULT_LIMITS, NeedMoreBytes, PdfParser, indexOf, isWhite, lastIndexOf } from './parser';
import { ByteSource, bufferSource } from './source';

export type XrefEntry =
  | { type: 'n'; offset: number; gen: number }
  | { type: 'c'; stm: number; idx: number }
  | { type: 'f' };

export interface XrefSection {
  /** Offset of the section ("xref" keyword or xref stream object). */
  offset: number;
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
}

export interface DocumentLimits {
  maxStringBytes: number;
  maxSections: number;
  maxDecodedStream: number;
  /** Upper bound on objects parsed in total, to bound work on hostile files. */
  maxObjectLoads: number;
  /**
   * Largest random-access input a damaged file's reconstruction may load whole (unset: no bound).
   * Beyond it the file is reported unparseable rather than read into memory.
   */
  maxMaterializeBytes?: number;
}

export const DEFAULT_DOC_LIMITS: DocumentLimits = {
  maxStringBytes: 16 * 1024 * 1024,
  maxSections: 4096,
  maxDecodedStream: 64 * 1024 * 1024,
  maxObjectLoads: 500_000,
};

/** The set of object locations visible at one point of the file. */
export interface XrefState {
  entries: Map<number, XrefEntry>;
  trailer: PdfDict | null;
  /** Only sections before this offset are visible. */
  limit: number;
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const STARTXREF = b('startxref');
const EOF_MARK = b('%%EOF');
/**
 * First window for an object read from a random-access source; grows ×4 while the parser needs more.
 * 8 KiB holds almost every object (measured: 2–8 KiB fastest, 64 KiB ~10 % slower on 20 MB).
 */
const FIRST_WINDOW = 8 * 1024;

export class PdfDocument {
  readonly sections: XrefSection[] = []; // oldest first
  private eofs: number[] | null = null;
  /** Diagnostics (capped: hostile files could otherwise produce millions). */
  readonly warnings: string[] = [];
  /** True when the xref chain could not be read and objects were found by scanning. */
  reconstructed = false;
  private readonly cache = new Map<string, PdfValue>();
  private readonly objStmCache = new Map<string, { offsets: number[]; nums: number[]; data: Uint8Array; first: number }>();
  private scanIndex: Map<number, number[]> | null = null;
  private loads = 0;
  readonly src: ByteSource;
  /** The whole input when it is in memory (one window, parsed exactly as a buffer). */
  private whole: Uint8Array | null;
  /** Bytes of a random-access source read whole for a scan (broken files only; see materialize). */
  private materialized: Uint8Array | null = null;
  /** Start window of random-access reads (tests shrink it so every "need more" path runs). */
  static firstWindow = FIRST_WINDOW;

  constructor(
    input: Uint8Array | ByteSource,
    readonly limits: DocumentLimits = DEFAULT_DOC_LIMITS,
  ) {
    this.src = input instanceof Uint8Array ? bufferSource(input) : input;
    this.whole = this.src.whole ?? null;
    try {
      this.readXrefChain();
    } catch (e) {
      this.warnings.push(`xref chain unreadable (${(e as Error).message}); reconstructed by scanning`);
      this.sections.length = 0;
    }
    if (this.sections.length === 0 || !this.sections.some((s) => s.trailer.map.has('Root'))) this.reconstruct();
  }

  private warn(w: string): void {
    if (this.warnings.length < 100) this.warnings.push(w);
  }

  /** True once the object-load budget is exhausted (further lookups fail fast). */
  get exhausted(): boolean {
    return this.loads > this.limits.maxObjectLoads;
  }

  get size(): number {
    return this.src.size;
  }

  /** Bytes [start, end) of the input (a view for in-memory input). */
  bytes(start: number, end: number): Uint8Array {
    return (this.whole ?? this.materialized)?.subarray(start, end) ?? this.src.read(start, end - start);
  }

  /**
   * Runs `fn` with a parser at file offset `pos`. In memory: one parser over the whole input, as
   * always. Random access: over a window from `pos`, re-run on a window four times larger whenever
   * the parser reaches the end of one short of the file (NeedMoreBytes), so the result is the same.
   */
  private parseAt<T>(pos: number, fn: (p: PdfParser) => T, resolveLength?: (num: number, gen: number) => number | undefined): T {
    const limits = { ...DEFAULT_LIMITS, maxStringBytes: this.limits.maxStringBytes };
    const all = this.whole ?? this.materialized;
    if (all) return fn(new PdfParser(all, pos, limits, resolveLength));
    const size = this.src.size;
    // An object never needs more than its largest string (hex: 2 digits a byte) plus slack; stream
    // data is never in the window (its /Length is checked with a small read past it).
    const cap = 2 * this.limits.maxStringBytes + 1024 * 1024;
    for (let w = PdfDocument.firstWindow; ; w *= 4) {
      const win = this.src.read(pos, Math.min(w, cap));
      try {
        return fn(new PdfParser(win, 0, limits, resolveLength, { base: pos, total: size, readAt: (o, l) => this.src.read(o, l) }));
      } catch (e) {
        if (!(e instanceof NeedMoreBytes)) throw e;
        if (w >= cap) throw new PdfParseError('object larger than the read limit', pos);
      }
    }
  }

  /**
   * The whole input, for the scans that only broken files need (reconstruction, misplaced objects):
   * a random-access source gives up its memory bound there rather than parse differently.
   */
  private materialize(): Uint8Array {
    const cap = this.limits.maxMaterializeBytes;
    if (!this.materialized && !this.whole && cap !== undefined && this.src.size > cap) {
      throw new PdfParseError(`damaged PDF of ${this.src.size} bytes: too large to reconstruct within the ${cap}-byte memory bound`);
    }
    this.materialized ??= this.whole ?? this.src.read(0, this.src.size);
    return this.materialized;
  }

  /**
   * Positions just after each "%%EOF" marker (and after its end-of-line, if any). Computed on demand:
   * scanning a large scan-image PDF costs more than everything else except hashing.
   */
  get eofEnds(): number[] {
    if (!this.eofs) {
      this.eofs = [];
      this.findEofs(this.eofs);
    }
    return this.eofs;
  }

  /** Is `end` just after a "%%EOF" marker, optionally followed by an end-of-line? */
  isRevisionEnd(end: number): boolean {
    if (end > this.size || end < 5) return false;
    // The 7 bytes before `end` are all this looks at.
    const from = Math.max(0, end - 7);
    const w = this.bytes(from, end);
    const at = (i: number): number => w[i - from];
    for (let p = end, eol = 0; eol <= 2 && p >= 5; eol++, p--) {
      if (at(p - 5) === 0x25 && at(p - 4) === 0x25 && at(p - 3) === 0x45 && at(p - 2) === 0x4f && at(p - 1) === 0x46) return true;
      if (at(p - 1) !== 0x0a && at(p - 1) !== 0x0d) return false;
    }
    return false;
  }

  private findEofs(out: number[]): void {
    const buf = this.materialize();
    let from = 0;
    for (let i = 0; i < 100_000; i++) {
      const p = indexOf(buf, EOF_MARK, from);
      if (p < 0) break;
      let end = p + 5;
      if (buf[end] === 0x0d) end++;
      if (buf[end] === 0x0a) end++;
      out.push(end);
      from = p + 5;
    }
  }

  // ---------------------------------------------------------------- xref chain

  private readXrefChain(): void {
    const sx = this.lastIndexOfFromEnd(STARTXREF);
    if (sx < 0) throw new PdfParseError('no startxref');
    const v = this.parseAt(sx + STARTXREF.length, (p) => p.parseValue());
    if (typeof v !== 'number') throw new PdfParseError('bad startxref');
    const chain: XrefSection[] = [];
    const seen = new Set<number>();
    let offset: number | null = v;
    while (offset !== null) {
      if (seen.has(offset) || chain.length >= this.limits.maxSections) break; // cyclic /Prev
      seen.add(offset);
      const sec = this.readSection(offset);
      chain.push(sec);
      const prev = sec.trailer.map.get('Prev');
      offset = typeof prev === 'number' && Number.isInteger(prev) ? prev : null;
    }
    // Sections sorted by position: the chain order is newest first, the file order is what matters
    // for "as of a byte offset".
    chain.sort((a, c) => a.offset - c.offset);
    this.sections.push(...chain);
  }

  /** Last "startxref" in the file: Buffer.lastIndexOf over the input, or over chunks from its end. */
  private lastIndexOfFromEnd(needle: Uint8Array): number {
    const all = this.whole ?? this.materialized;
    if (all) return lastIndexOf(all, needle, Math.max(0, all.length - 1));
    const chunk = 1024 * 1024;
    for (let end = this.size; end > 0; ) {
      const start = Math.max(0, end - chunk);
      const i = lastIndexOf(this.src.read(start, end - start), needle);
      if (i >= 0) return start + i;
      if (start === 0) break;
      end = start + needle.length - 1; // a match straddling the chunk start
    }
    return -1;
  }

  private readSection(offset: number): XrefSection {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) throw new PdfParseError('xref offset out of file', offset);
    return this.parseAt(offset, (p) => {
      p.skipWs();
      if (p.buf[p.pos] === 0x78 /* x */) return this.readXrefTable(p, offset);
      // An xref stream: "N G obj << /Type /XRef ... >> stream"
      const { value } = p.parseIndirect();
      if (!isStream(value) || !isName(value.dict.map.get('Type'), 'XRef')) throw new PdfParseError('not an xref stream', offset);
      return { offset, entries: this.readXrefStream(value), trailer: value.dict };
    });
  }

  private readXrefTable(p: PdfParser, offset: number): XrefSection {
    const buf = p.buf;
    p.pos += 4; // "xref"
    const entries = new Map<number, XrefEntry>();
    for (let guard = 0; guard < 1_000_000; guard++) {
      p.skipWs();
      if (buf[p.pos] === 0x74 /* t */) break; // trailer
      const start = p.parseValue();
      const count = p.parseValue();
      if (typeof start !== 'number' || typeof count !== 'number' || count < 0 || !Number.isInteger(count))
        throw new PdfParseError('bad xref subsection header', p.base + p.pos);
      if (count * 18 > this.size - (p.base + p.pos)) throw new PdfParseError('xref subsection larger than file', p.base + p.pos);
      for (let i = 0; i < count; i++) {
        p.skipWs();
        // "nnnnnnnnnn ggggg n" – parse tolerantly (some writers use single spaces/odd EOLs)
        p.ensure(20);
        const line = Buffer.from(buf.subarray(p.pos, p.pos + 20)).toString('latin1');
        const m = /^(\d+)\s+(\d+)\s+([nf])/.exec(line);
        if (!m) throw new PdfParseError('bad xref entry', p.base + p.pos);
        p.pos += m[0].length;
        const num = start + i;
        if (entries.has(num)) continue;
        entries.set(num, m[3] === 'n' ? { type: 'n', offset: Number(m[1]), gen: Number(m[2]) } : { type: 'f' });
      }
    }
    p.skipWs();
    p.ensure(7);
    if (Buffer.from(buf.subarray(p.pos, p.pos + 7)).toString('latin1') !== 'trailer') throw new PdfParseError('no trailer', p.base + p.pos);
    p.pos += 7;
    const trailer = p.parseValue();
    if (!isDict(trailer)) throw new PdfParseError('trailer is not a dictionary', p.base + p.pos);
    // Hybrid file: objects in object streams are listed in the /XRefStm stream.
    const xs = trailer.map.get('XRefStm');
    if (typeof xs === 'number') {
      try {
        const { value } = this.parseAt(xs, (q) => q.parseIndirect());
        if (isStream(value)) {
          for (const [num, e] of this.readXrefStream(value)) {
            const cur = entries.get(num);
            if (!cur || (cur.type === 'f' && e.type !== 'f')) entries.set(num, e);
          }
        }
      } catch (e) {
        this.warn(`bad /XRefStm: ${(e as Error).message}`);
      }
    }
    return { offset, entries, trailer };
  }

  private readXrefStream(s: PdfStream): Map<number, XrefEntry> {
    const d = s.dict.map;
    const data = decodeStream(s.dict, this.bytes(s.dataStart, s.dataEnd), this.limits.maxDecodedStream);
    const w = d.get('W');
    if (!isArray(w) || w.items.length < 3 || !w.items.every((x) => typeof x === 'number' && x >= 0 && x <= 8))
      throw new PdfParseError('bad /W in xref stream');
    const [w0, w1, w2] = w.items as number[];
    const rowLen = w0 + w1 + w2;
    if (rowLen === 0) throw new PdfParseError('empty /W');
    const size = typeof d.get('Size') === 'number' ? (d.get('Size') as number) : 0;
    const idx = d.get('Index');
    const ranges: number[] = isArray(idx) ? (idx.items.filter((x) => typeof x === 'number') as number[]) : [0, size];
    const entries = new Map<number, XrefEntry>();
    let pos = 0;
    const field = (width: number): number => {
      let v = 0;
      for (let k = 0; k < width; k++) v = v * 256 + data[pos++];
      return v;
    };
    for (let r = 0; r + 1 < ranges.length; r += 2) {
      const start = ranges[r];
      const count = ranges[r + 1];
      for (let i = 0; i < count && pos + rowLen <= data.length; i++) {
        const type = w0 === 0 ? 1 : field(w0);
        const f2 = field(w1);
        const f3 = field(w2);
        const num = start + i;
        if (entries.has(num)) continue;
        if (type === 1) entries.set(num, { type: 'n', offset: f2, gen: f3 });
        else if (type === 2) entries.set(num, { type: 'c', stm: f2, idx: f3 });
        else entries.set(num, { type: 'f' });
      }
    }
    return entries;
  }

  /** Reconstruction for files whose xref chain is broken: one synthetic section per %%EOF. */
  private reconstruct(): void {
    this.reconstructed = true;
    const index = this.buildScanIndex();
    const cuts = [...this.eofEnds];
    const buf = this.materialize();
    if (cuts.length === 0 || cuts[cuts.length - 1] < buf.length) cuts.push(buf.length);
    const sections: XrefSection[] = cuts.map((c) => ({ offset: c - 1, entries: new Map(), trailer: { kind: 'dict', map: new Map() } }));
    for (const [num, offsets] of index) {
      for (const off of offsets) {
        const si = cuts.findIndex((c) => off < c);
        if (si >= 0) sections[si].entries.set(num, { type: 'n', offset: off, gen: 0 });
      }
    }
    // Trailers: every "trailer" dictionary, or the catalog found by scanning.
    for (let si = 0; si < sections.length; si++) {
      const from = si === 0 ? 0 : cuts[si - 1];
      const t = lastIndexOf(buf, b('trailer'), cuts[si]);
      if (t >= from) {
        try {
          const v = this.parseAt(t + 7, (p) => p.parseValue());
          if (isDict(v)) sections[si].trailer = v;
        } catch {
          /* ignore */
        }
      }
    }
    this.sections.length = 0;
    this.sections.push(...sections.filter((s) => s.entries.size > 0 || s.trailer.map.size > 0));
    if (!this.sections.some((s) => s.trailer.map.has('Root'))) {
      // Find a catalog among scanned objects (newest wins).
      const state = this.stateAt(buf.length);
      for (const [num] of state.entries) {
        if (this.exhausted) break;
        const v = this.resolve({ kind: 'ref', num, gen: 0 }, state);
        if (isDict(v) && isName(v.map.get('Type'), 'Catalog')) {
          this.sections[this.sections.length - 1]?.trailer.map.set('Root', { kind: 'ref', num, gen: 0 });
        }
      }
    }
  }

  /** Every "N G obj" header in the file (object number → ascending offsets). */
  private buildScanIndex(): Map<number, number[]> {
    if (this.scanIndex) return this.scanIndex;
    const index = new Map<number, number[]>();
    const all = this.materialize();
    const s = Buffer.from(all.buffer, all.byteOffset, all.byteLength);
    const OBJ = b('obj');
    let from = 0;
    for (let guard = 0; guard < 5_000_000; guard++) {
      const p = s.indexOf(OBJ, from);
      if (p < 0) break;
      from = p + 3;
      if (p + 3 < s.length && !isWhite(s[p + 3]) && s[p + 3] !== 0x3c && s[p + 3] !== 0x5b && s[p + 3] !== 0x2f) continue;
      // walk back over "num gen "
      let q = p - 1;
      while (q >= 0 && isWhite(s[q])) q--;
      let e = q;
      while (q >= 0 && s[q] >= 0x30 && s[q] <= 0x39) q--;
      if (q === e) continue;
      while (q >= 0 && isWhite(s[q])) q--;
      e = q;
      while (q >= 0 && s[q] >= 0x30 && s[q] <= 0x39 && e - q < 12) q--;
      if (q === e) continue;
      const start = q + 1;
      if (q >= 0 && !isWhite(s[q]) && s[q] !== 0x3e && s[q] !== 0x5d) continue;
      const num = Number(s.subarray(start, e + 1).toString('latin1'));
      const list = index.get(num) ?? [];
      list.push(start);
      index.set(num, list);
    }
    this.scanIndex = index;
    return index;
  }

  // ---------------------------------------------------------------- states and resolution

  /** The xref state as of `limit`: all sections starting before it, newer entries winning. */
  stateAt(limit: number): XrefState {
    const entries = new Map<number, XrefEntry>();
    let trailer: PdfDict | null = null;
    for (const s of this.sections) {
      if (s.offset >= limit) break;
      for (const [k, v] of s.entries) entries.set(k, v);
      // A trailer without /Root (some incremental writers) inherits the previous one's.
      if (s.trailer.map.has('Root') || !trailer) trailer = s.trailer;
    }
    return { entries, trailer, limit };
  }

  finalState(): XrefState {
    return this.stateAt(Number.MAX_SAFE_INTEGER);
  }

  /** A stable key for where an object's definition lives (equal keys ⇒ same bytes). */
  locationKey(num: number, state: XrefState): string | null {
    const e = state.entries.get(num);
    if (!e || e.type === 'f') return null;
    if (e.type === 'n') return `n${e.offset}`;
    const s = state.entries.get(e.stm);
    return s && s.type === 'n' ? `c${s.offset}:${e.idx}` : null;
  }

  /** Resolves references (following chains of refs, bounded) in `state`. */
  resolve(v: PdfValue | undefined, state: XrefState): PdfValue | undefined {
    for (let i = 0; i < 32 && isRef(v); i++) v = this.getObject(v, state);
    return isRef(v) ? undefined : v;
  }

  getObject(ref: PdfRef, state: XrefState): PdfValue | undefined {
    const e = state.entries.get(ref.num);
    if (!e || e.type === 'f') return undefined;
    try {
      if (e.type === 'n') return this.loadAt(e.offset, ref.num, state);
      return this.loadCompressed(e.stm, e.idx, ref.num, state);
    } catch (err) {
      this.warn(`object ${ref.num}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Offset of the object's definition (for /Contents position checks); null if compressed. */
  offsetOf(num: number, state: XrefState): number | null {
    const e = state.entries.get(num);
    return e && e.type === 'n' ? e.offset : null;
  }

  private countLoad(): void {
    if (++this.loads > this.limits.maxObjectLoads) throw new PdfParseError('object load limit reached');
  }

  private loadAt(offset: number, num: number, state: XrefState): PdfValue | undefined {
    const key = `n${offset}`;
    if (this.cache.has(key)) return this.cache.get(key);
    this.countLoad();
    let value: PdfValue | undefined;
    try {
      value = this.parseIndirectAt(offset, num, state);
    } catch (e) {
      // Offsets off by a few bytes (edited files): use the scanned header nearest before the limit.
      const alt = (this.buildScanIndex().get(num) ?? []).filter((o) => o < state.limit).pop();
      if (alt === undefined || alt === offset) throw e;
      this.warn(`object ${num}: xref offset ${offset} wrong, found at ${alt}`);
      value = this.parseIndirectAt(alt, num, state);
    }
    this.cache.set(key, value);
    return value;
  }

  private parseIndirectAt(offset: number, num: number, state: XrefState): PdfValue {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) throw new PdfParseError('offset out of file', offset);
    const lengthOf = (n: number): number | undefined => {
      // Indirect /Length: resolve only a direct number, never recursing into streams.
      const e = state.entries.get(n);
      if (!e || e.type !== 'n' || n === num) return undefined;
      try {
        const v = this.parseAt(e.offset, (q) => q.parseIndirect().value);
        return typeof v === 'number' ? v : undefined;
      } catch {
        return undefined;
      }
    };
    const r = this.parseAt(offset, (p) => p.parseIndirect(), lengthOf);
    if (r.num !== num) throw new PdfParseError(`expected object ${num}, found ${r.num}`, offset);
    return r.value;
  }

  private loadCompressed(stmNum: number, idx: number, num: number, state: XrefState): PdfValue | undefined {
    const se = state.entries.get(stmNum);
    if (!se || se.type !== 'n') throw new PdfParseError(`object stream ${stmNum} missing`);
    const key = `c${se.offset}:${idx}`;
    if (this.cache.has(key)) return this.cache.get(key);
    this.countLoad();
    let os = this.objStmCache.get(`n${se.offset}`);
    if (!os) {
      const stm = this.loadAt(se.offset, stmNum, state);
      if (!isStream(stm)) throw new PdfParseError(`object stream ${stmNum} is not a stream`);
      const data = decodeStream(stm.dict, this.bytes(stm.dataStart, stm.dataEnd), this.limits.maxDecodedStream);
      const n = stm.dict.map.get('N');
      const first = stm.dict.map.get('First');
      if (typeof n !== 'number' || typeof first !== 'number' || n < 0 || n > 1_000_000 || first < 0 || first > data.length)
        throw new PdfParseError('bad object stream header');
      const hp = new PdfParser(data, 0);
      const nums: number[] = [];
      const offsets: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = hp.parseValue();
        const c = hp.parseValue();
        if (typeof a !== 'number' || typeof c !== 'number') break;
        nums.push(a);
        offsets.push(c);
      }
      os = { nums, offsets, data, first };
      this.objStmCache.set(`n${se.offset}`, os);
    }
    if (idx >= os.nums.length || os.nums[idx] !== num) {
      const j = os.nums.indexOf(num);
      if (j < 0) throw new PdfParseError(`object ${num} not in object stream ${stmNum}`);
      idx = j;
    }
    const value = new PdfParser(os.data, os.first + os.offsets[idx]).parseValue();
    this.cache.set(key, value);
    return value;
  }

  /** Raw bytes of a stream (decoded). */
  streamData(s: PdfStream): Uint8Array {
    return decodeStream(s.dict, this.bytes(s.dataStart, s.dataEnd), this.limits.maxDecodedStream);
  }
}
