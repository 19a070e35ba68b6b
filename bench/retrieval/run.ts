/**
 * Retrieval benchmark (issue 7): throughput of GET /api/v1/documents/:id/content through the service
 * against a direct `minio` client GET of the same objects on the same S3 server, same concurrency, same run.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/retrieval/run.ts [--n 200] [--size-mb 1] \
 *       [--concurrency 8] [--rounds 5] [--append bench/RESULTS.md] [--cpu-prof-dir /tmp/prof]
 *
 * `--append` rewrites the figures between the `<!-- retrieval:run -->` markers of the "## Retrieval (issue 7)"
 * section of RESULTS.md (other sections untouched).
 *
 * The service runs as its own process on S3 (S3_ENDPOINT, or the project's Ceph RGW), as in
 * bench/ingest (shared plumbing in bench/support/service.ts). N PDFs are ingested through POST /transfers
 * (unsigned: this bench measures reads, not verification; AIP not written). Then, once the service is
 * idle, after one untimed warm-up pass of each path that also checks every byte (SHA-256), timed passes
 * alternate raw / bare proxy (bare-proxy.ts) / API `--rounds` times so all see the same machine load;
 * figures are the medians, with the CPU time each process spent per pass.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { makePdf } from '../../libs/signature/test/pki';
import { arg, minioClient, multipart, pool, removeBucket, req, ROOT, s3Env, startService, writeSection } from '../support/service';

const N = Number(arg('n', '200'));
const SIZE_MB = Number(arg('size-mb', '1'));
const C = Number(arg('concurrency', '8'));
const ROUNDS = Number(arg('rounds', '5'));
const PER = 20;
const APPEND = arg('append', '');
/** `--cpu-prof-dir DIR`: the service writes a V8 CPU profile there when it stops (for profiling the content path). */
const CPU_PROF_DIR = arg('cpu-prof-dir', '');
const AGENCY = { id: '000.00.12.H05', name: 'Sở Nội vụ tỉnh Bình Định' };

