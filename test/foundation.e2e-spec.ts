import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { createTestApp, TestApp } from './support/app';

describe('foundation: operations endpoints and the error contract', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });
  const http = () => request(t.app.getHttpServer());

  it('answers liveness at /health/live and under the API prefix', async () => {
    await http().get('/health/live').expect(200, { status: 'ok' });
    await http().get('/api/v1/health/live').expect(200, { status: 'ok' });
  });

  it('readiness really checks the database and the object store', async () => {
    const res = await http().get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.checks.database.status).toBe('ok');
    expect(res.body.checks.objectStore.status).toBe('ok');
  });

  it('runs the foundation migration: unaccent, pg_trgm and the immutable Vietnamese fold', async () => {
    const ds = t.app.get(require('typeorm').DataSource);
    const ext: { extname: string }[] = await ds.query(`SELECT extname FROM pg_extension WHERE extname IN ('unaccent','pg_trgm') ORDER BY 1`);
    expect(ext.map((e) => e.extname)).toEqual(['pg_trgm', 'unaccent']);
    const [row] = await ds.query(`SELECT vn_unaccent('Quyết định bổ nhiệm Đặng Văn Đức') AS s`);
    expect(row.s).toBe('Quyet dinh bo nhiem Dang Van Duc');
    const [{ provolatile }] = await ds.query(`SELECT provolatile FROM pg_proc WHERE proname = 'vn_unaccent'`);
    expect(provolatile).toBe('i');
  });

  it('serves the OpenAPI document and its UI', async () => {
    const doc = await http().get('/api/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/health/ready']));
    const ui = await http().get('/api/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger');
  });

  it('exposes Prometheus metrics including request timings', async () => {
    await http().get('/health/live');
    const res = await http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toContain('process_resident_memory_bytes');
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const res = await http().get('/api/v1/no-such-thing').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect(typeof res.body.message).toBe('string');
  });

  it('answers malformed JSON with 400, never 500, and without internals', async () => {
    const res = await http().post('/api/v1/anything').set('Content-Type', 'application/json').send('{"a": ').expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toMatch(/JSON/);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js|SyntaxError|stack/);
  });

  it('answers an oversize JSON body with 413', async () => {
    const big = JSON.stringify({ x: 'a'.repeat(3 * 1024 * 1024) });
    const res = await http().post('/api/v1/anything').set('Content-Type', 'application/json').send(big).expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('sets security headers and a request id (echoing a sane one)', async () => {
    const res = await http().get('/health/live').set('X-Request-Id', 'abc-123').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toBe('abc-123');
    const other = await http().get('/health/live').set('X-Request-Id', 'bad id\twith spaces').expect(200);
    expect(other.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports not-ready (503) when the object store is broken', async () => {
    const objects = path.join(t.dataDir, 'objects');
    const aside = `${objects}.aside`;
    fs.renameSync(objects, aside);
    fs.writeFileSync(objects, 'not a directory');
    try {
      const res = await http().get('/health/ready').expect(503);
      expect(res.body.status).toBe('down');
      expect(res.body.checks.objectStore).toMatchObject({ status: 'down', error: 'unavailable' });
      expect(JSON.stringify(res.body)).not.toContain(t.dataDir); // driver messages stay in the log
      expect(res.body.checks.database.status).toBe('ok');
    } finally {
      fs.rmSync(objects);
      fs.renameSync(aside, objects);
    }
  });
});
