import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmbeddedPostgres, tempClusterDir } from '../../apps/archive-api/src/database/embedded-postgres';

const ROOT = path.resolve(__dirname, '../..');
const CEPH_DIR = path.join(ROOT, '.data', 'ceph');

function banner(lines: string[]): void {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n\n`);
}

function commandExists(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * S3 for the integration suite: S3_ENDPOINT when given; otherwise our own Ceph RGW script when the
 * server can be started here (installed, or installable as root). In CI it is mandatory.
 */
function provideS3(): void {
  if (process.env.S3_ENDPOINT) return;
  const ci = process.env.CI === 'true';
  const canStart = commandExists('radosgw') || (ci && process.getuid?.() === 0);
  if (!canStart) {
    banner([
      'S3 (Ceph RGW) integration tests are SKIPPED: radosgw is not installed and S3_ENDPOINT is unset.',
      'Install it with `bash scripts/ceph-rgw.sh start .data/ceph` (root) or point S3_ENDPOINT at a server.',
    ]);
    return;
  }
  const script = path.join(ROOT, 'scripts', 'ceph-rgw.sh');
  try {
    execFileSync('bash', [script, 'start', CEPH_DIR], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
    const env = execFileSync('bash', [script, 'env', CEPH_DIR]).toString();
    for (const m of env.matchAll(/([A-Z0-9_]+)=([^\s]+)/g)) process.env[m[1]] = m[2];
  } catch (err) {
    if (ci) throw new Error(`CI=true but the Ceph RGW could not be started: ${(err as Error).message}`);
    banner(['S3 (Ceph RGW) integration tests are SKIPPED: the Ceph RGW failed to start.', String((err as Error).message)]);
  }
}

/** One real PostgreSQL for the whole run (DATABASE_URL when given, else embedded); each test file makes its own database. */
export default async function globalSetup(): Promise<void> {
  provideS3();
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const dir = tempClusterDir();
  const pg = await startEmbeddedPostgres({
    databaseDir: dir,
    persistent: false,
    log: { info: () => undefined, warn: (m) => process.stderr.write(`${m}\n`), debug: () => undefined },
  });
  process.env.TEST_DATABASE_URL = pg.url;
  (globalThis as { __ARCHIVE_TEST_PG__?: typeof pg }).__ARCHIVE_TEST_PG__ = pg;
  // A killed run must not leave the cluster's password file behind.
  process.once('exit', () => fs.rmSync(`${pg.databaseDir}.password`, { force: true }));
}
