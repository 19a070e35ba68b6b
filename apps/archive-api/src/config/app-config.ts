import * as path from 'node:path';

/**
 * Typed configuration, read once from the environment and validated at start-up.
 * A bad value stops the process with a message naming the variable (fail fast), never later.
 */
export type StorageDriver = 'fs' | 's3';
export type ObjectLockMode = 'off' | 'governance' | 'compliance';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface S3Config {
  endPoint: string;
  port: number | undefined;
  useSSL: boolean;
  region: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  objectLock: ObjectLockMode;
}

export interface AppConfigValues {
  port: number;
  /** null: start the embedded PostgreSQL under dataDir. */
  databaseUrl: string | null;
  storageDriver: StorageDriver;
  s3: S3Config | null;
  dataDir: string;
  adminToken: string | null;
  logLevel: LogLevel;
  /** Upper bound of a JSON request body (transfers stream their documents and are not bound by it). */
  jsonBodyLimit: string;
  corsOrigins: string[];
  auth: AuthConfig;
  rateLimit: RateLimitConfig;
  audit: AuditConfig;
  /** Path of the archive's signing key (PEM or PKCS#12); null: a development key under dataDir. */
  signingKeyPath: string | null;
  signingKeyPassword: string | null;
  jobs: JobsConfig;
  transfers: TransfersConfig;
  search: SearchConfig;
}

/** Search (issue 7): ranking bounds and the background text extraction. README "Search". */
export interface SearchConfig {
  /** Matches ranked per query; beyond it the hit set is sampled and the total estimated (`totalIsEstimate`). */
  rankCandidates: number;
  /** Heap blocks scanned for the candidates of a query made only of very common words (0: always the GIN index). */
  probeBlocks: number;
  /** PDF text extraction bounds: bigger files, extra pages and slow parses are skipped, never failed. */
  textMaxBytes: number;
  textMaxPages: number;
  textMaxChars: number;
  textTimeoutMs: number;
  /** How often documents without extracted text are picked up; 0 disables the sweep. */
  textSweepSeconds: number;
}

/** Transfers (nộp lưu), issue 6: limits, trust store and the signature policy. README "Transfers". */
export type SignatureAction = 'accept' | 'flag' | 'reject';
export interface TransfersConfig {
  /** Whole request body of one transfer; beyond it → 413. */
  maxBytes: number;
  /** One document (multipart part / package entry); beyond it → 413. */
  maxDocumentBytes: number;
  /** Parts / documents per transfer. */
  maxParts: number;
  /** Trust anchors (PEM/DER files or directories) and CRLs; re-read when their files change. */
  trustAnchorsDir: string | null;
  trustCrlDir: string | null;
  /** PDFs larger than this are not loaded for signature verification (bounded memory): INDETERMINATE. */
  verifyMaxBytes: number;
  /** Policy for verdicts that do not make a signature invalid (the invalid ones always reject). */
  policy: { untrusted: SignatureAction; expired: SignatureAction; weak: SignatureAction; unsigned: SignatureAction; missingAgencySignature: SignatureAction; notVerified: SignatureAction };
  /** Staged or stored objects no catalogue row claims are removed after this grace period. */
  janitorGraceSeconds: number;
  /** Mã cơ quan lưu trữ used in arcFileCode of the AIPs. */
  archiveCode: string;
  archiveName: string;
  /** Write the AIP_hoso ZIP of each accepted case file beside its originals (TRANSFER_WRITE_AIP, default true). */
  writeAip: boolean;
  /** Documents of one case file handled at once by the processing job (TRANSFER_DOC_CONCURRENCY). */
  docConcurrency: number;
  /**
   * Write the AIP in a follow-up job (`transfers.aip`) after the catalogue commit instead of before it
   * (TRANSFER_AIP_DEFERRED, default true): takes the second copy of every byte off the ingest path.
   */
  aipDeferred: boolean;
  /** Transfer jobs this instance runs at once, started right after a transfer is received (TRANSFER_JOB_CONCURRENCY). */
  jobConcurrency: number;
}

export interface JobsConfig {
  /** Durable job workers: poll interval in ms; 0 = this instance runs no jobs (an API-only node). */
  pollMs: number;
}

export interface AuthConfig {
  /** HS256 shared secret of the identity provider; null: HS256 tokens are refused. */
  jwtSecret: string | null;
  /** JWKS of the identity provider (RS256/ES256); null: asymmetric tokens are refused. */
  jwksUrl: string | null;
  /** Expected `iss` / `aud` when set. */
  jwtIssuer: string | null;
  jwtAudience: string | null;
  /** Keys are re-fetched at most this often when an unknown `kid` shows up (no fetch storms). */
  jwksMinRefreshSeconds: number;
  /** Keys are considered fresh this long. */
  jwksCacheSeconds: number;
  clockSkewSeconds: number;
}

