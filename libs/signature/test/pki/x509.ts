/**
 * X.509 certificate and CRL builder for tests: DER by hand, signatures by Node crypto (so RSA,
 * RSA-PSS and ECDSA issuers all work, and RSA keys come from OpenSSL, not forge's slow keygen).
 */
import * as crypto from 'node:crypto';
import {
  Der,
  OID,
  bitString,
  bool,
  ctx,
  int,
  intBytes,
  octets,
  oid,
  printable,
  seq,
  setOf,
  time,
  tlv,
  utf8,
} from '../../src/sign/der';
import { DigestAlgorithm, SignatureScheme, rawSign, schemeForKey, signatureAlgorithmId } from '../../src/sign/cms';

export interface DistinguishedName {
  C?: string;
  ST?: string;
  L?: string;
  O?: string;
  OU?: string;
  CN: string;
  /** 2.5.4.5, e.g. an identity number */
  serialNumber?: string;
}

const NAME_OIDS: Record<keyof DistinguishedName, string> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  serialNumber: '2.5.4.5',
};

export function encodeName(dn: DistinguishedName): Der {
  const order: Array<keyof DistinguishedName> = ['C', 'ST', 'L', 'O', 'OU', 'CN', 'serialNumber'];
  const rdns: Der[] = [];
  for (const k of order) {
    const v = dn[k];
    if (v === undefined) continue;
    // countryName and serialNumber are PrintableString (RFC 5280); the rest UTF8String.
    const value = k === 'C' || k === 'serialNumber' ? printable(v) : utf8(v);
    rdns.push(setOf(seq(oid(NAME_OIDS[k]), value)));
  }
  return seq(...rdns);
}

export const KEY_USAGE = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsage = keyof typeof KEY_USAGE;

export const EKU = {
  timeStamping: '1.3.6.1.5.5.7.3.8',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  documentSigning: '1.3.6.1.5.5.7.3.36',
} as const;

function keyUsageBits(usages: KeyUsage[]): Der {
  let bits = 0;
  for (const u of usages) bits |= 0x80 >> KEY_USAGE[u];
  const bytes = [bits & 0xff];
  let unused = 0;
  if (bits === 0) return bitString(new Uint8Array(0));
  while (((bits >> unused) & 1) === 0) unused++;
  return bitString(Uint8Array.from(bytes), unused);
}

function extension(id: string, critical: boolean, value: Der): Der {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

export function spkiOf(key: crypto.KeyObject): Uint8Array {
  const pub = key.type === 'private' ? crypto.createPublicKey(key) : key;
  return new Uint8Array(pub.export({ type: 'spki', format: 'der' }));
}

/** RFC 5280 method 1-ish key id: SHA-1 over the SPKI (good enough to be unique and stable). */
export const keyId = (key: crypto.KeyObject): Uint8Array =>
  new Uint8Array(crypto.createHash('sha1').update(spkiOf(key)).digest());

export interface Issuer {
  name: DistinguishedName;
  privateKey: crypto.KeyObject;
  /** signature scheme used by the issuer (default from its key type) */
  scheme?: SignatureScheme;
}

export interface CertificateSpec {
  subject: DistinguishedName;
  /** the subject's public (or private) key */
  subjectKey: crypto.KeyObject;
  /** omit for self-signed (then subjectKey must be the private key) */
  issuer?: Issuer;
  serial?: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  ca?: { pathLength?: number };
  keyUsage: KeyUsage[];
  extendedKeyUsage?: { oids: string[]; critical: boolean };
  digest?: DigestAlgorithm;
}

export function randomSerial(): Uint8Array {
  const s = crypto.randomBytes(16);
  s[0] = (s[0] & 0x3f) | 0x10; // positive, non-zero leading byte
  return new Uint8Array(s);
}

export function issueCertificate(spec: CertificateSpec): Uint8Array {
  const issuer: Issuer = spec.issuer ?? { name: spec.subject, privateKey: spec.subjectKey };
  const scheme = issuer.scheme ?? schemeForKey(issuer.privateKey);
  const d = spec.digest ?? 'SHA-256';
  const sigAlg = signatureAlgorithmId(scheme, d);
  const exts: Der[] = [
    extension('2.5.29.19', true, spec.ca ? seq(bool(true), ...(spec.ca.pathLength !== undefined ? [int(spec.ca.pathLength)] : [])) : seq()),
    extension('2.5.29.15', true, keyUsageBits(spec.keyUsage)),
    extension('2.5.29.14', false, octets(keyId(spec.subjectKey))),
    extension('2.5.29.35', false, seq(ctx(0, false, keyId(issuer.privateKey)))),
  ];
  if (spec.extendedKeyUsage) {
    exts.push(extension('2.5.29.37', spec.extendedKeyUsage.critical, seq(...spec.extendedKeyUsage.oids.map(oid))));
  }
  const tbs = seq(
    ctx(0, true, int(2)),
    intBytes(spec.serial ?? randomSerial()),
    sigAlg,
    encodeName(issuer.name),
    seq(time(spec.notBefore), time(spec.notAfter)),
    encodeName(spec.subject),
    spkiOf(spec.subjectKey),
    ctx(3, true, seq(...exts)),
  );
  const sig = rawSign(tbs, issuer.privateKey, scheme, d);
  return seq(tbs, sigAlg, bitString(sig));
}

export interface RevokedEntry {
  serial: Uint8Array;
  revokedAt: Date;
  /** CRLReason code, e.g. 1 keyCompromise */
  reason?: number;
}

export function issueCrl(spec: { issuer: Issuer; thisUpdate: Date; nextUpdate: Date; revoked: RevokedEntry[]; crlNumber?: number }): Uint8Array {
  const scheme = spec.issuer.scheme ?? schemeForKey(spec.issuer.privateKey);
  const sigAlg = signatureAlgorithmId(scheme, 'SHA-256');
  const entries = spec.revoked.map((r) =>
    seq(
      intBytes(r.serial),
      time(r.revokedAt),
      ...(r.reason !== undefined ? [seq(extension('2.5.29.21', false, tlv(0x0a, Uint8Array.from([r.reason]))))] : []),
    ),
  );
  const tbs = seq(
    int(1),
    sigAlg,
    encodeName(spec.issuer.name),
    time(spec.thisUpdate),
    time(spec.nextUpdate),
    ...(entries.length ? [seq(...entries)] : []),
    ctx(0, true, seq(extension('2.5.29.35', false, seq(ctx(0, false, keyId(spec.issuer.privateKey)))), extension('2.5.29.20', false, int(spec.crlNumber ?? 1)))),
  );
  const sig = rawSign(tbs, spec.issuer.privateKey, scheme, 'SHA-256');
  return seq(tbs, sigAlg, bitString(sig));
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

export { OID };
