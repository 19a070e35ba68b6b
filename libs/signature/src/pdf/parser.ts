/**
 * A small, bounded PDF object parser (ISO 32000-1 §7.2–7.3). It reads single objects at given offsets;
 * it never loads the whole document. Every loop is bounded by the input length and by explicit limits,
 * so malformed or hostile input ends in a PdfParseError, never a hang or a stack overflow.
 */
import { PdfArray, PdfDict, PdfParseError, PdfStream, PdfValue } from './objects';

export interface ParserLimits {
  /** Maximum nesting of arrays/dictionaries. */
  maxDepth: number;
  /** Maximum bytes of one string (bounds /Contents). */
  maxStringBytes: number;
  /** Maximum items in one array or dictionary. */
  maxContainerItems: number;
}

export const DEFAULT_LIMITS: ParserLimits = {
  maxDepth: 64,
  maxStringBytes: 16 * 1024 * 1024,
  maxContainerItems: 1_000_000,
};

const WS = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

export const isWhite = (c: number): boolean => WS[c] === 1;
const isRegular = (c: number): boolean => WS[c] === 0 && DELIM[c] === 0;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

const HEX: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 10; i++) t[0x30 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[0x41 + i] = 10 + i;
    t[0x61 + i] = 10 + i;
  }
  return t;
})();

/** Keyword or end-of-container token, as opposed to a value. */
interface Keyword {
  kw: string;
}
const isKeyword = (v: unknown): v is Keyword => typeof v === 'object' && v !== null && 'kw' in v;

/**
 * Where the parsed bytes sit in the file when they are only a window of it (random-access sources).
 * Without it the buffer is the whole input, as for object streams and in-memory PDFs.
 */
export interface ParserWindow {
  /** File offset of buf[0]: positions kept in values (strings, streams) are file offsets. */
  base: number;
  /** File size: the window is complete when base + buf.length reaches it. */
  total: number;
  /** Reads bytes outside the window (the "endstream" after a stream's /Length, never the data). */
  readAt?: (offset: number, length: number) => Uint8Array;
}

/**
 * Thrown when the parser needs a byte past the end of an incomplete window; the document re-parses
 * from a larger window. The parser never treats a window end as a delimiter, so a window parse
 * either needs more or gives exactly what a parse of the whole file gives.
 */
export class NeedMoreBytes extends Error {
  constructor() {
    super('need more bytes');
  }
}

