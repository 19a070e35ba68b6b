import { canonicalJson, chainHash, GENESIS_HASH, normalizeDetails } from './audit-chain';

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
