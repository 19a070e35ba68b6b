export * from './types';
export * from './errors';
export { createObjectStore } from './factory';
export { FsObjectStore } from './fs-object-store';
export { S3ObjectStore, DEFAULT_PART_SIZE } from './s3-object-store';
export type { S3StoreTuning } from './s3-object-store';
export { assertValidKey, assertValidPrefix } from './keys';
export { HashingStream } from './hashing';
export { removeOrphanSpools } from './spool';
