import { generateKeyPairSync, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as forge from 'node-forge';
import { loadConfig } from '../config/app-config';
import { ArchiveKeyService } from './archive-key.service';

describe('ArchiveKeyService', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-key-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('generates a development key once under the data directory and reuses it', () => {
    const a = new ArchiveKeyService(loadConfig({ ARCHIVE_DATA_DIR: dir })).get();
    const file = path.join(dir, 'keys', 'archive-signing-key.pem');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(a).toMatchObject({ development: true, algorithm: 'RS256', certificatePem: expect.stringContaining('BEGIN CERTIFICATE') });
    const b = new ArchiveKeyService(loadConfig({ ARCHIVE_DATA_DIR: dir })).get();
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  it('loads an encrypted PEM (EC) and signs verifiably', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const file = path.join(dir, 'archive.pem');
    fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'mật khẩu' }));
    const svc = new ArchiveKeyService(loadConfig({ ARCHIVE_SIGNING_KEY: file, ARCHIVE_SIGNING_KEY_PASSWORD: 'mật khẩu' }));
    const s = svc.sign(Buffer.from('x'));
    expect(s.algorithm).toBe('ES256');
    expect(verify('sha256', Buffer.from('x'), s.publicKeyPem, Buffer.from(s.signature, 'base64'))).toBe(true);
    expect(() => new ArchiveKeyService(loadConfig({ ARCHIVE_SIGNING_KEY: file, ARCHIVE_SIGNING_KEY_PASSWORD: 'wrong' })).get()).toThrow();
  });

  it('loads a PKCS#12 file with its certificate', () => {
    const keys = forge.pki.rsa.generateKeyPair(1024);
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date();
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: 'commonName', value: 'Luu tru lich su' }]);
    cert.setIssuer([{ name: 'commonName', value: 'Luu tru lich su' }]);
    cert.sign(keys.privateKey, forge.md.sha256.create());
    const p12 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], 'secret', { algorithm: '3des' });
    const file = path.join(dir, 'archive.p12');
    fs.writeFileSync(file, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
    const key = new ArchiveKeyService(loadConfig({ ARCHIVE_SIGNING_KEY: file, ARCHIVE_SIGNING_KEY_PASSWORD: 'secret' })).get();
    expect(key).toMatchObject({ development: false, algorithm: 'RS256', certificatePem: expect.stringContaining('BEGIN CERTIFICATE') });
  });
});
