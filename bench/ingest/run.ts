/**
 * Ingest benchmark (issue 6): N signed PDFs of size S through POST /transfers at concurrency C, against
 * the same bytes PUT straight to the same store with the `minio` client, in one run.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/ingest/run.ts [--n 400] [--size-mb 1] \
 *       [--concurrency 8] [--docs-per-transfer 10] [--big-mb 0] [--write-aip deferred|inline|false] [--dist false|true|<dir>] \
 *       [--big-signed true|false] [--cpu-prof <dir>] [--poll-ms 1000] [--append bench/RESULTS.md]
 *
 * `--append` rewrites the figures between the `<!-- ingest:run -->` markers of the "## Ingest (issue 6)" section.
 *
 * The service runs as its own process (started here, `main.ts`, embedded PostgreSQL unless DATABASE_URL),
 * on S3 (S3_ENDPOINT, or the project's Ceph RGW started by scripts/ceph-rgw.sh) so both sides hit the same
 * server. Documents are signed by the signer AND the agency seal of the test PKI (trusted), so every one
 * is verified for real. `--big-mb 1024` also streams one PDF of that size (signed unless `--big-signed false`) and reports the
 * service's peak RSS (VmHWM). Figures: docs/s, MB/s, the API/raw time ratio.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { getTestPki, makePdf, signAs } from '../../libs/signature/test/pki';
import { arg, minioClient, multipart, pool, removeBucket, req, ROOT, s3Env } from '../support/service';

const N = Number(arg('n', '400'));
const SIZE_MB = Number(arg('size-mb', '1'));
const C = Number(arg('concurrency', '8'));
const PER = Number(arg('docs-per-transfer', '10'));
const BIG_MB = Number(arg('big-mb', '0'));
// The large document is signed by the signer and the agency seal like the batch (a real verdict, verified
// from a temp file in bounded memory); `--big-signed false` sends it unsigned.
const BIG_SIGNED = arg('big-signed', 'true') !== 'false';
// `deferred` (the service's default): the AIP is written by a follow-up job after the catalogue commit;
// `inline`: before it (TRANSFER_AIP_DEFERRED=false); `false`: no AIP.
const WRITE_AIP = arg('write-aip', 'deferred');
if (!['deferred', 'inline', 'false'].includes(WRITE_AIP)) throw new Error(`--write-aip deferred|inline|false (got ${WRITE_AIP})`);
const APPEND = arg('append', '');
// `--dist true`: run the compiled service (`npm run build` first) instead of main.ts under ts-node —
// the figures the targets stand against (ts-node compiles the whole application in-process: RSS, CPU).
// `--dist <dir>` runs the build in that directory (e.g. a copy of an earlier build, for before/after).
const DIST_ARG = arg('dist', 'false');
const DIST = DIST_ARG !== 'false';
const DIST_DIR = DIST_ARG === 'true' ? path.join(ROOT, 'dist') : path.resolve(DIST_ARG);
// `--cpu-prof <dir>`: the service writes a V8 CPU profile there when it exits.
const CPU_PROF = arg('cpu-prof', '');
// JOBS_POLL_MS of the service. 20 hid the poll latency before transfers were started at once after the
// 202 (TransferProcessorService.kick); every poll is a query, so the default (1000) costs less CPU.
const POLL_MS = arg('poll-ms', '1000');
const AGENCY = { id: '000.00.12.H05', name: 'Sở Nội vụ tỉnh Bình Định' };
const ADMIN = `bench-admin-${randomBytes(12).toString('hex')}`;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function manifestFor(fileCode: string, docs: { path: string; bytes: Buffer; sha256?: string; size?: number }[]): unknown {
  return {
    agency: AGENCY,
    files: [
      {
        fileCode, title: `Hồ sơ đo hiệu năng ${fileCode}`, maintenance: '06', mode: '01', language: '01', startDate: '2024-01-05', endDate: '2024-12-20',
        totalDoc: docs.length, numberOfPage: docs.length, confidenceLevel: '01',
        documents: docs.map((d, i) => ({
          docOrdinal: i + 1, typeName: '02', codeNumber: String(i + 1), codeNotation: 'QĐ-SNV', issuedDate: '2024-03-01', organName: AGENCY.name,
          subject: `Quyết định số ${i + 1}`, language: '01', numberOfPage: 1, mode: '01', process: true, path: d.path, sha256: d.sha256 ?? sha(d.bytes),
        })),
      },
    ],
  };
}

function vmRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** CPU seconds (user + system) the process has used: less noisy than wall time on a shared machine. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14, 15) in USER_HZ ticks
}

/** CPU seconds of the local Ceph daemons (radosgw, ceph-osd), if the S3 server runs here; shared, so other users' load counts too. */
function s3ServerCpu(): number {
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (/^(radosgw|ceph-osd)$/.test(fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) total += cpuSeconds(Number(pid));
    } catch {
      /* gone meanwhile */
    }
  }
  return total;
}

