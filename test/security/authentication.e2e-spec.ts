import { createHmac, generateKeyPairSync, KeyObject, sign as signData } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { KEY_CACHE_TTL_MS } from '../../apps/archive-api/src/api-keys/api-keys.service';
import { createTestApp, TestApp } from '../support/app';
import { ADMIN_TOKEN, AGENCY_A, createSecurityWorld, hs256, JWT_SECRET, SecurityWorld } from './security-fixtures';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const in10min = () => Math.floor(Date.now() / 1000) + 600;

function signJwt(alg: 'RS256' | 'ES256', key: KeyObject, kid: string | undefined, claims: Record<string, unknown>): string {
  const body = `${b64({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64({ exp: in10min(), ...claims })}`;
  const sig = signData('sha256', Buffer.from(body), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${body}.${sig.toString('base64url')}`;
}

function keyPair(kind: 'rsa' | 'ec', kid: string) {
  const pair = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey: pair.privateKey, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: kind === 'rsa' ? 'RS256' : 'ES256' } };
}

/** A local identity provider: serves whatever JWKS the test sets, counting fetches. */
async function jwksServer() {
  let keys: unknown[] = [];
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    setKeys: (k: unknown[]) => (keys = k),
    hits: () => hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const archivistClaims = { sub: 'nguyen.van.a', name: 'Nguyễn Văn A', roles: ['ARCHIVIST'], agencyId: AGENCY_A.id };

describe('authentication: API keys, the admin bootstrap, HS256 JWT', () => {
  let w: SecurityWorld;
  beforeAll(async () => {
    w = await createSecurityWorld();
  });
  afterAll(async () => {
    await w?.t.close();
  });
  const agencies = (token?: string) => (token ? w.http().get('/api/v1/agencies').set('Authorization', `Bearer ${token}`) : w.http().get('/api/v1/agencies'));

  it('stores the admin token and API keys only as hashes', async () => {
    const ds = w.t.app.get(require('typeorm').DataSource);
    const dump = JSON.stringify(await ds.query('SELECT * FROM api_keys'));
    for (const s of w.secrets) expect(dump).not.toContain(s);
    expect(dump).toContain(require('node:crypto').createHash('sha256').update(ADMIN_TOKEN).digest('hex'));
  });

  it('issues keys of 256 random bits with a public prefix, shown once, listed without secrets', async () => {
    const created = await w.as('admin')(w.http().post('/api/v1/api-keys').send({ name: 'E-office Bình Định', role: 'SUBMITTER', agencyId: AGENCY_A.id })).expect(201);
    expect(created.body).toMatchObject({ id: expect.any(String), token: expect.stringMatching(/^ak_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/), role: 'SUBMITTER', agencyId: AGENCY_A.id, lastUsedAt: null });
    expect(created.body.token.startsWith(`ak_${created.body.prefix}_`)).toBe(true);
    // The secret part is base64url, which may itself contain '_': cut at the known prefix, not at every '_'.
    expect(Buffer.from(created.body.token.slice(`ak_${created.body.prefix}_`.length), 'base64url')).toHaveLength(32);
    await agencies(created.body.token).expect(200);
    const list = await w.as('admin')(w.http().get('/api/v1/api-keys')).expect(200);
    const item = list.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(item.lastUsedAt).toEqual(expect.any(String));
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
  });

  it('validates key requests: role, agency binding, unknown agency', async () => {
    const post = (body: unknown) => w.as('admin')(w.http().post('/api/v1/api-keys').send(body as object));
    expect((await post({ name: 'x', role: 'GOD', agencyId: AGENCY_A.id }).expect(400)).body.details[0].path).toBe('role');
    expect((await post({ name: 'x', role: 'SUBMITTER' }).expect(400)).body.details[0]).toMatchObject({ path: 'agencyId', code: 'required' });
    expect((await post({ name: 'x', role: 'AUDITOR', agencyId: AGENCY_A.id }).expect(400)).body.details[0]).toMatchObject({ path: 'agencyId', code: 'not_allowed' });
    expect((await post({ name: 'x', role: 'ARCHIVIST', agencyId: '000.00.99.H99' }).expect(400)).body.details[0]).toMatchObject({ path: 'agencyId', code: 'unknown_agency' });
    await post({ name: 'x', role: 'ARCHIVIST', agencyId: 'H05' }).expect(400);
    await post({ name: 'a\u0000b', role: 'AUDITOR' }).expect(400);
  });

  it('revokes a key at once; the attempt to use it is audited; revoking twice is fine', async () => {
    const key = await w.as('admin')(w.http().post('/api/v1/api-keys').send({ name: 'short-lived', role: 'ARCHIVIST', agencyId: AGENCY_A.id })).expect(201);
    await agencies(key.body.token).expect(200);
    await w.as('admin')(w.http().delete(`/api/v1/api-keys/${key.body.id}`)).expect(200);
    const refused = await agencies(key.body.token).expect(401);
    expect(refused.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid or expired credentials', requestId: expect.any(String) });
    await w.as('admin')(w.http().delete(`/api/v1/api-keys/${key.body.id}`)).expect(200);
    const audit = await w.as('auditor')(w.http().get(`/api/v1/audit-events?action=auth.failed&target=api-key:${key.body.id}`)).expect(200);
    expect(audit.body.items[0]).toMatchObject({ outcome: 'DENIED', details: { reason: 'API key revoked' } });
    const rev = await w.as('auditor')(w.http().get(`/api/v1/audit-events?action=api-key.revoke&target=api-key:${key.body.id}`)).expect(200);
    expect(rev.body.total).toBe(1);
  });

  it('a revoked key stops working at once on the revoking instance, and within KEY_CACHE_TTL_MS on another one', async () => {
    // A second instance on the same database: it has the key in its cache of verified keys.
    const other = await createTestApp({ DATABASE_URL: w.t.config.databaseUrl as string, ARCHIVE_ADMIN_TOKEN: ADMIN_TOKEN, RATE_LIMIT_AUTH_FAILURES: '0' });
    try {
      const key = await w.as('admin')(w.http().post('/api/v1/api-keys').send({ name: 'two instances', role: 'ARCHIVIST', agencyId: AGENCY_A.id })).expect(201);
      const onOther = () => request(other.app.getHttpServer()).get('/api/v1/agencies').set('Authorization', `Bearer ${key.body.token}`);
      await agencies(key.body.token).expect(200);
      await onOther().expect(200);
      const revokedAt = Date.now();
      await w.as('admin')(w.http().delete(`/api/v1/api-keys/${key.body.id}`)).expect(200);
      await agencies(key.body.token).expect(401);
      // The other instance answers from memory until its entry expires, never longer.
      let refusedAfter = -1;
      while (refusedAfter < 0 && Date.now() - revokedAt < KEY_CACHE_TTL_MS + 2000) {
        if ((await onOther()).status === 401) refusedAfter = Date.now() - revokedAt;
        else await new Promise((r) => setTimeout(r, 100));
      }
      expect(refusedAfter).toBeGreaterThanOrEqual(0);
      expect(refusedAfter).toBeLessThanOrEqual(KEY_CACHE_TTL_MS + 500);
    } finally {
      await other.close();
    }
  }, 20_000);

  it('refuses a real prefix with a wrong secret (audited), garbage, and malformed headers — all 401 JSON', async () => {
    const good = w.tokens.archivistA as string;
    const wrong = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await agencies(wrong).expect(401);
    for (const header of ['Bearer', 'Basic dXNlcjpwYXNz', 'Bearer a b', `Bearer ${'x'.repeat(9000)}`, 'Bearer eyJ.eyJ.sig', 'bearer ' + ADMIN_TOKEN.slice(1)]) {
      const res = await w.http().get('/api/v1/agencies').set('Authorization', header).expect(401);
      expect(res.body.statusCode).toBe(401);
    }
    const audit = await w.as('auditor')(w.http().get('/api/v1/audit-events?action=auth.failed&pageSize=100')).expect(200);
    expect(audit.body.items.some((e: { details: { reason: string } }) => e.details.reason === 'API key secret does not match')).toBe(true);
    expect(JSON.stringify(audit.body)).not.toContain(wrong);
  });

  it('accepts HS256 JWTs with the claims of API.md and refuses forged, expired, alg-none and unscoped ones', async () => {
    await agencies(hs256(archivistClaims)).expect(200);
    await agencies(hs256(archivistClaims, 'another-secret-another-secret-0123456789')).expect(401);
    await agencies(hs256({ ...archivistClaims, exp: Math.floor(Date.now() / 1000) - 3600 })).expect(401);
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...archivistClaims, exp: in10min() })}.`;
    await agencies(none).expect(401);
    const noneSigned = `${b64({ alg: 'none' })}.${b64({ ...archivistClaims, exp: in10min() })}.${createHmac('sha256', JWT_SECRET).update('x').digest('base64url')}`;
    await agencies(noneSigned).expect(401);
    // A scoped role without an agency would otherwise see nothing — or everything: refused outright.
    await agencies(hs256({ sub: 'x', roles: ['ARCHIVIST'] })).expect(401);
    // No exp: refused (a stolen token must not live forever).
    const enc = `${b64({ alg: 'HS256' })}.${b64(archivistClaims)}`;
    await agencies(`${enc}.${createHmac('sha256', JWT_SECRET).update(enc).digest('base64url')}`).expect(401);
    // Unknown roles grant nothing.
    await agencies(hs256({ sub: 'x', roles: ['ROOT'] })).expect(403);
  });
});

