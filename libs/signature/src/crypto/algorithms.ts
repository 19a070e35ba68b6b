/**
 * Algorithm identifiers and signature verification with Node's crypto (RSA PKCS#1 v1.5, RSASSA-PSS,
 * ECDSA in DER and plain (BSI TR-03111) encodings, Ed25519, Ed448). pkijs is used only to parse.
 */
import * as crypto from 'crypto';
import * as asn1js from 'asn1js';

export interface DigestInfo {
  oid: string;
  name: string; // display name, e.g. SHA-256
  node: string; // Node hash name
  outputLength?: number;
  weak: boolean;
}

const DIGESTS: Record<string, DigestInfo> = {
  '1.3.14.3.2.26': { oid: '1.3.14.3.2.26', name: 'SHA-1', node: 'sha1', weak: true },
  '2.16.840.1.101.3.4.2.4': { oid: '2.16.840.1.101.3.4.2.4', name: 'SHA-224', node: 'sha224', weak: false },
  '2.16.840.1.101.3.4.2.1': { oid: '2.16.840.1.101.3.4.2.1', name: 'SHA-256', node: 'sha256', weak: false },
  '2.16.840.1.101.3.4.2.2': { oid: '2.16.840.1.101.3.4.2.2', name: 'SHA-384', node: 'sha384', weak: false },
  '2.16.840.1.101.3.4.2.3': { oid: '2.16.840.1.101.3.4.2.3', name: 'SHA-512', node: 'sha512', weak: false },
  '2.16.840.1.101.3.4.2.5': { oid: '2.16.840.1.101.3.4.2.5', name: 'SHA-512/224', node: 'sha512-224', weak: false },
  '2.16.840.1.101.3.4.2.6': { oid: '2.16.840.1.101.3.4.2.6', name: 'SHA-512/256', node: 'sha512-256', weak: false },
  '2.16.840.1.101.3.4.2.8': { oid: '2.16.840.1.101.3.4.2.8', name: 'SHA3-256', node: 'sha3-256', weak: false },
  '2.16.840.1.101.3.4.2.9': { oid: '2.16.840.1.101.3.4.2.9', name: 'SHA3-384', node: 'sha3-384', weak: false },
  '2.16.840.1.101.3.4.2.10': { oid: '2.16.840.1.101.3.4.2.10', name: 'SHA3-512', node: 'sha3-512', weak: false },
  // RFC 8419: id-shake256 for Ed448 means a 512-bit output.
  '2.16.840.1.101.3.4.2.12': { oid: '2.16.840.1.101.3.4.2.12', name: 'SHAKE256', node: 'shake256', outputLength: 64, weak: false },
  '1.2.840.113549.2.5': { oid: '1.2.840.113549.2.5', name: 'MD5', node: 'md5', weak: true },
};

export function digestByOid(oid: string): DigestInfo | null {
  return DIGESTS[oid] ?? null;
}

export function newHash(d: DigestInfo): crypto.Hash {
  return crypto.createHash(d.node, d.outputLength ? { outputLength: d.outputLength } : undefined);
}

export function hashBytes(d: DigestInfo, ...parts: Uint8Array[]): Buffer {
  const h = newHash(d);
  for (const p of parts) h.update(p);
  return h.digest();
}

export type SigFamily = 'RSA' | 'RSASSA-PSS' | 'ECDSA' | 'ECDSA-PLAIN' | 'Ed25519' | 'Ed448';

export interface SignatureAlg {
  family: SigFamily;
  /** Hash implied by the signature algorithm OID; null when the digest algorithm decides. */
  hash: DigestInfo | null;
  pss?: { hash: DigestInfo; mgfHash: DigestInfo; saltLength: number };
}

