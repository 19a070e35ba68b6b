/**
 * Signature verification benchmark: our verifyPdf vs poppler `pdfsig -nocert` on the same signed
 * PDFs, in the same run (ratios are what matter; see shared/design/PERFORMANCE.md).
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/signature/run.ts [--with-200mb] [--iterations N] [--write-results]
 *
 * --write-results replaces the "## Signature verification" section of bench/RESULTS.md.
 *
 * Files: ~1 MB and ~20 MB (optionally ~200 MB) PDFs of Vietnamese text plus an uncompressible raw
 * "scan", signed by the person then the agency seal (timestamped) with the test PKI.
 *
 * Our verifier runs in a long-lived child process per file (module load excluded from the timings,
 * so its peak RSS is its own); pdfsig runs as one process per verification, as a service would
 * call it, timed wall-clock, peak RSS from /usr/bin/time. The two alternate (ours, pdfsig, ours,
 * ...) so both see the same machine load; the speed-up is the median of the per-pair ratios.
 */
import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

type VerifyPdfFile = (path: string, o: { trustAnchors: Uint8Array[]; crls?: Uint8Array[] }) => Promise<{ summary: string; signatures: Array<{ verdict: string }> }>;

interface Sample {
  ms: number;
  summary?: string;
  verdicts?: string[];
  error?: string;
}

const argv = process.argv.slice(2);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const mb = (kb: number): number => Math.round(kb / 102.4) / 10;

/** Peak RSS of this process in kB. VmHWM, not getrusage: ru_maxrss survives fork+exec, so a
 * child spawned by a parent holding a 200 MB PDF would report the parent's peak. */
function peakRssKb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

/**
 * Worker: `--worker <anchor.der> <crl.der>...`, then one PDF path per stdin line; answers each
 * with `@@R {json}` (time includes reading the file: pdfsig has to read it too). `rss` → peak RSS.
 */
async function worker(): Promise<void> {
  const [anchor, ...crlFiles] = argv.slice(1);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('../../libs/signature/src') as { verifyPdfFile: VerifyPdfFile };
  const opts = { trustAnchors: [new Uint8Array(fs.readFileSync(anchor))], crls: crlFiles.map((f) => new Uint8Array(fs.readFileSync(f))) };
  process.stdout.write(`@@R ${JSON.stringify({ ready: true, rssKb: peakRssKb() })}\n`);
  for await (const line of readline.createInterface({ input: process.stdin })) {
    if (line === 'rss') {
      process.stdout.write(`@@R ${JSON.stringify({ rssKb: peakRssKb() })}\n`);
      continue;
    }
    const out: Sample = { ms: NaN };
    try {
      const t0 = process.hrtime.bigint();
      // The path, as the CLI and the service verify: random access, the file is never loaded whole.
      const r = await lib.verifyPdfFile(line, opts);
      out.ms = Number(process.hrtime.bigint() - t0) / 1e6;
      out.summary = r.summary;
      out.verdicts = r.signatures.map((x) => x.verdict);
    } catch (e) {
      out.error = e instanceof Error ? e.message : String(e);
    }
    process.stdout.write(`@@R ${JSON.stringify(out)}\n`);
  }
}

/** A worker process and a request/response helper over its stdio. */
class Worker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<(v: Record<string, unknown>) => void> = [];
  private stderr = '';

  constructor(anchor: string, crls: string[]) {
    this.child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', '--max-old-space-size=4096', __filename, '--worker', anchor, ...crls],
      { cwd: path.resolve(__dirname, '../..') },
    );
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    readline.createInterface({ input: this.child.stdout }).on('line', (l) => {
      if (l.startsWith('@@R ')) this.waiting.shift()?.(JSON.parse(l.slice(4)) as Record<string, unknown>);
    });
    this.child.on('exit', () => {
      for (const w of this.waiting.splice(0)) w({ error: `worker exited: ${this.stderr.slice(0, 400)}` });
    });
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((r) => this.waiting.push(r));
  }

  ready(): Promise<Record<string, unknown>> {
    return this.next();
  }

  async verify(file: string): Promise<Sample> {
    const p = this.next();
    this.child.stdin.write(`${file}\n`);
    return (await p) as unknown as Sample;
  }

  async rssKb(): Promise<number> {
    const p = this.next();
    this.child.stdin.write('rss\n');
    return Number((await p).rssKb);
  }

  close(): void {
    this.child.stdin.end();
  }
}

