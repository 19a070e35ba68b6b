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
import { Cert, bytesEqual, nameDer, namesEqual, parseCert, subjectKeyId, wrapCert } from '../crypto/certificates';
import { Tlv, childrenOf, header, nonMinimalInteger, readTlv } from './der';

export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
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

export type SignerId = { kind: 'issuerSerial'; issuerDer: Uint8Array; serialHex: string } | { kind: 'ski'; ski: Uint8Array };

export interface ParsedCms {
  sid: SignerId;
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
 * Takes the RevocationInfoChoices ([1] crls) out of a SignedData tree as raw DER, before pkijs sees
 * it: schema-parsing large CRLs is slow, and they are parsed later only if revocation is checked.
 */
function takeRevocationInfo(sdSeq: asn1js.Sequence, crls: Uint8Array[], ocsps: Uint8Array[]): void {
  const items = sdSeq?.valueBlock?.value;
  if (!Array.isArray(items)) return;
  const i = items.findIndex((e) => e.idBlock.tagClass === 3 && e.idBlock.tagNumber === 1);
  if (i < 0) return;
  for (const e of (items[i] as asn1js.Constructed).valueBlock.value ?? []) {
    if (e.idBlock.tagClass === 1 && e.idBlock.tagNumber === 16) crls.push(derOf(e));
    else if (e.idBlock.tagClass === 3 && e.idBlock.tagNumber === 1) {
      // OtherRevocationInfoFormat ::= SEQUENCE { otherRevInfoFormat OID, otherRevInfo ANY } (implicit [1])
      const [fmt, info] = (e as asn1js.Constructed).valueBlock.value ?? [];
      if (fmt instanceof asn1js.ObjectIdentifier && fmt.valueBlock.toString() === OID_RI_OCSP && info) ocsps.push(derOf(info));
    }
  }
  items.splice(i, 1);
}

const derOf = (v: asn1js.AsnType): Uint8Array => new Uint8Array(v.valueBeforeDecodeView);

const OID_SIGNED_DATA_DER = Buffer.from('06092a864886f70d010702', 'hex');
const OID_RI_OCSP_DER = Buffer.from('06082b0601050507100' + '2', 'hex');
const OID_TIMESTAMP_TOKEN_DER = Buffer.from('060b2a864886f70d010910020e', 'hex');

/**
 * Fast path: splits ContentInfo/SignedData with the DER reader; certificates come from the cache,
 * CRLs/OCSP stay raw, and only the small rest (digest algorithms, encapsulated content, SignerInfos)
 * goes through pkijs. Null when the input needs the general BER path.
 */
function splitSignedData(
  bytes: Uint8Array,
): { reduced: Uint8Array; certs: Cert[]; crls: Uint8Array[]; ocsps: Uint8Array[]; timestampTokens: Uint8Array[] } | null {
  const ci = readTlv(bytes, 0, bytes.length);
  if (!ci || ci.tag !== 0x30) return null;
  const ciKids = childrenOf(bytes, ci);
  if (!ciKids || ciKids.length !== 2 || ciKids[1].tag !== 0xa0) return null;
  if (!Buffer.from(bytes.subarray(ciKids[0].start, ciKids[0].end)).equals(OID_SIGNED_DATA_DER)) return null;
  const sdT = readTlv(bytes, ciKids[1].value, ciKids[1].end);
  if (!sdT || sdT.tag !== 0x30) return null;
  const parts = childrenOf(bytes, sdT);
  if (!parts) return null;
  const kept: Uint8Array[] = [];
  const certs: Cert[] = [];
  const crls: Uint8Array[] = [];
  const ocsps: Uint8Array[] = [];
  const timestampTokens: Uint8Array[] = [];
  for (const t of parts) {
    if (t.tag === 0xa0) {
      for (const c of childrenOf(bytes, t) ?? []) {
        if (c.tag !== 0x30) continue; // other certificate formats are not used in PDF signatures
        const cert = parseCert(bytes.subarray(c.start, c.end));
        if (!cert) throw new CmsError('unparsable certificate in SignedData');
        if (cert.derProblem) throw new CmsError(`INTEGER not DER-encoded (${cert.derProblem})`);
        certs.push(cert);
      }
    } else if (t.tag === 0xa1) {
      for (const c of childrenOf(bytes, t) ?? []) {
        if (c.tag === 0x30) crls.push(bytes.subarray(c.start, c.end));
        else if (c.tag === 0xa1) {
          const k = childrenOf(bytes, c);
          if (k && k.length === 2 && Buffer.from(bytes.subarray(k[0].start, k[0].end)).equals(OID_RI_OCSP_DER))
            ocsps.push(bytes.subarray(k[1].start, k[1].end));
        }
      }
    } else if (t.tag === 0x31 && t === parts[parts.length - 1]) {
      // signerInfos: take the unsigned attributes out (a timestamp token is a whole CMS with its
      // certificates, parsed separately and only when needed).
      const sis = childrenOf(bytes, t);
      if (!sis) return null;
      const rebuilt: Uint8Array[] = [];
      for (const si of sis) {
        const f = childrenOf(bytes, si);
        if (!f) return null;
        const keep = f.filter((x) => x.tag !== 0xa1).map((x) => bytes.subarray(x.start, x.end));
        const unsigned = f.find((x) => x.tag === 0xa1);
        if (unsigned && rebuilt.length === 0) {
          for (const attr of childrenOf(bytes, unsigned) ?? []) {
            const [oid, values] = childrenOf(bytes, attr) ?? [];
            if (!oid || !values || !Buffer.from(bytes.subarray(oid.start, oid.end)).equals(OID_TIMESTAMP_TOKEN_DER)) continue;
            for (const v of childrenOf(bytes, values) ?? []) timestampTokens.push(bytes.subarray(v.start, v.end));
          }
        }
        const len = keep.reduce((n, k) => n + k.length, 0);
        rebuilt.push(header(0x30, len), ...keep);
      }
      const len = rebuilt.reduce((n, k) => n + k.length, 0);
      kept.push(Buffer.concat([header(0x31, len), ...rebuilt]));
    } else kept.push(bytes.subarray(t.start, t.end));
  }
  const bodyLen = kept.reduce((n, k) => n + k.length, 0);
  return { reduced: Buffer.concat([header(0x30, bodyLen), ...kept]), certs, crls, ocsps, timestampTokens };
}

/** Parses a DER ContentInfo holding SignedData (trailing zero padding allowed). Throws CmsError. */
export function parseCms(bytes: Uint8Array): ParsedCms {
  if (bytes.length < 16) throw new CmsError('CMS too short');
  const fast = splitSignedData(bytes);
  if (fast) {
    const direct = parseSignedDataDirect(fast.reduced, fast.certs, fast.crls, fast.ocsps);
    if (direct) {
      direct.timestampTokens.push(...fast.timestampTokens);
      return direct;
    }
    const asn = asn1js.fromBER(fast.reduced);
    if (asn.offset === -1 || asn.result.error) throw new CmsError(`BER decoding failed: ${asn.result.error}`);
    const bad = nonMinimalInteger(asn.result);
    if (bad) throw new CmsError(`INTEGER not DER-encoded (${bad})`);
    let sd: pkijs.SignedData;
    try {
      sd = new pkijs.SignedData({ schema: asn.result });
    } catch (e) {
      throw new CmsError(`not a CMS SignedData: ${(e as Error).message}`);
    }
    const parsed = fromSignedData(sd, fast.certs, fast.crls, fast.ocsps);
    parsed.timestampTokens.push(...fast.timestampTokens);
    return parsed;
  }
  return parseCmsGeneral(bytes);
}

/** Dotted form of a DER OBJECT IDENTIFIER value. */
function oidString(b: Uint8Array): string {
  if (b.length === 0) return '';
  const out: number[] = [Math.min(2, Math.floor(b[0] / 40)), b[0] - 40 * Math.min(2, Math.floor(b[0] / 40))];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) {
      out.push(v);
      v = 0;
    }
  }
  return out.join('.');
}