const RSA_WITH: Record<string, string> = {
  '1.2.840.113549.1.1.5': '1.3.14.3.2.26',
  '1.2.840.113549.1.1.14': '2.16.840.1.101.3.4.2.4',
  '1.2.840.113549.1.1.11': '2.16.840.1.101.3.4.2.1',
  '1.2.840.113549.1.1.12': '2.16.840.1.101.3.4.2.2',
  '1.2.840.113549.1.1.13': '2.16.840.1.101.3.4.2.3',
  '1.2.840.113549.1.1.4': '1.2.840.113549.2.5',
  '2.16.840.1.101.3.4.3.14': '2.16.840.1.101.3.4.2.8',
  '2.16.840.1.101.3.4.3.15': '2.16.840.1.101.3.4.2.9',
  '2.16.840.1.101.3.4.3.16': '2.16.840.1.101.3.4.2.10',
};
const ECDSA_WITH: Record<string, string> = {
  '1.2.840.10045.4.1': '1.3.14.3.2.26',
  '1.2.840.10045.4.3.1': '2.16.840.1.101.3.4.2.4',
  '1.2.840.10045.4.3.2': '2.16.840.1.101.3.4.2.1',
  '1.2.840.10045.4.3.3': '2.16.840.1.101.3.4.2.2',
  '1.2.840.10045.4.3.4': '2.16.840.1.101.3.4.2.3',
  '2.16.840.1.101.3.4.3.10': '2.16.840.1.101.3.4.2.8',
  '2.16.840.1.101.3.4.3.11': '2.16.840.1.101.3.4.2.9',
  '2.16.840.1.101.3.4.3.12': '2.16.840.1.101.3.4.2.10',
};
// BSI TR-03111 ecdsa-plain-* (r||s encoding)
const ECDSA_PLAIN_WITH: Record<string, string> = {
  '0.4.0.127.0.7.1.1.4.1.1': '1.3.14.3.2.26',
  '0.4.0.127.0.7.1.1.4.1.2': '2.16.840.1.101.3.4.2.4',
  '0.4.0.127.0.7.1.1.4.1.3': '2.16.840.1.101.3.4.2.1',
  '0.4.0.127.0.7.1.1.4.1.4': '2.16.840.1.101.3.4.2.2',
  '0.4.0.127.0.7.1.1.4.1.5': '2.16.840.1.101.3.4.2.3',
};

export const OID_RSA = '1.2.840.113549.1.1.1';
export const OID_PSS = '1.2.840.113549.1.1.10';
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_ED25519 = '1.3.101.112';
export const OID_ED448 = '1.3.101.113';

/** Interprets a signature AlgorithmIdentifier; null when unsupported. */
export function signatureAlgByOid(oid: string, params: unknown): SignatureAlg | null {
  if (oid === OID_RSA) return { family: 'RSA', hash: null };
  if (RSA_WITH[oid]) return { family: 'RSA', hash: DIGESTS[RSA_WITH[oid]] };
  if (oid === OID_EC_PUBLIC_KEY) return { family: 'ECDSA', hash: null };
  if (ECDSA_WITH[oid]) return { family: 'ECDSA', hash: DIGESTS[ECDSA_WITH[oid]] };
  if (ECDSA_PLAIN_WITH[oid]) return { family: 'ECDSA-PLAIN', hash: DIGESTS[ECDSA_PLAIN_WITH[oid]] };
  if (oid === OID_ED25519) return { family: 'Ed25519', hash: null };
  if (oid === OID_ED448) return { family: 'Ed448', hash: null };
  if (oid === OID_PSS) {
    const pss = parsePssParams(params);
    return pss ? { family: 'RSASSA-PSS', hash: pss.hash, pss } : null;
  }
  return null;
}