function pdfsigOnce(file: string): { ms: number; rssKb: number; valid: number } {
  const hasTime = fs.existsSync('/usr/bin/time');
  const t0 = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '@@MAXRSS %M', '/usr/bin/pdfsig', '-nocert', file], { encoding: 'utf8' })
    : spawnSync('/usr/bin/pdfsig', ['-nocert', file], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rss = /@@MAXRSS (\d+)/.exec(r.stderr ?? '');
  return { ms, rssKb: rss ? Number(rss[1]) : 0, valid: ((r.stdout ?? '').match(/Signature is Valid/g) ?? []).length };
}

interface Measured {
  ok: boolean;
  error?: string;
  ours: number[];
  theirs: number[];
  /** per-pair ratio pdfsig/ours: robust to load that changes during the run */
  pairRatios: number[];
  oursFirstMs: number;
  oursBaseMb: number;
  oursPeakMb: number;
  theirsPeakMb: number;
  summary?: string;
  verdicts?: string[];
  pdfsigValid: number;
}

/** Cold run of each, then `iterations` pairs run back to back (ours, pdfsig) so both see the same load. */
async function measure(file: string, iterations: number, anchor: string, crls: string[]): Promise<Measured> {
  const w = new Worker(anchor, crls);
  const m: Measured = { ok: false, ours: [], theirs: [], pairRatios: [], oursFirstMs: NaN, oursBaseMb: 0, oursPeakMb: 0, theirsPeakMb: 0, pdfsigValid: 0 };
  try {
    const ready = await w.ready();
    if (ready.error) throw new Error(String(ready.error));
    m.oursBaseMb = mb(Number(ready.rssKb));
    const first = await w.verify(file);
    if (first.error) throw new Error(first.error);
    m.oursFirstMs = first.ms;
    m.summary = first.summary;
    m.verdicts = first.verdicts;
    let peak = pdfsigOnce(file).rssKb; // cold pdfsig run (page cache), not timed
    for (let i = 0; i < iterations; i++) {
      const o = await w.verify(file);
      if (o.error) throw new Error(o.error);
      const t = pdfsigOnce(file);
      m.ours.push(o.ms);
      m.theirs.push(t.ms);
      m.pairRatios.push(t.ms / o.ms);
      m.pdfsigValid = t.valid;
      peak = Math.max(peak, t.rssKb);
    }
    m.theirsPeakMb = mb(peak);
    m.oursPeakMb = mb(await w.rssKb());
    m.ok = true;
  } catch (e) {
    m.error = e instanceof Error ? e.message : String(e);
    if (!m.theirs.length) {
      for (let i = 0; i < iterations; i++) m.theirs.push(pdfsigOnce(file).ms);
    }
  } finally {
    w.close();
  }
  return m;
}