const isMinimalInteger = (v: Uint8Array): boolean => !(v.length > 1 && ((v[0] === 0x00 && v[1] < 0x80) || (v[0] === 0xff && v[1] >= 0x80)));

/**
 * SignedData without certificates/CRLs (see splitSignedData) read with the DER reader alone: the
 * fields PDF signatures use. Null for anything unusual, which then goes through pkijs.
 */
function parseSignedDataDirect(b: Uint8Array, certs: Cert[], crls: Uint8Array[], ocsps: Uint8Array[]): ParsedCms | null {
  const sdT = readTlv(b, 0, b.length);
  const k = sdT && childrenOf(b, sdT);
  if (!k || k.length !== 4 || k[0].tag !== 0x02 || k[1].tag !== 0x31 || k[2].tag !== 0x30 || k[3].tag !== 0x31) return null;
  const v = (t: Tlv): Uint8Array => b.subarray(t.value, t.end);
  // EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
  const ec = childrenOf(b, k[2]);
  if (!ec || ec.length < 1 || ec[0].tag !== 0x06) return null;
  let eContent: Uint8Array | null = null;
  if (ec[1]) {
    if (ec[1].tag !== 0xa0) return null;
    const inner = childrenOf(b, ec[1]);
    if (!inner || inner.length !== 1) return null;
    if (inner[0].tag === 0x04) eContent = v(inner[0]);
    else if (inner[0].tag === 0x24) {
      const pieces = childrenOf(b, inner[0]);
      if (!pieces || pieces.some((x) => x.tag !== 0x04)) return null;
      eContent = Buffer.concat(pieces.map((x) => v(x)));
    } else return null;
  }
  const sis = childrenOf(b, k[3]);
  if (!sis) return null;
  if (sis.length < 1) throw new CmsError('no SignerInfo');
  const f = childrenOf(b, sis[0]);
  if (!f || f.length < 5 || f[0].tag !== 0x02) return null;
  let sid: SignerId;
  if (f[1].tag === 0x30) {
    const ias = childrenOf(b, f[1]);
    if (!ias || ias.length !== 2 || ias[0].tag !== 0x30 || ias[1].tag !== 0x02) return null;
    if (!isMinimalInteger(v(ias[1]))) throw new CmsError('INTEGER not DER-encoded (signer serial number)');
    sid = { kind: 'issuerSerial', issuerDer: b.subarray(ias[0].start, ias[0].end), serialHex: Buffer.from(v(ias[1])).toString('hex') };
  } else if (f[1].tag === 0x80) sid = { kind: 'ski', ski: v(f[1]) };
  else return null;
  const algOf = (t: Tlv): { oid: string; params: Uint8Array | null } | null => {
    if (t.tag !== 0x30) return null;
    const a = childrenOf(b, t);
    if (!a || a.length < 1 || a[0].tag !== 0x06) return null;
    return { oid: oidString(v(a[0])), params: a[1] && a[1].tag !== 0x05 ? b.subarray(a[1].start, a[1].end) : null };
  };
  const digestAlg = algOf(f[2]);
  let i = 3;
  const signedAttrsT = f[i].tag === 0xa0 ? f[i++] : null;
  const sigAlgT = f[i++];
  const sigT = f[i++];
  const sigAlg = sigAlgT && algOf(sigAlgT);
  if (!digestAlg || !sigAlg || !sigT || sigT.tag !== 0x04) return null;
  const out: ParsedCms = {
    sid,
    certs,
    crls,
    ocsps,
    eContentType: oidString(v(ec[0])),
    eContent,
    digestOid: digestAlg.oid,
    digest: digestByOid(digestAlg.oid),
    sigAlgOid: sigAlg.oid,
    sigAlg: signatureAlgByOid(sigAlg.oid, sigAlg.params ? asn1js.fromBER(sigAlg.params).result : undefined),
    signedAttrsDer: null,
    hasContentTypeAttr: false,
    messageDigest: null,
    signingTime: null,
    essCertIds: null,
    timestampTokens: [],
    signature: v(sigT),
  };
  if (signedAttrsT) {
    // What is signed is the DER of the attributes with the SET tag instead of [0] IMPLICIT.
    const der = Buffer.from(b.subarray(signedAttrsT.start, signedAttrsT.end));
    der[0] = 0x31;
    out.signedAttrsDer = der;
    for (const attr of childrenOf(b, signedAttrsT) ?? []) {
      const [oidT, valuesT] = childrenOf(b, attr) ?? [];
      if (!oidT || !valuesT || oidT.tag !== 0x06 || valuesT.tag !== 0x31) return null;
      const first = (childrenOf(b, valuesT) ?? [])[0];
      if (!first) continue;
      const raw = b.subarray(first.start, first.end);
      try {
        switch (oidString(v(oidT))) {
          case OID_CONTENT_TYPE:
            out.hasContentTypeAttr = true;
            break;
          case OID_MESSAGE_DIGEST:
            if (first.tag !== 0x04) return null;
            out.messageDigest = v(first);
            break;
          case OID_SIGNING_TIME:
            out.signingTime = (asn1js.fromBER(raw).result as asn1js.UTCTime).toDate();
            break;
          case OID_SIGNING_CERT_V2:
          case OID_SIGNING_CERT:
            out.essCertIds = parseEss(asn1js.fromBER(raw).result as asn1js.Sequence, oidString(v(oidT)) === OID_SIGNING_CERT_V2);
            break;
          case OID_ADBE_REVOCATION:
            for (const tagged of childrenOf(b, first) ?? []) {
              const seq = (childrenOf(b, tagged) ?? [])[0];
              for (const it of seq ? childrenOf(b, seq) ?? [] : []) {
                if (tagged.tag === 0xa0) crls.push(b.subarray(it.start, it.end));
                else if (tagged.tag === 0xa1) ocsps.push(b.subarray(it.start, it.end));
              }
            }
            break;
        }
      } catch {
        /* a malformed optional attribute is ignored; required ones are checked later */
      }
    }
  }
  return out;
}