export interface RateLimitConfig {
  windowSeconds: number;
  /** Anonymous (citizen) requests per client IP per window; 0 disables. */
  publicPerWindow: number;
  /** Failed authentications per client IP per window before 429; 0 disables. */
  authFailuresPerWindow: number;
}

export interface AuditConfig {
  /** Seconds between signed checkpoints of the chain head; 0 disables the periodic job. */
  checkpointIntervalSeconds: number;
  /** Fingerprints of earlier archive keys whose checkpoints stay trusted after a key rotation. */
  trustedKeyFingerprints: string[];
}

/** Injection token and value class: `constructor(private readonly config: AppConfig)`. */
export class AppConfig implements AppConfigValues {
  port!: number;
  databaseUrl!: string | null;
  storageDriver!: StorageDriver;
  s3!: S3Config | null;
  dataDir!: string;
  adminToken!: string | null;
  logLevel!: LogLevel;
  jsonBodyLimit!: string;
  corsOrigins!: string[];
  auth!: AuthConfig;
  rateLimit!: RateLimitConfig;
  audit!: AuditConfig;
  signingKeyPath!: string | null;
  signingKeyPassword!: string | null;
  jobs!: JobsConfig;
  transfers!: TransfersConfig;
  search!: SearchConfig;

  constructor(values: AppConfigValues) {
    Object.assign(this, values);
  }

  /** What may be logged: secrets replaced, credentials stripped from URLs. */
  describe(): Record<string, unknown> {
    return {
      port: this.port,
      database: this.databaseUrl ? redactUrl(this.databaseUrl) : `embedded PostgreSQL in ${path.join(this.dataDir, 'postgres')}`,
      storageDriver: this.storageDriver,
      s3: this.s3
        ? { endPoint: this.s3.endPoint, port: this.s3.port, useSSL: this.s3.useSSL, region: this.s3.region, bucket: this.s3.bucket, objectLock: this.s3.objectLock }
        : undefined,
      dataDir: this.dataDir,
      adminToken: this.adminToken ? '[set]' : '[not set]',
      logLevel: this.logLevel,
      corsOrigins: this.corsOrigins,
      auth: {
        jwtSecret: this.auth.jwtSecret ? '[set]' : '[not set]',
        jwksUrl: this.auth.jwksUrl ? redactUrl(this.auth.jwksUrl) : null,
        jwtIssuer: this.auth.jwtIssuer,
        jwtAudience: this.auth.jwtAudience,
      },
      rateLimit: this.rateLimit,
      audit: this.audit,
      transfers: this.transfers,
      signingKey: this.signingKeyPath ? { path: this.signingKeyPath, password: this.signingKeyPassword ? '[set]' : '[not set]' } : '[development key under data directory]',
    };
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    // libpq-style URLs may carry secrets as parameters too (password, sslpassword, sslkey, tokens).
    for (const name of [...u.searchParams.keys()]) if (/pass|secret|token|key/i.test(name)) u.searchParams.set(name, '***');
    return u.toString();
  } catch {
    return '[unparseable URL]';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and validates the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = get(name);
    if (v === undefined) return fallback;
    if ((allowed as readonly string[]).includes(v.toLowerCase())) return v.toLowerCase() as T;
    problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${v}")`);
    return fallback;
  };
  const portOf = (name: string, fallback: number | undefined): number | undefined => {
    const v = get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1 || n > 65535) {
      problems.push(`${name}: must be a TCP port 1-65535 (got "${v}")`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = get(name);
    if (v === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(v)) return true;
    if (/^(false|0|no)$/i.test(v)) return false;
    problems.push(`${name}: must be true or false (got "${v}")`);
    return fallback;
  };

  const port = portOf('PORT', 3000) ?? 3000;

  let databaseUrl = get('DATABASE_URL') ?? null;
  if (databaseUrl !== null) {
    try {
      const u = new URL(databaseUrl);
      if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') problems.push('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    } catch {
      problems.push('DATABASE_URL: not a valid URL');
      databaseUrl = null;
    }
  }

  const s3Endpoint = get('S3_ENDPOINT');
  const storageDriver = oneOf<StorageDriver>('STORAGE_DRIVER', ['fs', 's3'], s3Endpoint ? 's3' : 'fs');
  let s3: S3Config | null = null;
  const objectLock = oneOf<ObjectLockMode>('S3_OBJECT_LOCK', ['off', 'governance', 'compliance'], 'governance');
  if (storageDriver === 's3') {
    const accessKey = get('S3_ACCESS_KEY');
    const secretKey = get('S3_SECRET_KEY');
    if (!s3Endpoint) problems.push('S3_ENDPOINT: required when STORAGE_DRIVER=s3');
    if (!accessKey) problems.push('S3_ACCESS_KEY: required when STORAGE_DRIVER=s3');
    if (!secretKey) problems.push('S3_SECRET_KEY: required when STORAGE_DRIVER=s3');
    let endPoint = s3Endpoint ?? '';
    let useSSL = bool('S3_USE_SSL', false);
    let urlPort: number | undefined;
    // Accept both the minio client's host form ("127.0.0.1") and a URL ("http://minio:9000").
    if (/^https?:\/\//i.test(endPoint)) {
      try {
        const u = new URL(endPoint);
        endPoint = u.hostname;
        if (get('S3_USE_SSL') === undefined) useSSL = u.protocol === 'https:';
        if (u.port) urlPort = Number(u.port);
      } catch {
        problems.push('S3_ENDPOINT: not a valid host name or URL');
      }
    }
    const bucket = get('S3_BUCKET') ?? 'archive';
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) problems.push(`S3_BUCKET: not a valid bucket name (got "${bucket}")`);
    s3 = {
      endPoint,
      port: portOf('S3_PORT', urlPort),
      useSSL,
      region: get('S3_REGION') ?? 'us-east-1',
      accessKey: accessKey ?? '',
      secretKey: secretKey ?? '',
      bucket,
      objectLock,
    };
  }

