/**
 * Shared plumbing of the benchmarks that run the service as its own process on S3 (the approach of
 * bench/ingest/run.ts): the Ceph RGW environment, starting `main.ts`, a tiny HTTP client, a worker pool,
 * a `minio` client on the same server, and rewriting one marked section of RESULTS.md.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as Minio from 'minio';

export const ROOT = path.resolve(__dirname, '../..');

/** `--name value` of the command line, or the default. */
export function arg(name: string, def: string, argv: string[] = process.argv.slice(2)): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
}

/** S3_* of the environment, or the project's Ceph RGW (scripts/ceph-rgw.sh, started if needed). */
export function s3Env(): Record<string, string> {
  if (process.env.S3_ENDPOINT) {
    return Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('S3_')) as [string, string][]);
  }
  const script = path.join(ROOT, 'scripts', 'ceph-rgw.sh');
  const dir = path.join(ROOT, '.data', 'ceph');
  execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  const out = execFileSync('bash', [script, 'env', dir]).toString();
  const env: Record<string, string> = {};
  for (const m of out.matchAll(/([A-Z0-9_]+)=([^\s]+)/g)) env[m[1]!] = m[2]!.replace(/^['"]|['"]$/g, '');
  return env;
}

export function minioClient(s3: Record<string, string>): Minio.Client {
  return new Minio.Client({
    endPoint: s3.S3_ENDPOINT!.replace(/^https?:\/\//, '').replace(/:\d+$/, ''),
    port: Number(s3.S3_PORT ?? /:(\d+)$/.exec(s3.S3_ENDPOINT!)?.[1] ?? 80),
    useSSL: s3.S3_USE_SSL === 'true',
    accessKey: s3.S3_ACCESS_KEY!,
    secretKey: s3.S3_SECRET_KEY!,
    region: s3.S3_REGION ?? 'us-east-1',
  });
}

/**
 * Deletes a bench bucket with every object version in it (bypassing GOVERNANCE retention, which the
 * service applies to archived originals): the single-host Ceph cluster is small, and buckets left behind
 * by benchmark runs fill its OSD until every write is refused.
 */
export async function removeBucket(client: Minio.Client, bucket: string): Promise<void> {
  const items: { name: string; versionId?: string | null }[] = [];
  await new Promise<void>((resolve, reject) => {
    const s = client.listObjects(bucket, '', true, { IncludeVersion: true } as never);
    s.on('data', (o: { name?: string; versionId?: string | null }) => {
      if (o.name) items.push({ name: o.name, versionId: o.versionId });
    });
    s.on('end', () => resolve());
    s.on('error', reject);
  });
  await pool(items, 8, async (o) => {
    await client.removeObject(bucket, o.name, { ...(o.versionId ? { versionId: o.versionId } : {}), governanceBypass: true });
  });
  await client.removeBucket(bucket);
}

/** One request; the body is parsed as JSON when it is JSON. */
export function req(port: number, method: string, p: string, headers: Record<string, string | number>, body?: Buffer | Readable): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method, path: p, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let b: unknown = text;
        try {
          b = JSON.parse(text);
        } catch {
          /* keep text */
        }
        resolve({ status: res.statusCode ?? 0, body: b });
      });
    });
    r.on('error', reject);
    if (body instanceof Readable) body.pipe(r);
    else r.end(body);
  });
}

/** Runs `fn` over `items` with at most `c` in flight. */
export async function pool<T>(items: T[], c: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

export function multipart(manifest: unknown, docs: { path: string; bytes: Buffer }[]): { body: Buffer; type: string } {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="manifest"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(manifest)}\r\n`)];
  for (const d of docs) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${d.path}"; filename="${path.basename(d.path)}"\r\nContent-Type: application/pdf\r\n\r\n`), d.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

export interface RunningService {
  port: number;
  bucket: string;
  child: ChildProcess;
  dataDir: string;
  /** `Authorization` value of the bootstrap admin token. */
  admin: string;
  stop(): Promise<void>;
}

/**
 * Starts `main.ts` (ts-node, embedded PostgreSQL unless DATABASE_URL) on a fresh bucket of the given S3
 * and waits until /health/ready answers 200.
 */
export async function startService(s3: Record<string, string>, opts: { bucketPrefix: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<RunningService> {
  const bucket = `${opts.bucketPrefix}-${Date.now().toString(36)}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${opts.bucketPrefix}-`));
  const token = `bench-admin-${randomBytes(12).toString('hex')}`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const env = {
    ...process.env, ...s3, S3_BUCKET: bucket, S3_OBJECT_LOCK: 'governance', PORT: String(port), ARCHIVE_DATA_DIR: dataDir, ARCHIVE_ADMIN_TOKEN: token,
    LOG_LEVEL: 'warn', JOBS_POLL_MS: '20', RATE_LIMIT_PUBLIC: '0', ...opts.env,
  };
  process.stderr.write(`starting the service on :${port} (bucket ${bucket})…\n`);
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/archive-api/src/main.ts'], {
    cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
      const r = await req(port, 'GET', '/health/ready', {}).catch(() => ({ status: 0, body: null }));
      if (r.status === 200) break;
      if (i > 600) throw new Error(`service did not become ready: ${r.status} ${JSON.stringify(r.body)}`);
      await new Promise((r2) => setTimeout(r2, 200));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, bucket, child, dataDir, admin: `Bearer ${token}`, stop };
}

/**
 * Replaces the text between `<!-- {marker} -->` and `<!-- /{marker} -->` of RESULTS.md, creating the
 * section (`heading` + `intro` + markers) at the end when absent; every other section is left untouched.
 */
export function writeSection(file: string, heading: string, marker: string, run: string, intro = ''): void {
  const begin = `<!-- ${marker} -->`;
  const end = `<!-- /${marker} -->`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  if (!text.includes(heading)) text = `${text.trimEnd()}\n\n${heading}\n\n${intro ? `${intro.trimEnd()}\n\n` : ''}${begin}\n${end}\n`;
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) text = `${text.trimEnd()}\n\n${begin}\n${run}${end}\n`;
  else text = `${text.slice(0, a + begin.length)}\n${run}${text.slice(b)}`;
  fs.writeFileSync(file, text);
}