async function main(): Promise<void> {
  const withBig = argv.includes('--with-200mb');
  const itIdx = argv.indexOf('--iterations');
  const iterations = itIdx >= 0 ? Number(argv[itIdx + 1]) : 0;
  const { getTestPki, makePdf, signAs } = await import('../../libs/signature/test/pki');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-signature-'));
  const pki = getTestPki();
  const anchor = path.join(dir, 'root.der');
  fs.writeFileSync(anchor, pki.root.der);
  const crls = pki.crls.map((c, i) => {
    const f = path.join(dir, `crl${i}.der`);
    fs.writeFileSync(f, c);
    return f;
  });

  const sizes: Array<{ label: string; pad: number; iterations: number }> = [
    { label: '1 MB', pad: 1_000_000, iterations: iterations || 30 },
    { label: '20 MB', pad: 20_000_000, iterations: iterations || 10 },
  ];
  if (withBig) sizes.push({ label: '200 MB', pad: 200_000_000, iterations: iterations || 3 });

  const rows: string[] = [];
  const notes: string[] = [];
  const summary: Array<{ label: string; ratio: number | null; deltaMb: number | null; fileMb: number }> = [];
  for (const s of sizes) {
    const t0 = Date.now();
    const unsigned = await makePdf({ pages: 4, padBytes: s.pad });
    const once = await signAs(unsigned, pki.signer, { reason: 'Phê duyệt', visible: { page: 1, rect: [340, 60, 560, 130], text: 'Người ký: Nguyễn Văn An' } });
    const signed = await signAs(once, pki.seal, { timestamped: true });
    const file = path.join(dir, `${s.label.replace(' ', '')}.pdf`);
    fs.writeFileSync(file, signed);
    process.stderr.write(`built ${s.label}: ${(signed.length / 1e6).toFixed(1)} MB in ${Date.now() - t0} ms\n`);

    const m = await measure(file, s.iterations, anchor, crls);
    const oursMed = median(m.ours);
    const theirsMed = median(m.theirs);
    const ratio = m.ok ? median(m.pairRatios) : NaN;
    const na = (v: string): string => (m.ok ? v : 'n/a');
    rows.push(
      `| ${s.label} (${(signed.length / 1e6).toFixed(1)} MB, 2 sigs) | ${s.iterations} | ${na(oursMed.toFixed(1))} | ${na(Math.min(...m.ours).toFixed(1))} | ${na(m.oursFirstMs.toFixed(1))} | ${theirsMed.toFixed(1)} | ${m.theirs.length ? Math.min(...m.theirs).toFixed(1) : 'n/a'} | ${na(ratio.toFixed(2) + '×')} | ${na(`${m.oursPeakMb} (base ${m.oursBaseMb})`)} | ${m.theirsPeakMb || 'n/a'} | ${na(`${m.summary} [${m.verdicts?.join(', ')}]`)} | ${m.pdfsigValid}/2 valid |`,
    );
    if (!m.ok) notes.push(`- ${s.label}: our verifier did not run: ${m.error}`);
    summary.push({ label: s.label, ratio: m.ok ? ratio : null, deltaMb: m.ok ? Math.round(m.oursPeakMb - m.oursBaseMb) : null, fileMb: signed.length / 1e6 });
  }
  fs.rmSync(dir, { recursive: true, force: true });

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const load = os.loadavg()[0].toFixed(1);
  const lines: string[] = [];
  lines.push(`Run ${new Date().toISOString()}, ${os.cpus().length} × ${cpu}, Node ${process.version}, load average ${load} at the end.`, '');
  lines.push('| file | pairs | ours median ms | ours min ms | ours cold ms | pdfsig -nocert median ms | pdfsig min ms | speed-up (median of pdfsig/ours per pair) | ours peak RSS MB | pdfsig peak RSS MB | our summary [verdicts] | pdfsig |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  lines.push(...rows);
  if (notes.length) lines.push('', ...notes);
  lines.push('');
  for (const x of summary) {
    if (x.ratio === null) continue;
    const verdict = x.ratio >= 2 ? 'meets' : 'misses';
    lines.push(`- ${x.label}: ours is ${x.ratio.toFixed(2)}× pdfsig's speed (${verdict} the ≥ 2× target); peak RSS ${x.deltaMb} MB above the process baseline for a ${x.fileMb.toFixed(0)} MB file.`);
  }
  const table = lines.join('\n');
  console.log(`\n### Signature verification\n\n${table}`);

  if (argv.includes('--write-results')) {
    const resultsFile = path.resolve(__dirname, '../RESULTS.md');
    const section = [
      '## Signature verification',
      '',
      'Command (also `npm run bench:signature` once the lead wires it):',
      '',
      '```',
      'npx ts-node --transpile-only -r tsconfig-paths/register bench/signature/run.ts --with-200mb --write-results',
      '```',
      '',
      'Method: PDFs of Vietnamese text plus an uncompressible raw "scan" (≈1, ≈20 and ≈200 MB), each signed',
      'twice with the test PKI (person with a visible appearance, then the agency seal with an RFC 3161',
      'timestamp; PAdES B-B, RSA-2048, SHA-256). In the same run, on the same files: our `verifyPdfFile`',
      '(trust anchor + CRLs supplied) in a long-lived child process, file read included, peak RSS =',
      'VmHWM of that process (its ts-node + modules baseline is shown); poppler `pdfsig -nocert` (22.12)',
      'as one process per verification (as a service would call it), peak RSS from `/usr/bin/time`.',
      'After one untimed cold run of each, the two alternate (ours, pdfsig, ours, ...) so both see the',
      'same load; speed-up = median of the per-pair ratios pdfsig/ours. The machine is shared with other',
      'jobs: compare ratios, not absolute times.',
      '',
      table,
      '',
    ].join('\n');
    let text = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8') : '# Benchmark results\n\n';
    const start = text.indexOf('## Signature verification');
    if (start >= 0) {
      const next = text.indexOf('\n## ', start + 3);
      text = text.slice(0, start) + section + (next >= 0 ? '\n' + text.slice(next + 1) : '');
    } else {
      text = text.replace(/\n*$/, '\n\n') + section;
    }
    fs.writeFileSync(resultsFile, text);
    process.stderr.write(`updated ${resultsFile}\n`);
  }
}

if (argv[0] === '--worker') void worker();
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
