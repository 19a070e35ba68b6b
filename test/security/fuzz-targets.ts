import fc from 'fast-check';
import request from 'supertest';

/**
 * Fuzz properties shared by the bounded CI run (fuzz.e2e-spec.ts) and the long run (fuzz.long.ts):
 * malformed JSON, wrong types, huge and odd strings, odd tokens and headers against every endpoint
 * that exists. Each answer must be a non-5xx, JSON for every error, within TIME_BOUND_MS.
 */
// Generous: the CI machines are shared; a hang or a pathological parse takes far longer.
export const TIME_BOUND_MS = Number(process.env.FUZZ_TIME_BOUND_MS ?? 5_000);

export interface FuzzTarget {
  baseUrl: string;
  adminToken: string;
  auditorToken: string;
  archivistToken: string;
  /** SUBMITTER of `agencyId`, for POST /transfers. */
  submitterToken: string;
  agencyId: string;
  /** A valid small PDF and a valid manifest.json ZIP around it, to mutate. */
  samples: { pdf: Buffer; zip: Buffer; manifest: (docs: { path: string; bytes: Buffer }[]) => Record<string, unknown> };
}

export interface FuzzProperty {
  name: string;
  /** Share of the total number of runs. */
  weight: number;
  property: (t: FuzzTarget) => fc.IAsyncProperty<[unknown]> | fc.IAsyncPropertyWithHooks<[unknown]>;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const PATHS = [
  '/api/v1/agencies',
  '/api/v1/api-keys',
  '/api/v1/audit-events',
  '/api/v1/audit-events/verify',
  '/api/v1/health/live',
  '/health/ready',
  '/api/v1/api-keys/not-a-uuid',
  '/api/v1/files',
  '/api/v1/search',
  '/api/v1/transfers',
  '/api/v1/documents',
];

/** Strings that tend to break things: unicode edge cases, SQL and JSON fragments, NUL, huge. */
const nasty = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    "'; DROP TABLE agencies; --",
    '000.00.12.H05',
    '000.00.12.h05',
    '000.00.12.H05 ',
    '../../etc/passwd',
    '%00',
    '%E0%A4%A',
    '{"a":',
    '\uD800',
    '\uFEFF000.00.12.H05',
    'Sở Nội vụ',
    '=cmd|calc',
    '1e309',
    '-0',
    'NaN',
    '__proto__',
    'constructor',
  ),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'Ư'.repeat(n)),
);

/** Well-formed agency ids, so that bodies also reach the database and the audit trail. */
const agencyId = fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom('H', 'G', 'A', 'K'), fc.integer({ min: 0, max: 99 })).map(
  ([a, b, c, l, d]) => `${String(a).padStart(3, '0')}.${String(b).padStart(2, '0')}.${String(c).padStart(2, '0')}.${l}${String(d).padStart(2, '0')}`,
);

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ id: agencyId, name: nasty, archiveCode: fc.option(nasty, { nil: undefined }) }, { requiredKeys: ['id', 'name'] }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ id: fc.oneof(nasty, fc.jsonValue({ maxDepth: 1 })), name: fc.oneof(nasty, fc.jsonValue({ maxDepth: 1 })), archiveCode: fc.oneof(nasty, fc.constant(null), fc.integer()) }, { requiredKeys: [] }),
  fc.record({ name: nasty, role: fc.oneof(fc.constantFrom('ADMIN', 'AUDITOR', 'SUBMITTER', 'ARCHIVIST', 'APPROVER', 'admin', 'PUBLIC'), nasty), agencyId: fc.oneof(nasty, fc.constant('000.00.12.H05'), fc.integer()) }, { requiredKeys: [] }),
  fc.constantFrom<unknown>({ __proto__: { role: 'ADMIN' } }, JSON.parse('{"__proto__":{"isAdmin":true},"id":"000.00.12.H05","name":"x"}'), { constructor: { prototype: { x: 1 } } }, [], [[[]]], null, 0, true),
);

