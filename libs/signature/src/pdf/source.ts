/**
 * Random access to the bytes of a PDF. The verifier reads through this interface only, so a file can
 * be verified without holding it in memory: objects are parsed from small windows, ranges are hashed
 * by streaming. Over a Uint8Array every read is a zero-copy `subarray` and the whole buffer is one
 * window, so the in-memory path parses exactly as it always did.
 */
import * as fs from 'fs';

export interface ByteSource {
  readonly size: number;
  /** Bytes [offset, offset + length) clipped to the source; may be a view valid until the next read. */
  read(offset: number, length: number): Uint8Array;
  /** The whole content, when it is already in memory (lets the parser use one window). */
  readonly whole?: Uint8Array;
  /**
   * Optional: fills `target` from `offset`, returns the bytes read. Lets the hashing pass reuse one
   * buffer (fresh memory per read costs page faults that are as slow as the hashing itself).
   */
  readInto?(offset: number, target: Uint8Array): number;
}

export function bufferSource(buf: Uint8Array): ByteSource {
  return {
    size: buf.length,
    whole: buf,
    read: (offset, length) => buf.subarray(Math.max(0, offset), Math.max(0, Math.min(buf.length, offset + length))),
  };
}

/**
 * A file read with `fs.readSync` (synchronous: verification is CPU-bound and the parser synchronous).
 * Every read returns fresh memory: callers keep parsed values that point into it.
 */
export function fileSource(fd: number, size = fs.fstatSync(fd).size): ByteSource {
  const fill = (out: Uint8Array, start: number, len: number): void => {
    let done = 0;
    while (done < len) {
      const n = fs.readSync(fd, out, done, len - done, start + done);
      if (n <= 0) throw new Error(`short read at ${start + done}`);
      done += n;
    }
  };
  return {
    size,
    read: (offset, length) => {
      const start = Math.max(0, Math.min(size, offset));
      const len = Math.max(0, Math.min(size, offset + length) - start);
      const out = Buffer.allocUnsafe(len);
      fill(out, start, len);
      return out;
    },
    readInto: (offset, target) => {
      const start = Math.max(0, Math.min(size, offset));
      const len = Math.max(0, Math.min(size, offset + target.length) - start);
      fill(target, start, len);
      return len;
    },
  };
}
