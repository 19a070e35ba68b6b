import { InvalidKeyError, InvalidMetadataError, InvalidRangeError } from './errors';

export const MAX_KEY_BYTES = 1024;

/**
 * Keys are `/`-separated relative paths such as `agency/2024/fileCode/docs/x.pdf`. Both drivers
 * apply the same rules so that a key valid on fs is valid on S3 and the other way round:
 * no empty key or segment (no leading/trailing/double `/`), no segment starting with `.` (this
 * rules out `.` and `..`, and leaves dot-names free for the fs driver's temp files and sidecars),
 * no backslash, no NUL or other control characters, at most 1024 UTF-8 bytes (the S3 limit).
 */
export function assertValidKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError(String(key), 'empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new InvalidKeyError(key, `longer than ${MAX_KEY_BYTES} bytes`);
  if (key.includes('\\')) throw new InvalidKeyError(key, 'backslash');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new InvalidKeyError(key, 'control character');
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'absolute');
  if (/^[A-Za-z]:/.test(key)) throw new InvalidKeyError(key, 'drive letter');
  if (key.normalize('NFC') !== key) throw new InvalidKeyError(key, 'not Unicode NFC');
  for (const seg of key.split('/')) {
    if (seg === '') throw new InvalidKeyError(key, 'empty segment');
    if (seg.startsWith('.')) throw new InvalidKeyError(key, `segment ${JSON.stringify(seg)} starts with "."`);
    // 240, not 255: the fs driver's sidecar name adds 11 bytes to a segment
    if (Buffer.byteLength(seg, 'utf8') > 240) throw new InvalidKeyError(key, 'segment longer than 240 bytes');
  }
}

/** A list prefix may be '' (everything) or end with '/'; other rules as for keys. */
export function assertValidPrefix(prefix: unknown): asserts prefix is string {
  if (prefix === '') return;
  if (typeof prefix !== 'string') throw new InvalidKeyError(String(prefix), 'prefix must be a string');
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/** Metadata keys reserved by the port or colliding with HTTP headers once the `x-amz-meta-` prefix is stripped. */
const RESERVED_META = new Set([
  'sha256', 'content-type', 'content-encoding', 'content-disposition', 'content-language', 'content-length',
  'cache-control', 'expires', 'etag', 'last-modified',
]);

export const MAX_METADATA_BYTES = 1800; // S3 allows 2 KiB of user metadata; keep room for our sha256

export function normalizeMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!metadata) return out;
  let bytes = 0;
  for (const [k0, v] of Object.entries(metadata)) {
    const k = k0.toLowerCase(); // S3 lower-cases header names: do the same on fs
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(k)) throw new InvalidMetadataError(`metadata key ${JSON.stringify(k0)} must match [a-z0-9][a-z0-9-]*`);
    if (RESERVED_META.has(k) || k.startsWith('x-amz-')) throw new InvalidMetadataError(`metadata key ${JSON.stringify(k0)} is reserved`);
    if (typeof v !== 'string') throw new InvalidMetadataError(`metadata value of ${k0} must be a string`);
    if (k in out) throw new InvalidMetadataError(`metadata key ${k} given twice (keys are case-insensitive)`);
    out[k] = v;
    bytes += k.length + Buffer.byteLength(encodeMetaValue(v));
  }
  if (bytes > MAX_METADATA_BYTES) throw new InvalidMetadataError(`metadata larger than ${MAX_METADATA_BYTES} bytes`);
  return out;
}

/**
 * HTTP header values must be printable ASCII, while archive metadata is often Vietnamese. Values
 * outside that set travel as an RFC 2047 encoded word and are decoded on read.
 */
export function encodeMetaValue(v: string): string {
  if (/^[\x20-\x7e]*$/.test(v) && !/^=\?UTF-8\?B\?.*\?=$/.test(v) && v.trim() === v) return v;
  return `=?UTF-8?B?${Buffer.from(v, 'utf8').toString('base64')}?=`;
}

export function decodeMetaValue(v: string): string {
  const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/i.exec(v);
  return m ? Buffer.from(m[1]!, 'base64').toString('utf8') : v;
}

export function assertValidRange(range: { start: number; end?: number } | undefined): void {
  if (!range) return;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) throw new InvalidRangeError(`range start must be an integer >= 0, got ${start}`);
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw new InvalidRangeError(`range end must be an integer >= start, got ${end}`);
  }
}

export function isHexSha256(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
}
