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

  if (problems.length > 0) throw new ConfigError(problems);
  return new AppConfig({ port, databaseUrl, storageDriver, s3, dataDir, adminToken, logLevel, jsonBodyLimit, corsOrigins });
}