/** General path (BER, indefinite lengths): the whole structure through asn1js/pkijs. */
function parseCmsGeneral(bytes: Uint8Array): ParsedCms {
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
  const crls: Uint8Array[] = [];
  const ocsps: Uint8Array[] = [];
  try {
    ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== OID_SIGNED_DATA) throw new CmsError(`content type ${ci.contentType} is not SignedData`);
    takeRevocationInfo(ci.content as asn1js.Sequence, crls, ocsps);
    sd = new pkijs.SignedData({ schema: ci.content });
  } catch (e) {
    if (e instanceof CmsError) throw e;
    throw new CmsError(`not a CMS SignedData: ${(e as Error).message}`);
  }
  // The certificates' original DER (pkijs does not keep it; re-encoding would be slow and could differ).
  const rawCerts: Uint8Array[] = [];
  try {
    const sdSeq = ci.content as asn1js.Sequence;
    const tagged = sdSeq.valueBlock.value.find((e) => e.idBlock.tagClass === 3 && e.idBlock.tagNumber === 0) as asn1js.Constructed | undefined;
    for (const e of tagged?.valueBlock.value ?? []) rawCerts.push(derOf(e));
  } catch {
    /* fall back to re-encoding */
  }
  const certs: Cert[] = [];
  (sd.certificates ?? []).forEach((c, i) => {
    if (c instanceof pkijs.Certificate) certs.push(wrapCert(c, rawCerts.length === (sd.certificates ?? []).length ? rawCerts[i] : undefined));
  });
  return fromSignedData(sd, certs, crls, ocsps);
}

