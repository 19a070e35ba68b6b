import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json';
import { canonicalJsonAroundSeq, chainHash, GENESIS_HASH, normalizeDetails } from './audit-chain';

describe('audit chain primitives', () => {
  it('canonical JSON sorts keys at every level and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('normalizes details to what PostgreSQL jsonb gives back', () => {
    expect(normalizeDetails({ s: 'a\u0000b', lone: '\uD800x', [`k\uDC00`]: 1, d: new Date('2026-01-02T03:04:05.006Z'), n: Infinity, u: undefined, f: () => 1 })).toEqual({
      s: 'ab',
      lone: '\uFFFDx',
      'k\uFFFD': 1,
      d: '2026-01-02T03:04:05.006Z',
      n: null,
    });
  });

  it('chains: any change of content or predecessor changes the hash', () => {
    const e = { seq: 1, id: 'x', at: '2026-01-01T00:00:00.000Z', actor: 'a', role: 'ADMIN', action: 'agency.create', target: 't', ip: null, outcome: 'SUCCESS' as const, details: {} };
    const h = chainHash(GENESIS_HASH, e);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, { ...e, seq: 2 })).not.toBe(h);
    expect(chainHash(GENESIS_HASH, { ...e, details: { x: 1 } })).not.toBe(h);
    expect(chainHash('1'.repeat(64), e)).not.toBe(h);
  });
});

describe('canonicalJsonAroundSeq', () => {
  it('splits the canonical JSON exactly around the top-level seq, whatever details and target hold', () => {
    const base = { id: 'x', at: '2026-01-01T00:00:00.000Z', actor: 'a', role: null, action: 'document.download', ip: '::1', outcome: 'SUCCESS' as const };
    const cases = [
      { ...base, target: null, details: {} },
      { ...base, target: '"seq":0', details: { seq: 0, nested: { seq: 7, '"seq":0': '"seq":0' } } },
      { ...base, target: 'document:Hồ sơ — đ', details: { s: 'Quyết định "số" 1\\', seq: [1, 2] } },
    ];
    for (const e of cases) {
      for (const seq of [1, 42, 9007199254740991]) {
        const { before, after } = canonicalJsonAroundSeq(e);
        expect(Buffer.concat([before, Buffer.from(String(seq)), after]).toString('utf8')).toBe(canonicalJson({ ...e, seq }));
        const viaParts = createHash('sha256').update(GENESIS_HASH).update(before).update(String(seq)).update(after).digest('hex');
        expect(viaParts).toBe(chainHash(GENESIS_HASH, { ...e, seq }));
      }
    }
  });
});
