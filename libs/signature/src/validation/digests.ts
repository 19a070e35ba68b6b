/**
 * Digests over /ByteRange ranges, shared between signatures. Every signed revision starts with the
 * same bytes [0, start of its /Contents), and later revisions extend earlier ones, so one running hash
 * per algorithm is advanced through the file once and cloned at each /Contents hole (Hash.copy()).
 * For a document with N signatures this hashes the file about once instead of N (+1 for the
 * document's own SHA-256) times, which dominates the cost on large scans.
 */
import { DigestInfo, newHash } from '../crypto/algorithms';

export interface DigestRequest {
  alg: DigestInfo;
  /** [0, a, b, l] (validated /ByteRange) or [0, len] for a whole prefix. */
  ranges: number[];
}

const keyOf = (alg: DigestInfo, ranges: number[]): string => `${alg.node}:${alg.outputLength ?? ''}:${ranges.join(',')}`;

export class RangeDigests {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly buf: Uint8Array) {}

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
        if (prefixEnd > this.buf.length) continue;
        running.update(this.buf.subarray(pos, prefixEnd));
        pos = prefixEnd;
        let out: Buffer;
        if (r.ranges.length >= 4) {
          const h = running.copy(r.alg.outputLength ? { outputLength: r.alg.outputLength } : undefined);
          h.update(this.buf.subarray(r.ranges[2], r.ranges[2] + r.ranges[3]));
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
      for (let i = 0; i + 1 < ranges.length; i += 2) h.update(this.buf.subarray(ranges[i], ranges[i] + ranges[i + 1]));
      d = h.digest();
      this.cache.set(k, d);
    }
    return d;
  }
}
