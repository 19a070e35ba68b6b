/** X.509 helpers over pkijs: parsing (DER/PEM), names, fingerprints, signature checks. */
import * as crypto from 'crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateInfo } from '../report';
import { nonMinimalInteger } from '../cms/der';
import { signatureAlgByOid, verifyRaw } from './algorithms';

export interface Cert {
  cert: pkijs.Certificate;
  der: Uint8Array;
  sha256: string;
  subjectDer: Uint8Array;
  issuerDer: Uint8Array;
  spki: Uint8Array;
  serialHex: string;
  /** Set when the encoding is not DER (e.g. a non-minimal INTEGER). */
  derProblem?: string | null;
}

const OID_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.5': 'SERIALNUMBER', '2.5.4.4': 'SN', '2.5.4.42': 'GN', '2.5.4.12': 'T', '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'E', '0.9.2342.19200300.100.1.25': 'DC', '0.9.2342.19200300.100.1.1': 'UID',
};

// Certificates recur (the same CA and signer certificates in every signature and document).
const certCache = new Map<string, Cert | null>();
const CERT_CACHE_MAX = 1024;

/** Parses one DER certificate (cached by content). Null when it is not a certificate. */
export function parseCert(der: Uint8Array): Cert | null {
  const id = crypto.createHash('sha256').update(der).digest('hex');
  if (certCache.has(id)) return certCache.get(id)!;
  let c: Cert | null = null;
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset !== -1) {
      const cert = new pkijs.Certificate({ schema: asn.result });
      c = wrapCert(cert, new Uint8Array(asn.result.valueBeforeDecodeView));
      c.derProblem = nonMinimalInteger(asn.result);
    }
  } catch {
    c = null;
  }
  if (certCache.size >= CERT_CACHE_MAX) certCache.delete(certCache.keys().next().value as string);
  certCache.set(id, c);
  return c;
}

/** DER of a parsed Name without re-encoding it when pkijs kept the original bytes. */
export function nameDer(n: pkijs.RelativeDistinguishedNames): Uint8Array {
  return n.valueBeforeDecode && n.valueBeforeDecode.byteLength ? new Uint8Array(n.valueBeforeDecode) : new Uint8Array(n.toSchema().toBER(false));
}

export function wrapCert(cert: pkijs.Certificate, der?: Uint8Array): Cert {
  const d = der ?? new Uint8Array(cert.toSchema(true).toBER(false));
  return {
    cert,
    der: d,
    sha256: crypto.createHash('sha256').update(d).digest('hex'),
    subjectDer: nameDer(cert.subject),
    issuerDer: nameDer(cert.issuer),
    spki: new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false)),
    serialHex: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex'),
  };
}

/**
 * Certificates in DER or PEM (several PEM blocks allowed), or a PKCS#7 certificate bundle (.p7b, DER
 * or PEM), the form in which NEAC publishes the Vietnam National Root CA.
 */
export function parseCertificates(data: Uint8Array): Cert[] {
  const text = Buffer.from(data.subarray(0, Math.min(data.length, 1 << 20))).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const out: Cert[] = [];
    const all = Buffer.from(data).toString('latin1');
    const re = /-----BEGIN (X509 |TRUSTED )?(CERTIFICATE|PKCS7)-----([\s\S]*?)-----END/g;
    for (let m = re.exec(all); m; m = re.exec(all)) {
      const der = Buffer.from(m[3].replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
      if (m[2] === 'PKCS7') out.push(...certsOfPkcs7(der));
      else {
        const c = parseCert(der);
        if (c) out.push(c);
      }
    }
    return out;
  }
  const c = parseCert(data);
  return c ? [c] : certsOfPkcs7(data);
}

/** Certificates of a PKCS#7 / CMS SignedData (e.g. a certs-only .p7b bundle). */
function certsOfPkcs7(der: Uint8Array): Cert[] {
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset === -1) return [];
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== '1.2.840.113549.1.7.2') return [];
    // The certificates' own bytes: SignedData [0] IMPLICIT SET OF Certificate.
    const sdSeq = ci.content as asn1js.Sequence;
    const tagged = sdSeq.valueBlock.value.find((e) => e.idBlock.tagClass === 3 && e.idBlock.tagNumber === 0) as asn1js.Constructed | undefined;
    return (tagged?.valueBlock.value ?? []).map((e) => parseCert(new Uint8Array(e.valueBeforeDecodeView))).filter((c): c is Cert => !!c);
  } catch {
    return [];
  }
}