/** RSASSA-PSS-params (RFC 4055); defaults SHA-1 / MGF1-SHA-1 / salt 20. */
function parsePssParams(params: unknown): SignatureAlg['pss'] | null {
  let hash = DIGESTS['1.3.14.3.2.26'];
  let mgfHash = hash;
  let saltLength = 20;
  if (params instanceof asn1js.Sequence) {
    for (const el of params.valueBlock.value) {
      const tag = el.idBlock.tagNumber;
      const inner = (el as asn1js.Constructed).valueBlock?.value?.[0];
      if (!inner) continue;
      if (tag === 0) {
        const oid = ((inner as asn1js.Sequence).valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
        const d = DIGESTS[oid];
        if (!d) return null;
        hash = d;
      } else if (tag === 1) {
        const seq = (inner as asn1js.Sequence).valueBlock.value;
        const mgfOid = (seq[0] as asn1js.ObjectIdentifier).valueBlock.toString();
        if (mgfOid !== '1.2.840.113549.1.1.8') return null;
        const h = (seq[1] as asn1js.Sequence)?.valueBlock?.value?.[0] as asn1js.ObjectIdentifier | undefined;
        const d = h ? DIGESTS[h.valueBlock.toString()] : undefined;
        if (!d) return null;
        mgfHash = d;
      } else if (tag === 2) {
        saltLength = (inner as asn1js.Integer).valueBlock.valueDec;
      }
    }
  }
  return { hash, mgfHash, saltLength };
}

// Parsing a public key is costly and the same CA keys recur across signatures and documents.
const keyCache = new Map<string, crypto.KeyObject>();
const KEY_CACHE_MAX = 512;

/** KeyObject for a DER SubjectPublicKeyInfo (cached). Throws for unusable keys. */
export function publicKey(spki: Uint8Array): crypto.KeyObject {
  const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('base64');
  let k = keyCache.get(id);
  if (!k) {
    k = crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(id, k);
  }
  return k;
}

export type VerifyOutcome = 'VALID' | 'INVALID' | 'UNSUPPORTED';

/**
 * Verifies `signature` over `data` (all parts concatenated) with the public key `spki` (DER).
 * `digest` is the hash to use when the signature algorithm doesn't imply one.
 */
export function verifyRaw(
  alg: SignatureAlg,
  digest: DigestInfo | null,
  spki: Uint8Array,
  data: Uint8Array[],
  signature: Uint8Array,
): { outcome: VerifyOutcome; detail?: string } {
  let key: crypto.KeyObject;
  try {
    key = publicKey(spki);
  } catch (e) {
    return { outcome: 'UNSUPPORTED', detail: `public key: ${(e as Error).message}` };
  }
  const kt = key.asymmetricKeyType;
  const hash = alg.hash ?? digest;
  try {
    switch (alg.family) {
      case 'Ed25519':
      case 'Ed448': {
        if (kt !== alg.family.toLowerCase()) return { outcome: 'INVALID', detail: 'key type mismatch' };
        const ok = crypto.verify(null, Buffer.concat(data), key, signature);
        return { outcome: ok ? 'VALID' : 'INVALID' };
      }
      case 'RSA':
      case 'RSASSA-PSS':
      case 'ECDSA':
      case 'ECDSA-PLAIN': {
        if (!hash) return { outcome: 'UNSUPPORTED', detail: 'no hash' };
        const isRsaKey = kt === 'rsa' || kt === 'rsa-pss';
        if ((alg.family === 'RSA' || alg.family === 'RSASSA-PSS') !== isRsaKey) return { outcome: 'INVALID', detail: 'key type mismatch' };
        if (!isRsaKey && kt !== 'ec') return { outcome: 'UNSUPPORTED', detail: `key type ${kt}` };
        if (alg.pss && alg.pss.mgfHash.oid !== alg.pss.hash.oid) return { outcome: 'UNSUPPORTED', detail: 'PSS with different MGF hash' };
        const v = crypto.createVerify(hash.node);
        for (const d of data) v.update(d);
        const opts: crypto.VerifyKeyObjectInput | crypto.VerifyPublicKeyInput =
          alg.family === 'RSASSA-PSS'
            ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.pss?.saltLength ?? 20 }
            : alg.family === 'ECDSA-PLAIN'
              ? { key, dsaEncoding: 'ieee-p1363' }
              : { key };
        return { outcome: v.verify(opts as crypto.VerifyKeyObjectInput, signature) ? 'VALID' : 'INVALID' };
      }
    }
  } catch (e) {
    return { outcome: 'INVALID', detail: (e as Error).message };
  }
}

/**
 * For RSA PKCS#1 v1.5 only: the digest inside the signature (recovered with the public key), so a
 * wrong digest can be told apart from a wrong signature when there are no signed attributes.
 */
export function recoverRsaDigest(spki: Uint8Array, signature: Uint8Array): Buffer | null {
  try {
    const key = publicKey(spki);
    if (key.asymmetricKeyType !== 'rsa') return null;
    const di = crypto.publicDecrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
    const parsed = asn1js.fromBER(di);
    if (parsed.offset === -1) return null;
    const seq = parsed.result as asn1js.Sequence;
    const os = seq.valueBlock.value[1] as asn1js.OctetString;
    return Buffer.from(os.valueBlock.valueHexView);
  } catch {
    return null;
  }
}

/** Human name of a signature family + hash, e.g. "RSA with SHA-256". */
export function describeSignatureAlg(alg: SignatureAlg | null, digest: DigestInfo | null): string | null {
  if (!alg) return null;
  const h = alg.hash ?? digest;
  return alg.family.startsWith('Ed') ? alg.family : `${alg.family}${h ? ` with ${h.name}` : ''}`;
}