/** A header value Node will send (printable ASCII and tab), possibly long. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
  fc.integer({ min: 4000, max: 12000 }).map((n) => 'Bearer ' + 'A'.repeat(n)),
);

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const tokenish = fc.oneof(
  headerValue,
  headerValue.map((v) => `Bearer ${v}`),
  fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 60 })).map(([h, p, s]) => `Bearer ${b64(JSON.stringify(h))}.${b64(JSON.stringify(p))}.${b64(s)}`),
  fc.tuple(fc.constantFrom('HS256', 'RS256', 'ES256', 'none', 'HS512', 'PS256'), fc.string({ maxLength: 30 })).map(
    ([alg, kid]) => `Bearer ${b64(JSON.stringify({ alg, kid }))}.${b64(JSON.stringify({ sub: 'x', roles: ['ADMIN'], exp: 9_999_999_999 }))}.${b64('sig')}`,
  ),
  fc.stringMatching(/^ak_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/).map((t) => `Bearer ${t}`),
  fc.constantFrom('Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', 'Bearer ak_', 'Bearer a.b.c', 'Bearer ..', 'Bearer \t x', 'Negotiate x'),
);

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/zip', 'application/xml', 'application/json; charset=latin1', '');

const rawBody = fc.oneof(
  fc.string({ maxLength: 300 }),
  jsonish.map((v) => JSON.stringify(v) ?? 'null'),
  fc.tuple(jsonish, fc.nat(), fc.string({ maxLength: 5 })).map(([v, cut, junk]) => {
    const s = JSON.stringify(v) ?? 'null';
    const i = cut % (s.length + 1);
    return s.slice(0, i) + junk + s.slice(i); // truncated / spliced JSON
  }),
  fc.constantFrom('{"id":"000.00.12.H05","name":"x"', '[', '{"a":1}{"b":2}', '\u0000', '{"name":"\\ud800"}', '{"id":1e999}', '{' + '"a":{'.repeat(200) + '}'.repeat(200) + '}'),
);

type Method = (typeof METHODS)[number];

/** encodeURIComponent that accepts lone surrogates (replaced by U+FFFD, as a browser would). */
const enc = (s: string): string => encodeURIComponent((s as string & { toWellFormed(): string }).toWellFormed());

/** Sends one request and checks the contract: no 5xx, JSON errors, within the bound. */
export async function probe(
  baseUrl: string,
  method: Method,
  path: string,
  opts: {
    auth?: string;
    contentType?: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
    multipart?: { fields: [string, string][]; files: [string, Buffer, string][] };
  } = {},
): Promise<void> {
  const agent = request(baseUrl);
  const started = Date.now();
  let req = method === 'GET' ? agent.get(path) : method === 'POST' ? agent.post(path) : method === 'PUT' ? agent.put(path) : method === 'PATCH' ? agent.patch(path) : agent.delete(path);
  if (opts.auth !== undefined) req = req.set('Authorization', opts.auth);
  for (const [k, v] of Object.entries(opts.headers ?? {})) req = req.set(k, v);
  if (opts.contentType !== undefined && opts.contentType !== '') req = req.set('Content-Type', opts.contentType);
  if (opts.body !== undefined) req = req.send(opts.body);
  if (opts.multipart) {
    for (const [k, v] of opts.multipart.fields) req = req.field(k, v);
    for (const [field, bytes, filename] of opts.multipart.files) req = req.attach(field, bytes, { filename: filename || 'x.pdf', contentType: 'application/pdf' });
  }
  const res = await req.timeout(TIME_BOUND_MS * 3).ok(() => true);
  const elapsed = Date.now() - started;
  const what = `${method} ${path.slice(0, 120)} → ${res.status} in ${elapsed} ms: ${res.text?.slice(0, 200)}`;
  if (res.status >= 500) throw new Error(`5xx: ${what}`);
  if (elapsed > TIME_BOUND_MS) throw new Error(`too slow: ${what}`);
  if (res.status >= 400) {
    if (!String(res.headers['content-type']).includes('application/json')) throw new Error(`non-JSON error: ${what}`);
    if (res.body?.statusCode !== res.status || typeof res.body?.message !== 'string') throw new Error(`error body off contract: ${what}`);
    if (/QueryFailedError|\bat [\w.<>]+ \(|node_modules|SELECT .* FROM/.test(res.text)) throw new Error(`internals leaked: ${what}`);
  }
}

/** Byte-level mutations of a valid sample: flips, truncation, insertion. */
const mutation = fc.record({
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
  insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 64 })), { nil: undefined }),
});
function mutate(sample: Buffer, m: { flips: [number, number][]; cut?: number; insert?: [number, Uint8Array] }): Buffer {
  let b = Buffer.from(sample);
  for (const [at, v] of m.flips) b[at % b.length] = v;
  if (m.insert) {
    const at = m.insert[0] % (b.length + 1);
    b = Buffer.concat([b.subarray(0, at), Buffer.from(m.insert[1]), b.subarray(at)]);
  }
  if (m.cut !== undefined) b = b.subarray(0, m.cut % (b.length + 1));
  return b;
}
const partName = fc.oneof(fc.constantFrom('docs/a.pdf', '../../etc/passwd', '/abs/a.pdf', 'docs/../../a.pdf', 'docs\\a.pdf', 'a'.repeat(600), '', 'docs/ä.pdf', 'manifest'), fc.string({ maxLength: 40 }));

