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

export class PdfParser {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    readonly limits: ParserLimits = DEFAULT_LIMITS,
    /** Resolves an indirect /Length of a stream; may return undefined. */
    readonly resolveLength?: (num: number, gen: number) => number | undefined,
  ) {
    this.pos = pos;
  }

  skipWs(): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if (WS[c]) this.pos++;
      else if (c === 0x25 /* % */) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else break;
    }
  }

  /** Reads a regular-character run (keyword or number text). */
  private word(): string {
    const start = this.pos;
    const b = this.buf;
    while (this.pos < b.length && isRegular(b[this.pos]) && this.pos - start < 256) this.pos++;
    return Buffer.from(b.subarray(start, this.pos)).toString('latin1');
  }

  /** Reads an unsigned integer token if one is next; restores the position otherwise. */
  private tryUInt(): number | null {
    const save = this.pos;
    this.skipWs();
    const start = this.pos;
    while (this.pos < this.buf.length && isDigit(this.buf[this.pos]) && this.pos - start < 20) this.pos++;
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
    if (num === null || gen === null || this.word() !== 'obj') throw new PdfParseError('expected "N G obj"', this.pos);
    const value = this.parseValue();
    return { num, gen, value };
  }

  /** Parses one value (the top-level entry point). */
  parseValue(): PdfValue {
    const v = this.parseAny(0);
    if (isKeyword(v)) throw new PdfParseError(`unexpected keyword ${v.kw}`, this.pos);
    return v;
  }

  private parseAny(depth: number): PdfValue | Keyword {
    if (depth > this.limits.maxDepth) throw new PdfParseError('nesting too deep', this.pos);
    this.skipWs();
    const b = this.buf;
    if (this.pos >= b.length) throw new PdfParseError('unexpected end of data', this.pos);
    const c = b[this.pos];
    switch (c) {
      case 0x2f /* / */:
        return this.parseName();
      case 0x28 /* ( */:
        return this.parseLiteralString();
      case 0x3c /* < */:
        if (b[this.pos + 1] === 0x3c) return this.parseDictOrStream(depth);
        return this.parseHexString();
      case 0x3e /* > */:
        if (b[this.pos + 1] === 0x3e) {
          this.pos += 2;
          return { kw: '>>' };
        }
        throw new PdfParseError('stray ">"', this.pos);
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
        throw new PdfParseError('stray ")"', this.pos);
    }
    if (isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) return this.parseNumberOrRef();
    const w = this.word();
    if (w === '') throw new PdfParseError('unexpected byte', this.pos);
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
        if (this.buf[this.pos] === 0x52 /* R */ && (this.pos + 1 >= this.buf.length || !isRegular(this.buf[this.pos + 1]))) {
          this.pos++;
          return { kind: 'ref', num, gen };
        }
      }
      this.pos = save;
    }
    if (this.pos === start) throw new PdfParseError('bad number', start);
    return num;
  }

  private parseName(): PdfValue {
    const b = this.buf;
    this.pos++; // '/'
    const out: number[] = [];
    while (this.pos < b.length && isRegular(b[this.pos])) {
      const c = b[this.pos];
      if (c === 0x23 /* # */ && HEX[b[this.pos + 1]] >= 0 && HEX[b[this.pos + 2]] >= 0) {
        out.push(HEX[b[this.pos + 1]] * 16 + HEX[b[this.pos + 2]]);
        this.pos += 3;
      } else {
        out.push(c);
        this.pos++;
      }
      if (out.length > 1024) throw new PdfParseError('name too long', this.pos);
    }
    return { kind: 'name', name: Buffer.from(out).toString('latin1') };
  }

  private parseLiteralString(): PdfValue {
    const b = this.buf;
    const start = this.pos;
    this.pos++;
    const out: number[] = [];
    let depth = 1;
    while (this.pos < b.length) {
      if (out.length > this.limits.maxStringBytes) throw new PdfParseError('string too long', start);
      const c = b[this.pos++];
      if (c === 0x5c /* \ */) {
        const e = b[this.pos++];
        switch (e) {
          case 0x6e: out.push(0x0a); break;
          case 0x72: out.push(0x0d); break;
          case 0x74: out.push(0x09); break;
          case 0x62: out.push(0x08); break;
          case 0x66: out.push(0x0c); break;
          case 0x0d:
            if (b[this.pos] === 0x0a) this.pos++;
            break;
          case 0x0a: break;
          default:
            if (e >= 0x30 && e <= 0x37) {
              let v = e - 0x30;
              for (let k = 0; k < 2 && b[this.pos] >= 0x30 && b[this.pos] <= 0x37; k++) v = v * 8 + (b[this.pos++] - 0x30);
              out.push(v & 0xff);
            } else if (e !== undefined) out.push(e);
        }
      } else if (c === 0x28) {
        depth++;
        out.push(c);
      } else if (c === 0x29) {
        if (--depth === 0) return { kind: 'string', bytes: Uint8Array.from(out), start, end: this.pos, hex: false };
        out.push(c);
      } else out.push(c);
    }
    throw new PdfParseError('unterminated string', start);
  }

  private parseHexString(): PdfValue {
    const b = this.buf;
    const start = this.pos;
    this.pos++;
    // Scan to '>' first so the output is allocated once (a /Contents can be megabytes).
    let end = this.pos;
    const max = Math.min(b.length, this.pos + this.limits.maxStringBytes * 2 + 4096);
    while (end < max && b[end] !== 0x3e) end++;
    if (end >= b.length || b[end] !== 0x3e) throw new PdfParseError(end >= max ? 'string too long' : 'unterminated hex string', start);
    // Fast path (native decoder) for the usual case: an even number of hex digits, no whitespace.
    if ((end - this.pos) % 2 === 0) {
      const fast = Buffer.from(Buffer.from(b.buffer, b.byteOffset + this.pos, end - this.pos).toString('latin1'), 'hex');
      if (fast.length * 2 === end - this.pos) {
        this.pos = end + 1;
        return { kind: 'string', bytes: fast, start, end: this.pos, hex: true };
      }
    }
    const out = new Uint8Array((end - this.pos + 1) >> 1);
    let n = 0;
    let hi = -1;
    for (let i = this.pos; i < end; i++) {
      const h = HEX[b[i]];
      if (h < 0) {
        if (WS[b[i]]) continue;
        throw new PdfParseError('bad hex digit', i);
      }
      if (hi < 0) hi = h;
      else {
        out[n++] = (hi << 4) | h;
        hi = -1;
      }
    }
    if (hi >= 0) out[n++] = hi << 4;
    this.pos = end + 1;
    return { kind: 'string', bytes: out.subarray(0, n), start, end: this.pos, hex: true };
  }

  private parseArray(depth: number): PdfArray {
    this.pos++;
    const items: PdfValue[] = [];
    for (;;) {
      const v = this.parseAny(depth + 1);
      if (isKeyword(v)) {
        if (v.kw === ']') return { kind: 'array', items };
        throw new PdfParseError(`unexpected ${v.kw} in array`, this.pos);
      }
      items.push(v);
      if (items.length > this.limits.maxContainerItems) throw new PdfParseError('array too large', this.pos);
    }
  }

  private parseDictOrStream(depth: number): PdfDict | PdfStream {
    this.pos += 2;
    const map = new Map<string, PdfValue>();
    for (;;) {
      this.skipWs();
      const k = this.parseAny(depth + 1);
      if (isKeyword(k) && k.kw === '>>') break;
      if (k === null || typeof k !== 'object' || !('kind' in k) || k.kind !== 'name')
        throw new PdfParseError('dictionary key is not a name', this.pos);
      const v = this.parseAny(depth + 1);
      if (isKeyword(v)) {
        if (v.kw === '>>') {
          map.set(k.name, null); // tolerate a missing value at the end
          break;
        }
        throw new PdfParseError(`unexpected ${v.kw} in dictionary`, this.pos);
      }
      map.set(k.name, v);
      if (map.size > this.limits.maxContainerItems) throw new PdfParseError('dictionary too large', this.pos);
    }
    const dict: PdfDict = { kind: 'dict', map };
    // Is a stream following?
    const save = this.pos;
    this.skipWs();
    const b = this.buf;
    if (b[this.pos] === 0x73 && this.word() === 'stream') {
      if (b[this.pos] === 0x0d) this.pos++;
      if (b[this.pos] === 0x0a) this.pos++;
      const dataStart = this.pos;
      let len: number | undefined;
      const l = map.get('Length');
      if (typeof l === 'number') len = l;
      else if (l && typeof l === 'object' && l.kind === 'ref' && this.resolveLength) len = this.resolveLength(l.num, l.gen);
      let dataEnd = -1;
      if (len !== undefined && Number.isInteger(len) && len >= 0 && dataStart + len <= b.length) {
        // Trust /Length only if "endstream" follows.
        const p = new PdfParser(b, dataStart + len, this.limits);
        p.skipWs();
        if (p.word() === 'endstream') dataEnd = dataStart + len;
      }
      if (dataEnd < 0) {
        const idx = indexOf(b, ENDSTREAM, dataStart);
        if (idx < 0) throw new PdfParseError('stream without endstream', dataStart);
        dataEnd = idx;
        // the EOL before endstream is not data
        if (dataEnd > dataStart && b[dataEnd - 1] === 0x0a) dataEnd--;
        if (dataEnd > dataStart && b[dataEnd - 1] === 0x0d) dataEnd--;
      }
      this.pos = dataEnd;
      this.skipWs();
      this.word(); // endstream
      return { kind: 'stream', dict, dataStart, dataEnd };
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