function fromSignedData(sd: pkijs.SignedData, certs: Cert[], crls: Uint8Array[], ocsps: Uint8Array[]): ParsedCms {
  if (sd.signerInfos.length < 1) throw new CmsError('no SignerInfo');
  const si = sd.signerInfos[0];
  const eci = sd.encapContentInfo;
  const eContent = eci.eContent ? octets(eci.eContent as unknown as asn1js.AsnType) : null;
  const digestOid = si.digestAlgorithm.algorithmId;
  const sigAlgOid = si.signatureAlgorithm.algorithmId;
  const rawSid = si.sid as unknown;
  const sid: SignerId =
    rawSid instanceof pkijs.IssuerAndSerialNumber
      ? { kind: 'issuerSerial', issuerDer: nameDer(rawSid.issuer), serialHex: Buffer.from(rawSid.serialNumber.valueBlock.valueHexView).toString('hex') }
      : { kind: 'ski', ski: octets(rawSid as asn1js.OctetString) };
  const out: ParsedCms = {
    sid,
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
  const sid = p.sid;
  const all = [...p.certs, ...extra];
  if (sid.kind === 'issuerSerial') {
    let issuerName: pkijs.RelativeDistinguishedNames | null | undefined;
    const sameIssuer = (c: Cert): boolean => {
      if (bytesEqual(c.issuerDer, sid.issuerDer)) return true;
      // Same name, different encoding (string types, spacing): compare normalized forms.
      if (issuerName === undefined) {
        try {
          issuerName = new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(sid.issuerDer).result });
        } catch {
          issuerName = null;
        }
      }
      return !!issuerName && namesEqual(c.cert.issuer, c.issuerDer, issuerName, sid.issuerDer);
    };
    return all.find((c) => c.serialHex === sid.serialHex && sameIssuer(c)) ?? null;
  }
  if (sid.ski.length === 0) return null;
  return (
    all.find((c) => {
      const k = subjectKeyId(c);
      return k ? bytesEqual(k, sid.ski) : false;
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
