import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign as signData } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import * as forge from 'node-forge';
import { AppConfig } from '../config/app-config';

export interface ArchiveKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo, hex: how checkpoints name their key. */
  fingerprint: string;
  /** The archive's certificate when the key file carries one (PKCS#12 or PEM with CERTIFICATE). */
  certificatePem: string | null;
  algorithm: 'RS256' | 'ES256';
  /** True when this is the generated development key, not the one configured by the operator. */
  development: boolean;
}

const DEV_KEY_FILE = path.join('keys', 'archive-signing-key.pem');

/**
 * The archive's own signing key (khóa ký của cơ quan lưu trữ): signs audit checkpoints, and is meant
 * for receipts and certified copies too. ARCHIVE_SIGNING_KEY names a PEM (private key, optionally
 * followed by the certificate) or PKCS#12 file (ARCHIVE_SIGNING_KEY_PASSWORD). When unset — a
 * developer's machine — a key and a self-signed certificate are generated once under the data
 * directory and reused, and the log says so loudly. Loaded when the application starts.
 */
@Injectable()
export class ArchiveKeyService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ArchiveKey');
  private loaded: ArchiveKey | null = null;

  constructor(private readonly config: AppConfig) {}

  /** Fail fast: a wrong path or password stops the start, not the first checkpoint an hour later. */
  onApplicationBootstrap(): void {
    const key = this.get();
    if (!key.development) this.logger.log(`archive signing key loaded (${key.algorithm}, fingerprint ${key.fingerprint.slice(0, 16)}…)`);
  }

  get(): ArchiveKey {
    if (!this.loaded) this.loaded = this.config.signingKeyPath ? this.loadConfigured(this.config.signingKeyPath) : this.loadOrCreateDevKey();
    return this.loaded;
  }

  /** The key if one exists (configured, or a development key already generated); never creates one. */
  existing(): ArchiveKey | null {
    if (this.loaded || this.config.signingKeyPath || fs.existsSync(path.join(this.config.dataDir, DEV_KEY_FILE))) return this.get();
    return null;
  }

  /** Fingerprints whose checkpoints are trusted: the current key and those of AUDIT_TRUSTED_KEY_FINGERPRINTS. */
  trustedFingerprints(current: ArchiveKey | null = this.existing()): string[] | undefined {
    if (!current) return undefined;
    return [current.fingerprint, ...this.config.audit.trustedKeyFingerprints];
  }

  sign(data: Buffer): { signature: string; algorithm: 'RS256' | 'ES256'; fingerprint: string; publicKeyPem: string } {
    const key = this.get();
    return { signature: signData('sha256', data, key.privateKey).toString('base64'), algorithm: key.algorithm, fingerprint: key.fingerprint, publicKeyPem: key.publicKeyPem };
  }

  private loadConfigured(file: string): ArchiveKey {
    const bytes = fs.readFileSync(file);
    const password = this.config.signingKeyPassword ?? undefined;
    if (/\.(p12|pfx)$/i.test(file)) {
      const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary'))), password ?? '');
      const keyBag = [
        ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
        ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
      ][0];
      if (!keyBag?.key) throw new Error('ARCHIVE_SIGNING_KEY: the PKCS#12 file holds no private key');
      const certBag = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])[0];
      return this.describe(createPrivateKey(forge.pki.privateKeyToPem(keyBag.key)), certBag?.cert ? forge.pki.certificateToPem(certBag.cert) : null, false);
    }
    const pem = bytes.toString('utf8');
    const privateKey = createPrivateKey({ key: pem, format: 'pem', passphrase: password });
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0] ?? null;
    return this.describe(privateKey, cert, false);
  }

  private loadOrCreateDevKey(): ArchiveKey {
    const file = path.join(this.config.dataDir, DEV_KEY_FILE);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const certPem = selfSignedCertificate(keyPem, publicKey.export({ type: 'spki', format: 'pem' }).toString());
      // Write-then-link: two instances starting together keep one key, never a half-written file.
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      fs.writeFileSync(tmp, keyPem + certPem, { mode: 0o600 });
      try {
        fs.linkSync(tmp, file);
        this.logger.warn(`ARCHIVE_SIGNING_KEY is not set: generated a DEVELOPMENT signing key and self-signed certificate at ${file}. Configure the archive's real key in production.`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        fs.rmSync(tmp, { force: true });
      }
    } else {
      this.logger.warn(`ARCHIVE_SIGNING_KEY is not set: using the DEVELOPMENT signing key at ${file}`);
    }
    const pem = fs.readFileSync(file, 'utf8');
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0] ?? null;
    return this.describe(createPrivateKey(pem), cert, true);
  }

  private describe(privateKey: KeyObject, certificatePem: string | null, development: boolean): ArchiveKey {
    const publicKey = createPublicKey(privateKey);
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const type = privateKey.asymmetricKeyType;
    if (type !== 'rsa' && type !== 'ec') throw new Error(`ARCHIVE_SIGNING_KEY: unsupported key type ${type}`);
    return {
      privateKey,
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      fingerprint: createHash('sha256').update(der).digest('hex'),
      certificatePem,
      algorithm: type === 'rsa' ? 'RS256' : 'ES256',
      development,
    };
  }
}

function selfSignedCertificate(privateKeyPem: string, publicKeyPem: string): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = `01${Date.now().toString(16)}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000);
  const subject = [
    { name: 'commonName', value: 'Archive development signing key (NOT FOR PRODUCTION)' },
    { name: 'organizationName', value: 'Development archive' },
    { name: 'countryName', value: 'VN' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
