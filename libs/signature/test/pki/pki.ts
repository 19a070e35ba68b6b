/**
 * In-memory test PKI named like the Vietnamese government (Ban Cơ yếu) hierarchy.
 *
 *   Test RootCA chuyên dùng Chính phủ G2
 *   └─ Test CA phục vụ các cơ quan Nhà nước G2
 *      ├─ signer (person, RSA)      ├─ seal (agency, RSA)     ├─ signerEcdsa (person, P-256)
 *      ├─ signerRsaPss (person, RSASSA-PSS key)
 *      ├─ expired (person)          ├─ revoked (person; on `crl`)
 *      └─ tsa (EKU timeStamping, critical)
 *
 * `getTestPki('lookalike')` builds the SAME names with different keys: a signature from it must not
 * chain to the genuine anchors. Keys and PKIs are cached per process (RSA keygen costs ~100 ms).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as forge from 'node-forge';
import { SignerKey } from '../../src/sign/keys';
import { TimestampProvider } from '../../src/sign/timestamp';
import { DistinguishedName, EKU, Issuer, KeyUsage, issueCertificate, issueCrl, randomSerial, toPem } from './x509';
import { TimestampOptions, buildTimeStampToken } from './tsa';

export type KeyKind = 'rsa' | 'rsa-pss' | 'ec';
export type PkiVariant = 'genuine' | 'lookalike';

const keyCache = new Map<string, crypto.KeyObject>();
/** Cached private key per (variant, role): generating RSA-2048 is the slow part of a PKI. */
export function testKey(id: string, kind: KeyKind = 'rsa'): crypto.KeyObject {
  const k = `${id}:${kind}`;
  let key = keyCache.get(k);
  if (!key) {
    key =
      kind === 'rsa'
        ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
        : kind === 'rsa-pss'
          ? crypto.generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 as unknown as string /* @types/node says string; Node wants a number */ }).privateKey
          : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    keyCache.set(k, key);
  }
  return key;
}

export interface TestCert {
  role: string;
  variant: PkiVariant;
  subject: DistinguishedName;
  der: Uint8Array;
  pem: string;
  privateKey: crypto.KeyObject;
  /** PKCS#8 PEM of the private key */
  keyPem: string;
  serial: Uint8Array;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  /** certificates above this one, nearest issuer first (empty for the root) */
  issuers: TestCert[];
}

export const NAMES = {
  root: { C: 'VN', O: 'Ban Cơ yếu Chính phủ', CN: 'Test RootCA chuyên dùng Chính phủ G2' },
  intermediate: { C: 'VN', O: 'Ban Cơ yếu Chính phủ', CN: 'Test CA phục vụ các cơ quan Nhà nước G2' },
  signer: { C: 'VN', ST: 'Hà Nội', O: 'Ủy ban nhân dân tỉnh Thử Nghiệm', OU: 'Văn phòng', CN: 'Nguyễn Văn An' },
  seal: { C: 'VN', ST: 'Hà Nội', O: 'Ủy ban nhân dân tỉnh Thử Nghiệm', CN: 'Ủy ban nhân dân tỉnh Thử Nghiệm' },
  signerEcdsa: { C: 'VN', ST: 'Hà Nội', O: 'Sở Nội vụ tỉnh Thử Nghiệm', OU: 'Phòng Văn thư - Lưu trữ', CN: 'Trần Thị Bình' },
  signerRsaPss: { C: 'VN', ST: 'Hà Nội', O: 'Sở Nội vụ tỉnh Thử Nghiệm', CN: 'Đỗ Thị Phương' },
  expired: { C: 'VN', ST: 'Hà Nội', O: 'Sở Nội vụ tỉnh Thử Nghiệm', CN: 'Phạm Văn Dũng' },
  revoked: { C: 'VN', ST: 'Hà Nội', O: 'Sở Nội vụ tỉnh Thử Nghiệm', CN: 'Hoàng Thị Em' },
  tsa: { C: 'VN', O: 'Ban Cơ yếu Chính phủ', CN: 'Test TSA chuyên dùng Chính phủ' },
} satisfies Record<string, DistinguishedName>;