export const PROPERTIES: FuzzProperty[] = [
  {
    name: 'POST /transfers (SUBMITTER) multipart: mutated PDFs under a valid manifest, odd part names, broken manifests',
    weight: 0.1,
    property: (t) =>
      fc.asyncProperty(fc.tuple(mutation, partName, fc.integer({ min: 0, max: 3 }), rawBody, fc.boolean()), async ([m, name, variant, raw, withSha]) => {
        const bytes = mutate(t.samples.pdf, m);
        const docPath = variant === 1 ? name : 'docs/a.pdf';
        const manifest = t.samples.manifest([{ path: docPath, bytes }]);
        const manifestText = variant === 2 ? raw : JSON.stringify(withSha ? manifest : { ...manifest, files: 'x' });
        const files: [string, Buffer, string][] = variant === 3 ? [] : [[docPath.slice(0, 300) || 'x', bytes, name.slice(0, 100)]];
        await probe(t.baseUrl, 'POST', '/api/v1/transfers', { auth: `Bearer ${t.submitterToken}`, multipart: { fields: [['manifest', manifestText.slice(0, 100_000)]], files } });
      }),
  },
  {
    name: 'POST /transfers (SUBMITTER) application/zip: mutated manifest.json packages and random bytes',
    weight: 0.05,
    property: (t) =>
      fc.asyncProperty(fc.tuple(mutation, fc.boolean(), fc.uint8Array({ maxLength: 300 })), ([m, random, junk]) =>
        probe(t.baseUrl, 'POST', '/api/v1/transfers', {
          auth: `Bearer ${t.submitterToken}`,
          contentType: 'application/zip',
          body: random ? Buffer.from(junk) : mutate(t.samples.zip, m),
        }),
      ),
  },
  {
    name: 'POST /agencies (ADMIN) with arbitrary JSON values',
    weight: 0.15,
    property: (t) => fc.asyncProperty(jsonish, (v) => probe(t.baseUrl, 'POST', '/api/v1/agencies', { auth: `Bearer ${t.adminToken}`, contentType: 'application/json', body: JSON.stringify(v) ?? 'null' })),
  },
  {
    name: 'POST /api-keys (ADMIN) with arbitrary JSON values',
    weight: 0.15,
    property: (t) => fc.asyncProperty(jsonish, (v) => probe(t.baseUrl, 'POST', '/api/v1/api-keys', { auth: `Bearer ${t.adminToken}`, contentType: 'application/json', body: JSON.stringify(v) ?? 'null' })),
  },
  {
    name: 'malformed bodies with odd content types on every writable endpoint',
    weight: 0.1,
    property: (t) =>
      fc.asyncProperty(fc.tuple(fc.constantFrom('/api/v1/agencies', '/api/v1/api-keys', '/api/v1/audit-events', '/api/v1/transfers'), contentType, rawBody, fc.boolean()), ([path, ct, body, admin]) =>
        probe(t.baseUrl, 'POST', path, { auth: admin ? `Bearer ${t.adminToken}` : undefined, contentType: ct, body }),
      ),
  },
  {
    name: 'GET /audit-events (AUDITOR) with arbitrary query strings',
    weight: 0.15,
    property: (t) =>
      fc.asyncProperty(
        fc.dictionary(fc.oneof(fc.constantFrom('from', 'to', 'actor', 'action', 'target', 'outcome', 'page', 'pageSize', 'format', 'page[]', 'from[a]'), fc.string({ maxLength: 10 })), nasty, { maxKeys: 6 }),
        (q) => {
          const qs = Object.entries(q)
            .map(([k, v]) => `${enc(k)}=${enc(String(v).slice(0, 3000))}`)
            .join('&');
          return probe(t.baseUrl, 'GET', `/api/v1/audit-events?${qs}`, { auth: `Bearer ${t.auditorToken}` });
        },
      ),
  },
  {
    name: 'odd Authorization headers on protected and public endpoints',
    weight: 0.15,
    property: (t) => fc.asyncProperty(fc.tuple(tokenish, fc.constantFrom(...PATHS)), ([auth, path]) => probe(t.baseUrl, 'GET', path, { auth })),
  },
  {
    name: 'odd path parameters and methods',
    weight: 0.1,
    property: (t) =>
      fc.asyncProperty(fc.tuple(fc.constantFrom(...METHODS), fc.constantFrom(...PATHS), nasty, fc.constantFrom(t.adminToken, t.archivistToken, '')), ([method, base, seg, token]) =>
        probe(t.baseUrl, method, base.startsWith('/api/v1/api-keys') ? `/api/v1/api-keys/${enc(seg.slice(0, 2000))}` : `${base}/${enc(seg.slice(0, 2000))}`, {
          auth: token ? `Bearer ${token}` : undefined,
        }),
      ),
  },
  {
    name: 'odd headers (accept, encodings, request ids, forwarded)',
    weight: 0.05,
    property: (t) =>
      fc.asyncProperty(fc.tuple(fc.constantFrom(...PATHS), headerValue, headerValue, headerValue), ([path, a, b, c]) =>
        probe(t.baseUrl, 'GET', path, { auth: `Bearer ${t.auditorToken}`, headers: { Accept: a.slice(0, 200), 'X-Request-Id': b.slice(0, 300), 'X-Forwarded-For': c.slice(0, 200), 'Accept-Encoding': a.slice(0, 50) } }),
      ),
  },
];

/** Runs every property for its share of `total` runs; reports every failing property, not just the first. */
export async function runFuzz(t: FuzzTarget, total: number, seed?: number, log: (s: string) => void = () => undefined): Promise<void> {
  const failures: string[] = [];
  for (const p of PROPERTIES) {
    const numRuns = Math.max(1, Math.round(total * p.weight));
    const started = Date.now();
    try {
      await fc.assert(p.property(t), { numRuns, seed, endOnFailure: true });
      log(`${p.name}: ${numRuns} cases in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      // fast-check prints the whole counterexample (huge strings): keep the report readable.
      const text = err instanceof Error ? err.message : String(err);
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
      const example = /Counterexample: (.*)/.exec(text)?.[1] ?? '';
      const report = `${p.name}: ${text.split('\n').slice(0, 2).join(' ').slice(0, 400)}\ncounterexample: ${example.slice(0, 1500)}\ncause: ${cause.slice(0, 600)}`;
      log(`FAILED ${report}`);
      failures.push(report);
    }
  }
  if (failures.length) throw new Error(failures.join('\n\n'));
}
