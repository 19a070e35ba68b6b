import { Readable, Transform, TransformCallback } from 'node:stream';
import type { ZipRangeSource } from '@archive/metadata';
import type { ObjectStore } from '@archive/storage';

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
