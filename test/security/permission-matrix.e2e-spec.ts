import request from 'supertest';
import { AGENCY_A, AGENCY_B, AGENCY_OF, Caller, CALLERS, createKey, createSecurityWorld, SecurityWorld } from './security-fixtures';

/**
 * The permission matrix, end to end: every endpoint × every kind of caller (each role, own/other
 * agency, API key and JWT, no token, revoked and garbage tokens). Each row says who succeeds; every
 * other caller must get 401 (no or bad credentials) or 403 (authenticated, not allowed). Every answer
 * is checked for leaks: no secret, and nothing about another agency for agency-scoped callers.
 *
 * Later features ADD ROWS here (one per endpoint); the coverage test at the end fails for any route
 * of the OpenAPI document without a row.
 */
type Http = () => ReturnType<typeof request>;

interface MatrixRow {
  /** `METHOD /path` as in the OpenAPI document (without the /api/v1 prefix). */
  route: string;
  label?: string;
  /** Builds the request (not awaited: supertest requests run when awaited); `ctx` comes from `prepare`. */
  request: (http: Http, ctx: { i: number; caller: Caller; prepared: Record<string, string> }) => request.Test;
  /** Async set-up per case, e.g. a fresh key to revoke. */
  prepare?: (w: SecurityWorld) => Promise<Record<string, string>>;
  /** Callers the guard lets through, and the status they get (several when the body decides). */
  allowed: Caller[];
  ok: number | number[];
  /** Status for the other callers when not the default 401/403 (e.g. 404 for hidden records). */
  denied?: Partial<Record<Caller, number>>;
  /** Extra assertions on a successful answer (scoping, shape). */
  check?: (res: request.Response, caller: Caller, w: SecurityWorld) => void;
}

const UNAUTHENTICATED: Caller[] = ['public', 'revokedKey', 'garbage'];
const AUTHENTICATED = (except: Caller[] = []): Caller[] => ['admin', 'auditor', 'submitterA', 'archivistA', 'approverA', 'archivistB', 'jwtArchivistA', 'jwtAuditor'].filter((c) => !except.includes(c as Caller)) as Caller[];
const AUDITORS: Caller[] = ['auditor', 'jwtAuditor'];
/** Everyone holding metadata.read through a role (ADMIN does not). */
const METADATA_READERS: Caller[] = ['auditor', 'submitterA', 'archivistA', 'approverA', 'archivistB', 'jwtArchivistA', 'jwtAuditor'];
const NO_SUCH_ID = '5b0c6a8e-1d2f-4e3a-9b7c-000000000404';

