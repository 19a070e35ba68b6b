/**
 * CMS SignedData (RFC 5652) as used in PDF signatures and RFC 3161 timestamp tokens: parsing with
 * pkijs/asn1js and verification of the SignerInfo with Node's crypto.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  DigestInfo,
  SignatureAlg,
  VerifyOutcome,
  digestByOid,
  hashBytes,
  recoverRsaDigest,
  signatureAlgByOid,
  verifyRaw,
} from '../crypto/algorithms';
import { Cert, bytesEqual, namesEqual, subjectKeyId, wrapCert } from '../crypto/certificates';

export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const OID_DATA = '1.2.840.113549.1.7.1';
export const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_SIGNING_CERT = '1.2.840.113549.1.9.16.2.12';
const OID_SIGNING_CERT_V2 = '1.2.840.113549.1.9.16.2.47';
const OID_TIMESTAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';
const OID_ADBE_REVOCATION = '1.2.840.113583.1.1.8';
const OID_RI_OCSP = '1.3.6.1.5.5.7.16.2';

export interface EssCertId {
  hash: DigestInfo | null;
  hashOid: string;
  certHash: Uint8Array;
}

export interface ParsedCms {
  signedData: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
  certs: Cert[];
  crls: Uint8Array[];
  ocsps: Uint8Array[]; // OCSPResponse or BasicOCSPResponse DER
  eContentType: string;
  eContent: Uint8Array | null;
  digestOid: string;
  digest: DigestInfo | null;
  sigAlgOid: string;
  sigAlg: SignatureAlg | null;
  signedAttrsDer: Uint8Array | null;
  hasContentTypeAttr: boolean;
  messageDigest: Uint8Array | null;
  signingTime: Date | null;
  essCertIds: EssCertId[] | null;
  timestampTokens: Uint8Array[];
  signature: Uint8Array;
}

export class CmsError extends Error {}

function octets(v: asn1js.AsnType | undefined): Uint8Array {
  if (!v) return new Uint8Array(0);
  const b = v as asn1js.OctetString;
  if (b.idBlock.isConstructed) {
    return Buffer.concat((b.valueBlock.value as asn1js.OctetString[]).map((x) => Buffer.from(octets(x))));
  }
  return new Uint8Array(b.valueBlock.valueHexView);
}

/**
 * Finds an INTEGER with a non-minimal encoding (e.g. a serial number with a superfluous leading 00).
 * CMS/X.509 require DER; strict verifiers (BouncyCastle, EU DSS) reject such structures.
 */
function nonMinimalInteger(node: asn1js.AsnType, depth: number): string | null {
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

const derOf = (v: asn1js.AsnType): Uint8Array => new Uint8Array(v.valueBeforeDecodeView);

/** Parses a DER ContentInfo holding SignedData (trailing zero padding allowed). Throws CmsError. */
export function parseCms(bytes: Uint8Array): ParsedCms {
  if (bytes.length < 16) throw new CmsError('CMS too short');
  let asn: ReturnType<typeof asn1js.fromBER>;
  try {
    asn = asn1js.fromBER(bytes);
  } catch (e) {
    throw new CmsError(`BER decoding failed: ${(e as Error).message}`);
  }
  if (asn.offset === -1 || asn.result.error) throw new CmsError(`BER decoding failed: ${asn.result.error}`);
  // Bytes after the structure (normally zero padding of /Contents) are outside what is signed; tolerated.
  const bad = nonMinimalInteger(asn.result, 0);
  if (bad) throw new CmsError(`INTEGER not DER-encoded (${bad})`);
  let ci: pkijs.ContentInfo;
  let sd: pkijs.SignedData;
  try {
    ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== OID_SIGNED_DATA) throw new CmsError(`content type ${ci.contentType} is not SignedData`);
    sd = new pkijs.SignedData({ schema: ci.content });
  } catch (e) {
    if (e instanceof CmsError) throw e;
    throw new CmsError(`not a CMS SignedData: ${(e as Error).message}`);
  }
  if (sd.signerInfos.length < 1) throw new CmsError('no SignerInfo');
  const si = sd.signerInfos[0];
  const certs: Cert[] = [];
  for (const c of sd.certificates ?? []) if (c instanceof pkijs.Certificate) certs.push(wrapCert(c));
  const crls: Uint8Array[] = [];
  const ocsps: Uint8Array[] = [];
  for (const r of sd.crls ?? []) {
    if (r instanceof pkijs.CertificateRevocationList) crls.push(new Uint8Array(r.toSchema().toBER(false)));
    else if (r instanceof pkijs.OtherRevocationInfoFormat && r.otherRevInfoFormat === OID_RI_OCSP && r.otherRevInfo)
      ocsps.push(derOf(r.otherRevInfo as asn1js.AsnType));
  }
  const eci = sd.encapContentInfo;
  const eContent = eci.eContent ? octets(eci.eContent as unknown as asn1js.AsnType) : null;
  const digestOid = si.digestAlgorithm.algorithmId;
  const sigAlgOid = si.signatureAlgorithm.algorithmId;
  const out: ParsedCms = {
    signedData: sd,
    signerInfo: si,
    certs,
    crls,
    ocsps,
    eContentType: eci.eContentType,
    eContent,
    digestOid,
    digest: digestByOid(digestOid),
    sigAlgOid,
    sigAlg: signatureAlgByOid(sigAlgOid, si.signatureAlgorithm.algorithmParams),
    signedAttrsDer: null,
    hasContentTypeAttr: false,
    messageDigest: null,
    signingTime: null,
    essCertIds: null,
    timestampTokens: [],
    signature: new Uint8Array(si.signature.valueBlock.valueHexView),
  };
  if (si.signedAttrs && si.signedAttrs.attributes.length > 0) {
    // encodedValue is the attributes' DER with the [0] tag already replaced by SET (0x31).
    out.signedAttrsDer = new Uint8Array(si.signedAttrs.encodedValue);
    for (const a of si.signedAttrs.attributes) {
      const v = a.values[0];
      try {
        switch (a.type) {
          case OID_CONTENT_TYPE:
            out.hasContentTypeAttr = true;
            break;
          case OID_MESSAGE_DIGEST:
            out.messageDigest = octets(v);
            break;
          case OID_SIGNING_TIME:
            out.signingTime = (v as asn1js.UTCTime).toDate();
            break;
          case OID_SIGNING_CERT_V2:
          case OID_SIGNING_CERT:
            out.essCertIds = parseEss(v as asn1js.Sequence, a.type === OID_SIGNING_CERT_V2);
            break;
          case OID_ADBE_REVOCATION:
            parseAdbeRevocation(v as asn1js.Sequence, crls, ocsps);
            break;
        }
      } catch {
        /* a malformed optional attribute is ignored; required ones are checked later */
      }
    }
  }
  for (const a of si.unsignedAttrs?.attributes ?? []) {
    if (a.type === OID_TIMESTAMP_TOKEN) for (const v of a.values) out.timestampTokens.push(derOf(v));
  }
  return out;
}

