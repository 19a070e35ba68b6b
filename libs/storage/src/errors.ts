/** Base of every error thrown by the object-store port; `code` is stable for mapping to HTTP. */
export class StorageError extends Error {
  readonly code: string = 'STORAGE_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ObjectNotFoundError extends StorageError {
  override readonly code = 'OBJECT_NOT_FOUND';
  constructor(readonly key: string, readonly versionId?: string) {
    super(`object not found: ${key}${versionId ? ` (version ${versionId})` : ''}`);
  }
}

/** A version is under retention or legal hold, so it cannot be deleted or overwritten. */
export class ObjectLockedError extends StorageError {
  override readonly code = 'OBJECT_LOCKED';
  constructor(
    readonly key: string,
    readonly reason: 'retention' | 'legal-hold',
    readonly detail?: { mode?: string; until?: Date; versionId?: string | null },
    options?: { cause?: unknown },
  ) {
    super(
      reason === 'legal-hold'
        ? `object ${key} is under a legal hold`
        : `object ${key} is retained (${detail?.mode ?? 'retention'}) until ${detail?.until?.toISOString() ?? 'a future date'}`,
      options,
    );
  }
}

export class InvalidKeyError extends StorageError {
  override readonly code = 'INVALID_KEY';
  constructor(readonly key: string, reason: string) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
  }
}

export class InvalidMetadataError extends StorageError {
  override readonly code = 'INVALID_METADATA';
}

export class InvalidRangeError extends StorageError {
  override readonly code = 'INVALID_RANGE';
}

export class InvalidRetentionError extends StorageError {
  override readonly code = 'INVALID_RETENTION';
}

/** Retention can only be extended (or GOVERNANCE raised to COMPLIANCE), never shortened or weakened. */
export class RetentionShortenError extends StorageError {
  override readonly code = 'RETENTION_SHORTEN';
  constructor(
    readonly key: string,
    readonly current: { mode: string; until: Date },
    readonly requested: { mode: string; until: Date },
    options?: { cause?: unknown },
  ) {
    super(
      `retention of ${key} cannot be shortened or weakened: ${current.mode} until ${current.until.toISOString()} -> ${requested.mode} until ${requested.until.toISOString()}`,
      options,
    );
  }
}

/** Retention / legal hold asked of a store (bucket) that cannot enforce it. */
export class ObjectLockUnavailableError extends StorageError {
  override readonly code = 'OBJECT_LOCK_UNAVAILABLE';
}

/** The backend could not be reached or answered unexpectedly. */
export class StorageUnavailableError extends StorageError {
  override readonly code = 'STORAGE_UNAVAILABLE';
}
