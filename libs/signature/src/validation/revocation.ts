/**
 * Revocation checking from data at hand only (no network): CRLs handed to the verifier, CRLs and OCSP
 * responses embedded in the CMS (incl. Adobe's revocationInfoArchival) and in the PDF's /DSS.
 * A CRL or OCSP response counts only if its signature verifies with the certificate's issuer (or an
 * OCSP responder the issuer delegated to).
 */
import * as crypto from 'crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { signatureAlgByOid, verifyRaw } from '../crypto/algorithms';
import { Cert, bytesEqual, extKeyUsage, nameDer, namesEqual, verifyCertSignature, wrapCert } from '../crypto/certificates';
import { RevocationInfo } from '../report';

export type Origin = 'SUPPLIED' | 'CMS' | 'DSS';
export interface RevocationData {
  crls: { der: Uint8Array; origin: Origin }[];
  ocsps: { der: Uint8Array; origin: Origin }[];
}

interface ParsedCrl {
  crl: pkijs.CertificateRevocationList;
  issuerDer: Uint8Array;
  origin: Origin;
}
interface ParsedOcsp {
  basic: pkijs.BasicOCSPResponse;
  certs: Cert[];
  origin: Origin;
}

// The same CRLs (supplied by the caller, or a CA's CRL in many documents) recur: parse each once.
const crlCache = new Map<string, { crl: pkijs.CertificateRevocationList; issuerDer: Uint8Array } | null>();
const CRL_CACHE_MAX = 64;

function cachedCrl(der: Uint8Array): { crl: pkijs.CertificateRevocationList; issuerDer: Uint8Array } | null {
  const id = crypto.createHash('sha256').update(der).digest('hex');
  if (crlCache.has(id)) return crlCache.get(id)!;
  let out: { crl: pkijs.CertificateRevocationList; issuerDer: Uint8Array } | null = null;
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset !== -1) {
      const crl = new pkijs.CertificateRevocationList({ schema: asn.result });
      out = { crl, issuerDer: nameDer(crl.issuer) };
    }
  } catch {
    out = null;
  }
  if (crlCache.size >= CRL_CACHE_MAX) crlCache.delete(crlCache.keys().next().value as string);
  crlCache.set(id, out);
  return out;
}

/** Parsed once per document; malformed entries are skipped. */
export class RevocationPool {
  private readonly crls: ParsedCrl[] = [];
  private readonly ocsps: ParsedOcsp[] = [];

  private parsed = false;

  constructor(private readonly data: RevocationData) {}

  /** Parses lazily: most documents never reach the revocation check (no trusted chain). */
  private parse(): void {
    if (this.parsed) return;
    this.parsed = true;
    const data = this.data;
    const seen = new Set<string>();
    const dedupe = (der: Uint8Array): boolean => {
      const h = crypto.createHash('sha256').update(der).digest('hex');
      if (seen.has(h)) return false;
      seen.add(h);
      return true;
    };
    for (const { der, origin } of data.crls) {
      if (!dedupe(der)) continue;
      const parsed = cachedCrl(der);
      if (parsed) this.crls.push({ ...parsed, origin });
    }
    for (const { der, origin } of data.ocsps) {
      if (!dedupe(der)) continue;
      try {
        const asn = asn1js.fromBER(der);
        if (asn.offset === -1) continue;
        let basic: pkijs.BasicOCSPResponse;
        try {
          const resp = new pkijs.OCSPResponse({ schema: asn.result });
          if (!resp.responseBytes) continue;
          const inner = asn1js.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
          basic = new pkijs.BasicOCSPResponse({ schema: inner.result });
        } catch {
          basic = new pkijs.BasicOCSPResponse({ schema: asn.result });
        }
        const certs = (basic.certs ?? []).map((c) => wrapCert(c));
        this.ocsps.push({ basic, certs, origin });
      } catch {
        /* skip */
      }
    }
  }

