/**
 * API keys verified recently, by the SHA-256 of their token, for a few seconds: authentication is the
 * first database round trip of every request (bench/retrieval), and a client downloading records sends
 * the same key again and again. Only successful checks are kept (a refusal always goes to the database
 * and the audit trail).
 *
 * Revocation: `evict(keyId)` drops the key at once in this process (ApiKeysService calls it after the
 * revocation commits); other instances stop accepting it when their entry expires, at most `ttlMs`
 * later. A check that started before an eviction does not put its (older) answer back: entries are
 * only stored when no eviction happened since the check began (`generation`).
 */
export class VerifiedKeyCache<V extends { id: string }> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private gen = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Read it before looking the key up; pass it to `set`. */
  get generation(): number {
    return this.gen;
  }

  get(tokenHash: string): V | undefined {
    const e = this.entries.get(tokenHash);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return e.value;
  }

  set(tokenHash: string, value: V, generation: number): void {
    if (generation !== this.gen) return;
    this.entries.delete(tokenHash);
    if (this.entries.size >= this.maxEntries) {
      // Oldest first (Map keeps insertion order): bounded memory whatever the number of keys.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(tokenHash, { value, until: this.now() + this.ttlMs });
  }

  evict(keyId: string): void {
    this.gen++;
    for (const [h, e] of this.entries) if (e.value.id === keyId) this.entries.delete(h);
  }
}