/** DER of CRLs in DER or PEM. */
export function splitPem(data: Uint8Array, label: string): Uint8Array[] {
  const text = Buffer.from(data).toString('latin1');
  if (!text.includes('-----BEGIN')) return [data];
  const out: Uint8Array[] = [];
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END`, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(Buffer.from(m[1].replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'));
  return out;
}

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** Normalized string form of a Name (for comparison when encodings differ, RFC 5280 §7.1 lite). */
export function nameKey(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${tv.type}=${String(tv.value.valueBlock.value ?? '').trim().replace(/\s+/g, ' ').toLowerCase()}`)
    .join(',');
}

export function namesEqual(a: pkijs.RelativeDistinguishedNames, aDer: Uint8Array, b: pkijs.RelativeDistinguishedNames, bDer: Uint8Array): boolean {
  return bytesEqual(aDer, bDer) || nameKey(a) === nameKey(b);
}

export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues.map((tv) => `${OID_NAMES[tv.type] ?? tv.type}=${tv.value.valueBlock.value}`).join(', ');
}

export function nameAttr(name: pkijs.RelativeDistinguishedNames, oid: string): string | undefined {
  const tv = name.typesAndValues.find((t) => t.type === oid);
  return tv ? String(tv.value.valueBlock.value) : undefined;
}

export function certInfo(c: Cert): CertificateInfo {
  return {
    subject: nameToString(c.cert.subject),
    issuer: nameToString(c.cert.issuer),
    serialNumber: c.serialHex,
    notBefore: c.cert.notBefore.value.toISOString(),
    notAfter: c.cert.notAfter.value.toISOString(),
    sha256: c.sha256,
    commonName: nameAttr(c.cert.subject, '2.5.4.3'),
    organization: nameAttr(c.cert.subject, '2.5.4.10'),
  };
}

/** Did `issuer`'s key sign `subject`? */
export function verifyCertSignature(subject: Cert, issuer: Cert): boolean {
  const alg = signatureAlgByOid(subject.cert.signatureAlgorithm.algorithmId, subject.cert.signatureAlgorithm.algorithmParams);
  if (!alg) return false;
  const tbs = new Uint8Array(subject.cert.tbsView);
  const sig = new Uint8Array(subject.cert.signatureValue.valueBlock.valueHexView);
  return verifyRaw(alg, null, issuer.spki, [tbs], sig).outcome === 'VALID';
}

export function extension(c: Cert, oid: string): pkijs.Extension | undefined {
  return c.cert.extensions?.find((e) => e.extnID === oid);
}

export function isCA(c: Cert): boolean | null {
  const e = extension(c, '2.5.29.19');
  if (!e) return null;
  const bc = e.parsedValue as pkijs.BasicConstraints | undefined;
  return !!bc?.cA;
}

/** KeyUsage bits as a set of names, or null when absent. */
export function keyUsage(c: Cert): Set<string> | null {
  const e = extension(c, '2.5.29.15');
  if (!e) return null;
  const bs = e.parsedValue as asn1js.BitString | undefined;
  if (!bs) return null;
  const bytes = new Uint8Array(bs.valueBlock.valueHexView);
  const names = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];
  const out = new Set<string>();
  names.forEach((n, i) => {
    if (bytes[i >> 3] & (0x80 >> (i & 7))) out.add(n);
  });
  return out;
}

export function extKeyUsage(c: Cert): string[] | null {
  const e = extension(c, '2.5.29.37');
  if (!e) return null;
  const eku = e.parsedValue as pkijs.ExtKeyUsage | undefined;
  return eku?.keyPurposes ?? [];
}

export function subjectKeyId(c: Cert): Uint8Array | null {
  const e = extension(c, '2.5.29.14');
  const v = e?.parsedValue as asn1js.OctetString | undefined;
  return v ? new Uint8Array(v.valueBlock.valueHexView) : null;
}

