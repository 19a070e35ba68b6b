import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../apps/archive-api/src/database/embedded-postgres';
import { createTestDatabase } from './support/database';
import { exitOf, spawnEntry, waitForHttp } from './support/process';

/**
 * The service as a user runs it: its own process, the embedded PostgreSQL (no DATABASE_URL), the
 * filesystem store, an empty data directory; ready, documented, and stopped cleanly by SIGTERM.
 */
describe('the service process on the embedded defaults', () => {
  jest.setTimeout(180_000);
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-proc-'));
    fs.chmodSync(dataDir, 0o755);
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts on an empty data dir, becomes ready, and exits 0 on SIGTERM with PostgreSQL stopped', async () => {
    const port = await freePort();
    const child = spawnEntry('main', [], {
      PORT: String(port),
      ARCHIVE_DATA_DIR: dataDir,
      DATABASE_URL: undefined,
      S3_ENDPOINT: undefined,
      STORAGE_DRIVER: undefined,
      LOG_LEVEL: 'info',
      ARCHIVE_ADMIN_TOKEN: 'bootstrap-token-that-must-never-be-logged-0001',
    });
    try {
      const ready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 120_000, () => child.exitCode !== null);
      expect(((await ready.json()) as { status: string }).status).toBe('ok');
      const doc = (await (await fetch(`http://127.0.0.1:${port}/api/docs-json`)).json()) as { openapi: string };
      expect(doc.openapi).toMatch(/^3\./);
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    const { code } = await exitOf(child, 60_000);
    const log = child.output();
    expect(code).toBe(0);
    expect(log).toContain(dataDir);
    expect(log).toMatch(/enforced in software/);
    expect(log).toContain('stopped cleanly');
    expect(log).not.toContain('bootstrap-token-that-must-never-be-logged-0001');
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('refuses to start on bad configuration, naming the variable', async () => {
    const child = spawnEntry('main', [], { PORT: 'eighty', S3_OBJECT_LOCK: 'sometimes', ARCHIVE_DATA_DIR: dataDir });
    const { code } = await exitOf(child, 60_000);
    expect(code).toBe(78);
    expect(child.output()).toContain('PORT:');
    expect(child.output()).toContain('S3_OBJECT_LOCK:');
  });
});

describe('npm run cli -- migrate / health', () => {
  jest.setTimeout(120_000);

  it('applies pending migrations once, then reports the schema up to date', async () => {
    const db = await createTestDatabase('cli');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-cli-'));
    try {
      const env = { DATABASE_URL: db.url, ARCHIVE_DATA_DIR: dataDir, S3_ENDPOINT: undefined, STORAGE_DRIVER: 'fs' };
      const first = spawnEntry('cli', ['migrate'], env);
      expect((await exitOf(first, 90_000)).code).toBe(0);
      expect(first.output()).toMatch(/applied Foundation/);
      const second = spawnEntry('cli', ['migrate'], env);
      expect((await exitOf(second, 90_000)).code).toBe(0);
      expect(second.output()).toContain('up to date');
      const health = spawnEntry('cli', ['health'], env);
      expect((await exitOf(health, 90_000)).code).toBe(0);
      expect(JSON.parse(health.output().slice(health.output().indexOf('{')))).toMatchObject({ status: 'ok', database: { status: 'ok', pendingMigrations: false } });
    } finally {
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