  /** Status of `cert` issued by `issuer`. */
  check(cert: Cert, issuer: Cert): RevocationInfo {
    this.parse();
    const serial = cert.serialHex;
    // OCSP first: it is usually the fresher source.
    for (const o of this.ocsps) {
      for (const sr of o.basic.tbsResponseData.responses) {
        if (!this.ocspMatches(sr.certID, cert, issuer)) continue;
        if (!this.ocspSignedFor(o, issuer)) continue;
        const st = sr.certStatus as asn1js.AsnType & { idBlock: { tagNumber: number } };
        const tag = st.idBlock.tagNumber;
        if (tag === 0) return { status: 'GOOD', source: 'OCSP', origin: o.origin, certificateSerial: serial };
        if (tag === 1) {
          let revokedAt: string | undefined;
          try {
            const t = (st as unknown as asn1js.Constructed).valueBlock.value[0] as asn1js.GeneralizedTime;
            revokedAt = t.toDate().toISOString();
          } catch {
            /* unknown time */
          }
          return { status: 'REVOKED', source: 'OCSP', origin: o.origin, revokedAt, certificateSerial: serial };
        }
      }
    }
    for (const c of this.crls) {
      if (!namesEqual(c.crl.issuer, c.issuerDer, cert.cert.issuer, cert.issuerDer)) continue;
      if (!this.crlSignedBy(c, issuer)) continue;
      const hit = (c.crl.revokedCertificates ?? []).find(
        (r) => Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex') === serial,
      );
      if (hit) {
        const reasonExt = hit.crlEntryExtensions?.extensions.find((e) => e.extnID === '2.5.29.21');
        const reason = reasonExt ? String((reasonExt.parsedValue as asn1js.Enumerated | undefined)?.valueBlock.valueDec ?? '') : undefined;
        return {
          status: 'REVOKED',
          source: 'CRL',
          origin: c.origin,
          revokedAt: hit.revocationDate.value.toISOString(),
          reason,
          certificateSerial: serial,
        };
      }
      return { status: 'GOOD', source: 'CRL', origin: c.origin, certificateSerial: serial };
    }
    return { status: 'UNKNOWN', certificateSerial: serial };
  }

  private crlSignedBy(c: ParsedCrl, issuer: Cert): boolean {
    const alg = signatureAlgByOid(c.crl.signatureAlgorithm.algorithmId, c.crl.signatureAlgorithm.algorithmParams);
    if (!alg) return false;
    return verifyRaw(alg, null, issuer.spki, [new Uint8Array(c.crl.tbsView)], new Uint8Array(c.crl.signatureValue.valueBlock.valueHexView)).outcome === 'VALID';
  }

  private ocspMatches(id: pkijs.CertID, cert: Cert, issuer: Cert): boolean {
    if (Buffer.from(id.serialNumber.valueBlock.valueHexView).toString('hex') !== cert.serialHex) return false;
    const algo = { '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512' }[
      id.hashAlgorithm.algorithmId
    ];
    if (!algo) return false;
    const nameHash = crypto.createHash(algo).update(issuer.subjectDer).digest();
    const keyBits = new Uint8Array(issuer.cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
    const keyHash = crypto.createHash(algo).update(keyBits).digest();
    return (
      bytesEqual(nameHash, new Uint8Array(id.issuerNameHash.valueBlock.valueHexView)) &&
      bytesEqual(keyHash, new Uint8Array(id.issuerKeyHash.valueBlock.valueHexView))
    );
  }

  /** Response signed by the issuer itself or by a responder certificate the issuer delegated to. */
  private ocspSignedFor(o: ParsedOcsp, issuer: Cert): boolean {
    const alg = signatureAlgByOid(o.basic.signatureAlgorithm.algorithmId, o.basic.signatureAlgorithm.algorithmParams);
    if (!alg) return false;
    const tbs = new Uint8Array(o.basic.tbsResponseData.tbsView);
    const sig = new Uint8Array(o.basic.signature.valueBlock.valueHexView);
    const signers = [issuer, ...o.certs.filter((c) => (extKeyUsage(c) ?? []).includes('1.3.6.1.5.5.7.3.9') && verifyCertSignature(c, issuer))];
    return signers.some((s) => verifyRaw(alg, null, s.spki, [tbs], sig).outcome === 'VALID');
  }
}
