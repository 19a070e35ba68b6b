/**
 * Minimal DER encoder and TLV reader. Hand-rolled (rather than asn1js/pkijs classes) so the bytes we
 * sign are exactly the bytes we emit: signed attributes must be DER-sorted identically in the
 * `SET OF` we hash and the `[0] IMPLICIT` we embed.
 */

export type Der = Uint8Array;

function lengthBytes(len: number): number[] {
  if (len < 0x80) return [len];
  const out: number[] = [];
  let n = len;
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function tlv(tag: number, ...content: Uint8Array[]): Der {
  const body = concat(content);
  return concat([Uint8Array.from([tag, ...lengthBytes(body.length)]), body]);
}

export const seq = (...items: Der[]): Der => tlv(0x30, ...items);

/** SET OF with DER ordering (elements sorted as octet strings). */
export function setOf(...items: Der[]): Der {
  const sorted = [...items].sort(compareBytes);
  return tlv(0x31, ...sorted);
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Context-specific tag: [n] EXPLICIT (constructed) or IMPLICIT primitive. */
export const ctx = (n: number, constructed: boolean, ...content: Der[]): Der =>
  tlv((constructed ? 0xa0 : 0x80) | n, ...content);

export const nul = (): Der => Uint8Array.from([0x05, 0x00]);
export const bool = (v: boolean): Der => Uint8Array.from([0x01, 0x01, v ? 0xff : 0x00]);
export const octets = (b: Uint8Array): Der => tlv(0x04, b);
export const utf8 = (s: string): Der => tlv(0x0c, Buffer.from(s, 'utf8'));
export const printable = (s: string): Der => tlv(0x13, Buffer.from(s, 'ascii'));
export const bitString = (b: Uint8Array, unused = 0): Der => tlv(0x03, Uint8Array.from([unused]), b);

/** INTEGER from a non-negative big-endian magnitude (adds the sign byte when needed). */
export function intBytes(mag: Uint8Array): Der {
  let i = 0;
  while (i < mag.length - 1 && mag[i] === 0) i++;
  let m = mag.subarray(i);
  if (m.length === 0) m = Uint8Array.from([0]);
  if (m[0] & 0x80) m = concat([Uint8Array.from([0]), m]);
  return tlv(0x02, m);
}

export function int(n: number | bigint): Der {
  let v = BigInt(n);
  if (v < 0n) throw new Error('negative INTEGER not supported');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  return intBytes(Uint8Array.from(bytes));
}

export function oid(dotted: string): Der {
  const parts = dotted.split('.').map((p) => BigInt(p));
  const out: number[] = [];
  const encode = (v: bigint): void => {
    const tmp: number[] = [Number(v & 0x7fn)];
    v >>= 7n;
    while (v > 0n) {
      tmp.unshift(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(...tmp);
  };
  encode(parts[0] * 40n + parts[1]);
  for (let i = 2; i < parts.length; i++) encode(parts[i]);
  return tlv(0x06, Uint8Array.from(out));
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
export function time(d: Date): Der {
  const y = d.getUTCFullYear();
  const rest = `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(`${pad2(y % 100)}${rest}`, 'ascii'));
  return generalizedTime(d);
}

export function generalizedTime(d: Date): Der {
  const s = `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
  return tlv(0x18, Buffer.from(s, 'ascii'));
}

// ---------------------------------------------------------------------------------------------
// Reader

export interface Tlv {
  tag: number;
  /** offset of the tag byte */
  start: number;
  /** offset of the content */
  contentStart: number;
  /** offset just past the content (before the end-of-contents octets of an indefinite length) */
  contentEnd: number;
  /** offset just past the element */
  end: number;
}

/** Reads one element; BER indefinite lengths are accepted (some TSAs answer in BER). */
export function readTlv(buf: Uint8Array, offset: number, depth = 0): Tlv {
  if (offset + 2 > buf.length) throw new Error('DER: truncated');
  if (depth > 64) throw new Error('DER: nesting too deep');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: high tag numbers not supported');
  let p = offset + 1;
  let len = buf[p++];
  if (len === 0x80) {
    if (!(tag & 0x20)) throw new Error('DER: indefinite length on a primitive');
    let q = p;
    while (!(buf[q] === 0 && buf[q + 1] === 0)) {
      if (q + 2 > buf.length) throw new Error('DER: missing end-of-contents');
      q = readTlv(buf, q, depth + 1).end;
    }
    return { tag, start: offset, contentStart: p, contentEnd: q, end: q + 2 };
  }
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++];
  }
  const end = p + len;
  if (end > buf.length) throw new Error('DER: element overruns buffer');
  return { tag, start: offset, contentStart: p, contentEnd: end, end };
}

/** Children of a constructed element. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.contentEnd) {
    const t = readTlv(buf, p);
    out.push(t);
    p = t.end;
  }
  return out;
}

export const raw = (buf: Uint8Array, t: Tlv): Uint8Array => buf.subarray(t.start, t.end);
export const content = (buf: Uint8Array, t: Tlv): Uint8Array => buf.subarray(t.contentStart, t.contentEnd);

export function decodeOid(bytes: Uint8Array): string {
  const parts: bigint[] = [];
  let v = 0n;
  for (const b of bytes) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0n;
    }
  }
  const first = parts.shift() ?? 0n;
  const a = first < 80n ? first / 40n : 2n;
  return [a, first - a * 40n, ...parts].join('.');
}

/** Parts of an X.509 certificate needed to reference it from CMS (IssuerAndSerialNumber, ESS). */
export function certificateParts(der: Uint8Array): { issuer: Uint8Array; serial: Uint8Array; subject: Uint8Array; spki: Uint8Array } {
  const cert = readTlv(der, 0);
  const tbs = children(der, cert)[0];
  const f = children(der, tbs);
  const i = f[0].tag === 0xa0 ? 1 : 0; // optional [0] version
  return { serial: raw(der, f[i]), issuer: raw(der, f[i + 2]), subject: raw(der, f[i + 4]), spki: raw(der, f[i + 5]) };
}

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
} as const;
