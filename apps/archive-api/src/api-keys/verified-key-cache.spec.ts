import { VerifiedKeyCache } from './verified-key-cache';

describe('VerifiedKeyCache', () => {
  let now = 0;
  const cache = () => new VerifiedKeyCache<{ id: string; role: string }>(5000, 3, () => now);
  beforeEach(() => {
    now = 1000;
  });

  it('answers for ttl only', () => {
    const c = cache();
    c.set('h1', { id: 'k1', role: 'ARCHIVIST' }, c.generation);
    expect(c.get('h1')).toEqual({ id: 'k1', role: 'ARCHIVIST' });
    now += 4999;
    expect(c.get('h1')).toBeDefined();
    now += 1;
    expect(c.get('h1')).toBeUndefined();
  });

  it('forgets an evicted key at once, and does not take back an answer read before the eviction', () => {
    const c = cache();
    c.set('h1', { id: 'k1', role: 'ARCHIVIST' }, c.generation);
    c.set('h2', { id: 'k2', role: 'AUDITOR' }, c.generation);
    const started = c.generation; // a check of k1 in flight while k1 is revoked
    c.evict('k1');
    expect(c.get('h1')).toBeUndefined();
    expect(c.get('h2')).toBeDefined();
    c.set('h1', { id: 'k1', role: 'ARCHIVIST' }, started);
    expect(c.get('h1')).toBeUndefined();
    c.set('h1', { id: 'k1', role: 'ARCHIVIST' }, c.generation);
    expect(c.get('h1')).toBeDefined();
  });

  it('holds at most maxEntries, dropping the oldest', () => {
    const c = cache();
    for (const i of [1, 2, 3, 4]) c.set(`h${i}`, { id: `k${i}`, role: 'ARCHIVIST' }, c.generation);
    expect(c.get('h1')).toBeUndefined();
    expect(['h2', 'h3', 'h4'].map((h) => c.get(h)?.id)).toEqual(['k2', 'k3', 'k4']);
  });
});