export class PdfParser {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    readonly limits: ParserLimits = DEFAULT_LIMITS,
    /** Resolves an indirect /Length of a stream; may return undefined. */
    readonly resolveLength?: (num: number, gen: number) => number | undefined,
    readonly window?: ParserWindow,
  ) {
    this.pos = pos;
    this.base = window?.base ?? 0;
    this.complete = !window || window.base + buf.length >= window.total;
  }

  /** File offset of buf[0]. */
  readonly base: number;
  /** True when buf reaches the end of the input (reads past it are the end of data, not a need). */
  readonly complete: boolean;

  /** Called where the parser reached the end of buf: fatal only for a window short of the input. */
  private atEnd(): void {
    if (!this.complete) throw new NeedMoreBytes();
  }

  /** buf[i] for a look-ahead that may fall past the window. */
  private peek(i: number): number | undefined {
    if (i >= this.buf.length) this.atEnd();
    return this.buf[i];
  }

  /** Requires n bytes from pos (or the end of the input) in buf. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.atEnd();
  }

  skipWs(): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if (WS[c]) this.pos++;
      else if (c === 0x25 /* % */) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else return;
    }
    this.atEnd();
  }

  /** Reads a regular-character run (keyword or number text). */
  private word(): string {
    const start = this.pos;
    const b = this.buf;
    while (this.pos < b.length && isRegular(b[this.pos]) && this.pos - start < 256) this.pos++;
    if (this.pos >= b.length) this.atEnd();
    return Buffer.from(b.subarray(start, this.pos)).toString('latin1');
  }

  /** Reads an unsigned integer token if one is next; restores the position otherwise. */
  private tryUInt(): number | null {
    const save = this.pos;
    this.skipWs();
    const start = this.pos;
    while (this.pos < this.buf.length && isDigit(this.buf[this.pos]) && this.pos - start < 20) this.pos++;
    if (this.pos >= this.buf.length) this.atEnd();
    if (this.pos === start || (this.pos < this.buf.length && isRegular(this.buf[this.pos]))) {
      this.pos = save;
      return null;
    }
    return Number(Buffer.from(this.buf.subarray(start, this.pos)).toString('latin1'));
  }

  /** Parses "num gen obj <value> [endobj]" at the current position. */
  parseIndirect(): { num: number; gen: number; value: PdfValue } {
    const num = this.tryUInt();
    const gen = this.tryUInt();
    this.skipWs();
    if (num === null || gen === null || this.word() !== 'obj') throw new PdfParseError('expected "N G obj"', this.base + this.pos);
    const value = this.parseValue();
    return { num, gen, value };
  }

  /** Parses one value (the top-level entry point). */
  parseValue(): PdfValue {
    const v = this.parseAny(0);
    if (isKeyword(v)) throw new PdfParseError(`unexpected keyword ${v.kw}`, this.base + this.pos);
    return v;
  }

  private parseAny(depth: number): PdfValue | Keyword {
    if (depth > this.limits.maxDepth) throw new PdfParseError('nesting too deep', this.base + this.pos);
    this.skipWs();
    const b = this.buf;
    if (this.pos >= b.length) throw new PdfParseError('unexpected end of data', this.base + this.pos);
    const c = b[this.pos];
    switch (c) {
      case 0x2f /* / */:
        return this.parseName();
      case 0x28 /* ( */:
        return this.parseLiteralString();
      case 0x3c /* < */:
        if (this.peek(this.pos + 1) === 0x3c) return this.parseDictOrStream(depth);
        return this.parseHexString();
      case 0x3e /* > */:
        if (this.peek(this.pos + 1) === 0x3e) {
          this.pos += 2;
          return { kw: '>>' };
        }
        throw new PdfParseError('stray ">"', this.base + this.pos);
      case 0x5b /* [ */:
        return this.parseArray(depth);
      case 0x5d /* ] */:
        this.pos++;
        return { kw: ']' };
      case 0x7b:
      case 0x7d:
        this.pos++;
        return { kw: String.fromCharCode(c) };
      case 0x29:
        throw new PdfParseError('stray ")"', this.base + this.pos);
    }
    if (isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) return this.parseNumberOrRef();
    const w = this.word();
    if (w === '') throw new PdfParseError('unexpected byte', this.base + this.pos);
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    return { kw: w };
  }

  private parseNumberOrRef(): PdfValue {
    const start = this.pos;
    const w = this.word();
    const n = Number(w);
    const num = Number.isFinite(n) ? n : 0; // PDF readers treat unparsable numbers as 0
    // "num gen R": only non-negative integers can start a reference.
    if (/^\d+$/.test(w)) {
      const save = this.pos;
      const gen = this.tryUInt();
      if (gen !== null) {
        this.skipWs();
        if (this.buf[this.pos] === 0x52 /* R */ && !isRegular(this.peek(this.pos + 1) as number)) {
          this.pos++;
          return { kind: 'ref', num, gen };
        }
      }
      this.pos = save;
    }
    if (this.pos === start) throw new PdfParseError('bad number', this.base + start);
    return num;
  }

  private parseName(): PdfValue {
    const b = this.buf;
    this.pos++; // '/'
    const out: number[] = [];
    while (this.pos < b.length && isRegular(b[this.pos])) {
      const c = b[this.pos];
      if (c === 0x23 /* # */ && HEX[this.peek(this.pos + 1) as number] >= 0 && HEX[this.peek(this.pos + 2) as number] >= 0) {
        out.push(HEX[b[this.pos + 1]] * 16 + HEX[b[this.pos + 2]]);
        this.pos += 3;
      } else {
        out.push(c);
        this.pos++;
      }
      if (out.length > 1024) throw new PdfParseError('name too long', this.base + this.pos);
    }
    if (this.pos >= b.length) this.atEnd();
    return { kind: 'name', name: Buffer.from(out).toString('latin1') };
  }

  private parseLiteralString(): PdfValue {
    const b = this.buf;
    const start = this.pos;
    this.pos++;
    const out: number[] = [];
    let depth = 1;
    while (this.pos < b.length) {
      if (out.length > this.limits.maxStringBytes) throw new PdfParseError('string too long', this.base + start);
      const c = b[this.pos++];
      if (c === 0x5c /* \ */) {
        const e = this.peek(this.pos++) as number;
        switch (e) {
          case 0x6e: out.push(0x0a); break;
          case 0x72: out.push(0x0d); break;
          case 0x74: out.push(0x09); break;
          case 0x62: out.push(0x08); break;
          case 0x66: out.push(0x0c); break;
          case 0x0d:
            if (this.peek(this.pos) === 0x0a) this.pos++;
            break;
          case 0x0a: break;
          default:
            if (e >= 0x30 && e <= 0x37) {
              let v = e - 0x30;
              for (let k = 0; k < 2 && (this.peek(this.pos) as number) >= 0x30 && b[this.pos] <= 0x37; k++) v = v * 8 + (b[this.pos++] - 0x30);
              out.push(v & 0xff);
            } else if (e !== undefined) out.push(e);
        }
      } else if (c === 0x28) {
        depth++;
        out.push(c);
      } else if (c === 0x29) {
        if (--depth === 0) return { kind: 'string', bytes: Uint8Array.from(out), start: this.base + start, end: this.base + this.pos, hex: false };
        out.push(c);
      } else out.push(c);
    }
    this.atEnd();
    throw new PdfParseError('unterminated string', this.base + start);
  }

  private parseHexString(): PdfValue {
    const b = this.buf;
    const start = this.pos;
    this.pos++;
    // Scan to '>' first so the output is allocated once (a /Contents can be megabytes).
    let end = this.pos;
    const max = Math.min(b.length, this.pos + this.limits.maxStringBytes * 2 + 4096);
    while (end < max && b[end] !== 0x3e) end++;
    if (end >= b.length) this.atEnd();
    if (end >= b.length || b[end] !== 0x3e) throw new PdfParseError(end >= max ? 'string too long' : 'unterminated hex string', this.base + start);
    // Fast path (native decoder) for the usual case: an even number of hex digits, no whitespace.
    if ((end - this.pos) % 2 === 0) {
      const fast = Buffer.from(Buffer.from(b.buffer, b.byteOffset + this.pos, end - this.pos).toString('latin1'), 'hex');
      if (fast.length * 2 === end - this.pos) {
        this.pos = end + 1;
        return { kind: 'string', bytes: fast, start: this.base + start, end: this.base + this.pos, hex: true };
      }
    }
    const out = new Uint8Array((end - this.pos + 1) >> 1);
    let n = 0;
    let hi = -1;
    for (let i = this.pos; i < end; i++) {
      const h = HEX[b[i]];
      if (h < 0) {
        if (WS[b[i]]) continue;
        throw new PdfParseError('bad hex digit', this.base + i);
      }
      if (hi < 0) hi = h;
      else {
        out[n++] = (hi << 4) | h;
        hi = -1;
      }
    }
    if (hi >= 0) out[n++] = hi << 4;
    this.pos = end + 1;
    return { kind: 'string', bytes: out.subarray(0, n), start: this.base + start, end: this.base + this.pos, hex: true };
  }

  private parseArray(depth: number): PdfArray {
    this.pos++;
    const items: PdfValue[] = [];
    for (;;) {
      const v = this.parseAny(depth + 1);
      if (isKeyword(v)) {
        if (v.kw === ']') return { kind: 'array', items };
        throw new PdfParseError(`unexpected ${v.kw} in array`, this.base + this.pos);
      }
      items.push(v);
      if (items.length > this.limits.maxContainerItems) throw new PdfParseError('array too large', this.base + this.pos);
    }
  }

  /** A parser at a file offset: inside this buffer, or (windows) a small read at that offset. */
  private parserAt(offset: number): PdfParser {
    const rel = offset - this.base;
    if (rel < this.buf.length || !this.window?.readAt) return new PdfParser(this.buf, rel, this.limits, undefined, this.window);
    const w = this.window.readAt(offset, 4096);
    return new PdfParser(w, 0, this.limits, undefined, { base: offset, total: this.window.total, readAt: this.window.readAt });
  }

  private parseDictOrStream(depth: number): PdfDict | PdfStream {
    this.pos += 2;
    const map = new Map<string, PdfValue>();
    for (;;) {
      this.skipWs();
      const k = this.parseAny(depth + 1);
      if (isKeyword(k) && k.kw === '>>') break;
      if (k === null || typeof k !== 'object' || !('kind' in k) || k.kind !== 'name')
        throw new PdfParseError('dictionary key is not a name', this.base + this.pos);
      const v = this.parseAny(depth + 1);
      if (isKeyword(v)) {
        if (v.kw === '>>') {
          map.set(k.name, null); // tolerate a missing value at the end
          break;
        }
        throw new PdfParseError(`unexpected ${v.kw} in dictionary`, this.base + this.pos);
      }
      map.set(k.name, v);
      if (map.size > this.limits.maxContainerItems) throw new PdfParseError('dictionary too large', this.base + this.pos);
    }
    const dict: PdfDict = { kind: 'dict', map };
    // Is a stream following?
    const save = this.pos;
    this.skipWs();
    const b = this.buf;
    if (b[this.pos] === 0x73 && this.word() === 'stream') {
      if (this.peek(this.pos) === 0x0d) this.pos++;
      if (this.peek(this.pos) === 0x0a) this.pos++;
      const dataStart = this.pos;
      let len: number | undefined;
      const l = map.get('Length');
      if (typeof l === 'number') len = l;
      else if (l && typeof l === 'object' && l.kind === 'ref' && this.resolveLength) len = this.resolveLength(l.num, l.gen);
      const total = this.window ? this.window.total : b.length;
      if (len !== undefined && Number.isInteger(len) && len >= 0 && this.base + dataStart + len <= total) {
        // Trust /Length only if "endstream" follows.
        const p = this.parserAt(this.base + dataStart + len);
        p.skipWs();
        if (p.word() === 'endstream') {
          // Same position as skipping the data and "endstream" here; a window need not hold the data.
          this.pos = p.base + p.pos - this.base;
          return { kind: 'stream', dict, dataStart: this.base + dataStart, dataEnd: this.base + dataStart + len };
        }
      }
      const idx = indexOf(b, ENDSTREAM, dataStart);
      if (idx < 0) this.atEnd();
      if (idx < 0) throw new PdfParseError('stream without endstream', this.base + dataStart);
      let dataEnd = idx;
      // the EOL before endstream is not data
      if (dataEnd > dataStart && b[dataEnd - 1] === 0x0a) dataEnd--;
      if (dataEnd > dataStart && b[dataEnd - 1] === 0x0d) dataEnd--;
      this.pos = dataEnd;
      this.skipWs();
      this.word(); // endstream
      return { kind: 'stream', dict, dataStart: this.base + dataStart, dataEnd: this.base + dataEnd };
    }
    this.pos = save;
    return dict;
  }
}

const ENDSTREAM = Buffer.from('endstream', 'latin1');


/** Byte search (Buffer.indexOf is native and fast). */
export function indexOf(buf: Uint8Array, needle: Uint8Array, from = 0): number {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).indexOf(needle, from);
}
export function lastIndexOf(buf: Uint8Array, needle: Uint8Array, from?: number): number {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).lastIndexOf(needle, from);
}