function parseEss(v: asn1js.Sequence, v2: boolean): EssCertId[] {
  const list = (v.valueBlock.value[0] as asn1js.Sequence).valueBlock.value as asn1js.Sequence[];
  return list.map((id) => {
    const els = id.valueBlock.value;
    let hashOid = v2 ? '2.16.840.1.101.3.4.2.1' : '1.3.14.3.2.26';
    let i = 0;
    if (v2 && els[0] instanceof asn1js.Sequence) {
      hashOid = ((els[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
      i = 1;
    }
    return { hashOid, hash: digestByOid(hashOid), certHash: octets(els[i]) };
  });
}

/** Adobe's RevocationInfoArchival: [0] CRLs, [1] OCSP responses. */
function parseAdbeRevocation(v: asn1js.Sequence, crls: Uint8Array[], ocsps: Uint8Array[]): void {
  for (const tagged of v.valueBlock.value) {
    const inner = (tagged as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence | undefined;
    const items = inner?.valueBlock?.value ?? [];
    const tag = tagged.idBlock.tagNumber;
    for (const it of items) {
      if (tag === 0) crls.push(derOf(it));
      else if (tag === 1) ocsps.push(derOf(it));
    }
  }
}

/** Finds the signer certificate by issuerAndSerialNumber or subjectKeyIdentifier. */
export function findSignerCert(p: ParsedCms, extra: Cert[] = []): Cert | null {
  const sid = p.signerInfo.sid as unknown;
  const all = [...p.certs, ...extra];
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    const issuerDer = new Uint8Array(sid.issuer.toSchema().toBER(false));
    const serial = Buffer.from(sid.serialNumber.valueBlock.valueHexView).toString('hex');
    return all.find((c) => c.serialHex === serial && namesEqual(c.cert.issuer, c.issuerDer, sid.issuer, issuerDer)) ?? null;
  }
  // [0] SubjectKeyIdentifier
  const ski = octets(sid as asn1js.OctetString);
  if (ski.length === 0) return null;
  return (
    all.find((c) => {
      const k = subjectKeyId(c);
      return k ? bytesEqual(k, ski) : false;
    }) ?? null
  );
}

export interface SignerInfoCheck {
  /** false: messageDigest missing or different from the content digest. */
  digestOk: boolean;
  signature: VerifyOutcome;
  detail?: string;
  /** ESS signing-certificate(-v2) matches the signer certificate (null when absent). */
  essOk: boolean | null;
}

/**
 * Checks the SignerInfo over content whose digest (with p.digest) is `contentDigest`; `contentParts`
 * is needed only when there are no signed attributes (the signature is then over the content itself).
 */
export function checkSignerInfo(p: ParsedCms, signer: Cert, contentDigest: Uint8Array, contentParts: () => Uint8Array[]): SignerInfoCheck {
  const alg = p.sigAlg;
  if (!alg || !p.digest) return { digestOk: true, signature: 'UNSUPPORTED', essOk: null, detail: `algorithm ${p.sigAlgOid}/${p.digestOid}` };
  let essOk: boolean | null = null;
  if (p.essCertIds && p.essCertIds.length > 0) {
    const first = p.essCertIds[0];
    essOk = first.hash ? bytesEqual(hashBytes(first.hash, signer.der), first.certHash) : false;
  }
  if (p.signedAttrsDer) {
    const digestOk = !!p.messageDigest && bytesEqual(p.messageDigest, contentDigest);
    const r = verifyRaw(alg, p.digest, signer.spki, [p.signedAttrsDer], p.signature);
    return { digestOk, signature: r.outcome, detail: r.detail, essOk };
  }
  // No signed attributes: for RSA the digest can be recovered to tell digest from signature failures.
  const r = verifyRaw(alg, p.digest, signer.spki, contentParts(), p.signature);
  if (r.outcome === 'INVALID' && alg.family === 'RSA') {
    const rec = recoverRsaDigest(signer.spki, p.signature);
    if (rec && !bytesEqual(rec, contentDigest)) return { digestOk: false, signature: 'INVALID', essOk };
  }
  return { digestOk: true, signature: r.outcome, detail: r.detail, essOk };
}
