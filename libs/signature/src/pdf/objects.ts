/**
 * PDF object model for the verifier's own small parser. Only what signature verification needs:
 * values keep their byte offsets where the verifier must check positions (/Contents hole, streams).
 */

export interface PdfName {
  kind: 'name';
  name: string;
}
export interface PdfString {
  kind: 'string';
  bytes: Uint8Array;
  /** Offset of the opening '<' or '(' and one past the closing delimiter. */
  start: number;
  end: number;
  hex: boolean;
}
export interface PdfRef {
  kind: 'ref';
  num: number;
  gen: number;
}
export interface PdfDict {
  kind: 'dict';
  map: Map<string, PdfValue>;
}
export interface PdfArray {
  kind: 'array';
  items: PdfValue[];
}
export interface PdfStream {
  kind: 'stream';
  dict: PdfDict;
  /** Raw (still encoded) data in the source buffer. */
  dataStart: number;
  dataEnd: number;
}
export type PdfValue =
  | null
  | boolean
  | number
  | PdfName
  | PdfString
  | PdfRef
  | PdfDict
  | PdfArray
  | PdfStream;

/** Raised by the parser for malformed input; always caught inside the library. */
export class PdfParseError extends Error {
  constructor(message: string, readonly offset?: number) {
    super(offset === undefined ? message : `${message} at ${offset}`);
    this.name = 'PdfParseError';
  }
}

export const isDict = (v: PdfValue | undefined): v is PdfDict => !!v && typeof v === 'object' && v.kind === 'dict';
export const isArray = (v: PdfValue | undefined): v is PdfArray => !!v && typeof v === 'object' && v.kind === 'array';
export const isRef = (v: PdfValue | undefined): v is PdfRef => !!v && typeof v === 'object' && v.kind === 'ref';
export const isName = (v: PdfValue | undefined, name?: string): v is PdfName =>
  !!v && typeof v === 'object' && v.kind === 'name' && (name === undefined || v.name === name);
export const isString = (v: PdfValue | undefined): v is PdfString => !!v && typeof v === 'object' && v.kind === 'string';
export const isStream = (v: PdfValue | undefined): v is PdfStream => !!v && typeof v === 'object' && v.kind === 'stream';

/** Dictionary of a dict or a stream. */
export function dictOf(v: PdfValue | undefined): PdfDict | null {
  if (isDict(v)) return v;
  if (isStream(v)) return v.dict;
  return null;
}

export function nameOf(v: PdfValue | undefined): string | null {
  return isName(v) ? v.name : null;
}

/** Text of a PDF text string (PDFDocEncoding approximated by Latin-1, or UTF-16BE with BOM). */
export function textOf(v: PdfValue | undefined): string | null {
  if (!isString(v)) return null;
  const b = v.bytes;
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    let s = '';
    for (let i = 2; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1]);
    return s;
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return Buffer.from(b.subarray(3)).toString('utf8');
  return Buffer.from(b).toString('latin1');
}

export const refKey = (r: PdfRef): string => `${r.num} ${r.gen}`;