interface Target {
  documentId: string;
  key: string;
  size: number;
  sha256: string;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function manifestFor(fileCode: string, docs: { path: string; bytes: Buffer }[]): unknown {
  return {
    agency: AGENCY,
    files: [
      {
        fileCode, title: `Hồ sơ đo hiệu năng truy xuất ${fileCode}`, maintenance: '06', mode: '01', language: '01', startDate: '2024-01-05', endDate: '2024-12-20',
        totalDoc: docs.length, numberOfPage: docs.length, confidenceLevel: '01',
        documents: docs.map((d, i) => ({
          docOrdinal: i + 1, typeName: '02', codeNumber: String(i + 1), codeNotation: 'QĐ-SNV', issuedDate: '2024-03-01', organName: AGENCY.name,
          subject: `Quyết định số ${i + 1}`, language: '01', numberOfPage: 1, mode: '01', process: true, path: d.path, sha256: sha(d.bytes),
        })),
      },
    ],
  };
}

/** Reads a stream to its end; returns its size, and its SHA-256 when asked (warm-up pass only). */
async function drain(s: Readable, hash: boolean): Promise<{ size: number; sha256?: string }> {
  const h = hash ? createHash('sha256') : null;
  let size = 0;
  for await (const c of s) {
    size += (c as Buffer).length;
    h?.update(c as Buffer);
  }
  return { size, sha256: h?.digest('hex') };
}

/**
 * CPU time (user + system, ms) from /proc (Linux; null elsewhere): the service's process tree (Node and its
 * embedded PostgreSQL), the object store's daemons (radosgw, ceph-osd: shared with anything else using
 * them) and this client. Unlike wall time on a shared machine, CPU per pass is steady from run to run.
 */
function cpuSnapshot(servicePid: number, barePid = 0): Cpu | null {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  const procs: { pid: number; ppid: number; comm: string; ms: number }[] = [];
  for (const e of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.push({ pid: Number(e), ppid: Number(f[1]), comm, ms: ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK });
    } catch {
      /* exited meanwhile */
    }
  }
  const inTree = new Set([servicePid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!inTree.has(p.pid) && inTree.has(p.ppid)) {
        inTree.add(p.pid);
        grew = true;
      }
    }
  }
  const sum = (f: (p: (typeof procs)[number]) => boolean) => procs.filter(f).reduce((n, p) => n + p.ms, 0);
  const c = process.cpuUsage();
  return { service: sum((p) => p.pid === servicePid), bare: sum((p) => p.pid === barePid), db: sum((p) => p.pid !== servicePid && inTree.has(p.pid)), store: sum((p) => p.comm === 'radosgw' || p.comm === 'ceph-osd'), client: (c.user + c.system) / 1000 };
}
const CLK_TCK = 100; // USER_HZ: 100 on every Linux platform Node supports
interface Cpu {
  service: number;
  bare: number;
  db: number;
  store: number;
  client: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const s3 = s3Env();
  let stopBare = (): void => undefined;
  const svc = await startService(s3, {
    bucketPrefix: 'bench-retrieval',
    env: { TRANSFER_WRITE_AIP: 'false' },
    nodeArgs: CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`] : [],
  });
  try {
    const admin = { Authorization: svc.admin, 'Content-Type': 'application/json' };
    await req(svc.port, 'POST', '/api/v1/agencies', admin, Buffer.from(JSON.stringify(AGENCY)));
    const key = async (role: string) =>
      (await req(svc.port, 'POST', '/api/v1/api-keys', admin, Buffer.from(JSON.stringify({ name: `bench ${role}`, role, agencyId: AGENCY.id })))).body.token as string;
    const submitter = await key('SUBMITTER');
    const archivist = await key('ARCHIVIST');

    process.stderr.write(`ingesting ${N} PDFs of ~${SIZE_MB} MB…\n`);
    // A few rendered PDFs, made distinct per document by a trailing comment (after %%EOF; readers ignore it).
    const bases = await Promise.all(Array.from({ length: Math.min(4, N) }, (_, i) => makePdf({ pages: 1, padBytes: Math.max(0, SIZE_MB * 1048576 - 60_000), title: `Bench ${i}` })));
    const docs = Array.from({ length: N }, (_, i) => Buffer.concat([Buffer.from(bases[i % bases.length]!), Buffer.from(`\n% bench document ${i}\n`)]));
    const transferIds: string[] = [];
    const stamp = Date.now().toString(36).toUpperCase();
    const batches = Array.from({ length: Math.ceil(N / PER) }, (_, b) => b);
    await pool(batches, 4, async (b) => {
      const d = docs.slice(b * PER, (b + 1) * PER).map((bytes, j) => ({ path: `d/${j + 1}.pdf`, bytes }));
      const mp = multipart(manifestFor(`${AGENCY.id}.2024.${String(b + 1).padStart(4, '0')}.R${stamp}`, d), d);
      const r = await req(svc.port, 'POST', '/api/v1/transfers', { Authorization: `Bearer ${submitter}`, 'Content-Type': mp.type, 'Content-Length': mp.body.length }, mp.body);
      if (r.status !== 202) throw new Error(`POST /transfers → ${r.status} ${JSON.stringify(r.body)}`);
      transferIds.push(r.body.id);
    });
    const documentIds: string[] = [];
    for (const id of transferIds) {
      for (;;) {
        const t = await req(svc.port, 'GET', `/api/v1/transfers/${id}`, { Authorization: `Bearer ${submitter}` });
        if (['RECEIVED', 'PROCESSING'].includes(t.body.status)) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        if (t.body.status !== 'ACCEPTED') throw new Error(`transfer ${id} ended ${t.body.status}`);
        documentIds.push(...t.body.documents.map((d: { documentId: string }) => d.documentId));
        break;
      }
    }

    // The same objects for the direct client: the archive keys end in `/data/<docCode>.<ext>`.
    const client = minioClient(s3);
    const keys = new Map<string, string>();
    await new Promise<void>((resolve, reject) => {
      const s = client.listObjectsV2(svc.bucket, 'aip/', true);
      s.on('data', (o: { name?: string }) => {
        const m = o.name ? /\/data\/([^/]+)\.[A-Za-z0-9]+$/.exec(o.name) : null;
        if (m) keys.set(m[1]!, o.name!);
      });
      s.on('end', () => resolve());
      s.on('error', reject);
    });
    const targets: Target[] = [];
    for (const id of documentIds) {
      const d = (await req(svc.port, 'GET', `/api/v1/documents/${id}`, { Authorization: `Bearer ${archivist}` })).body;
      const k = keys.get(String(d.docCode).replace(/[/\\]/g, '_'));
      if (!k) throw new Error(`no object found for document ${id} (${d.docCode})`);
      targets.push({ documentId: id, key: k, size: d.size, sha256: d.sha256 });
    }
    const bytes = targets.reduce((n, t) => n + t.size, 0);

    // Both sides keep connections alive (minio's client does by default).
    const agent = new http.Agent({ keepAlive: true, maxSockets: C });
    const apiGet = (t: Target): Promise<Readable> =>
      new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: svc.port, path: `/api/v1/documents/${t.documentId}/content`, agent, headers: { Authorization: `Bearer ${archivist}` } }, (res) => {
            if (res.statusCode !== 200) reject(new Error(`content ${t.documentId} → ${res.statusCode}`));
            resolve(res);
          })
          .on('error', reject);
      });
    const rawGet = (t: Target): Promise<Readable> => client.getObject(svc.bucket, t.key);
    // A reference for the proxy hop itself: the same bytes through a bare Node proxy (bare-proxy.ts).
    const bare = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', path.join(__dirname, 'bare-proxy.ts'), svc.bucket], {
      cwd: ROOT,
      env: { ...process.env, ...s3 },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    stopBare = () => bare.kill();
    const barePort = await new Promise<number>((resolve, reject) => {
      bare.stdout!.once('data', (d: Buffer) => resolve(Number(/ready (\d+)/.exec(d.toString())?.[1])));
      bare.once('exit', (code) => reject(new Error(`bare proxy exited with ${code}`)));
    });
    const bareGet = (t: Target): Promise<Readable> =>
      new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: barePort, path: `/${encodeURIComponent(t.key)}`, agent }, (res) => {
            if (res.statusCode !== 200) reject(new Error(`bare proxy ${t.key} → ${res.statusCode}`));
            resolve(res);
          })
          .on('error', reject);
      });
    type PathName = 'raw' | 'bare' | 'api';
    const cpu: Record<PathName, Cpu[]> = { raw: [], bare: [], api: [] };
    const pass = async (get: (t: Target) => Promise<Readable>, check: boolean, cpuOf?: PathName): Promise<number> => {
      const c0 = cpuOf ? cpuSnapshot(svc.child.pid!, bare.pid) : null;
      const t0 = process.hrtime.bigint();
      await pool(targets, C, async (t) => {
        const r = await drain(await get(t), check);
        if (r.size !== t.size || (check && r.sha256 !== t.sha256)) throw new Error(`${t.documentId}: got ${r.size} bytes ${r.sha256 ?? ''}, want ${t.size} ${t.sha256}`);
      });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const c1 = c0 ? cpuSnapshot(svc.child.pid!, bare.pid) : null;
      if (cpuOf && c0 && c1) cpu[cpuOf].push({ service: c1.service - c0.service, bare: c1.bare - c0.bare, db: c1.db - c0.db, store: c1.store - c0.store, client: c1.client - c0.client });
      return ms;
    };

    // Ingest leaves background work (text extraction for search: PDF parsing, the deferred AIP jobs): wait
    // until the service is idle, or it would steal CPU from whichever passes it overlaps.
    const idleSince = Date.now();
    for (let prev = cpuSnapshot(svc.child.pid!); prev && Date.now() - idleSince < 180_000; ) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = cpuSnapshot(svc.child.pid!)!;
      const busy = now.service + now.db - prev.service - prev.db;
      prev = now;
      if (busy < 50) break;
    }
    const quiesceMs = Date.now() - idleSince;
    process.stderr.write(`service idle after ${(quiesceMs / 1000).toFixed(0)} s\n`);

    process.stderr.write('warm-up (bytes checked)…\n');
    await pass(rawGet, true);
    await pass(bareGet, true);
    await pass(apiGet, true);
    const raw: number[] = [];
    const bareMs: number[] = [];
    const api: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      raw.push(await pass(rawGet, false, 'raw'));
      bareMs.push(await pass(bareGet, false, 'bare'));
      api.push(await pass(apiGet, false, 'api'));
      process.stderr.write(`round ${r + 1}: raw ${raw[r]!.toFixed(0)} ms, bare proxy ${bareMs[r]!.toFixed(0)} ms, API ${api[r]!.toFixed(0)} ms\n`);
    }
    // Where the API's time goes: per-request cost without the body (same concurrency, same documents).
    const probe = async (p: (t: Target) => string, headers: Record<string, string>): Promise<number> => {
      const t0 = process.hrtime.bigint();
      await pool(targets, C, async (t) => {
        await new Promise<void>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port: svc.port, path: p(t), agent, headers: { Authorization: `Bearer ${archivist}`, ...headers } }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          }).on('error', reject);
        });
      });
      return Number(process.hrtime.bigint() - t0) / 1e6 / targets.length;
    };
    const metaMs = await probe((t) => `/api/v1/documents/${t.documentId}`, {});
    const firstByteMs = await probe((t) => `/api/v1/documents/${t.documentId}/content`, { Range: 'bytes=0-0' });
    agent.destroy();

    const mb = bytes / 1048576;
    const rawMs = median(raw);
    const apiMs = median(api);
    // Rounds are paired (raw, bare, API back to back) so each ratio sees one load; the machine is shared.
    const ratios = raw.map((r, i) => r / api[i]!);
    const pairedRatio = median(ratios);
    const bareRatios = raw.map((r, i) => r / bareMs[i]!);
    const apiToBare = bareMs.map((b, i) => b / api[i]!);
    const fmt = (ms: number) => `| ${(ms / 1000).toFixed(2)} s | ${(N / (ms / 1000)).toFixed(1)} | ${(mb / (ms / 1000)).toFixed(1)} |`;
    const lines = [
      `Run ${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}, S3 ${s3.S3_ENDPOINT} (Ceph RGW).`,
      '',
      `N = ${N} PDFs of ${(bytes / N / 1048576).toFixed(2)} MiB (${mb.toFixed(0)} MiB per pass), concurrency ${C}, ${ROUNDS} alternating timed rounds after a checked warm-up (started once the service was idle, ${(quiesceMs / 1000).toFixed(0)} s after ingest); medians.`,
      '',
      '| path | time per pass (median) | docs/s | MB/s |',
      '|---|---|---|---|',
      `| raw GET (minio client → same server) ${fmt(rawMs)}`,
      `| bare proxy (minio getObject → pipeline → response; nothing else) ${fmt(median(bareMs))}`,
      `| API: GET /documents/:id/content (auth, access check, audit event, stream) ${fmt(apiMs)}`,
      '',
      `Per round (raw / bare proxy / API, ms): ${raw.map((x, i) => `${x.toFixed(0)} / ${bareMs[i]!.toFixed(0)} / ${api[i]!.toFixed(0)}`).join(', ')}.`,
      '',
      `Per-request cost at concurrency ${C} (wall time / requests): GET /documents/:id (auth + catalogue row) ${metaMs.toFixed(1)} ms; GET …/content with \`Range: bytes=0-0\` (+ audit event + S3 GET, 1 byte) ${firstByteMs.toFixed(1)} ms; a raw GET of one document ${(median(raw) / N).toFixed(1)} ms.`,
      '',
      ...(cpu.api.length
        ? [
            `CPU time per pass (median; user + system from /proc): ${(['raw', 'bare', 'api'] as const)
              .map(
                (k) =>
                  `${{ raw: 'raw GET', bare: 'bare proxy', api: 'API' }[k]}: ${k === 'bare' ? `proxy ${median(cpu[k].map((c) => c.bare)).toFixed(0)} ms` : `service ${median(cpu[k].map((c) => c.service)).toFixed(0)} ms + its PostgreSQL ${median(cpu[k].map((c) => c.db)).toFixed(0)} ms`}, radosgw + ceph-osd ${median(cpu[k].map((c) => c.store)).toFixed(0)} ms, client ${median(cpu[k].map((c) => c.client)).toFixed(0)} ms`,
              )
              .join('; ')}. Per request: API service ${(median(cpu.api.map((c) => c.service)) / N).toFixed(2)} ms + PostgreSQL ${(median(cpu.api.map((c) => c.db)) / N).toFixed(2)} ms; bare proxy ${(median(cpu.bare.map((c) => c.bare)) / N).toFixed(2)} ms.`,
            '',
          ]
        : []),
      `Throughput ratio API / raw GET: **${pairedRatio.toFixed(2)} ×** (median of the per-round ratios raw time / API time, ${ratios.map((r) => r.toFixed(2)).join(', ')}; target ≥ 0.8 ×; ratio of the medians above ${(rawMs / apiMs).toFixed(2)} ×).`,
      '',
      `Bare proxy / raw GET: ${median(bareRatios).toFixed(2)} × (${bareRatios.map((r) => r.toFixed(2)).join(', ')}): what one proxy hop costs on this machine, whatever the service does. API / bare proxy: ${median(apiToBare).toFixed(2)} × (${apiToBare.map((r) => r.toFixed(2)).join(', ')}).`,
      '',
    ];
    const text = `${lines.join('\n')}\n`;
    process.stdout.write(text);
    if (APPEND) {
      writeSection(path.resolve(ROOT, APPEND), '## Retrieval (issue 7)', 'retrieval:run', text, INTRO);
    }
  } finally {
    stopBare();
    await svc.stop();
    // Leave the small shared Ceph cluster as found (runs that kept their buckets filled its OSD).
    await removeBucket(minioClient(s3), svc.bucket).catch((e: unknown) => process.stderr.write(`could not remove bucket ${svc.bucket}: ${String(e)}\n`));
  }
}

