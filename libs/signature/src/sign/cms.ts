/**
 * CMS SignedData (RFC 5652) builder used for PAdES signatures and, in tests, RFC 3161 tokens.
 * Signing goes through Node's crypto so RSA PKCS#1 v1.5, RSASSA-PSS and ECDSA all work (node-forge
 * only does RSA PKCS#1 v1.5).
 */
import * as crypto from 'node:crypto';
import {
  Der,
  OID,
  certificateParts,
  concat,
  ctx,
  int,
  nul,
  octets,
  oid,
  seq,
  setOf,
  tlv,
} from './der';

export type DigestAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA-1';
export type SignatureScheme = 'RSA' | 'RSASSA-PSS' | 'ECDSA';

const DIGESTS: Record<DigestAlgorithm, { node: string; oid: string; len: number }> = {
  'SHA-1': { node: 'sha1', oid: OID.sha1, len: 20 },
  'SHA-256': { node: 'sha256', oid: OID.sha256, len: 32 },
  'SHA-384': { node: 'sha384', oid: OID.sha384, len: 48 },
  'SHA-512': { node: 'sha512', oid: OID.sha512, len: 64 },
};

export function digest(d: DigestAlgorithm, ...parts: Uint8Array[]): Uint8Array {
  const h = crypto.createHash(DIGESTS[d].node);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** RFC 5754: SHA-2 AlgorithmIdentifiers are generated with absent parameters. */
export function digestAlgorithmId(d: DigestAlgorithm): Der {
  return d === 'SHA-1' ? seq(oid(OID.sha1), nul()) : seq(oid(DIGESTS[d].oid));
}

export function signatureAlgorithmId(scheme: SignatureScheme, d: DigestAlgorithm): Der {
  switch (scheme) {
    case 'RSA': {
      const o = { 'SHA-1': OID.sha1WithRSA, 'SHA-256': OID.sha256WithRSA, 'SHA-384': OID.sha384WithRSA, 'SHA-512': OID.sha512WithRSA }[d];
      return seq(oid(o), nul());
    }
    case 'RSASSA-PSS': {
      const h = digestAlgorithmId(d);
      // RFC 4055 RSASSA-PSS-params: hash, MGF1(hash), salt = hash length, trailer field default.
      return seq(oid(OID.rsassaPss), seq(ctx(0, true, h), ctx(1, true, seq(oid(OID.mgf1), h)), ctx(2, true, int(DIGESTS[d].len))));
    }
    case 'ECDSA': {
      const o = { 'SHA-1': OID.ecdsaWithSha1, 'SHA-256': OID.ecdsaWithSha256, 'SHA-384': OID.ecdsaWithSha384, 'SHA-512': OID.ecdsaWithSha512 }[d];
      return seq(oid(o));
    }
  }
}

/** The scheme a key signs with: EC → ECDSA, rsa-pss keys → PSS, plain RSA → PKCS#1 v1.5 unless PSS asked. */
export function schemeForKey(key: crypto.KeyObject, preferPss = false): SignatureScheme {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return 'ECDSA';
    case 'rsa-pss':
      return 'RSASSA-PSS';
    case 'rsa':
      return preferPss ? 'RSASSA-PSS' : 'RSA';
    default:
      throw new Error(`unsupported signing key type: ${key.asymmetricKeyType ?? 'unknown'}`);
  }
}

export function rawSign(data: Uint8Array, key: crypto.KeyObject, scheme: SignatureScheme, d: DigestAlgorithm): Uint8Array {
  const h = DIGESTS[d].node;
  switch (scheme) {
    case 'RSA':
      return new Uint8Array(crypto.sign(h, data, { key, padding: crypto.constants.RSA_PKCS1_PADDING }));
    case 'RSASSA-PSS':
      return new Uint8Array(crypto.sign(h, data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: DIGESTS[d].len }));
    case 'ECDSA':
      return new Uint8Array(crypto.sign(h, data, { key, dsaEncoding: 'der' }));
  }
}

export function attribute(type: string, ...values: Der[]): Der {
  return seq(oid(type), setOf(...values));
}

/**
 * ESS signing-certificate(-v2) attribute binding the signer certificate (RFC 5035). SHA-1 uses the
 * v1 attribute, as ESS defines it.
 */
export function signingCertificateAttribute(certDer: Uint8Array, d: DigestAlgorithm): Der {
  const { issuer, serial } = certificateParts(certDer);
  const issuerSerial = seq(seq(ctx(4, true, issuer)), serial);
  const hash = octets(digest(d, certDer));
  if (d === 'SHA-1') return attribute(OID.signingCertificate, seq(seq(seq(hash, issuerSerial))));
  // hashAlgorithm DEFAULT sha256 must be omitted in DER.
  const id = d === 'SHA-256' ? seq(hash, issuerSerial) : seq(digestAlgorithmId(d), hash, issuerSerial);
  return attribute(OID.signingCertificateV2, seq(seq(id)));
}

export interface SignedDataParams {
  digestAlgorithm: DigestAlgorithm;
  scheme: SignatureScheme;
  privateKey: crypto.KeyObject;
  signerCertificate: Uint8Array;
  /** certificates to embed (signer first is customary) */
  certificates: Uint8Array[];
  eContentType: string;
  /** embedded eContent (e.g. TSTInfo); omit for a detached signature */
  eContent?: Uint8Array;
  /** digest of the (detached or embedded) content */
  messageDigest: Uint8Array;
  /** extra signed attributes besides contentType and messageDigest */
  signedAttributes?: Der[];
  /** builds unsigned attributes from the signature value (e.g. the signature timestamp) */
  unsignedAttributes?: (signatureValue: Uint8Array) => Promise<Der[]>;
}

/** Returns the DER ContentInfo wrapping a SignedData with one SignerInfo. */
export async function buildSignedData(p: SignedDataParams): Promise<Uint8Array> {
  const attrs = [
    attribute(OID.contentType, oid(p.eContentType)),
    attribute(OID.messageDigest, octets(p.messageDigest)),
    ...(p.signedAttributes ?? []),
  ];
  // What is signed is the DER SET OF; what is embedded is the same content under [0] IMPLICIT.
  const attrSet = setOf(...attrs);
  const signature = rawSign(attrSet, p.privateKey, p.scheme, p.digestAlgorithm);
  const signedAttrsImplicit = concat([Uint8Array.from([0xa0]), attrSet.subarray(1)]);
  const unsigned = p.unsignedAttributes ? await p.unsignedAttributes(signature) : [];
  const { issuer, serial } = certificateParts(p.signerCertificate);
  const signerInfo = seq(
    int(1),
    seq(issuer, serial),
    digestAlgorithmId(p.digestAlgorithm),
    signedAttrsImplicit,
    signatureAlgorithmId(p.scheme, p.digestAlgorithm),
    octets(signature),
    ...(unsigned.length ? [concat([Uint8Array.from([0xa1]), setOf(...unsigned).subarray(1)])] : []),
  );
  const encap = seq(oid(p.eContentType), ...(p.eContent ? [ctx(0, true, octets(p.eContent))] : []));
  const signedData = seq(
    int(p.eContentType === OID.data ? 1 : 3), // RFC 5652 §5.1
    setOf(digestAlgorithmId(p.digestAlgorithm)),
    encap,
    tlv(0xa0, ...p.certificates),
    setOf(signerInfo),
  );
  return seq(oid(OID.signedData), ctx(0, true, signedData));
}
