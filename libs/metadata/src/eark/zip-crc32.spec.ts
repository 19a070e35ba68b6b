import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { useNativeCrc32ForYazl } from './zip-crc32';

/** The CRC-32 of the classic byte loop (what buffer-crc32 computes), as the reference. */
function reference(buf: Buffer, previous = 0): number {
  let crc = ~previous;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe('native CRC-32 for yazl', () => {
  const crc32 = createRequire(require.resolve('yazl'))('buffer-crc32') as { unsigned: (b: Buffer | string, p?: number | Buffer) => number };

  it('swaps in zlib.crc32 with the same results, chained over chunks as yazl calls it', () => {
    useNativeCrc32ForYazl();
    useNativeCrc32ForYazl(); // idempotent
    expect(typeof (zlib as { crc32?: unknown }).crc32).toBe('function');
    expect((crc32 as { native?: boolean }).native).toBe(true);
    const data = randomBytes(300_001);
    expect(crc32.unsigned(data)).toBe(reference(data));
    let running = 0;
    for (let off = 0; off < data.length; off += 65_536) running = crc32.unsigned(data.subarray(off, off + 65_536), running);
    expect(running).toBe(reference(data));
    expect(crc32.unsigned(Buffer.alloc(0))).toBe(0);
    expect(crc32.unsigned('123456789')).toBe(0xcbf43926); // the standard check value
    const prev = Buffer.alloc(4);
    prev.writeUInt32BE(reference(data.subarray(0, 10)));
    expect(crc32.unsigned(data.subarray(10), prev)).toBe(reference(data));
  });
});
