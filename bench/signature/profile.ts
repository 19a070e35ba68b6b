/**
 * Profiling aid for signature verification (not the benchmark of record: that is run.ts).
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/signature/profile.ts [--size 20] [--iterations 10] [--dir /tmp/sigprof] [--no-pdfsig]
 *
 * Builds (once, cached in --dir) a PDF of --size MB signed twice like run.ts, then alternates the
 * variants below with `pdfsig -nocert` in one process so all see the same load, and prints medians
 * and per-round ratios. Run under `node --cpu-prof ... --no-pdfsig` to profile.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const argv = process.argv.slice(2);
const arg = (k: string, d: string): string => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function main(): Promise<void> {
  const sizeMb = Number(arg('--size', '20'));
  const iterations = Number(arg('--iterations', '10'));
  const dir = arg('--dir', '/tmp/sigprof');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${sizeMb}mb.pdf`);
  // The test PKI is generated per process: each file keeps its own anchor and CRLs.
  const anchorFile = path.join(dir, `${sizeMb}mb.root.der`);
  const crlFiles = [0, 1, 2, 3].map((i) => path.join(dir, `${sizeMb}mb.crl${i}.der`));
  if (!fs.existsSync(file)) {
    const { getTestPki, makePdf, signAs } = await import('../../libs/signature/test/pki');
    const pki = getTestPki();
    fs.writeFileSync(anchorFile, pki.root.der);
    pki.crls.forEach((c, i) => fs.writeFileSync(crlFiles[i], c));
    const unsigned = await makePdf({ pages: 4, padBytes: sizeMb * 1_000_000 });
    const once = await signAs(unsigned, pki.signer, { reason: 'Phê duyệt', visible: { page: 1, rect: [340, 60, 560, 130], text: 'Người ký: Nguyễn Văn An' } });
    fs.writeFileSync(file, await signAs(once, pki.seal, { timestamped: true }));
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('../../libs/signature/src') as Record<string, any>;
  const opts = { trustAnchors: [new Uint8Array(fs.readFileSync(anchorFile))], crls: crlFiles.filter((f) => fs.existsSync(f)).map((f) => new Uint8Array(fs.readFileSync(f))) };
  const time = async (f: () => Promise<{ summary: string; signatures: { verdict: string }[] }>): Promise<[number, string]> => {
    const t0 = process.hrtime.bigint();
    const r = await f();
    return [Number(process.hrtime.bigint() - t0) / 1e6, `${r.summary} [${r.signatures.map((s) => s.verdict).join(',')}]`];
  };
  // Variants, alternated with pdfsig so all see the same load:
  //   copy      = what run.ts's worker does: readFileSync, then `new Uint8Array(buffer)` (a second copy);
  //   nocopy    = readFileSync, the Buffer passed as is (a Buffer is a Uint8Array);
  //   preloaded = verification alone, on bytes already in memory (the library's own cost);
  //   floor     = read the file through one reused 1 MiB buffer and SHA-256 it once (no parsing at
  //               all): what a random-access verifier would at best cost;
  //   file      = verifyPdfFile(path): the random-access verifier itself.
  const preloaded = new Uint8Array(fs.readFileSync(file));
  const chunk = Buffer.allocUnsafeSlow(1 << 20);
  const floor = async (): Promise<{ summary: string; signatures: { verdict: string }[] }> => {
    const fd = fs.openSync(file, 'r');
    const h = createHash('sha256');
    for (let o = 0, n = 0; (n = fs.readSync(fd, chunk, 0, chunk.length, o)) > 0; o += n) h.update(chunk.subarray(0, n));
    fs.closeSync(fd);
    h.digest();
    return { summary: 'n/a', signatures: [] };
  };
  const variants: Record<string, () => Promise<{ summary: string; signatures: { verdict: string }[] }>> = {
    copy: () => lib.verifyPdf(new Uint8Array(fs.readFileSync(file)), opts),
    nocopy: () => lib.verifyPdf(fs.readFileSync(file), opts),
    preloaded: () => lib.verifyPdf(preloaded, opts),
    floor,
  };
  // The random-access entry point: reads what it parses and hashes through one reused buffer.
  if (lib.verifyPdfFile) variants.file = () => lib.verifyPdfFile(file, opts);
  const ms: Record<string, number[]> = {};
  const ratios: Record<string, number[]> = {};
  const summaries: Record<string, string> = {};
  const pdfsig: number[] = [];
  const withPdfsig = !argv.includes('--no-pdfsig');
  for (let i = -1; i < iterations; i++) {
    let t = NaN;
    if (withPdfsig) {
      const t0 = process.hrtime.bigint();
      spawnSync('/usr/bin/pdfsig', ['-nocert', file], { encoding: 'utf8' });
      t = Number(process.hrtime.bigint() - t0) / 1e6;
    }
    for (const [k, f] of Object.entries(variants)) {
      const [m, s] = await time(f);
      summaries[k] = s;
      if (i < 0) continue; // cold run
      (ms[k] ??= []).push(m);
      (ratios[k] ??= []).push(t / m);
    }
    if (i >= 0) pdfsig.push(t);
  }
  const rss = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
  console.log(`${sizeMb} MB (${fs.statSync(file).size} B), ${iterations} rounds, load ${os.loadavg()[0].toFixed(1)}, peak RSS ${rss ? Math.round(Number(rss) / 1024) : '?'} MB`);
  if (withPdfsig) console.log(`  pdfsig -nocert   median ${median(pdfsig).toFixed(1)} ms`);
  for (const k of Object.keys(variants))
    console.log(`  ${k.padEnd(16)} median ${median(ms[k]).toFixed(1)} ms${withPdfsig ? `, pdfsig/this ${median(ratios[k]).toFixed(2)}×` : ''}  ${summaries[k]}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
