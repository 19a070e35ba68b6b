import { randomBytes } from 'node:crypto';
import { constants as fsc, createWriteStream, promises as fsp, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import {
  InvalidKeyError,
  InvalidRangeError,
  ObjectLockedError,
  ObjectNotFoundError,
  RetentionShortenError,
  StorageError,
  StorageUnavailableError,
} from './errors';
import { HashingStream } from './hashing';
import { KeyMutex } from './key-mutex';
import { assertValidKey, assertValidPrefix, assertValidRange, normalizeMetadata } from './keys';
import { assertRetainUntil, assertRetentionChangeAllowed, assertRetentionMode, isActive, requestedRetention, type RetentionState } from './retention';
import type {
  FsStoreConfig,
  GetOptions,
  ObjectStat,
  ObjectStore,
  PutOptions,
  PutResult,
  RemoveOptions,
  RetentionMode,
  SetRetentionOptions,
  VersionOptions,
} from './types';

/** What the fs driver keeps beside each object, in `<dir>/.<name>.meta.json`. */
interface Sidecar {
  v: 1;
  sha256?: string;
  size: number;
  contentType?: string;
  metadata: Record<string, string>;
  createdAt: string;
  retention?: { mode: RetentionMode; until: string };
  legalHold?: boolean;
}

const TMP_PREFIX = '.tmp-';

/**
 * Filesystem driver: one file per object at `<rootDir>/<key>`, for single-node installs.
 *
 * - Writes are atomic: bytes go to a temp file in the target directory (`.tmp-*`), which is
 *   fsynced, renamed over the target, and the directory fsynced. A crash leaves at most a
 *   `.tmp-*` file, which is never listed, read or stat'ed as an object (dot-names are not valid keys).
 * - Metadata, SHA-256, retention and legal hold live in a sidecar `<dir>/.<name>.meta.json`,
 *   written the same atomic way, after the object (a crash between the two renames leaves a new
 *   object with no or the previous sidecar; its put never returned, so the catalogue never saw it).
 * - WORM in software: remove and overwrite are refused under retention or hold; retention can
 *   only be extended. Anyone with shell access to rootDir can still delete files — the service says
 *   so at start-up.
 * - No versions: `versionId` is always null; a put over an unlocked key replaces it.
 * - The per-key lock is in-process: one service instance per rootDir (the fs driver is for single-node).
 */
export class FsObjectStore implements ObjectStore {
  readonly driver = 'fs' as const;
  /** enforced in software, always available */
  readonly objectLock = true;
  private readonly root: string;
  private readonly defaultMode: RetentionMode;
  private readonly mutex = new KeyMutex();

  constructor(config: Omit<FsStoreConfig, 'driver'>) {
    if (!config.rootDir) throw new StorageError('fs object store needs rootDir');
    this.root = path.resolve(config.rootDir);
    this.defaultMode = config.defaultRetentionMode === 'governance' ? 'GOVERNANCE' : 'COMPLIANCE';
  }

  get rootDir(): string {
    return this.root;
  }

  async ensureReady(): Promise<void> {
    await fsp.mkdir(this.root, { recursive: true });
    await this.ping();
  }

  async ping(): Promise<void> {
    try {
      const st = await fsp.stat(this.root);
      if (!st.isDirectory()) throw new Error('not a directory');
      await fsp.access(this.root, fsc.R_OK | fsc.W_OK | fsc.X_OK);
    } catch (e) {
      throw new StorageUnavailableError(`object store directory ${this.root} not usable: ${(e as Error).message}`, { cause: e });
    }
  }

  async put(key: string, body: Readable | Buffer, opts: PutOptions = {}): Promise<PutResult> {
    assertValidKey(key);
    const metadata = normalizeMetadata(opts.metadata);
    const retention = requestedRetention(opts, this.defaultMode);
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    return this.mutex.run(key, async () => {
      // no versions on fs: overwriting a locked object would destroy the bytes it protects
      const existing = await this.readSidecar(file);
      const locked = existing && (await this.isFile(file)) && !this.isDeletable(existing) ? existing : null;

      await this.mkdirs(dir, key);
      const tmp = path.join(dir, `${TMP_PREFIX}${randomBytes(8).toString('hex')}`);
      const hasher = new HashingStream();
      let sidecarTmp: string | undefined;
      let out: ReturnType<typeof createWriteStream> | undefined;
      try {
        const src = Buffer.isBuffer(body) ? Readable.from([body]) : body;
        out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
        await pipeline(src, hasher, out);
        if (locked) {
          await fsp.rm(tmp, { force: true });
          if (locked.sha256 !== hasher.sha256 || locked.size !== hasher.size) this.assertDeletable(key, locked, false);
          // the same bytes again (a retried put): succeed without touching them, adding any stronger protection asked for
          await this.writeSidecar(file, strengthen(key, locked, retention, opts.legalHold === true));
          return { key, sha256: hasher.sha256, size: hasher.size, versionId: null };
        }
        await fsyncPath(tmp);
        const sidecar: Sidecar = {
          v: 1,
          sha256: hasher.sha256,
          size: hasher.size,
          ...(opts.contentType ? { contentType: opts.contentType } : {}),
          metadata,
          createdAt: new Date().toISOString(),
          ...(retention ? { retention: { mode: retention.mode, until: retention.until.toISOString() } } : {}),
          ...(opts.legalHold ? { legalHold: true } : {}),
        };
        sidecarTmp = await this.writeTemp(dir, JSON.stringify(sidecar));
        await renameInto(tmp, file, key);
        await fsp.rename(sidecarTmp, sidecarPath(file));
        sidecarTmp = undefined;
        await fsyncPath(dir);
      } catch (e) {
        // a source that fails at once can beat the temp file's open: wait for its descriptor to close, or
        // the file would appear after the removal below
        if (out && !out.closed) await new Promise<void>((resolve) => out!.once('close', () => resolve()));
        await fsp.rm(tmp, { force: true }).catch(() => undefined);
        if (sidecarTmp) await fsp.rm(sidecarTmp, { force: true }).catch(() => undefined);
        throw wrapIo(e);
      }
      return { key, sha256: hasher.sha256, size: hasher.size, versionId: null };
    });
  }

  async get(key: string, opts: GetOptions = {}): Promise<Readable> {
    assertValidKey(key);
    assertValidRange(opts.range);
    this.assertCurrentVersion(key, opts.versionId);
    const file = this.pathOf(key);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, fsc.O_RDONLY | fsc.O_NOFOLLOW);
    } catch (e) {
      if (isMissing(e)) throw new ObjectNotFoundError(key, opts.versionId);
      throw wrapIo(e);
    }
    // reading from the open descriptor: a concurrent overwrite (rename) cannot mix old and new bytes
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new ObjectNotFoundError(key);
      let start = 0;
      let end = st.size - 1;
      if (opts.range) {
        if (opts.range.start >= st.size) throw new InvalidRangeError(`range start ${opts.range.start} is past the end of ${key} (${st.size} bytes)`);
        start = opts.range.start;
        if (opts.range.end !== undefined) end = Math.min(end, opts.range.end);
      }
      if (end < start) {
        await fh.close();
        return Readable.from([]);
      }
      return fh.createReadStream({ start, end, autoClose: true });
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e instanceof StorageError ? e : wrapIo(e);
    }
  }

  async stat(key: string, opts: VersionOptions = {}): Promise<ObjectStat | null> {
    assertValidKey(key);
    if (!isCurrentVersion(opts.versionId)) return null;
    const file = this.pathOf(key);
    let st;
    try {
      st = await fsp.lstat(file);
    } catch (e) {
      if (isMissing(e)) return null;
      throw wrapIo(e);
    }
    if (!st.isFile()) return null;
    const sc = await this.readSidecar(file);
    return toStat(key, st.size, st.mtimeMs, sc);
  }

  async *list(prefix: string): AsyncIterable<ObjectStat> {
    assertValidPrefix(prefix);
    const cut = prefix.lastIndexOf('/');
    const dirKey = cut >= 0 ? prefix.slice(0, cut) : '';
    const namePrefix = prefix.slice(cut + 1);
    yield* this.walk(dirKey, namePrefix);
  }

  /** depth-first in S3 key order: entries sorted by UTF-8 bytes, a directory counting as `name/`. */
  private async *walk(dirKey: string, namePrefix: string): AsyncGenerator<ObjectStat> {
    const dir = dirKey ? this.pathOf(dirKey) : this.root;
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return;
      throw wrapIo(e);
    }
    const items = entries
      .filter((d) => !d.name.startsWith('.') && d.name.startsWith(namePrefix) && (d.isFile() || d.isDirectory()))
      .map((d) => ({ d, sortKey: Buffer.from(d.isDirectory() ? `${d.name}/` : d.name, 'utf8') }))
      .sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
    for (const { d } of items) {
      const key = dirKey ? `${dirKey}/${d.name}` : d.name;
      if (d.isDirectory()) {
        yield* this.walk(key, '');
        continue;
      }
      const file = path.join(dir, d.name);
      let st;
      try {
        st = await fsp.lstat(file);
      } catch (e) {
        if (isMissing(e)) continue; // removed while listing
        throw wrapIo(e);
      }
      yield toStat(key, st.size, st.mtimeMs, await this.readSidecar(file));
    }
  }

  async remove(key: string, opts: RemoveOptions = {}): Promise<void> {
    assertValidKey(key);
    const file = this.pathOf(key);
    await this.mutex.run(key, async () => {
      const sc = await this.readSidecar(file);
      const exists = await this.isFile(file);
      if (!exists && !sc) return; // idempotent, like S3 DELETE
      if (exists && sc) this.assertDeletable(key, sc, opts.bypassGovernance ?? false);
      try {
        // object first: a crash in between leaves an orphan sidecar, which is ignored (no object)
        await fsp.rm(file, { force: true });
        await fsp.rm(sidecarPath(file), { force: true });
        await fsyncPath(path.dirname(file));
      } catch (e) {
        throw wrapIo(e);
      }
    });
  }

  async setRetention(key: string, until: Date, mode: RetentionMode, opts: SetRetentionOptions = {}): Promise<void> {
    assertValidKey(key);
    assertRetentionMode(mode);
    assertRetainUntil(until);
    this.assertCurrentVersion(key, opts.versionId);
    await this.updateSidecar(key, (sc) => {
      assertRetentionChangeAllowed(key, retentionOf(sc), { mode, until }, opts.bypassGovernance ?? false);
      sc.retention = { mode, until: until.toISOString() };
    });
  }

  async getRetention(key: string, opts: VersionOptions = {}): Promise<{ mode: RetentionMode; until: Date } | null> {
    const sc = await this.requireObject(key, opts.versionId);
    return retentionOf(sc);
  }

  async setLegalHold(key: string, on: boolean, opts: VersionOptions = {}): Promise<void> {
    assertValidKey(key);
    this.assertCurrentVersion(key, opts.versionId);
    await this.updateSidecar(key, (sc) => {
      if (on) sc.legalHold = true;
      else delete sc.legalHold;
    });
  }

  async getLegalHold(key: string, opts: VersionOptions = {}): Promise<boolean> {
    const sc = await this.requireObject(key, opts.versionId);
    return sc?.legalHold === true;
  }

  /**
   * Deletes temp files (`.tmp-*`) older than `olderThanMs` left by writes that crashed; they are
   * never visible as objects, this only reclaims space. Walks the whole tree: run it from a
   * janitor job or at start-up, not per request. Returns how many were removed.
   */
  async sweepTempFiles(olderThanMs = 60 * 60 * 1000): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    const visit = async (dir: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (isMissing(e)) return;
        throw wrapIo(e);
      }
      for (const d of entries) {
        const p = path.join(dir, d.name);
        if (d.isDirectory()) await visit(p);
        else if (d.isFile() && d.name.startsWith(TMP_PREFIX)) {
          const st = await fsp.lstat(p).catch(() => null);
          if (st && st.mtimeMs <= cutoff) {
            await fsp.rm(p, { force: true });
            removed++;
          }
        }
      }
    };
    await visit(this.root);
    return removed;
  }

  // ---- internals -------------------------------------------------------------------------------

  private pathOf(key: string): string {
    // keys are validated (no '..', no dot-segments, no absolute), so this stays under root
    return path.join(this.root, ...key.split('/'));
  }

  private assertCurrentVersion(key: string, versionId: string | undefined): void {
    if (!isCurrentVersion(versionId)) throw new ObjectNotFoundError(key, versionId);
  }

  private isDeletable(sc: Sidecar): boolean {
    try {
      this.assertDeletable('', sc, false);
      return true;
    } catch {
      return false;
    }
  }

  private assertDeletable(key: string, sc: Sidecar, bypassGovernance: boolean): void {
    if (sc.legalHold) throw new ObjectLockedError(key, 'legal-hold', { versionId: null });
    const r = retentionOf(sc);
    if (isActive(r) && (r.mode === 'COMPLIANCE' || !bypassGovernance)) {
      throw new ObjectLockedError(key, 'retention', { mode: r.mode, until: r.until, versionId: null });
    }
  }

  private async isFile(file: string): Promise<boolean> {
    try {
      return (await fsp.lstat(file)).isFile();
    } catch (e) {
      if (isMissing(e)) return false;
      throw wrapIo(e);
    }
  }

  private async readSidecar(file: string): Promise<Sidecar | null> {
    let text: string;
    try {
      text = await fsp.readFile(sidecarPath(file), 'utf8');
    } catch (e) {
      if (isMissing(e)) return null;
      throw wrapIo(e);
    }
    try {
      const sc = JSON.parse(text) as Sidecar;
      if (sc?.v !== 1) throw new Error(`unknown sidecar version ${String(sc?.v)}`);
      return sc;
    } catch (e) {
      // sidecars are written atomically, so this is damage, not a torn write: never guess the lock state
      throw new StorageError(`corrupt sidecar ${sidecarPath(file)}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** the sidecar of an existing object, or null if the object has none; ObjectNotFoundError if no object. */
  private async requireObject(key: string, versionId: string | undefined): Promise<Sidecar | null> {
    assertValidKey(key);
    this.assertCurrentVersion(key, versionId);
    const file = this.pathOf(key);
    if (!(await this.isFile(file))) throw new ObjectNotFoundError(key, versionId);
    return this.readSidecar(file);
  }

  private async updateSidecar(key: string, change: (sc: Sidecar) => void): Promise<void> {
    const file = this.pathOf(key);
    await this.mutex.run(key, async () => {
      let st;
      try {
        st = await fsp.lstat(file);
      } catch (e) {
        if (isMissing(e)) throw new ObjectNotFoundError(key);
        throw wrapIo(e);
      }
      if (!st.isFile()) throw new ObjectNotFoundError(key);
      // an object without sidecar (not written through this port) gets one now
      const sc: Sidecar = (await this.readSidecar(file)) ?? { v: 1, size: st.size, metadata: {}, createdAt: st.mtime.toISOString() };
      change(sc);
      await this.writeSidecar(file, sc);
    });
  }

  /** atomic replace of the sidecar of `file` (caller holds the key's lock) */
  private async writeSidecar(file: string, sc: Sidecar): Promise<void> {
    const dir = path.dirname(file);
    const tmp = await this.writeTemp(dir, JSON.stringify(sc));
    try {
      await fsp.rename(tmp, sidecarPath(file));
      await fsyncPath(dir);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw wrapIo(e);
    }
  }

  /** temp file in `dir`, fsynced, for an atomic rename into place */
  private async writeTemp(dir: string, content: string): Promise<string> {
    const tmp = path.join(dir, `${TMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const fh = await fsp.open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(content, 'utf8');
      await fh.sync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    } finally {
      await fh.close().catch(() => undefined);
    }
    return tmp;
  }

  /** mkdir -p, fsyncing the parent of every directory created so the new entries survive a crash */
  private async mkdirs(dir: string, key: string): Promise<void> {
    let first: string | undefined;
    try {
      first = await fsp.mkdir(dir, { recursive: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EEXIST') throw new InvalidKeyError(key, 'a parent path of this key is an existing object');
      throw wrapIo(e);
    }
    if (!first) return;
    for (let d = first; ; d = path.join(d, path.relative(d, dir).split(path.sep)[0]!)) {
      await fsyncPath(path.dirname(d));
      if (d === dir) break;
    }
  }
}

function sidecarPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.meta.json`);
}

function isCurrentVersion(versionId: string | undefined | null): boolean {
  return versionId === undefined || versionId === null || versionId === 'null';
}

/** `sc` with the requested retention if it is not weaker than the current one, and the hold if asked */
function strengthen(key: string, sc: Sidecar, retention: RetentionState | undefined, hold: boolean): Sidecar {
  const next: Sidecar = { ...sc };
  if (retention) {
    try {
      assertRetentionChangeAllowed(key, retentionOf(sc), retention);
      next.retention = { mode: retention.mode, until: retention.until.toISOString() };
    } catch (e) {
      if (!(e instanceof RetentionShortenError)) throw e; // the stronger existing retention stays
    }
  }
  if (hold) next.legalHold = true;
  return next;
}

function retentionOf(sc: Sidecar | null): RetentionState | null {
  if (!sc?.retention) return null;
  return { mode: sc.retention.mode, until: new Date(sc.retention.until) };
}

function toStat(key: string, size: number, mtimeMs: number, sc: Sidecar | null): ObjectStat {
  // a sidecar whose size disagrees belongs to an earlier object (crash between the two renames)
  const fresh = sc && sc.size === size ? sc : null;
  return {
    key,
    size,
    versionId: null,
    lastModified: new Date(Math.floor(mtimeMs)), // own Date, not the Stats one (another realm under jest)
    ...(fresh?.sha256 ? { sha256: fresh.sha256 } : {}),
    ...(fresh?.contentType ? { contentType: fresh.contentType } : {}),
    metadata: { ...(fresh?.metadata ?? {}) },
  };
}

async function renameInto(tmp: string, file: string, key: string): Promise<void> {
  try {
    await fsp.rename(tmp, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') throw new InvalidKeyError(key, 'the key is a prefix of existing objects');
    throw e;
  }
}

async function fsyncPath(p: string): Promise<void> {
  const fh = await fsp.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

function wrapIo(e: unknown): Error {
  if (e instanceof StorageError) return e;
  const err = e as NodeJS.ErrnoException;
  // errors of the caller's body stream pass through unchanged: they are not storage failures
  if (!err?.code || !err.syscall) return err instanceof Error ? err : new Error(String(e));
  return new StorageUnavailableError(`filesystem ${err.syscall} failed: ${err.message}`, { cause: e });
}
