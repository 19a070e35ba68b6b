import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { Transform, TransformCallback } from 'node:stream';
import { Command, CommandRunner, Option } from 'nest-commander';
import * as yazl from 'yazl';
import { AppConfig } from '../config/app-config';

interface ImportOptions {
  url?: string;
  token?: string;
  idempotencyKey?: string;
  wait: boolean;
}

/**
 * `npm run cli -- import <zip|dir>`: transfers a package from disk to a running service over its API
 * (POST /transfers), the way an e-office system does, so the import takes the same path — staging,
 * validation, signatures, preservation, catalogue, audit — and nothing is written behind the API's back.
 * A ZIP (manifest.json at the root, or an E-ARK SIP) is streamed as it is; a directory holding
 * manifest.json and the documents is zipped on the fly (stored, not recompressed). A progress bar goes
 * to stderr; the transfer's report (JSON) to stdout. Exit code 0 ACCEPTED, 3 PARTIALLY_ACCEPTED, 4 otherwise.
 */
@Command({ name: 'import', arguments: '<source>', description: 'Import a transfer package (ZIP or directory with manifest.json) through the API' })
export class ImportCommand extends CommandRunner {
  constructor(private readonly config: AppConfig) {
    super();
  }

  @Option({ flags: '--url <url>', description: 'Base URL of the service (default ARCHIVE_URL or http://127.0.0.1:$PORT)' })
  parseUrl(v: string): string {
    return v;
  }

  @Option({ flags: '--token <token>', description: 'Bearer token (default ARCHIVE_TOKEN): a SUBMITTER or ARCHIVIST key' })
  parseToken(v: string): string {
    return v;
  }

  @Option({ flags: '--idempotency-key <key>', description: 'Idempotency-Key header (default: derived from the source path and size)' })
  parseIdempotencyKey(v: string): string {
    return v;
  }

  @Option({ flags: '--no-wait', description: 'Do not wait for processing to end' })
  parseWait(): boolean {
    return false;
  }

  async run([source]: string[], opts: ImportOptions): Promise<void> {
    const base = (opts.url ?? process.env.ARCHIVE_URL ?? `http://127.0.0.1:${this.config.port}`).replace(/\/+$/, '');
    const token = opts.token ?? process.env.ARCHIVE_TOKEN;
    if (!token) throw new Error('import: give --token or set ARCHIVE_TOKEN (an API key with transfer.create)');
    const file = path.resolve(source!);
    const st = fs.statSync(file);
    const { body, total } = st.isDirectory() ? zipDirectory(file) : { body: fs.createReadStream(file), total: st.size };
    const key = opts.idempotencyKey ?? `import:${path.basename(file)}:${st.size}:${Math.floor(st.mtimeMs)}`;
    const progress = new Progress(total, path.basename(file));
    const res = await send(`${base}/api/v1/transfers`, body.pipe(progress), {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/zip',
      'Idempotency-Key': key.slice(0, 200),
      ...(st.isDirectory() ? {} : { 'Content-Length': String(st.size) }),
    });
    progress.done();
    if (res.status !== 202) {
      process.stdout.write(`${JSON.stringify(res.body, null, 2)}\n`);
      process.exitCode = 4;
      return;
    }
    const { id } = res.body as { id: string };
    process.stderr.write(`transfer ${id} received\n`);
    if (opts.wait === false) {
      process.stdout.write(`${JSON.stringify(res.body)}\n`);
      return;
    }
    for (;;) {
      const t = await send(`${base}/api/v1/transfers/${id}`, null, { Authorization: `Bearer ${token}` });
      const status = (t.body as { status?: string }).status;
      if (status && !['RECEIVED', 'PROCESSING'].includes(status)) {
        process.stdout.write(`${JSON.stringify(t.body, null, 2)}\n`);
        process.exitCode = status === 'ACCEPTED' ? 0 : status === 'PARTIALLY_ACCEPTED' ? 3 : 4;
        return;
      }
      process.stderr.write(`\rprocessing… (${status ?? t.status})   `);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function zipDirectory(dir: string): { body: NodeJS.ReadableStream; total: number } {
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) throw new Error(`import: ${dir} has no manifest.json`);
  const zip = new yazl.ZipFile();
  let total = 0;
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.statSync(path.join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) {
        total += st.size;
        zip.addFile(path.join(dir, r), r, { compress: false, mtime: st.mtime });
      }
    }
  };
  walk('');
  zip.end();
  return { body: zip.outputStream, total };
}

class Progress extends Transform {
  private n = 0;
  private last = 0;
  constructor(private readonly total: number, private readonly label: string) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.n += chunk.length;
    const now = Date.now();
    if (now - this.last > 200) {
      this.last = now;
      this.draw();
    }
    cb(null, chunk);
  }
  draw(): void {
    const pct = this.total ? Math.min(1, this.n / this.total) : 0;
    const bar = '█'.repeat(Math.round(pct * 30)).padEnd(30, '░');
    process.stderr.write(`\r${this.label} ${bar} ${(pct * 100).toFixed(0).padStart(3)}% ${(this.n / 1048576).toFixed(1)} MiB`);
  }
  done(): void {
    this.draw();
    process.stderr.write('\n');
  }
}

function send(url: string, body: NodeJS.ReadableStream | null, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(u, { method: body ? 'POST' : 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}
