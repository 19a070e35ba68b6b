/**
 * Digests over /ByteRange ranges, shared between signatures. Every signed revision starts with the
 * same bytes [0, start of its /Contents), and later revisions extend earlier ones, so one running hash
 * per algorithm is advanced through the file once and cloned at each /Contents hole (Hash.copy()).
 * For a document with N signatures this hashes the file about once instead of N (+1 for the
 * document's own SHA-256) times, which dominates the cost on large scans.
 */
import * as crypto from 'crypto';
import { DigestInfo, newHash } from '../crypto/algorithms';
import { ByteSource } from '../pdf/source';

export interface DigestRequest {
  alg: DigestInfo;
  /** [0, a, b, l] (validated /ByteRange) or [0, len] for a whole prefix. */
  ranges: number[];
}

const keyOf = (alg: DigestInfo, ranges: number[]): string => `${alg.node}:${alg.outputLength ?? ''}:${ranges.join(',')}`;

export class RangeDigests {
  private readonly cache = new Map<string, Buffer>();
  private chunk: Buffer | null = null;

  constructor(private readonly src: ByteSource) {}

  /**
   * Feeds bytes [start, end) to the hashes: one view of an in-memory input, or sequential reads of a
   * random-access source through one reused buffer (small, so it stays in cache while hashed).
   */
  private feed(hashes: crypto.Hash[], start: number, end: number): void {
    end = Math.min(end, this.src.size); // as subarray clips
    if (end <= start) return;
    if (this.src.whole) {
      const v = this.src.whole.subarray(start, end);
      for (const h of hashes) h.update(v);
      return;
    }
    const size = 1024 * 1024;
    if (this.src.readInto) this.chunk ??= Buffer.allocUnsafeSlow(size);
    for (let off = start; off < end; ) {
      const n = Math.min(size, end - off);
      const v = this.chunk && this.src.readInto ? this.chunk.subarray(0, this.src.readInto(off, this.chunk.subarray(0, n))) : this.src.read(off, n);
      if (v.length !== n) throw new Error(`short read at ${off}`);
      for (const h of hashes) h.update(v);
      off += n;
    }
  }

  /** Computes all requests with one pass per algorithm. Requests must start at offset 0. */
  precompute(requests: DigestRequest[]): void {
    const byAlg = new Map<string, DigestRequest[]>();
    for (const r of requests) {
      if (r.ranges[0] !== 0 || this.cache.has(keyOf(r.alg, r.ranges))) continue;
      const k = `${r.alg.node}:${r.alg.outputLength ?? ''}`;
      const list = byAlg.get(k) ?? [];
      list.push(r);
      byAlg.set(k, list);
    }
    for (const list of byAlg.values()) {
      list.sort((x, y) => x.ranges[1] - y.ranges[1]);
      const running = newHash(list[0].alg);
      let pos = 0;
      for (const r of list) {
        const prefixEnd = r.ranges[1];
        if (prefixEnd > this.src.size) continue;
        this.feed([running], pos, prefixEnd);
        pos = Math.max(pos, prefixEnd);
        let out: Buffer;
        if (r.ranges.length >= 4) {
          const h = running.copy(r.alg.outputLength ? { outputLength: r.alg.outputLength } : undefined);
          this.feed([h], r.ranges[2], r.ranges[2] + r.ranges[3]);
          out = h.digest();
        } else out = running.copy(r.alg.outputLength ? { outputLength: r.alg.outputLength } : undefined).digest();
        this.cache.set(keyOf(r.alg, r.ranges), out);
      }
    }
  }

  /** Digest of the ranges (from the precomputed pass when available). */
  digest(alg: DigestInfo, ranges: number[]): Buffer {
    const k = keyOf(alg, ranges);
    let d = this.cache.get(k);
    if (!d) {
      const h = newHash(alg);
      for (let i = 0; i + 1 < ranges.length; i += 2) this.feed([h], ranges[i], ranges[i] + ranges[i + 1]);
      d = h.digest();
      this.cache.set(k, d);
    }
    return d;
  }
}