export interface TestPki {
  variant: PkiVariant;
  /** the instant the PKI's validity periods are relative to */
  now: Date;
  root: TestCert;
  intermediate: TestCert;
  /** person, RSA 2048 (sign with `rsaPadding: 'PSS'` for the RSASSA-PSS variant) */
  signer: TestCert;
  /** agency seal, RSA 2048 */
  seal: TestCert;
  /** person, ECDSA P-256 */
  signerEcdsa: TestCert;
  /** person, RSASSA-PSS-only key (SPKI id-RSASSA-PSS, SHA-256, salt 32): always signs PSS */
  signerRsaPss: TestCert;
  /** person, valid from now−3y to now−1y */
  expired: TestCert;
  /** person, revoked now−30d (keyCompromise) on `crl` */
  revoked: TestCert;
  /** time-stamping unit (valid now−5y .. now+5y) */
  tsa: TestCert;
  /** CRL by the intermediate, listing `revoked` */
  crl: Uint8Array;
  /** CRL by the root (empty) */
  rootCrl: Uint8Array;
  /** DER anchors to configure for this PKI: [root] */
  trustAnchors: Uint8Array[];
  /** both CRLs */
  crls: Uint8Array[];
  /** SignerKey with chain [cert, intermediate, root] */
  signerKey(cert?: TestCert): SignerKey;
  /** PEM bundle of the chain (signer first) */
  chainPem(cert?: TestCert): string;
  /** PKCS#12 (3DES, SHA-1 MAC; RSA keys only: forge's writer); friendlyName becomes e.g. the NSS nickname */
  pkcs12(cert: TestCert, password: string, friendlyName?: string): Uint8Array;
  /** RFC 3161 token from this PKI's TSA */
  timestamp(imprint: Uint8Array, opts?: TimestampOptions): Promise<Uint8Array>;
  /** a provider for `signPdf({ timestamp })`, optionally at a fixed genTime */
  timestampProvider(time?: Date): TimestampProvider;
}

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const pkiCache = new Map<PkiVariant, TestPki>();

export function getTestPki(variant: PkiVariant = 'genuine'): TestPki {
  let pki = pkiCache.get(variant);
  if (!pki) {
    pki = buildPki(variant, new Date());
    pkiCache.set(variant, pki);
  }
  return pki;
}

