import { Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import * as path from 'node:path';
import { createObjectStore, ObjectStore } from '@archive/storage';
import { AppConfig } from '../config/app-config';

/** Injection token for the object-store port (fs or s3 driver, chosen by configuration). */
export const OBJECT_STORE = Symbol('OBJECT_STORE');
export const InjectObjectStore = () => Inject(OBJECT_STORE);

export function objectStoreFromConfig(config: AppConfig): ObjectStore {
  if (config.storageDriver === 's3' && config.s3) {
    const s3 = config.s3;
    return createObjectStore({
      driver: 's3',
      endPoint: s3.endPoint,
      port: s3.port,
      useSSL: s3.useSSL,
      region: s3.region,
      accessKey: s3.accessKey,
      secretKey: s3.secretKey,
      bucket: s3.bucket,
      objectLock: s3.objectLock,
      // Multipart uploads are spooled to disk while hashed: keep that off /tmp, which may be RAM.
      spoolDir: path.join(config.dataDir, 'spool'),
    });
  }
  return createObjectStore({ driver: 'fs', rootDir: path.join(config.dataDir, 'objects') });
}

/** Prepares the bucket or directory when the service starts, and says how retention is enforced. */
@Injectable()
export class StorageBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Storage');

  constructor(
    @InjectObjectStore() private readonly store: ObjectStore,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.store.ensureReady();
    if (this.store.driver === 'fs') {
      this.logger.log(
        `object store: filesystem driver in ${path.join(this.config.dataDir, 'objects')}; retention and legal holds are enforced in software (no WORM device)`,
      );
    } else if (this.store.objectLock) {
      this.logger.log(`object store: S3 bucket "${this.config.s3?.bucket}" with Object Lock (${this.config.s3?.objectLock}); retention enforced by the server`);
    } else {
      this.logger.warn(`object store: S3 bucket "${this.config.s3?.bucket}" with S3_OBJECT_LOCK=off: no retention or legal holds on objects (WORM disabled)`);
    }
  }
}

@Global()
@Module({
  providers: [{ provide: OBJECT_STORE, inject: [AppConfig], useFactory: objectStoreFromConfig }],
  exports: [OBJECT_STORE],
})
export class StorageModule {}

/** The service also prepares the store at start-up; the CLI does so only in commands that need it. */
@Module({ imports: [StorageModule], providers: [StorageBootstrap] })
export class StorageWithBootstrapModule {}
