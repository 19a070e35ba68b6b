import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';

/**
 * yazl computes each entry's CRC-32 with `buffer-crc32`, a byte-at-a-time loop in JavaScript (≈ 5 % of the
 * CPU of an ingest, 1 MB PDFs). Node ≥ 20.15 has it native (`zlib.crc32`, zlib's SIMD code); yazl takes
 * no option for it, so the `unsigned` function of the very module instance yazl loaded is swapped for
 * one with the same contract. Idempotent; a Node without `zlib.crc32` keeps the JavaScript one.
 */
export function useNativeCrc32ForYazl(): void {
  const native = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;
  if (typeof native !== 'function') return;
  const fromYazl = createRequire(require.resolve('yazl'));
  const crc32 = fromYazl('buffer-crc32') as { unsigned: (buf: Buffer | string, previous?: number | Buffer) => number; native?: true };
  if (crc32.native) return;
  crc32.unsigned = (buf, previous) => {
    const data = typeof buf === 'string' ? Buffer.from(buf) : buf;
    const prev = Buffer.isBuffer(previous) ? previous.readUInt32BE(0) : (previous ?? 0) >>> 0;
    return native(data, prev);
  };
  crc32.native = true;
}
