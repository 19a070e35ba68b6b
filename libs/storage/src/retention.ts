import { InvalidRetentionError, RetentionShortenError } from './errors';
import type { RetentionMode } from './types';

export interface RetentionState {
  mode: RetentionMode;
  until: Date;
}

export function assertRetentionMode(mode: unknown): asserts mode is RetentionMode {
  if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') throw new InvalidRetentionError(`retention mode must be GOVERNANCE or COMPLIANCE, got ${String(mode)}`);
}

/** retain-until must be a real date in the future (S3 refuses past dates too). */
export function assertRetainUntil(until: unknown, now = Date.now()): asserts until is Date {
  if (!(until instanceof Date) || Number.isNaN(until.getTime())) throw new InvalidRetentionError('retain-until must be a valid Date');
  if (until.getTime() <= now) throw new InvalidRetentionError(`retain-until ${until.toISOString()} is not in the future`);
}

export function isActive(r: RetentionState | null | undefined, now = Date.now()): r is RetentionState {
  return !!r && r.until.getTime() > now;
}

/**
 * Same rule for both drivers (S3 Object Lock semantics, made stricter for GOVERNANCE): an active
 * retention may only be extended, or raised from GOVERNANCE to COMPLIANCE. Shortening or weakening a
 * GOVERNANCE retention needs `bypassGovernance`; a COMPLIANCE retention can never be shortened.
 */
export function assertRetentionChangeAllowed(
  key: string,
  current: RetentionState | null,
  requested: RetentionState,
  bypassGovernance = false,
  now = Date.now(),
): void {
  if (!isActive(current, now)) return;
  const weaker = requested.until.getTime() < current.until.getTime() || (current.mode === 'COMPLIANCE' && requested.mode !== 'COMPLIANCE');
  if (!weaker) return;
  if (current.mode === 'GOVERNANCE' && bypassGovernance) return;
  throw new RetentionShortenError(key, current, requested);
}

/** The retention a put asks for (validated), or undefined when it asks for none. Shared by both drivers. */
export function requestedRetention(opts: { retainUntil?: Date; retentionMode?: RetentionMode }, defaultMode: RetentionMode): RetentionState | undefined {
  if (opts.retainUntil === undefined) return undefined;
  const mode = opts.retentionMode ?? defaultMode;
  assertRetentionMode(mode);
  assertRetainUntil(opts.retainUntil);
  return { mode, until: opts.retainUntil };
}