const ROWS: MatrixRow[] = [
  {
    route: 'GET /agencies',
    request: (http) => http().get('/api/v1/agencies'),
    allowed: AUTHENTICATED(),
    ok: 200,
    check: (res, caller) => {
      const own = AGENCY_OF[caller];
      if (own && caller !== 'admin') {
        // Agency-scoped callers see their own agency only, and the total says so too.
        expect(res.body.total).toBe(1);
        expect(res.body.items.map((a: { id: string }) => a.id)).toEqual([own]);
      } else {
        expect(res.body.items.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([AGENCY_A.id, AGENCY_B.id]));
      }
    },
  },
  {
    route: 'POST /agencies',
    request: (http, { i }) => http().post('/api/v1/agencies').send({ id: `000.00.${String(50 + i).padStart(2, '0')}.H77`, name: `Cơ quan thử ${i}` }),
    allowed: ['admin'],
    ok: 201,
    check: (res) => expect(res.body).toMatchObject({ id: expect.stringMatching(/^000\.00\.\d\d\.H77$/), archiveCode: null }),
  },
  {
    route: 'GET /api-keys',
    request: (http) => http().get('/api/v1/api-keys'),
    allowed: ['admin'],
    ok: 200,
    check: (res) => {
      expect(res.body.total).toBeGreaterThanOrEqual(6);
      for (const k of res.body.items) {
        expect(k).not.toHaveProperty('token');
        expect(k).not.toHaveProperty('tokenHash');
      }
    },
  },
  {
    route: 'POST /api-keys',
    request: (http) => http().post('/api/v1/api-keys').send({ name: 'matrix key', role: 'SUBMITTER', agencyId: AGENCY_B.id }),
    allowed: ['admin'],
    ok: 201,
    check: (res) => expect(res.body.token).toMatch(/^ak_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/),
  },
  {
    route: 'DELETE /api-keys/{id}',
    prepare: async (w) => ({ id: (await createKey(w.t, 'SUBMITTER', AGENCY_A.id, 'victim')).id }),
    request: (http, { prepared }) => http().delete(`/api/v1/api-keys/${prepared.id}`),
    allowed: ['admin'],
    ok: 200,
    check: (res) => expect(res.body.revokedAt).toEqual(expect.any(String)),
  },
  {
    route: 'DELETE /api-keys/{id}',
    label: 'DELETE /api-keys/{id} (no such key: only the admin learns it is missing)',
    request: (http) => http().delete('/api/v1/api-keys/3f1d2c4b-0000-4000-8000-000000000000'),
    allowed: [],
    ok: 200,
    denied: { admin: 404 },
  },
  {
    route: 'GET /audit-events',
    request: (http) => http().get('/api/v1/audit-events?pageSize=500'),
    allowed: AUDITORS,
    ok: 200,
    check: (res) => {
      expect(res.body.total).toBeGreaterThan(5);
      expect(res.body.items[0]).toMatchObject({ seq: 1, prevHash: '0'.repeat(64) });
    },
  },
  {
    route: 'GET /audit-events',
    label: 'GET /audit-events?format=ndjson',
    request: (http) => http().get('/api/v1/audit-events?format=ndjson&action=agency.create'),
    allowed: AUDITORS,
    ok: 200,
    check: (res) => {
      expect(res.headers['content-type']).toContain('application/x-ndjson');
      const lines = res.text.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.every((e) => e.action === 'agency.create')).toBe(true);
    },
  },
  {
    route: 'GET /audit-events',
    label: 'GET /audit-events?format=csv',
    request: (http) => http().get('/api/v1/audit-events?format=csv'),
    allowed: AUDITORS,
    ok: 200,
    check: (res) => {
      expect(res.headers['content-type']).toContain('text/csv');
      expect(res.text.split('\r\n')[0]).toBe('seq,id,at,actor,role,action,target,ip,outcome,details,prevHash,hash');
    },
  },
  {
    route: 'GET /audit-events/checkpoints',
    request: (http) => http().get('/api/v1/audit-events/checkpoints'),
    allowed: AUDITORS,
    ok: 200,
    check: (res) => expect(Array.isArray(res.body)).toBe(true),
  },
  {
    route: 'GET /audit-events/verify',
    request: (http) => http().get('/api/v1/audit-events/verify'),
    allowed: AUDITORS,
    ok: 200,
    check: (res) => expect(res.body).toMatchObject({ valid: true, count: expect.any(Number), headHash: expect.stringMatching(/^[0-9a-f]{64}$/) }),
  },
  // ---- Catalogue and transfers (issues 6+): guard level, on ids that do not exist. Rows with seeded
  // records of both agencies and all three modes belong here as those features settle.
  {
    route: 'GET /files',
    request: (http) => http().get('/api/v1/files'),
    allowed: ['public', ...METADATA_READERS],
    ok: 200,
    denied: { revokedKey: 401, garbage: 401 },
    check: (res) => expect(res.body.total).toBe(0),
  },
  ...(['/files/{id}', '/documents/{id}', '/documents/{id}/signatures'] as const).map(
    (route): MatrixRow => ({
      route: `GET ${route}`,
      request: (http) => http().get(`/api/v1${route.replace('{id}', NO_SUCH_ID)}`),
      allowed: ['public', ...METADATA_READERS],
      ok: 404,
    }),
  ),
  ...(['/files/{id}/package', '/documents/{id}/content'] as const).map(
    (route): MatrixRow => ({
      route: `GET ${route}`,
      request: (http) => http().get(`/api/v1${route.replace('{id}', NO_SUCH_ID)}`),
      allowed: ['archivistA', 'approverA', 'archivistB', 'jwtArchivistA'],
      ok: 404,
    }),
  ),
  {
    // NĐ 30 Phụ lục VI export (issue 7): the same callers as the original's bytes.
    route: 'GET /files/{id}/export',
    request: (http) => http().get(`/api/v1/files/${NO_SUCH_ID}/export`),
    allowed: ['archivistA', 'approverA', 'archivistB', 'jwtArchivistA'],
    ok: 404,
  },
  {
    route: 'GET /search',
    request: (http) => http().get('/api/v1/search?q=quyet%20dinh'),
    allowed: ['public', ...METADATA_READERS],
    ok: 200,
    check: (res) => expect(res.body.total).toBe(0),
  },
  {
    route: 'POST /transfers',
    label: 'POST /transfers (empty body: refused after the guard)',
    request: (http) => http().post('/api/v1/transfers').set('Content-Type', 'application/json').send('{}'),
    allowed: ['submitterA', 'archivistA', 'archivistB', 'jwtArchivistA'],
    ok: [400, 415],
  },
  ...(['/transfers/{id}', '/transfers/{id}/receipt'] as const).map(
    (route): MatrixRow => ({
      route: `GET ${route}`,
      request: (http) => http().get(`/api/v1${route.replace('{id}', NO_SUCH_ID)}`),
      allowed: ['submitterA', 'archivistA', 'approverA', 'archivistB', 'jwtArchivistA', 'auditor', 'jwtAuditor'],
      ok: 404,
    }),
  ),
  {
    route: 'GET /health/live',
    request: (http) => http().get('/api/v1/health/live'),
    allowed: CALLERS,
    ok: 200,
  },
  {
    route: 'GET /health/ready',
    request: (http) => http().get('/api/v1/health/ready'),
    allowed: CALLERS,
    ok: 200,
  },
];

