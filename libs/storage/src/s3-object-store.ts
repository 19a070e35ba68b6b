import { createHash, randomBytes, type Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';

import { Client } from 'minio';

import {
  InvalidRangeError,
  ObjectLockUnavailableError,
  ObjectLockedError,
  ObjectNotFoundError,
  RetentionShortenError,
  StorageError,
  StorageUnavailableError,
} from './errors';
import { HashingStream, sha256Hex } from './hashing';
import { removeOrphanSpools } from './spool';
import {
  assertValidKey,
  assertValidPrefix,
  assertValidRange,
  decodeMetaValue,
  encodeMetaValue,
  isHexSha256,
  normalizeMetadata,
} from './keys';
import { assertRetainUntil, assertRetentionChangeAllowed, assertRetentionMode, isActive, requestedRetention, type RetentionState } from './retention';
import type {
  GetOptions,
  ObjectStat,
  ObjectStore,
  PutOptions,
  PutResult,
  RemoveOptions,
  RetentionMode,
  S3StoreConfig,
  SetRetentionOptions,
  VersionOptions,
} from './types';

const MiB = 1024 * 1024;
export const DEFAULT_PART_SIZE = 16 * MiB;
const SHA_META = 'sha256';
/** headers `statObject` returns beside user metadata (its `x-amz-meta-` prefix is already stripped) */
const NON_USER_HEADERS = new Set([
  SHA_META, 'content-type', 'content-encoding', 'content-disposition', 'content-language', 'cache-control', 'expires',
]);

/** Internal knobs, for tests. */
export interface S3StoreTuning {
  /** MaxKeys per list request (default 1000) */
  listPageSize?: number;
}

interface VersionEntry {
  versionId: string | null;
  isDeleteMarker: boolean;
}

/**
 * S3 driver over the `minio` client (MinIO, Ceph RGW, AWS S3).
 *
 * Put: up to one part (`partSize`, 16 MiB) is read into memory; if the stream ends there it goes up in
 * one PUT. Longer streams are spooled to a temp file in `spoolDir` while hashed, then uploaded by
 * multipart from that file. The spool is the price of the SHA-256 in the object's user metadata:
 * S3 metadata is fixed when the upload starts, before the hash of a stream is known. Memory stays
 * at about one part per upload whatever the size.
 *
 * Object Lock: `putObject` cannot set lock headers (minio turns them into user metadata), so
 * retention and legal hold are applied right after the PUT on the returned versionId; if that fails
 * the new version is deleted again and the put fails.
 */
export class S3ObjectStore implements ObjectStore {
  readonly driver = 's3' as const;
  private lockEnabled = false;
  readonly client: Client;
  readonly bucket: string;
  private readonly partSize: number;
  private readonly spoolDir: string;
  private readonly wantLock: boolean;
  private readonly defaultMode: RetentionMode;
  private readonly listPageSize: number;

  constructor(private readonly config: Omit<S3StoreConfig, 'driver'>, tuning: S3StoreTuning = {}) {
    this.partSize = config.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isInteger(this.partSize) || this.partSize < 5 * MiB) throw new StorageError('partSize must be an integer >= 5 MiB');
    this.bucket = config.bucket;
    this.wantLock = config.objectLock !== 'off';
    this.defaultMode = config.objectLock === 'governance' ? 'GOVERNANCE' : 'COMPLIANCE';
    this.spoolDir = config.spoolDir ?? os.tmpdir();
    this.listPageSize = tuning.listPageSize ?? 1000;
    this.client = new Client({
      endPoint: config.endPoint,
      ...(config.port ? { port: config.port } : {}),
      useSSL: config.useSSL,
      region: config.region,
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      // an explicit partSize also stops minio from using ~0.5 GiB parts for streams of unknown length
      partSize: this.partSize,
    });
  }

  get objectLock(): boolean {
    return this.lockEnabled;
  }

  async ensureReady(): Promise<void> {
    const { bucket, region } = this.config;
    try {
      if (!(await this.client.bucketExists(bucket))) {
        try {
          await this.client.makeBucket(bucket, region, { ObjectLocking: this.wantLock });
        } catch (e) {
          // another instance created it first
          if (codeOf(e) !== 'BucketAlreadyOwnedByYou' && codeOf(e) !== 'BucketAlreadyExists') throw e;
        }
      }
      this.lockEnabled = await this.detectObjectLock();
      await this.sweepSpool();
    } catch (e) {
      throw mapError(e, `bucket ${bucket}`);
    }
    if (this.wantLock && !this.lockEnabled) {
      throw new ObjectLockUnavailableError(
        `S3 object lock is configured (${this.config.objectLock}) but bucket ${bucket} has no Object Lock ` +
          `(the server does not support it, or the bucket was created without it). Use a bucket created with Object Lock, or set object lock off.`,
      );
    }
  }

  /** spool files left by processes that died mid-put (SIGKILL, OOM) */
  private sweepSpool(): Promise<void> {
    return removeOrphanSpools(this.spoolDir, /^archive-s3-spool-(\d+)-[0-9a-f]+$/);
  }

  /** true when the bucket answers an Object Lock configuration with ObjectLockEnabled=Enabled */
  private async detectObjectLock(): Promise<boolean> {
    try {
      const cfg = (await this.client.getObjectLockConfig(this.bucket)) as { objectLockEnabled?: string } | undefined;
      return cfg?.objectLockEnabled === 'Enabled';
    } catch (e) {
      const code = codeOf(e);
      if (code === 'ObjectLockConfigurationNotFoundError' || code === 'InvalidRequest' || code === 'NotImplemented' || code === 'InvalidBucketState' || code === 'NoSuchObjectLockConfiguration') {
        return false;
      }
      throw e;
    }
  }

  async ping(): Promise<void> {
    let exists: boolean;
    try {
      exists = await withTimeout(this.client.bucketExists(this.bucket), 5000, 'S3 ping');
    } catch (e) {
      throw mapError(e, 'ping');
    }
    if (!exists) throw new StorageUnavailableError(`bucket ${this.bucket} does not exist`);
  }

  async put(key: string, body: Readable | Buffer, opts: PutOptions = {}): Promise<PutResult> {
    assertValidKey(key);
    const metadata = normalizeMetadata(opts.metadata);
    const retention = requestedRetention(opts, this.defaultMode);
    if ((retention || opts.legalHold) && !this.lockEnabled) {
      throw new ObjectLockUnavailableError(`bucket ${this.bucket} has no Object Lock: cannot retain or hold ${key}`);
    }

    const headers = (sha256: string): Record<string, string> => {
      const h: Record<string, string> = { 'Content-Type': opts.contentType ?? 'application/octet-stream', [`X-Amz-Meta-${SHA_META}`]: sha256 };
      for (const [k, v] of Object.entries(metadata)) h[`X-Amz-Meta-${k}`] = encodeMetaValue(v);
      return h;
    };

    let uploaded: { versionId: string | null; sha256: string; size: number };
    if (Buffer.isBuffer(body)) {
      const sha256 = sha256Hex(body);
      uploaded = { versionId: await this.putOne(key, body, sha256, headers(sha256)), sha256, size: body.length };
    } else {
      uploaded = await this.putStream(key, body, headers);
    }

    if (retention || opts.legalHold) {
      // hold first: unlike a COMPLIANCE retention it can be undone if the next step fails
      let held = false;
      try {
        if (opts.legalHold) {
          await this.applyLegalHold(key, uploaded.versionId, true);
          held = true;
        }
        if (retention) await this.applyRetention(key, uploaded.versionId, retention, false);
      } catch (e) {
        // never leave a version that the caller asked to protect but is not protected
        const v = uploaded.versionId ? { versionId: uploaded.versionId } : {};
        if (held) await this.applyLegalHold(key, uploaded.versionId, false).catch(() => undefined);
        await this.call(() => this.client.removeObject(this.bucket, key, v), key).catch(() => undefined);
        throw e;
      }
    }
    return { key, sha256: uploaded.sha256, size: uploaded.size, versionId: uploaded.versionId };
  }

  private async putStream(
    key: string,
    body: Readable,
    headers: (sha256: string) => Record<string, string>,
  ): Promise<{ versionId: string | null; sha256: string; size: number }> {
    const hasher = new HashingStream();
    const it = body.pipe(hasher)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    body.once('error', (e) => hasher.destroy(e)); // pipe() does not forward source errors
    const head: Buffer[] = [];
    let headBytes = 0;
    let done = false;
    try {
      while (headBytes <= this.partSize) {
        const r = await it.next();
        if (r.done) {
          done = true;
          break;
        }
        head.push(r.value);
        headBytes += r.value.length;
      }
    } catch (e) {
      body.destroy();
      throw e;
    }

    if (done) {
      const buf = Buffer.concat(head);
      head.length = 0;
      return { versionId: await this.putOne(key, buf, hasher.sha256, headers(hasher.sha256)), sha256: hasher.sha256, size: buf.length };
    }

    // larger than one part: spool to disk while hashing (the whole and each part), then multipart-upload from the file
    const spool = path.join(this.spoolDir, `archive-s3-spool-${process.pid}-${randomBytes(8).toString('hex')}`);
    let fh: fsp.FileHandle;
    try {
      await fsp.mkdir(this.spoolDir, { recursive: true });
      fh = await fsp.open(spool, 'wx+', 0o600);
    } catch (e) {
      body.destroy(); // the caller's source (a file, a socket) is released, not left half read
      throw e;
    }
    try {
      const parts = new PartHasher(this.partSize);
      try {
        for (const chunk of head) {
          parts.update(chunk);
          await fh.write(chunk);
        }
        head.length = 0;
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          parts.update(r.value);
          await fh.write(r.value);
        }
      } catch (e) {
        body.destroy();
        throw e;
      }
      const sha256 = hasher.sha256;
      const versionId = await this.putMultipart(key, fh, hasher.size, parts.digests(), headers(sha256));
      return { versionId, sha256, size: hasher.size };
    } finally {
      await fh.close().catch(() => undefined);
      await fsp.rm(spool, { force: true }).catch(() => undefined);
    }
  }

  /**
   * One PUT of bytes whose SHA-256 is already known, signed with it: SigV4's `x-amz-content-sha256`,
   * which the server checks against the body. minio's `putObject` would hash every buffer again
   * (SHA-256 to sign, MD5 for Content-MD5): about a tenth of the CPU of an ingest. Over TLS minio only
   * signs `UNSIGNED-PAYLOAD`; a whole-object PUT then carries the hash as `x-amz-checksum-sha256`
   * (checked by AWS). An UploadPart over TLS carries none: a part checksum requires the upload to declare
   * its algorithm and the completion to list every part's checksum, which minio's completion does not
   * send, so AWS and RGW would refuse the parts; TLS protects those bytes in transit, and the object's
   * SHA-256 was computed here. No lock headers are sent with the PUT (retention and hold follow it), so
   * Ceph RGW asks for no Content-MD5. `query` makes it an UploadPart. Answers the response headers (drained).
   */
  private async signedPut(key: string, body: Buffer, sha256: string, headers: Record<string, string>, query?: string): Promise<http.IncomingHttpHeaders> {
    const signed = this.client.enableSHA256;
    const h: Record<string, string> = { ...headers, 'Content-Length': String(body.length) };
    if (!signed && !query) h['x-amz-checksum-sha256'] = Buffer.from(sha256, 'hex').toString('base64');
    const res = await this.call(
      () => this.client.makeRequestStreamAsync({ method: 'PUT', bucketName: this.bucket, objectName: key, headers: h, ...(query ? { query } : {}) }, body, signed ? sha256 : '', [200], ''),
      key,
    );
    res.resume();
    await new Promise<void>((resolve, reject) => res.once('end', resolve).once('error', reject));
    return res.headers;
  }

  private async putOne(key: string, body: Buffer, sha256: string, headers: Record<string, string>): Promise<string | null> {
    return normalizeVersionId((await this.signedPut(key, body, sha256, headers))['x-amz-version-id']);
  }

  /**
   * Multipart upload from the spool file, one part in memory at a time, each part signed with the
   * SHA-256 computed while spooling. An incomplete upload of the key left by a crashed process is
   * aborted first; this one is aborted when it fails.
   */
  private async putMultipart(key: string, fh: fsp.FileHandle, size: number, partSha256: string[], headers: Record<string, string>): Promise<string | null> {
    await this.client.removeIncompleteUpload(this.bucket, key).catch(() => undefined);
    const uploadId = await this.call(() => this.client.initiateNewMultipartUpload(this.bucket, key, headers), key);
    try {
      const buf = Buffer.allocUnsafe(Math.min(this.partSize, size));
      const etags: { part: number; etag: string }[] = [];
      for (let i = 0; i < partSha256.length; i++) {
        const len = Math.min(this.partSize, size - i * this.partSize);
        for (let got = 0; got < len; ) {
          const { bytesRead } = await fh.read(buf, got, len - got, i * this.partSize + got);
          if (bytesRead === 0) throw new StorageError(`spool file of ${key} ended early`);
          got += bytesRead;
        }
        const h = await this.signedPut(key, buf.subarray(0, len), partSha256[i]!, {}, `partNumber=${i + 1}&uploadId=${uriEscape(uploadId)}`);
        etags.push({ part: i + 1, etag: String(h.etag ?? '').replace(/^"|"$/g, '') });
      }
      const done = await this.call(() => this.client.completeMultipartUpload(this.bucket, key, uploadId, etags), key);
      return normalizeVersionId(done.versionId);
    } catch (e) {
      await this.client.abortMultipartUpload(this.bucket, key, uploadId).catch(() => undefined);
      throw e;
    }
  }

  async get(key: string, opts: GetOptions = {}): Promise<Readable> {
    assertValidKey(key);
    assertValidRange(opts.range);
    const v = opts.versionId ? { versionId: opts.versionId } : {};
    return this.call(async () => {
      if (!opts.range) return this.client.getObject(this.bucket, key, v);
      const { start, end } = opts.range;
      if (start === 0 && end === undefined) {
        // minio sends no Range header for offset 0 / no length; ask for it explicitly so an empty object is a 416 as elsewhere
        const st = await this.client.statObject(this.bucket, key, v);
        if (st.size === 0) throw new InvalidRangeError(`range start 0 is past the end of ${key} (0 bytes)`);
        return this.client.getObject(this.bucket, key, v);
      }
      return this.client.getPartialObject(this.bucket, key, start, end === undefined ? 0 : end - start + 1, v);
    }, key, opts.versionId);
  }

  async stat(key: string, opts: VersionOptions = {}): Promise<ObjectStat | null> {
    assertValidKey(key);
    try {
      const st = await this.client.statObject(this.bucket, key, opts.versionId ? { versionId: opts.versionId } : {});
      const meta: Record<string, string> = {};
      for (const [k0, v] of Object.entries(st.metaData ?? {})) {
        const k = k0.toLowerCase();
        if (NON_USER_HEADERS.has(k) || k.startsWith('x-amz-') || typeof v !== 'string') continue;
        meta[k] = decodeMetaValue(v);
      }
      const sha = (st.metaData as Record<string, unknown>)?.[SHA_META];
      const ct = (st.metaData as Record<string, unknown>)?.['content-type'];
      return {
        key,
        size: st.size,
        versionId: normalizeVersionId(st.versionId),
        lastModified: st.lastModified,
        ...(isHexSha256(sha) ? { sha256: sha } : {}),
        ...(typeof ct === 'string' ? { contentType: ct } : {}),
        metadata: meta,
      };
    } catch (e) {
      const mapped = mapError(e, key, opts.versionId);
      if (mapped instanceof ObjectNotFoundError) return null;
      throw mapped;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectStat> {
    assertValidPrefix(prefix);
    // version listing gives each current object's versionId; latest delete markers hide a key
    for await (const page of this.listVersionPages(prefix)) {
      const current = page
        .filter((o) => o.isLatest && !o.isDeleteMarker)
        .sort((a, b) => Buffer.compare(Buffer.from(a.name, 'utf8'), Buffer.from(b.name, 'utf8')));
      for (const o of current) {
        yield { key: o.name, size: o.size, versionId: normalizeVersionId(o.versionId), lastModified: o.lastModified, metadata: {} };
      }
    }
  }

  private async *listVersionPages(
    prefix: string,
  ): AsyncGenerator<{ name: string; size: number; lastModified: Date; versionId: string | null; isLatest: boolean; isDeleteMarker: boolean }[]> {
    let keyMarker = '';
    let versionIdMarker = '';
    for (;;) {
      let res;
      try {
        res = await this.client.listObjectsQuery(this.bucket, prefix, '', {
          Delimiter: '',
          MaxKeys: this.listPageSize,
          IncludeVersion: true,
          keyMarker,
          versionIdMarker,
        });
      } catch (e) {
        throw mapError(e, prefix);
      }
      type Raw = { name?: string; size?: number; lastModified?: Date; versionId?: string; isLatest?: unknown; isDeleteMarker?: boolean };
      yield ((res.objects ?? []) as Raw[])
        .filter((o) => typeof o.name === 'string' && o.name !== '')
        .map((o) => ({
          name: o.name!,
          size: o.size ?? 0,
          lastModified: o.lastModified ?? new Date(0),
          versionId: normalizeVersionId(o.versionId),
          isLatest: String(o.isLatest) === 'true',
          isDeleteMarker: o.isDeleteMarker === true,
        }));
      if (!res.isTruncated || !res.keyMarker) return;
      // minio puts key-marker into the query verbatim, so it must be escaped here. The server's
      // NextKeyMarker is the last key of the page: RGW sends it raw, AWS URL-encoded (encoding-type=url).
      const names = new Set(((res.objects ?? []) as Raw[]).map((o) => o.name));
      let km = res.keyMarker;
      if (!names.has(km)) {
        try {
          const decoded = decodeURIComponent(km.replace(/\+/g, ' '));
          if (names.has(decoded)) km = decoded;
        } catch {
          /* not encoded */
        }
      }
      keyMarker = uriEscape(km);
      versionIdMarker = uriEscape(res.versionIdMarker ?? '');
    }
  }

  private async versionsOf(key: string): Promise<VersionEntry[]> {
    const out: VersionEntry[] = [];
    for await (const page of this.listVersionPages(key)) {
      for (const o of page) if (o.name === key) out.push({ versionId: o.versionId, isDeleteMarker: o.isDeleteMarker });
    }
    return out;
  }

  async remove(key: string, opts: RemoveOptions = {}): Promise<void> {
    assertValidKey(key);
    const bypass = opts.bypassGovernance ?? false;
    const versions = await this.versionsOf(key);
    if (versions.length === 0) return;
    // check every version first so that a refused delete removes nothing (the server enforces it anyway)
    if (this.lockEnabled) {
      for (const v of versions) {
        if (v.isDeleteMarker || !v.versionId) continue;
        if (await this.getLegalHold(key, { versionId: v.versionId })) throw new ObjectLockedError(key, 'legal-hold', { versionId: v.versionId });
        const r = await this.getRetention(key, { versionId: v.versionId });
        if (isActive(r) && (r.mode === 'COMPLIANCE' || !bypass)) {
          throw new ObjectLockedError(key, 'retention', { mode: r.mode, until: r.until, versionId: v.versionId });
        }
      }
    }
    for (const v of versions) {
      try {
        await this.client.removeObject(this.bucket, key, {
          ...(v.versionId ? { versionId: v.versionId } : {}),
          ...(bypass ? { governanceBypass: true } : {}),
        });
      } catch (e) {
        if (codeOf(e) === 'AccessDenied') throw new ObjectLockedError(key, 'retention', { versionId: v.versionId }, { cause: e });
        const mapped = mapError(e, key, v.versionId ?? undefined);
        if (mapped instanceof ObjectNotFoundError) continue; // removed concurrently
        throw mapped;
      }
    }
  }

  async setRetention(key: string, until: Date, mode: RetentionMode, opts: SetRetentionOptions = {}): Promise<void> {
    assertValidKey(key);
    assertRetentionMode(mode);
    assertRetainUntil(until);
    if (!this.lockEnabled) throw new ObjectLockUnavailableError(`bucket ${this.bucket} has no Object Lock: cannot retain ${key}`);
    // pin the version: check and change must hit the same one even if a new version appears meanwhile
    const versionId = opts.versionId ?? (await this.currentVersionId(key));
    await this.applyRetention(key, versionId, { mode, until }, opts.bypassGovernance ?? false);
  }

  private async applyRetention(key: string, versionId: string | null, r: RetentionState, bypass: boolean): Promise<void> {
    const current = await this.getRetention(key, versionId ? { versionId } : {});
    assertRetentionChangeAllowed(key, current, r, bypass);
    // S3 wants the governance bypass for any mode change away from GOVERNANCE, even the raise to
    // COMPLIANCE; the check above has already refused every weakening, so asking for it is safe
    const raising = isActive(current) && current.mode === 'GOVERNANCE' && r.mode === 'COMPLIANCE';
    try {
      await this.client.putObjectRetention(this.bucket, key, {
        versionId: versionId ?? '',
        mode: r.mode,
        retainUntilDate: r.until.toISOString(),
        ...(bypass || raising ? { governanceBypass: true } : {}),
      });
    } catch (e) {
      if (codeOf(e) === 'AccessDenied' && current) throw new RetentionShortenError(key, current, r, { cause: e });
      throw mapError(e, key, versionId ?? undefined);
    }
  }

  async getRetention(key: string, opts: VersionOptions = {}): Promise<{ mode: RetentionMode; until: Date } | null> {
    assertValidKey(key);
    if (!this.lockEnabled) {
      await this.requireExists(key, opts.versionId);
      return null;
    }
    try {
      const r = await this.client.getObjectRetention(this.bucket, key, opts.versionId ? { versionId: opts.versionId } : undefined);
      if (!r || !r.mode || !r.retainUntilDate) return null;
      return { mode: r.mode as RetentionMode, until: new Date(r.retainUntilDate) };
    } catch (e) {
      if (isNoLockConfig(e)) {
        await this.requireExists(key, opts.versionId);
        return null;
      }
      throw mapError(e, key, opts.versionId);
    }
  }

  async setLegalHold(key: string, on: boolean, opts: VersionOptions = {}): Promise<void> {
    assertValidKey(key);
    if (!this.lockEnabled) throw new ObjectLockUnavailableError(`bucket ${this.bucket} has no Object Lock: cannot hold ${key}`);
    const versionId = opts.versionId ?? (await this.currentVersionId(key));
    await this.applyLegalHold(key, versionId, on);
  }

  private async applyLegalHold(key: string, versionId: string | null, on: boolean): Promise<void> {
    // typed as void in minio 8, but it is async: await it so errors surface here
    await this.call(
      async () => this.client.setObjectLegalHold(this.bucket, key, { ...(versionId ? { versionId } : {}), status: on ? 'ON' : 'OFF' }),
      key,
      versionId ?? undefined,
    );
  }

  async getLegalHold(key: string, opts: VersionOptions = {}): Promise<boolean> {
    assertValidKey(key);
    if (!this.lockEnabled) {
      await this.requireExists(key, opts.versionId);
      return false;
    }
    try {
      // typed as 'ON' | 'OFF', but minio 8 returns the parsed <LegalHold> element ({ Status: 'ON' })
      const s = (await this.client.getObjectLegalHold(this.bucket, key, opts.versionId ? { versionId: opts.versionId } : undefined)) as unknown;
      const status = typeof s === 'object' && s !== null ? (s as { Status?: unknown }).Status : s;
      return String(status).toUpperCase() === 'ON';
    } catch (e) {
      if (isNoLockConfig(e)) {
        await this.requireExists(key, opts.versionId);
        return false;
      }
      throw mapError(e, key, opts.versionId);
    }
  }

  private async currentVersionId(key: string): Promise<string | null> {
    const st = await this.stat(key);
    if (!st) throw new ObjectNotFoundError(key);
    return st.versionId;
  }

  private async requireExists(key: string, versionId?: string): Promise<void> {
    if (!(await this.stat(key, versionId ? { versionId } : {}))) throw new ObjectNotFoundError(key, versionId);
  }

  private async call<T>(fn: () => Promise<T>, key: string, versionId?: string): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapError(e, key, versionId);
    }
  }
}

