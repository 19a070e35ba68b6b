import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ZipRangeSource } from '@archive/metadata';
import { removeOrphanSpools, type ObjectStore } from '@archive/storage';

/** Thrown by a ByteLimit stream when more bytes than allowed flow through (→ 413). */
export class TooLargeError extends Error {
  constructor(readonly limit: number, readonly what: string) {
    super(`${what} is larger than ${limit} bytes`);
  }
}

/** Counts bytes and fails the stream as soon as `limit` is exceeded (never after the fact). */
export class ByteLimit extends Transform {
  bytes = 0;
  constructor(private readonly limit: number, private readonly what: string, private readonly onBytes?: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.onBytes?.(chunk.length);
    if (this.bytes > this.limit) return cb(new TooLargeError(this.limit, this.what));
    cb(null, chunk);
  }
}

/** Random access to a staged ZIP through ranged GETs of the object store (fs or S3): no local copy needed. */
export function storeRangeSource(store: ObjectStore, key: string, size: number): ZipRangeSource {
  return {
    size,
    createReadStream: (start: number, end: number): Promise<Readable> | Readable =>
      end <= start ? Readable.from([]) : store.get(key, { range: { start, end: end - 1 } }),
  };
}

/** Reads a whole stream up to `limit` bytes (small things only: manifests). */
export async function readSmall(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > limit) {
      stream.destroy();
      throw new TooLargeError(limit, what);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A document copied to a local file, hashed on the way: random access without holding it in memory. */
export interface LocalSpool {
  path: string;
  sha256: string;
  size: number;
  /** its first bytes (up to 1 KiB), to recognise the format */
  head: Buffer;
  remove(): Promise<void>;
}

const SPOOL_NAME = /^archive-doc-spool-(\d+)-[0-9a-f]+$/;

/** Copies a stream to a private temp file (SHA-256 and size on the way); the file is removed if the copy fails. */
export async function spoolToFile(stream: Readable, dir = os.tmpdir()): Promise<LocalSpool> {
  const file = path.join(dir, `archive-doc-spool-${process.pid}-${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      if (headBytes < 1024) {
        head.push(chunk.subarray(0, 1024 - headBytes));
        headBytes += Math.min(chunk.length, 1024 - headBytes);
      }
      cb(null, chunk);
    },
  });
  const remove = () => fsp.rm(file, { force: true }).then(() => undefined, () => undefined);
  try {
    await pipeline(stream, tap, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  } catch (e) {
    await remove();
    throw e;
  }
  return { path: file, sha256: hash.digest('hex'), size, head: Buffer.concat(head), remove };
}

/** Spool files of processes that died before removing them (SIGKILL, OOM). */
export function sweepSpools(dir = os.tmpdir()): Promise<void> {
  return removeOrphanSpools(dir, SPOOL_NAME);
}