describe('authentication: JWKS (RS256/ES256) with key rotation', () => {
  let idp: Awaited<ReturnType<typeof jwksServer>>;
  let t: TestApp;
  const rsa1 = keyPair('rsa', 'rsa-2025');
  const ec1 = keyPair('ec', 'ec-2025');
  const rsa2 = keyPair('rsa', 'rsa-2026');

  beforeAll(async () => {
    idp = await jwksServer();
    idp.setKeys([rsa1.jwk, ec1.jwk]);
    t = await createTestApp({ AUTH_JWKS_URL: idp.url, AUTH_JWKS_MIN_REFRESH_SECONDS: '0', AUTH_JWT_AUDIENCE: 'archive', RATE_LIMIT_AUTH_FAILURES: '0', AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });
  const auditors = (token: string) => request(t.app.getHttpServer()).get('/api/v1/audit-events/verify').set('Authorization', `Bearer ${token}`);
  const claims = { sub: 'kiem.toan', name: 'Kiểm toán viên', roles: ['AUDITOR'], aud: 'archive' };

  it('verifies RS256 and ES256 tokens against the fetched keys, checking the audience', async () => {
    await auditors(signJwt('RS256', rsa1.privateKey, rsa1.kid, claims)).expect(200);
    await auditors(signJwt('ES256', ec1.privateKey, ec1.kid, claims)).expect(200);
    await auditors(signJwt('RS256', rsa1.privateKey, rsa1.kid, { ...claims, aud: 'other' })).expect(401);
    // A key used with the other algorithm, and HS256 signed with the public key (alg confusion).
    await auditors(signJwt('ES256', rsa1.privateKey, rsa1.kid, claims)).expect(401);
    const pub = JSON.stringify(rsa1.jwk);
    const body = `${b64({ alg: 'HS256', kid: rsa1.kid })}.${b64({ ...claims, exp: in10min() })}`;
    await auditors(`${body}.${createHmac('sha256', pub).update(body).digest('base64url')}`).expect(401);
  });

  it('follows a key rotation: a new kid is fetched, a removed key stops working', async () => {
    const before = idp.hits();
    idp.setKeys([rsa2.jwk, ec1.jwk]);
    await auditors(signJwt('RS256', rsa2.privateKey, rsa2.kid, claims)).expect(200);
    expect(idp.hits()).toBe(before + 1);
    await auditors(signJwt('RS256', rsa1.privateKey, rsa1.kid, claims)).expect(401);
    // Cached: a known kid does not fetch again.
    const now = idp.hits();
    await auditors(signJwt('RS256', rsa2.privateKey, rsa2.kid, claims)).expect(200);
    expect(idp.hits()).toBe(now);
  });
});

describe('authentication: unknown kids cannot make us hammer the identity provider', () => {
  it('re-fetches at most once per AUTH_JWKS_MIN_REFRESH_SECONDS', async () => {
    const idp = await jwksServer();
    const k = keyPair('ec', 'only');
    idp.setKeys([k.jwk]);
    const t = await createTestApp({ AUTH_JWKS_URL: idp.url, AUTH_JWKS_MIN_REFRESH_SECONDS: '3600', RATE_LIMIT_AUTH_FAILURES: '0', AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' });
    try {
      const call = (token: string) => request(t.app.getHttpServer()).get('/api/v1/audit-events/verify').set('Authorization', `Bearer ${token}`);
      await call(signJwt('ES256', k.privateKey, 'only', { sub: 'a', roles: ['AUDITOR'] })).expect(200);
      expect(idp.hits()).toBe(1);
      for (let i = 0; i < 10; i++) await call(signJwt('ES256', k.privateKey, `forged-${i}`, { sub: 'a', roles: ['AUDITOR'] })).expect(401);
      expect(idp.hits()).toBe(1);
    } finally {
      await t.close();
      await idp.close();
    }
  });
});

describe('admin bootstrap and rate limits', () => {
  it('ARCHIVE_ADMIN_TOKEN works as ADMIN; a changed token replaces the old; an unset one is revoked', async () => {
    const t = await createTestApp({
      ARCHIVE_ADMIN_TOKEN: ADMIN_TOKEN,
      RATE_LIMIT_PUBLIC: '3',
      RATE_LIMIT_AUTH_FAILURES: '2',
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
      CORS_ORIGINS: 'https://eoffice.binhdinh.gov.vn',
    });
    try {
      const srv = t.app.getHttpServer();
      await request(srv).post('/api/v1/agencies').set('Authorization', `Bearer ${ADMIN_TOKEN}`).send(AGENCY_A).expect(201);
      // ADMIN manages, but does not read the audit trail (separation of duties).
      await request(srv).get('/api/v1/audit-events').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(403);

      // The same database with a new token: the old one stops working.
      const { ApiKeysService } = await import('../../apps/archive-api/src/api-keys/api-keys.service');
      const keys = t.app.get(ApiKeysService);
      const next = 'a-brand-new-admin-token-0123456789abcdef';
      await keys.syncBootstrapKey(next);
      await request(srv).get('/api/v1/api-keys').set('Authorization', `Bearer ${next}`).expect(200);
      await request(srv).get('/api/v1/api-keys').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(401);
      await keys.syncBootstrapKey(null);
      await request(srv).get('/api/v1/api-keys').set('Authorization', `Bearer ${next}`).expect(401);

      // Rate limits (per IP): the auth-failure budget (2) is spent above; then 429 with Retry-After.
      const limited = await request(srv).get('/api/v1/api-keys').set('Authorization', 'Bearer nope-nope-nope').expect(429);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      // Anonymous callers: 3 per window.
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await request(srv).get('/api/v1/agencies')).status);
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      // Operations endpoints are never limited.
      await request(srv).get('/health/live').expect(200);

      // CORS: only the configured origins.
      const ok = await request(srv).get('/health/live').set('Origin', 'https://eoffice.binhdinh.gov.vn');
      expect(ok.headers['access-control-allow-origin']).toBe('https://eoffice.binhdinh.gov.vn');
      const evil = await request(srv).get('/health/live').set('Origin', 'https://evil.example');
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
