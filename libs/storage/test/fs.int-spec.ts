import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { createObjectStore, FsObjectStore, ObjectLockedError, StorageError } from '@archive/storage';

import { collect, readAll, runObjectStoreContract } from './contract';

function tempRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'archive-fs-store-'));
}

/** every file under dir, relative */
function walk(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name)));
}

runObjectStoreContract(
  'fs',
  async () => {
    const root = tempRoot();
    return {
      store: createObjectStore({ driver: 'fs', rootDir: path.join(root, 'objects') }),
      prefix: 'run/',
      dispose: async () => fs.rmSync(root, { recursive: true, force: true }),
    };
  },
  { bigStreamBytes: 80 * 1024 * 1024, maxRssGrowthBytes: 48 * 1024 * 1024 }, // whole buffering would show >= 80 MiB
);

describe('fs driver specifics', () => {
  let root: string;
  beforeEach(() => (root = tempRoot()));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('survives a crash (SIGKILL) in the middle of a write: the temp file is never an object', async () => {
    const store = new FsObjectStore({ rootDir: root });
    await store.ensureReady();
    await store.put('agency/2024/HS-1/docs/a.pdf', Buffer.from('committed'));

    // a child process writes an endless stream to agency/2024/HS-1/docs/b.pdf and is killed mid-write
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'fixtures', 'fs-crash-writer.ts'), root], {
      cwd: path.resolve(__dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
    });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      child.stdout.on('data', (d: Buffer) => d.toString().includes('WRITING') && resolve());
    });
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const leftovers = walk(root).filter((f) => path.basename(f).startsWith('.tmp-'));
    expect(leftovers.length).toBeGreaterThan(0); // the crash really happened mid-write
    expect(fs.statSync(path.join(root, leftovers[0]!)).size).toBeGreaterThan(0);

    const after = new FsObjectStore({ rootDir: root });
    await after.ensureReady();
    expect(await after.stat('agency/2024/HS-1/docs/b.pdf')).toBeNull();
    expect((await collect(after.list(''))).map((s) => s.key)).toEqual(['agency/2024/HS-1/docs/a.pdf']);
    expect((await readAll(await after.get('agency/2024/HS-1/docs/a.pdf'))).toString()).toBe('committed');
    // the leftover is only reclaimed space: the sweep removes it
    expect(await after.sweepTempFiles(0)).toBe(leftovers.length);
    expect(walk(root).filter((f) => path.basename(f).startsWith('.tmp-'))).toEqual([]);
    // the interrupted key can be written again
    await after.put('agency/2024/HS-1/docs/b.pdf', Buffer.from('retry'));
    expect((await collect(after.list('agency/'))).map((s) => s.key)).toEqual(['agency/2024/HS-1/docs/a.pdf', 'agency/2024/HS-1/docs/b.pdf']);
  }, 60_000);

  it('a failed put cleans its temp file; objects and sidecars sit where documented', async () => {
    const store = new FsObjectStore({ rootDir: root });
    await store.ensureReady();
    await store.put('a/b/c.pdf', Buffer.from('x'), { metadata: { k: 'v' }, legalHold: true });
    const { Readable } = await import('node:stream');
    // a source failing at once races the temp file's open: repeated, so a removal that ran before the open shows
    for (let i = 0; i < 50; i++) {
      const bad = new Readable({ read() { this.destroy(new Error('boom')); } });
      await expect(store.put(`a/b/d${i}.pdf`, bad)).rejects.toThrow('boom');
    }
    await new Promise((r) => setTimeout(r, 100)); // a late open would have created its file by now
    expect(walk(root).sort()).toEqual([path.join('a', 'b', '.c.pdf.meta.json'), path.join('a', 'b', 'c.pdf')]);
    const sidecar = JSON.parse(fs.readFileSync(path.join(root, 'a', 'b', '.c.pdf.meta.json'), 'utf8'));
    expect(sidecar).toMatchObject({ v: 1, size: 1, legalHold: true, metadata: { k: 'v' } });
  });

  it('never guesses the lock state from a damaged sidecar', async () => {
    const store = new FsObjectStore({ rootDir: root });
    await store.put('x/y.pdf', Buffer.from('x'), { legalHold: true });
    fs.writeFileSync(path.join(root, 'x', '.y.pdf.meta.json'), '{"v":1,"legal');
    await expect(store.remove('x/y.pdf')).rejects.toBeInstanceOf(StorageError);
    expect(fs.existsSync(path.join(root, 'x', 'y.pdf'))).toBe(true);
  });

  it('a retried put of the same bytes over a locked object succeeds and keeps the stronger protection', async () => {
    const store = new FsObjectStore({ rootDir: root });
    const until = new Date(Date.now() + 60_000);
    const first = await store.put('r/doc.pdf', Buffer.from('same'), { retainUntil: until, retentionMode: 'COMPLIANCE' });
    const again = await store.put('r/doc.pdf', Buffer.from('same'), { retainUntil: new Date(Date.now() + 30_000), legalHold: true });
    expect(again).toEqual(first);
    expect(await store.getRetention('r/doc.pdf')).toEqual({ mode: 'COMPLIANCE', until });
    expect(await store.getLegalHold('r/doc.pdf')).toBe(true);
    await expect(store.put('r/doc.pdf', Buffer.from('different'))).rejects.toBeInstanceOf(ObjectLockedError);
    expect((await readAll(await store.get('r/doc.pdf'))).toString()).toBe('same');
    expect(walk(root).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('enforces locks across store instances (state is on disk, not in memory)', async () => {
    await new FsObjectStore({ rootDir: root }).put('k/held.pdf', Buffer.from('h'), { legalHold: true });
    await expect(new FsObjectStore({ rootDir: root }).remove('k/held.pdf')).rejects.toBeInstanceOf(ObjectLockedError);
  });

  it('refuses a key whose parent is an object, and never leaves the root', async () => {
    // The store lives one level down so that `root` is its parent: nothing may appear beside it.
    const store = new FsObjectStore({ rootDir: path.join(root, 'objects') });
    await store.put('p/file', Buffer.from('x'));
    await expect(store.put('p/file/child', Buffer.from('y'))).rejects.toThrow(/invalid object key/);
    expect(walk(root).some((f) => f.includes('child'))).toBe(false);
  });
});
