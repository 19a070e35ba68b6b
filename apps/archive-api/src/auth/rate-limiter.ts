import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';

const MAX_TRACKED = 100_000;

/**
 * Fixed-window counters per client IP, in memory: anonymous requests and failed authentications.
 * Per instance — with N instances behind a balancer the effective limit is up to N× the setting;
 * the reverse proxy is the place for a shared limit. The map is bounded so a flood of spoofed
 * addresses cannot exhaust memory.
 */
@Injectable()
export class RateLimiter {
  private windowStart = 0;
  private readonly counters = { public: new Map<string, number>(), authFailure: new Map<string, number>() };

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Counts one hit; returns seconds to wait when over the limit, else 0. */
  hit(bucket: 'public' | 'authFailure', ip: string): number {
    const limit = bucket === 'public' ? this.config.rateLimit.publicPerWindow : this.config.rateLimit.authFailuresPerWindow;
    if (limit <= 0) return 0;
    const map = this.roll()[bucket];
    const n = (map.get(ip) ?? 0) + 1;
    if (map.size >= MAX_TRACKED && !map.has(ip)) map.clear();
    map.set(ip, n);
    return n > limit ? this.retryAfter() : 0;
  }

  /** Whether the IP already used up its failed-authentication allowance (checked before trying). */
  blocked(bucket: 'public' | 'authFailure', ip: string): number {
    const limit = bucket === 'public' ? this.config.rateLimit.publicPerWindow : this.config.rateLimit.authFailuresPerWindow;
    if (limit <= 0) return 0;
    return (this.roll()[bucket].get(ip) ?? 0) >= limit ? this.retryAfter() : 0;
  }

  private roll(): RateLimiter['counters'] {
    const now = this.clock.now().getTime();
    const windowMs = this.config.rateLimit.windowSeconds * 1000;
    if (now - this.windowStart >= windowMs) {
      this.windowStart = now - (now % windowMs);
      this.counters.public.clear();
      this.counters.authFailure.clear();
    }
    return this.counters;
  }

  private retryAfter(): number {
    const windowMs = this.config.rateLimit.windowSeconds * 1000;
    return Math.max(1, Math.ceil((this.windowStart + windowMs - this.clock.now().getTime()) / 1000));
  }
}