function expectedStatus(row: MatrixRow, caller: Caller): number[] {
  if (row.allowed.includes(caller)) return Array.isArray(row.ok) ? row.ok : [row.ok];
  if (row.denied?.[caller] !== undefined) return [row.denied[caller] as number];
  return [UNAUTHENTICATED.includes(caller) ? 401 : 403];
}

describe('permission matrix: role × endpoint × own/other agency', () => {
  let w: SecurityWorld;
  beforeAll(async () => {
    w = await createSecurityWorld();
  });
  afterAll(async () => {
    await w?.t.close();
  });

  const cases = ROWS.flatMap((row, r) => CALLERS.map((caller, c) => ({ row, caller, i: r * CALLERS.length + c })));
  it.each(cases.map((x) => [x.row.label ?? x.row.route, x.caller, x] as const))('%s as %s', async (_label, caller, { row, i }) => {
    const prepared = row.prepare ? await row.prepare(w) : {};
    const res = await w.as(caller)(row.request(w.http, { i, caller, prepared }));
    const want = expectedStatus(row, caller);
    if (!want.includes(res.status)) throw new Error(`${row.label ?? row.route} as ${caller}: expected ${want}, got ${res.status} ${res.text.slice(0, 300)}`);

    // Never a secret in any answer.
    for (const s of w.secrets) expect(res.text).not.toContain(s);
    // Agency-scoped callers learn nothing about the other agency: bodies, totals or messages.
    const own = AGENCY_OF[caller];
    if (own && !['admin', 'auditor', 'jwtAuditor'].includes(caller) && !(row.route === 'GET /health/ready')) {
      const other = own === AGENCY_A.id ? AGENCY_B : AGENCY_A;
      expect(res.text).not.toContain(other.id);
      expect(res.text).not.toContain(other.name);
    }
    if (res.status >= 400) {
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.body).toMatchObject({ statusCode: res.status, error: expect.any(String), message: expect.any(String) });
      expect(res.text).not.toMatch(/QueryFailedError|SELECT |INSERT |\.ts:\d+|at .*\(/);
      if (res.status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    } else if (row.check && res.status < 300) {
      row.check(res, caller, w);
    }
  });

  it('covers every route of the OpenAPI document (new endpoints need a row above)', async () => {
    const doc = await w.http().get('/api/docs-json').expect(200);
    const routes: string[] = [];
    for (const [p, ops] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) {
        const route = `${method.toUpperCase()} ${p.replace(/^\/api\/v1/, '')}`;
        if (/^GET \/(health\/(live|ready)|metrics)$/.test(route) && !p.startsWith('/api/v1')) continue;
        routes.push(route);
      }
    }
    const covered = new Set(ROWS.map((r) => r.route));
    expect(routes.filter((r) => !covered.has(r) && !/^GET \/metrics$/.test(r))).toEqual([]);
  });

  it('records denied access of authenticated callers in the audit trail', async () => {
    const res = await w.as('auditor')(w.http().get('/api/v1/audit-events?action=access.denied&pageSize=500')).expect(200);
    expect(res.body.total).toBeGreaterThan(0);
    expect(res.body.items.every((e: { outcome: string }) => e.outcome === 'DENIED')).toBe(true);
  });
});
