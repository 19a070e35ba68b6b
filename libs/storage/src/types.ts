import type { Readable } from 'node:stream';

/** Result of a completed put. `sha256` (hex) and `size` are computed while the bytes stream through. */
export interface PutResult {
  key: string;
  sha256: string;
  size: number;
  /** S3: the version id the server gave this write (null on an unversioned bucket). fs: always null. */
  versionId: string | null;
}

export interface ObjectStat {
  key: string;
  size: number;
  versionId: string | null;
  lastModified: Date;
  /** hex SHA-256 recorded at put time (user metadata on S3, sidecar on fs); absent if the object was not written by this port. */
  sha256?: string;
  contentType?: string;
  /** user metadata (keys lower-case). `list()` may leave it empty: call `stat()` for it. */
  metadata: Record<string, string>;
}

export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface PutOptions {
  contentType?: string;
  /** user metadata; keys `[a-z0-9][a-z0-9-]*`, values any string (non-ASCII is encoded on S3 transparently). */
  metadata?: Record<string, string>;
  /** WORM: retain this version until the date (requires `objectLock`). */
  retainUntil?: Date;
  /** defaults to the store's configured mode (COMPLIANCE unless configured otherwise). */
  retentionMode?: RetentionMode;
  legalHold?: boolean;
}

export interface VersionOptions {
  /** a specific version (S3 versioned buckets). On fs only null/undefined exist. */
  versionId?: string;
}

export interface GetOptions extends VersionOptions {
  /** byte range, `end` inclusive (like HTTP Range); `end` past the object's end is clamped. */
  range?: { start: number; end?: number };
}

export interface RemoveOptions {
  /** lift GOVERNANCE retention for this delete (COMPLIANCE and legal holds are never bypassed). */
  bypassGovernance?: boolean;
}

export interface SetRetentionOptions extends VersionOptions {
  /** allow shortening / weakening a GOVERNANCE retention (never a COMPLIANCE one). */
  bypassGovernance?: boolean;
}

/**
 * The object-store port. Keys look like `agency/2024/fileCode/docs/x.pdf` (see `assertValidKey`).
 * Every method throws the typed errors of `errors.ts`; I/O errors of the backend surface as
 * `StorageUnavailableError`.
 */
export interface ObjectStore {
  readonly driver: 'fs' | 's3';
  /** WORM enforced by the server (s3 bucket with Object Lock) or in software (fs: always true). Valid after `ensureReady()`. */
  readonly objectLock: boolean;
  /** ensure bucket / directories exist; detect Object Lock support. Call once at start-up. */
  ensureReady(): Promise<void>;
  /** streams `body` to the store; sha256 + size computed while streaming, memory bounded by the part size. */
  put(key: string, body: Readable | Buffer, opts?: PutOptions): Promise<PutResult>;
  /** throws ObjectNotFoundError when absent, InvalidRangeError when `range.start` is past the end. */
  get(key: string, opts?: GetOptions): Promise<Readable>;
  /** null when absent. */
  stat(key: string, opts?: VersionOptions): Promise<ObjectStat | null>;
  /** current objects whose key starts with `prefix` (plain string prefix, as S3), in key order. */
  list(prefix: string): AsyncIterable<ObjectStat>;
  /** deletes every version of `key`; ObjectLockedError (nothing deleted) when any version is retained or held. Idempotent. */
  remove(key: string, opts?: RemoveOptions): Promise<void>;
  /** RetentionShortenError when it would shorten or weaken an existing retention. */
  setRetention(key: string, until: Date, mode: RetentionMode, opts?: SetRetentionOptions): Promise<void>;
  getRetention(key: string, opts?: VersionOptions): Promise<{ mode: RetentionMode; until: Date } | null>;
  setLegalHold(key: string, on: boolean, opts?: VersionOptions): Promise<void>;
  getLegalHold(key: string, opts?: VersionOptions): Promise<boolean>;
  /** cheap round trip to the backend, for /health/ready. */
  ping(): Promise<void>;
}

export type ObjectLockSetting = 'off' | 'governance' | 'compliance';

export interface FsStoreConfig {
  driver: 'fs';
  rootDir: string;
  /** mode used when a put gives `retainUntil` without `retentionMode` (default 'compliance'). */
  defaultRetentionMode?: 'governance' | 'compliance';
}

export interface S3StoreConfig {
  driver: 's3';
  endPoint: string;
  port?: number;
  useSSL: boolean;
  region: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  /** 'off': plain bucket; otherwise the bucket is created with Object Lock and this is the default mode. */
  objectLock: ObjectLockSetting;
  /** multipart part size in bytes (min 5 MiB, default 16 MiB): bounds memory per upload. */
  partSize?: number;
  /** where puts larger than one part are spooled while their SHA-256 is computed (default os.tmpdir()). */
  spoolDir?: string;
}

export type ObjectStoreConfig = FsStoreConfig | S3StoreConfig;
