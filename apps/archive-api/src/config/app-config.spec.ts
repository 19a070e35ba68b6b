import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults to the embedded database and the filesystem store under ./data', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeNull();
    expect(c.storageDriver).toBe('fs');
    expect(c.s3).toBeNull();
    expect(c.dataDir).toBe('/srv/app/data');
    expect(c.logLevel).toBe('info');
  });

  it('chooses the s3 driver when S3_ENDPOINT is set, accepting a URL form', () => {
    const c = loadConfig({ S3_ENDPOINT: 'https://minio.example:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's', S3_OBJECT_LOCK: 'compliance' });
    expect(c.storageDriver).toBe('s3');
    expect(c.s3).toMatchObject({ endPoint: 'minio.example', port: 9000, useSSL: true, bucket: 'archive', objectLock: 'compliance' });
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: '70000', STORAGE_DRIVER: 's3', S3_OBJECT_LOCK: 'maybe', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', ARCHIVE_ADMIN_TOKEN: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    for (const name of ['PORT', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_OBJECT_LOCK', 'LOG_LEVEL', 'DATABASE_URL', 'ARCHIVE_ADMIN_TOKEN']) {
      expect(text).toContain(`${name}:`);
    }
  });

  it('never exposes secrets in its description', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:supersecret@db:5432/a',
      S3_ENDPOINT: 'minio',
      S3_ACCESS_KEY: 'AKIAEXAMPLE',
      S3_SECRET_KEY: 'verysecretkey',
      ARCHIVE_ADMIN_TOKEN: 'x'.repeat(40),
    });
    const text = JSON.stringify(c.describe());
    expect(text).not.toContain('supersecret');
    expect(text).not.toContain('verysecretkey');
    expect(text).not.toContain('AKIAEXAMPLE');
    expect(text).not.toContain('x'.repeat(40));
    expect(text).toContain('db:5432');
  });

  it('reads the security settings with safe defaults', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.auth).toMatchObject({ jwtSecret: null, jwksUrl: null, jwksMinRefreshSeconds: 30, clockSkewSeconds: 60 });
    expect(c.rateLimit).toEqual({ windowSeconds: 60, publicPerWindow: 120, authFailuresPerWindow: 20 });
    expect(c.audit).toEqual({ checkpointIntervalSeconds: 3600, trustedKeyFingerprints: [] });
    expect(c.signingKeyPath).toBeNull();
    const d = loadConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks', ARCHIVE_SIGNING_KEY: 'keys/archive.p12', RATE_LIMIT_PUBLIC: '0' }, '/srv/app');
    expect(d.auth.jwksUrl).toBe('https://idp.example/jwks');
    expect(d.signingKeyPath).toBe('/srv/app/keys/archive.p12');
    expect(d.rateLimit.publicPerWindow).toBe(0);
  });

  it('refuses weak or malformed security settings, naming each', () => {
    let error: unknown;
    try {
      loadConfig({ AUTH_JWT_SECRET: 'short', AUTH_JWKS_URL: 'ftp://x', RATE_LIMIT_PUBLIC: '-1', CORS_ORIGINS: 'evil', ARCHIVE_SIGNING_KEY: 'key.txt', AUDIT_TRUSTED_KEY_FINGERPRINTS: 'abc' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of ['AUTH_JWT_SECRET', 'AUTH_JWKS_URL', 'RATE_LIMIT_PUBLIC', 'CORS_ORIGINS', 'ARCHIVE_SIGNING_KEY', 'AUDIT_TRUSTED_KEY_FINGERPRINTS']) {
      expect((error as ConfigError).message).toContain(`${name}:`);
    }
  });

  it('never exposes the JWT secret or the signing key password', () => {
    const c = loadConfig({ AUTH_JWT_SECRET: 's'.repeat(40), ARCHIVE_SIGNING_KEY: 'k.pem', ARCHIVE_SIGNING_KEY_PASSWORD: 'p4ssw0rd-p4ssw0rd' });
    const text = JSON.stringify(c.describe());
    expect(text).not.toContain('s'.repeat(40));
    expect(text).not.toContain('p4ssw0rd-p4ssw0rd');
  });
});