const INTRO = `Command (the lead wires it as \`npm run bench:retrieval\`):

\`\`\`
npx ts-node --transpile-only -r tsconfig-paths/register bench/retrieval/run.ts --n 200 --size-mb 1 --concurrency 8 --rounds 5 --append bench/RESULTS.md
\`\`\`

Method: the service runs as its own process (\`main.ts\` under ts-node, embedded PostgreSQL) on the project's
Ceph RGW; N PDFs of ≈ 1 MB are ingested through POST /transfers (unsigned, AIP not written: this bench is
about reads), then the bench waits until the service is idle (text extraction for search runs after ingest).
Three paths read the same objects at the same concurrency with keep-alive connections: the API as an
ARCHIVIST (API key: authentication, access policy, one audit event per read, the object streamed from S3);
the baseline straight from the same RGW with the \`minio\` client; and a bare Node proxy
(\`bare-proxy.ts\`: minio getObject → pipeline → response, nothing else): what one proxy hop costs here,
whatever the service does. One untimed warm-up pass of each checks every byte (SHA-256);
then the three alternate (one triple per round) so all see the same load; ratios are medians of the
per-round ratios. CPU time per pass (user + system, from /proc) of the service, its PostgreSQL, the bare
proxy, radosgw + ceph-osd and the client is steadier than wall time on this shared machine (2 cores for
Ceph, PostgreSQL, the service and the client): compare ratios and CPU per request, not absolute times.`;

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
