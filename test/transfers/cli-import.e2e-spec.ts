import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImportCommand } from '../../apps/archive-api/src/cli/import.command';
import { caseFile, createWorld, getTransfer, manifest, signedPdf, World } from './support';

describe('cli: import <dir|zip>', () => {
  let w: World;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    // a real worker polls: the CLI waits for the outcome over HTTP
    w = await createWorld({ JOBS_POLL_MS: '50' });
    await w.t.app.listen(0, '127.0.0.1');
    url = await w.t.app.getUrl();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await w?.close();
  });

  it('imports a directory with manifest.json through the API', async () => {
    const docs = [{ path: 'docs/1.pdf', bytes: await signedPdf('cli 1') }, { path: 'docs/2.pdf', bytes: await signedPdf('cli 2') }];
    fs.mkdirSync(path.join(dir, 'docs'));
    for (const d of docs) fs.writeFileSync(path.join(dir, d.path), d.bytes);
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest([caseFile(docs)])));
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    (process.stdout as any).write = (s: string) => (out.push(String(s)), true);
    (process.stderr as any).write = () => true;
    try {
      await new ImportCommand(w.t.config).run([dir], { url, token: w.submitter, wait: true });
    } finally {
      (process.stdout as any).write = write;
      (process.stderr as any).write = err;
    }
    const report = JSON.parse(out.join(''));
    expect(report.status).toBe('ACCEPTED');
    expect(process.exitCode ?? 0).toBe(0);
    const t = await getTransfer(w, report.id);
    expect(t.documents).toHaveLength(2);
  });
});
