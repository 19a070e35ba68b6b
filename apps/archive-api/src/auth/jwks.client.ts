import { createPublicKey, KeyObject } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';

const FETCH_TIMEOUT_MS = 5_000;
const MAX_JWKS_BYTES = 256 * 1024;

/**
 * The identity provider's signing keys (AUTH_JWKS_URL), cached. When a token names a `kid` we do
 * not know — the provider rotated its keys — the set is fetched again, but at most once per
 * AUTH_JWKS_MIN_REFRESH_SECONDS and one fetch at a time, so forged `kid`s cannot make us hammer it.
 */
@Injectable()
export class JwksClient {
  private readonly logger = new Logger('Jwks');
  private keys = new Map<string, { key: KeyObject; alg?: string }>();
  private fetchedAt = 0;
  private inflight: Promise<void> | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.config.auth.jwksUrl !== null;
  }

  async getKey(kid: string | undefined): Promise<{ key: KeyObject; alg?: string } | null> {
    if (!this.enabled) return null;
    const now = this.clock.now().getTime();
    const stale = now - this.fetchedAt > this.config.auth.jwksCacheSeconds * 1000;
    const known = this.lookup(kid);
    if (known && !stale) return known;
    const mayRefetch = now - this.fetchedAt >= this.config.auth.jwksMinRefreshSeconds * 1000 || this.fetchedAt === 0;
    if (stale || mayRefetch) {
      await this.refresh();
      return this.lookup(kid);
    }
    return known;
  }

  private lookup(kid: string | undefined): { key: KeyObject; alg?: string } | null {
    if (kid !== undefined) return this.keys.get(kid) ?? null;
    // A token without kid is only acceptable when the set has exactly one key.
    return this.keys.size === 1 ? [...this.keys.values()][0] : null;
  }

  private refresh(): Promise<void> {
    if (!this.inflight) {
      this.inflight = this.fetchKeys().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    const url = this.config.auth.jwksUrl as string;
    // Stamp the attempt first: a failing provider is retried no more often than a rotating one.
    this.fetchedAt = this.clock.now().getTime();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const text = await res.text();
      if (text.length > MAX_JWKS_BYTES) throw new Error('JWKS too large');
      const body = JSON.parse(text) as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error('no "keys" array');
      const next = new Map<string, { key: KeyObject; alg?: string }>();
      let anonymous = 0;
      for (const jwk of body.keys as Record<string, unknown>[]) {
        if (!jwk || typeof jwk !== 'object' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
        if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') continue; // never accept symmetric keys from a JWKS
        try {
          const key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
          const kid = typeof jwk.kid === 'string' ? jwk.kid : `#${anonymous++}`;
          next.set(kid, { key, alg: typeof jwk.alg === 'string' ? jwk.alg : undefined });
        } catch {
          this.logger.warn(`ignoring an unusable key in the JWKS (kid ${String(jwk.kid)})`);
        }
      }
      this.keys = next;
      this.logger.log(`loaded ${next.size} signing key(s) from the JWKS`);
    } catch (err) {
      // Keep the keys we had: a provider outage must not log everyone out.
      this.logger.warn(`could not fetch the JWKS: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