/** SHA-256 of each `partSize` slice of a stream, fed chunk by chunk (the signatures of its multipart upload). */
class PartHasher {
  private readonly done: string[] = [];
  private hash: Hash = createHash('sha256');
  private fill = 0;

  constructor(private readonly partSize: number) {}

  update(chunk: Buffer): void {
    for (let off = 0; off < chunk.length; ) {
      const n = Math.min(chunk.length - off, this.partSize - this.fill);
      this.hash.update(chunk.subarray(off, off + n));
      this.fill += n;
      off += n;
      if (this.fill === this.partSize) {
        this.done.push(this.hash.digest('hex'));
        this.hash = createHash('sha256');
        this.fill = 0;
      }
    }
  }

  digests(): string[] {
    return this.fill > 0 ? [...this.done, this.hash.digest('hex')] : this.done;
  }
}

function normalizeVersionId(v: unknown): string | null {
  return typeof v === 'string' && v !== '' && v !== 'null' ? v : null;
}

function codeOf(e: unknown): string | undefined {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'string' ? c : undefined;
}

function isNoLockConfig(e: unknown): boolean {
  const code = codeOf(e);
  return code === 'NoSuchObjectLockConfiguration' || code === 'ObjectLockConfigurationNotFoundError' || code === 'InvalidRequest';
}

/** minio / network errors -> the port's typed errors */
function mapError(e: unknown, key: string, versionId?: string): Error {
  if (e instanceof StorageError) return e;
  const code = codeOf(e);
  switch (code) {
    case 'NoSuchKey':
    case 'NotFound':
    case 'NoSuchVersion':
      return new ObjectNotFoundError(key, versionId);
    case 'InvalidArgument':
      // RGW answers a malformed versionId this way
      if (versionId) return new ObjectNotFoundError(key, versionId);
      break;
    case 'InvalidRange':
      return new InvalidRangeError(`range not satisfiable for ${key}`);
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ETIMEDOUT':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EPIPE':
    case 'TIMEOUT':
      return new StorageUnavailableError(`S3 unreachable (${code}) for ${key}: ${(e as Error).message}`, { cause: e });
  }
  if (code) return new StorageError(`S3 error ${code} for ${key}: ${(e as Error).message}`, { cause: e });
  return e instanceof Error ? e : new StorageError(String(e));
}

/** the escaping minio uses when it signs query strings (RFC 3986) */
function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'TIMEOUT' })), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(t);
  }
}