  const dataDir = path.resolve(cwd, get('ARCHIVE_DATA_DIR') ?? './data');

  const adminToken = get('ARCHIVE_ADMIN_TOKEN') ?? null;
  if (adminToken !== null && adminToken.length < 24) problems.push('ARCHIVE_ADMIN_TOKEN: must be at least 24 characters');

  const logLevel = oneOf<LogLevel>('LOG_LEVEL', LOG_LEVELS, 'info');

  const jsonBodyLimit = get('JSON_BODY_LIMIT') ?? '2mb';
  if (!/^\d+(b|kb|mb)$/i.test(jsonBodyLimit)) problems.push(`JSON_BODY_LIMIT: must look like 512kb or 2mb (got "${jsonBodyLimit}")`);

  const corsOrigins = (get('CORS_ORIGINS') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const o of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/i.test(o)) problems.push(`CORS_ORIGINS: each origin must look like https://host[:port] (got "${o}")`);
  }

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const v = get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      problems.push(`${name}: must be an integer ${min}-${max} (got "${v}")`);
      return fallback;
    }
    return n;
  };

  const jwtSecret = get('AUTH_JWT_SECRET') ?? null;
  // HS256 with a short secret is brute-forceable offline from any one token.
  if (jwtSecret !== null && Buffer.byteLength(jwtSecret) < 32) problems.push('AUTH_JWT_SECRET: must be at least 32 bytes');
  const jwksUrl = get('AUTH_JWKS_URL') ?? null;
  if (jwksUrl !== null) {
    try {
      const u = new URL(jwksUrl);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') problems.push('AUTH_JWKS_URL: must be an http(s) URL');
    } catch {
      problems.push('AUTH_JWKS_URL: not a valid URL');
    }
  }
  const auth: AuthConfig = {
    jwtSecret,
    jwksUrl,
    jwtIssuer: get('AUTH_JWT_ISSUER') ?? null,
    jwtAudience: get('AUTH_JWT_AUDIENCE') ?? null,
    jwksMinRefreshSeconds: int('AUTH_JWKS_MIN_REFRESH_SECONDS', 30, 0, 86_400),
    jwksCacheSeconds: int('AUTH_JWKS_CACHE_SECONDS', 600, 1, 604_800),
    clockSkewSeconds: int('AUTH_CLOCK_SKEW_SECONDS', 60, 0, 600),
  };

  const rateLimit: RateLimitConfig = {
    windowSeconds: int('RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    publicPerWindow: int('RATE_LIMIT_PUBLIC', 120, 0, 10_000_000),
    authFailuresPerWindow: int('RATE_LIMIT_AUTH_FAILURES', 20, 0, 10_000_000),
  };

  const trustedKeyFingerprints = (get('AUDIT_TRUSTED_KEY_FINGERPRINTS') ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const f of trustedKeyFingerprints) {
    if (!/^[0-9a-f]{64}$/.test(f)) problems.push(`AUDIT_TRUSTED_KEY_FINGERPRINTS: each entry must be a SHA-256 fingerprint in hex (got "${f}")`);
  }
  const audit: AuditConfig = { checkpointIntervalSeconds: int('AUDIT_CHECKPOINT_INTERVAL_SECONDS', 3600, 0, 604_800), trustedKeyFingerprints };

  const signingKeyRaw = get('ARCHIVE_SIGNING_KEY');
  const signingKeyPath = signingKeyRaw ? path.resolve(cwd, signingKeyRaw) : null;
  const signingKeyPassword = env.ARCHIVE_SIGNING_KEY_PASSWORD ?? null; // may legitimately have spaces: not trimmed
  if (signingKeyPath !== null && !/\.(pem|key|p12|pfx)$/i.test(signingKeyPath)) {
    problems.push('ARCHIVE_SIGNING_KEY: must be the path of a .pem/.key (PEM) or .p12/.pfx (PKCS#12) file');
  }

  const jobs: JobsConfig = { pollMs: int('JOBS_POLL_MS', 1000, 0, 3_600_000) };

  const bytesOf = (name: string, fallback: number): number => {
    const v = get(name);
    if (v === undefined) return fallback;
    const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(v);
    if (!m) {
      problems.push(`${name}: must be a size such as 512mb or 2gb (got "${v}")`);
      return fallback;
    }
    const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
    return Number(m[1]) * unit;
  };
  const action = (name: string, fallback: SignatureAction): SignatureAction => oneOf<SignatureAction>(name, ['accept', 'flag', 'reject'], fallback);
  const dirOf = (name: string): string | null => {
    const v = get(name);
    return v ? path.resolve(cwd, v) : null;
  };
  const transfers: TransfersConfig = {
    maxBytes: bytesOf('TRANSFER_MAX_BYTES', 20 * 1024 ** 3),
    maxDocumentBytes: bytesOf('TRANSFER_MAX_DOCUMENT_BYTES', 4 * 1024 ** 3),
    maxParts: int('TRANSFER_MAX_PARTS', 10_000, 1, 1_000_000),
    trustAnchorsDir: dirOf('TRUST_ANCHORS_DIR'),
    trustCrlDir: dirOf('TRUST_CRL_DIR'),
    verifyMaxBytes: bytesOf('SIGNATURE_VERIFY_MAX_BYTES', 64 * 1024 ** 2),
    policy: {
      untrusted: action('SIGNATURE_POLICY_UNTRUSTED', 'flag'),
      expired: action('SIGNATURE_POLICY_EXPIRED', 'flag'),
      weak: action('SIGNATURE_POLICY_WEAK', 'flag'),
      unsigned: action('SIGNATURE_POLICY_UNSIGNED', 'flag'),
      missingAgencySignature: action('SIGNATURE_POLICY_MISSING_AGENCY_SIGNATURE', 'flag'),
      notVerified: action('SIGNATURE_POLICY_NOT_VERIFIED', 'flag'),
    },
    janitorGraceSeconds: int('TRANSFER_JANITOR_GRACE_SECONDS', 24 * 3600, 0, 30 * 24 * 3600),
    archiveCode: get('ARCHIVE_CODE') ?? 'LTCQ',
    archiveName: get('ARCHIVE_NAME') ?? 'Lưu trữ cơ quan',
    writeAip: bool('TRANSFER_WRITE_AIP', true),
    docConcurrency: int('TRANSFER_DOC_CONCURRENCY', 4, 1, 64),
    aipDeferred: bool('TRANSFER_AIP_DEFERRED', true),
    jobConcurrency: int('TRANSFER_JOB_CONCURRENCY', 2, 1, 64),
  };

  const search: SearchConfig = {
    rankCandidates: int('SEARCH_RANK_CANDIDATES', 1000, 100, 1_000_000),
    probeBlocks: int('SEARCH_PROBE_BLOCKS', 2000, 0, 10_000_000),
    textMaxBytes: bytesOf('SEARCH_TEXT_MAX_BYTES', 64 * 1024 ** 2),
    textMaxPages: int('SEARCH_TEXT_MAX_PAGES', 300, 1, 100_000),
    textMaxChars: int('SEARCH_TEXT_MAX_CHARS', 200_000, 1000, 1_000_000),
    textTimeoutMs: int('SEARCH_TEXT_TIMEOUT_MS', 30_000, 100, 3_600_000),
    textSweepSeconds: int('SEARCH_TEXT_SWEEP_SECONDS', 300, 0, 86_400),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return new AppConfig({
    port,
    databaseUrl,
    storageDriver,
    s3,
    dataDir,
    adminToken,
    logLevel,
    jsonBodyLimit,
    corsOrigins,
    jobs,
    auth,
    transfers,
    search,
    rateLimit,
    audit,
    signingKeyPath,
    signingKeyPassword,
  });
}
