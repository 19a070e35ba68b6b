import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json';

/**
 * The hash chain of the audit trail, as pure functions (used by the service, the HTTP verifier and
 * the CLI alike). hash(n) = SHA-256(hash(n-1) + canonicalJson(event n)), hash(0) = 64 zeros.
 * The sequence number is part of the hashed content, so moving a row breaks the chain too.
 */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditOutcome = 'SUCCESS' | 'DENIED' | 'FAILURE';

/** The hashed content of one event (everything but prevHash/hash). */
export interface ChainedEvent {
  seq: number;
  id: string;
  at: string; // ISO 8601 with milliseconds, UTC
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
}

/** A row of `audit_events` as PostgreSQL returns it (bigint seq as a string). */
export interface AuditEventRow {
  seq: string;
  id: string;
  at: Date;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export function chainHash(prevHash: string, event: ChainedEvent): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(event)).digest('hex');
}

/**
 * `canonicalJson(event)` split around the value of `seq`, as UTF-8: `before + seq + after` is the
 * canonical JSON of the event with that sequence number. Lets PostgreSQL compute `chainHash` in the
 * statement that takes the next sequence number (one round trip per append), with bytes identical
 * to the ones hashed here and by the verifier.
 */
export function canonicalJsonAroundSeq(event: Omit<ChainedEvent, 'seq'>): { before: Buffer; after: Buffer } {
  const s = canonicalJson({ ...event, seq: 0 });
  // The top-level key is the last `"seq":` of the text: only `target` (a string or null, whose quotes are
  // escaped) sorts after it; a `seq` key inside `details` comes earlier.
  const at = s.lastIndexOf('"seq":0');
  return { before: Buffer.from(s.slice(0, at + 6), 'utf8'), after: Buffer.from(s.slice(at + 7), 'utf8') };
}

/** A string PostgreSQL stores unchanged: no NUL (refused), no lone surrogate (becomes U+FFFD). */
export function storableString(s: string): string {
  return (s.replace(/\u0000/g, '') as string & { toWellFormed(): string }).toWellFormed();
}

function storable(v: unknown): unknown {
  if (typeof v === 'string') return storableString(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v === null || typeof v !== 'object') return v === undefined || typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x) => storable(x) ?? null);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const y = storable(x);
    // defineProperty: a "__proto__" key stays a key instead of replacing the prototype.
    if (y !== undefined) Object.defineProperty(out, storableString(k), { value: y, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Makes `details` storable and stable, so that what is hashed is exactly what jsonb gives back:
 * no NUL (jsonb refuses it), lone surrogates replaced, dates as ISO strings, non-finite numbers null.
 */
export function normalizeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!details) return {};
  const v = storable(details);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Strings for the text columns: storable, bounded. */
export function cleanText(s: string | null | undefined, max = 1000): string | null {
  if (s === null || s === undefined) return null;
  return storableString(s).slice(0, max);
}
