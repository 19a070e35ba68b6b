import { StorageError } from './errors';
import { FsObjectStore } from './fs-object-store';
import { S3ObjectStore } from './s3-object-store';
import type { ObjectStore, ObjectStoreConfig } from './types';

/** Builds the driver named by `config.driver`. Call `ensureReady()` on the result before use. */
export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  switch (config.driver) {
    case 'fs':
      return new FsObjectStore(config);
    case 's3':
      return new S3ObjectStore(config);
    default:
      throw new StorageError(`unknown object store driver ${JSON.stringify((config as { driver?: unknown }).driver)}`);
  }
}
