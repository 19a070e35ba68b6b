/**
 * A minimal DER TLV reader, used to split a CMS SignedData into its parts without building an ASN.1
 * object tree for certificates and CRLs (the dominant cost of schema-based parsing). Returns null for
 * anything it does not handle (indefinite lengths, multi-byte tags), and callers then fall back to
 * the full asn1js/pkijs parse.
 */
import * as asn1js from 'asn1js';

export interface Tlv {
  tag: number;
  start: number;
  /** Start of the value. */
  value: number;
  end: number;
}

export function readTlv(b: Uint8Array, pos: number, limit: number): Tlv | null {
  if (pos + 2 > limit) return null;
  const tag = b[pos];
  if ((tag & 0x1f) === 0x1f) return null;
  let p = pos + 1;
  let len = b[p++];
  if (len === 0x80) return null; // indefinite length (BER)
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || p + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++];
  }
  if (p + len > limit) return null;
  return { tag, start: pos, value: p, end: p + len };
}

export function childrenOf(b: Uint8Array, t: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  for (let p = t.value; p < t.end; ) {
    const c = readTlv(b, p, t.end);
    if (!c) return null;
    out.push(c);
    p = c.end;
  }
  return out;
}

/** DER header for a tag and length. */
export function header(tag: number, len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(tag, len);
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return Uint8Array.of(tag, 0x80 | bytes.length, ...bytes);
}

/**
 * An INTEGER with a non-minimal encoding (e.g. a serial number with a superfluous leading 00) in an
 * asn1js tree. CMS and X.509 require DER; strict verifiers (BouncyCastle, EU DSS) reject these.
 */
export function nonMinimalInteger(node: asn1js.AsnType, depth = 0): string | null {
  if (depth > 64) return null;
  if (node instanceof asn1js.Integer) {
    const v = node.valueBlock.valueHexView;
    if (v.length > 1 && ((v[0] === 0x00 && v[1] < 0x80) || (v[0] === 0xff && v[1] >= 0x80))) return Buffer.from(v.subarray(0, 8)).toString('hex');
    return null;
  }
  const kids = (node as asn1js.Constructed).valueBlock?.value;
  if (Array.isArray(kids)) {
    for (const k of kids) {
      const r = nonMinimalInteger(k as asn1js.AsnType, depth + 1);
      if (r) return r;
    }
  }
  return null;
}