function buildPki(variant: PkiVariant, now: Date): TestPki {
  const at = (ms: number): Date => new Date(now.getTime() + ms);
  const make = (
    role: keyof typeof NAMES,
    o: { kind?: KeyKind; issuer?: TestCert; from: number; to: number; ca?: number; usage: KeyUsage[]; eku?: string[] },
  ): TestCert => {
    const privateKey = testKey(`${variant}:${role}`, o.kind ?? 'rsa');
    const serial = randomSerial();
    const issuer: Issuer | undefined = o.issuer ? { name: o.issuer.subject, privateKey: o.issuer.privateKey } : undefined;
    const notBefore = at(o.from);
    const notAfter = at(o.to);
    const der = issueCertificate({
      subject: NAMES[role],
      subjectKey: privateKey,
      issuer,
      serial,
      notBefore,
      notAfter,
      ca: o.ca !== undefined ? { pathLength: o.ca } : undefined,
      keyUsage: o.usage,
      extendedKeyUsage: o.eku ? { oids: o.eku, critical: true } : undefined,
    });
    return {
      role,
      variant,
      subject: NAMES[role],
      der,
      pem: toPem(der),
      privateKey,
      keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      serial,
      serialHex: Buffer.from(serial).toString('hex'),
      notBefore,
      notAfter,
      issuers: o.issuer ? [o.issuer, ...o.issuer.issuers] : [],
    };
  };
  const person: KeyUsage[] = ['digitalSignature', 'nonRepudiation'];
  const root = make('root', { from: -10 * YEAR, to: 20 * YEAR, ca: 1, usage: ['keyCertSign', 'cRLSign'] });
  const intermediate = make('intermediate', { issuer: root, from: -6 * YEAR, to: 10 * YEAR, ca: 0, usage: ['keyCertSign', 'cRLSign'] });
  const signer = make('signer', { issuer: intermediate, from: -YEAR, to: 2 * YEAR, usage: person });
  const seal = make('seal', { issuer: intermediate, from: -YEAR, to: 2 * YEAR, usage: person });
  const signerEcdsa = make('signerEcdsa', { kind: 'ec', issuer: intermediate, from: -YEAR, to: 2 * YEAR, usage: person });
  const signerRsaPss = make('signerRsaPss', { kind: 'rsa-pss', issuer: intermediate, from: -YEAR, to: 2 * YEAR, usage: person });
  const expired = make('expired', { issuer: intermediate, from: -3 * YEAR, to: -YEAR, usage: person });
  const revoked = make('revoked', { issuer: intermediate, from: -YEAR, to: 2 * YEAR, usage: person });
  const tsa = make('tsa', { issuer: intermediate, from: -5 * YEAR, to: 5 * YEAR, usage: ['digitalSignature', 'nonRepudiation'], eku: [EKU.timeStamping] });
  const crl = issueCrl({
    issuer: { name: intermediate.subject, privateKey: intermediate.privateKey },
    thisUpdate: at(-DAY),
    nextUpdate: at(30 * DAY),
    revoked: [{ serial: revoked.serial, revokedAt: at(-30 * DAY), reason: 1 }],
  });
  const rootCrl = issueCrl({ issuer: { name: root.subject, privateKey: root.privateKey }, thisUpdate: at(-DAY), nextUpdate: at(30 * DAY), revoked: [] });

  const chainOf = (c: TestCert): Uint8Array[] => [c.der, ...c.issuers.map((i) => i.der)];
  const tsaIdentity = { certificate: tsa.der, privateKey: tsa.privateKey, chain: chainOf(tsa) };
  return {
    variant,
    now,
    root,
    intermediate,
    signer,
    seal,
    signerEcdsa,
    signerRsaPss,
    expired,
    revoked,
    tsa,
    crl,
    rootCrl,
    trustAnchors: [root.der],
    crls: [crl, rootCrl],
    signerKey: (c = signer) => ({ certificateChain: chainOf(c), privateKey: c.privateKey }),
    chainPem: (c = signer) => [c, ...c.issuers].map((x) => x.pem).join(''),
    pkcs12: (c, password, friendlyName) => {
      const key = forge.pki.privateKeyFromPem(c.keyPem);
      const certs = [c, ...c.issuers].map((x) => forge.pki.certificateFromAsn1(forge.asn1.fromDer(Buffer.from(x.der).toString('binary'))));
      const p12 = forge.pkcs12.toPkcs12Asn1(key, certs, password, { algorithm: '3des', ...(friendlyName ? { friendlyName } : {}) });
      return new Uint8Array(Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
    },
    timestamp: (imprint, opts) => buildTimeStampToken(tsaIdentity, imprint, opts),
    timestampProvider: (time) => (imprint) => buildTimeStampToken(tsaIdentity, imprint, { time }),
  };
}

/**
 * Writes the PKI as files for CLI / e2e tests: anchors/root.pem, crl/*.crl (DER), and per end
 * entity <role>.pem (chain), <role>.key.pem; returns the paths.
 */
export function exportTestPki(pki: TestPki, dir: string): { anchorsDir: string; rootPem: string; crlFiles: string[]; files: Record<string, { chainPem: string; keyPem: string }> } {
  const anchorsDir = path.join(dir, 'anchors');
  const crlDir = path.join(dir, 'crl');
  fs.mkdirSync(anchorsDir, { recursive: true });
  fs.mkdirSync(crlDir, { recursive: true });
  const rootPem = path.join(anchorsDir, 'root.pem');
  fs.writeFileSync(rootPem, pki.root.pem);
  const crlFiles = [path.join(crlDir, 'intermediate.crl'), path.join(crlDir, 'root.crl')];
  fs.writeFileSync(crlFiles[0], pki.crl);
  fs.writeFileSync(crlFiles[1], pki.rootCrl);
  const files: Record<string, { chainPem: string; keyPem: string }> = {};
  for (const c of [pki.signer, pki.seal, pki.signerEcdsa, pki.signerRsaPss, pki.expired, pki.revoked, pki.tsa]) {
    const chainPem = path.join(dir, `${c.role}.pem`);
    const keyPem = path.join(dir, `${c.role}.key.pem`);
    fs.writeFileSync(chainPem, pki.chainPem(c));
    fs.writeFileSync(keyPem, c.keyPem);
    files[c.role] = { chainPem, keyPem };
  }
  return { anchorsDir, rootPem, crlFiles, files };
}