function vmHwm(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function main(): Promise<void> {
  const s3 = s3Env();
  const bucket = `bench-ingest-${Date.now().toString(36)}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
  const pki = getTestPki();
  fs.mkdirSync(path.join(dataDir, 'trust'));
  pki.trustAnchors.forEach((a, i) => fs.writeFileSync(path.join(dataDir, 'trust', `a${i}.der`), a));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const env = {
    ...process.env, ...s3, S3_BUCKET: bucket, S3_OBJECT_LOCK: 'governance', PORT: String(port), ARCHIVE_DATA_DIR: dataDir, ARCHIVE_ADMIN_TOKEN: ADMIN,
    LOG_LEVEL: 'warn', JOBS_POLL_MS: POLL_MS, TRUST_ANCHORS_DIR: path.join(dataDir, 'trust'), RATE_LIMIT_PUBLIC: '0',
    TRANSFER_WRITE_AIP: WRITE_AIP === 'false' ? 'false' : 'true', TRANSFER_AIP_DEFERRED: WRITE_AIP === 'inline' ? 'false' : 'true',
    // a build outside the repository (`--dist /tmp/x`) still resolves the repository's node_modules
    NODE_PATH: path.join(ROOT, 'node_modules'),
  };
  process.stderr.write(`starting the service on :${port} (bucket ${bucket})…\n`);
  const prof = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(CPU_PROF)] : [];
  const main = path.join(DIST_DIR, 'apps/archive-api/src/main.js');
  const entry = DIST
    ? [...prof, main]
    : [...prof, '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/archive-api/src/main.ts'];
  if (DIST && !fs.existsSync(main)) throw new Error(`--dist: no ${main} (run \`npm run build\` first)`);
  const child: ChildProcess = spawn(process.execPath, entry, {
    cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      const r = await req(port, 'GET', '/health/ready', {}).catch(() => ({ status: 0, body: null }));
      if (r.status === 200) break;
      if (i > 600) throw new Error('service did not become ready');
      await new Promise((r2) => setTimeout(r2, 200));
    }
    const admin = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' };
    await req(port, 'POST', '/api/v1/agencies', admin, Buffer.from(JSON.stringify(AGENCY)));
    const key = await req(port, 'POST', '/api/v1/api-keys', admin, Buffer.from(JSON.stringify({ name: 'bench', role: 'SUBMITTER', agencyId: AGENCY.id })));
    const token = key.body.token as string;
    const reader = (await req(port, 'POST', '/api/v1/api-keys', admin, Buffer.from(JSON.stringify({ name: 'bench-reader', role: 'ARCHIVIST', agencyId: AGENCY.id })))).body.token as string;
    const idleRss = vmRss(child.pid!);

    process.stderr.write(`generating ${N} signed PDFs of ~${SIZE_MB} MB…\n`);
    const bases = await Promise.all(Array.from({ length: Math.min(8, N) }, (_, i) => makePdf({ pages: 1, padBytes: Math.max(0, SIZE_MB * 1048576 - 60_000), title: `Bench ${i}` })));
    const docs: Buffer[] = [];
    for (let i = 0; i < N; i++) docs.push(Buffer.from(await signAs(await signAs(bases[i % bases.length]!, pki.signer, { signingTime: new Date(Date.now() - i * 1000) }), pki.seal)));
    const bytes = docs.reduce((n, d) => n + d.length, 0);
    const transfers: { fileCode: string; docs: { path: string; bytes: Buffer }[] }[] = [];
    for (let i = 0; i < N; i += PER) {
      transfers.push({ fileCode: `${AGENCY.id}.2024.${String(i / PER + 1).padStart(4, '0')}.BENCH`, docs: docs.slice(i, i + PER).map((b, j) => ({ path: `d/${j + 1}.pdf`, bytes: b })) });
    }

    // Raw baseline: the same bytes PUT straight to the same server with the minio client, same concurrency.
    const client = minioClient(s3);
    const s3Cpu0 = s3ServerCpu();
    const t0 = Date.now();
    await pool(docs.map((d, i) => ({ d, i })), C, async ({ d, i }) => {
      await client.putObject(bucket, `bench-raw/${i}.pdf`, d, d.length, { 'Content-Type': 'application/pdf' });
    });
    const rawMs = Date.now() - t0;
    const rawS3Cpu = s3ServerCpu() - s3Cpu0;

    // Through the API: POST each transfer, then wait until every one has ended.
    const t1 = Date.now();
    const cpu0 = cpuSeconds(child.pid!);
    const s3Cpu1 = s3ServerCpu();
    const ids: string[] = [];
    await pool(transfers, C, async (t) => {
      const mp = multipart(manifestFor(t.fileCode, t.docs), t.docs);
      const r = await req(port, 'POST', '/api/v1/transfers', { Authorization: `Bearer ${token}`, 'Content-Type': mp.type, 'Content-Length': mp.body.length }, mp.body);
      if (r.status !== 202) throw new Error(`POST /transfers → ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(r.body.id);
    });
    const postedMs = Date.now() - t1;
    const statuses = new Map<string, string>();
    while (statuses.size < ids.length) {
      for (const id of ids) {
        if (statuses.has(id)) continue;
        const r = await req(port, 'GET', `/api/v1/transfers/${id}`, { Authorization: `Bearer ${token}` });
        if (!['RECEIVED', 'PROCESSING'].includes(r.body.status)) statuses.set(id, r.body.status);
        else break;
      }
      if (statuses.size < ids.length) await new Promise((r) => setTimeout(r, 20));
    }
    const apiMs = Date.now() - t1;
    const apiCpu = cpuSeconds(child.pid!) - cpu0;
    const apiS3Cpu = s3ServerCpu() - s3Cpu1;
    const accepted = [...statuses.values()].filter((s) => s === 'ACCEPTED').length;
    // Deferred AIPs: also time until every case file's package is stored (its HEAD stops answering 404/409 pending).
    let aipMs = 0;
    let aipCpu = 0;
    if (WRITE_AIP === 'deferred') {
      const fileIds: string[] = [];
      for (const id of ids) fileIds.push(...((await req(port, 'GET', `/api/v1/transfers/${id}`, { Authorization: `Bearer ${token}` })).body.files as { fileId: string | null }[]).map((f) => f.fileId!).filter(Boolean));
      for (const fid of fileIds) {
        for (;;) {
          const r = await req(port, 'HEAD', `/api/v1/files/${fid}/package`, { Authorization: `Bearer ${reader}` });
          if (r.status === 200) break;
          if (r.status !== 404 && r.status !== 409) throw new Error(`HEAD /files/${fid}/package → ${r.status}`);
          await new Promise((res) => setTimeout(res, 20));
        }
      }
      aipMs = Date.now() - t1;
      aipCpu = cpuSeconds(child.pid!) - cpu0;
    }
    const batchHwm = vmHwm(child.pid!);

    let big = '';
    if (BIG_MB > 0) {
      const file = path.join(dataDir, 'big.pdf');
      await writeBigPdf(file, BIG_MB * 1048576);
      if (BIG_SIGNED) {
        process.stderr.write(`signing the ${BIG_MB} MiB PDF…\n`);
        fs.writeFileSync(file, await signAs(await signAs(fs.readFileSync(file), pki.signer), pki.seal));
      }
      const size = fs.statSync(file).size;
      const digest = createHash('sha256');
      await new Promise<void>((res, rej) => fs.createReadStream(file).on('data', (c) => digest.update(c)).on('end', () => res()).on('error', rej));
      const m = JSON.stringify(manifestFor(`${AGENCY.id}.2024.9999.BIG`, [{ path: 'big.pdf', bytes: Buffer.alloc(0), sha256: digest.digest('hex') }]));
      const boundary = `----big${randomBytes(6).toString('hex')}`;
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="manifest"\r\n\r\n${m}\r\n--${boundary}\r\nContent-Disposition: form-data; name="big.pdf"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const body = Readable.from((async function* () {
        yield head;
        for await (const c of fs.createReadStream(file, { highWaterMark: 1 << 20 })) yield c as Buffer;
        yield tail;
      })());
      // Reset the peak (clear_refs 5) so that VmHWM is this document's, not the batch's above.
      const before = vmRss(child.pid!);
      try {
        fs.writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
      } catch {
        /* not allowed here: the figure then includes the batch's peak */
      }
      const tb = Date.now();
      const r = await req(port, 'POST', '/api/v1/transfers', { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + size + tail.length }, body);
      let st = r.body.status;
      while (['RECEIVED', 'PROCESSING'].includes(st)) {
        await new Promise((res) => setTimeout(res, 200));
        st = (await req(port, 'GET', `/api/v1/transfers/${r.body.id}`, { Authorization: `Bearer ${token}` })).body.status;
      }
      const bigDoc = st === 'ACCEPTED' ? (await req(port, 'GET', `/api/v1/transfers/${r.body.id}`, { Authorization: `Bearer ${token}` })).body.documents?.[0] : undefined;
      big = `| 1 document of ${(size / 1048576).toFixed(0)} MiB (${BIG_SIGNED ? 'signed' : 'unsigned'}, streamed) | ${((Date.now() - tb) / 1000).toFixed(1)} s, ${st}${bigDoc ? `, signature ${bigDoc.signatureSummary}` : ''} | service peak RSS (VmHWM, reset before the document) ${(vmHwm(child.pid!) / 1048576).toFixed(0)} MiB (RSS before: ${(before / 1048576).toFixed(0)} MiB) |\n`;
      fs.rmSync(file, { force: true });
    }

    const mb = bytes / 1048576;
    const aipRow = aipMs ? [`| … and every deferred AIP stored (GET /files/:id/package → 200) | ${(aipMs / 1000).toFixed(2)} s | ${(N / (aipMs / 1000)).toFixed(1)} | ${(mb / (aipMs / 1000)).toFixed(1)} |`] : [];
    // The batch's table only when there was a batch (`--n 0` measures the large document alone).
    const batchLines = [
      `N = ${N} signed PDFs (signer + agency seal, verified against the trust store) of ${(bytes / N / 1048576).toFixed(2)} MiB, ${PER} per transfer, concurrency ${C}.`,
      '',
      '| path | time | docs/s | MB/s |',
      '|---|---|---|---|',
      `| raw PUT (minio client → same server) | ${(rawMs / 1000).toFixed(2)} s | ${(N / (rawMs / 1000)).toFixed(1)} | ${(mb / (rawMs / 1000)).toFixed(1)} |`,
      `| API: POST /transfers → ACCEPTED (${accepted}/${ids.length} transfers; upload done after ${(postedMs / 1000).toFixed(2)} s) | ${(apiMs / 1000).toFixed(2)} s | ${(N / (apiMs / 1000)).toFixed(1)} | ${(mb / (apiMs / 1000)).toFixed(1)} |`,
      ...aipRow,
      '',
      `Ratio API / raw PUT: **${(apiMs / rawMs).toFixed(2)} ×** (target ≤ 2.0 ×)${aipMs ? `; with every AIP stored ${(aipMs / rawMs).toFixed(2)} ×` : ''}; service RSS idle ${(idleRss / 1048576).toFixed(0)} MiB, peak over the batch ${(batchHwm / 1048576).toFixed(0)} MiB; service CPU until all ACCEPTED ${apiCpu.toFixed(2)} s${aipMs ? `, until every AIP stored ${aipCpu.toFixed(2)} s` : ''}; local Ceph daemons' CPU (radosgw + ceph-osd, shared with other users) during the raw PUT ${rawS3Cpu.toFixed(2)} s, until all ACCEPTED ${apiS3Cpu.toFixed(2)} s.`,
      '',
    ];
    const lines = [
      `Run ${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, Node ${process.version}, service ${DIST ? 'compiled (dist/)' : 'under ts-node'}, load average ${os.loadavg()[0]!.toFixed(1)}, S3 ${s3.S3_ENDPOINT} (Ceph RGW, Object Lock governance), AIP ${WRITE_AIP === 'inline' ? 'written before the commit' : WRITE_AIP === 'deferred' ? 'written by a follow-up job after the commit' : 'not written'}, TRANSFER_JOB_CONCURRENCY ${process.env.TRANSFER_JOB_CONCURRENCY ?? 'default'}, JOBS_POLL_MS ${POLL_MS}.`,
      '',
      ...(N > 0 ? batchLines : []),
      ...(big ? ['| large document | time | memory |', '|---|---|---|', big] : []),
    ];
    const text = `${lines.join('\n')}\n`;
    process.stdout.write(text);
    if (APPEND) writeSection(path.resolve(ROOT, APPEND), text);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
    // Objects are under GOVERNANCE retention: left behind, bench buckets fill the single-node Ceph OSD.
    await removeBucket(minioClient(s3), bucket).catch((e) =>
      process.stderr.write(`could not remove bucket ${bucket} (legal holds?): ${e instanceof Error ? e.message : String(e)}\n`),
    );
  }
}

/**
 * Replaces the run figures inside the "## Ingest (issue 6)" section of RESULTS.md (between the
 * `<!-- ingest:run -->` markers), creating the section at the end when absent; other sections untouched.
 */
function writeSection(file: string, run: string): void {
  const heading = '## Ingest (issue 6)';
  const begin = '<!-- ingest:run -->';
  const end = '<!-- /ingest:run -->';
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  if (!text.includes(heading)) text = `${text.trimEnd()}\n\n${heading}\n\n${begin}\n${end}\n`;
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) text = `${text.trimEnd()}\n\n${begin}\n${run}${end}\n`;
  else text = `${text.slice(0, a + begin.length)}\n${run}${text.slice(b)}`;
  fs.writeFileSync(file, text);
}

/** A valid PDF with one page and an image stream of `bytes` random bytes, written in 1 MiB chunks. */
async function writeBigPdf(file: string, bytes: number): Promise<void> {
  const fd = fs.openSync(file, 'w');
  let off = 0;
  const offsets: number[] = [];
  const w = (s: string | Buffer) => {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    fs.writeSync(fd, b);
    off += b.length;
  };
  w('%PDF-1.7\n');
  offsets.push(off); w('1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n');
  offsets.push(off); w('2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n');
  offsets.push(off); w('3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im 4 0 R >> >> >>\nendobj\n');
  const width = 1024;
  const height = Math.ceil(bytes / (width * 3));
  offsets.push(off); w(`4 0 obj\n<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length ${width * height * 3} >>\nstream\n`);
  const chunk = randomBytes(1 << 20);
  for (let left = width * height * 3; left > 0; left -= chunk.length) w(left >= chunk.length ? chunk : chunk.subarray(0, left));
  w('\nendstream\nendobj\n');
  const xref = off;
  w(`xref\n0 5\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  fs.closeSync(fd);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
