import { Injectable, Logger } from '@nestjs/common';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded-postgres';

/**
 * Where the database is: DATABASE_URL when given, otherwise an embedded PostgreSQL started on first
 * use under ARCHIVE_DATA_DIR. Started lazily so that CLI commands that need no database start none.
 */
@Injectable()
export class DatabaseServer {
  private readonly logger = new Logger('Database');
  private embedded: Promise<EmbeddedPostgresHandle> | null = null;

  constructor(private readonly config: AppConfig) {}

  get isEmbedded(): boolean {
    return this.config.databaseUrl === null;
  }

  async url(): Promise<string> {
    if (this.config.databaseUrl) return this.config.databaseUrl;
    this.embedded ??= startEmbeddedPostgres({
      databaseDir: path.join(this.config.dataDir, 'postgres'),
      persistent: true,
      log: {
        info: (m) => this.logger.log(m),
        warn: (m) => this.logger.warn(m),
        debug: (m) => this.logger.debug(m),
      },
    }).then((handle) => {
      this.logger.log(`embedded PostgreSQL running, data in ${handle.databaseDir}`);
      return handle;
    });
    return (await this.embedded).url;
  }

  /**
   * Stops the embedded server. Called by main.ts / cli.ts after the app has closed, because Nest gives
   * no order between this and TypeORM closing its pool in the shutdown hooks.
   */
  async stop(): Promise<void> {
    if (!this.embedded) return;
    const handle = await this.embedded.catch(() => null);
    this.embedded = null;
    if (handle) {
      await handle.stop();
      this.logger.log('embedded PostgreSQL stopped');
    }
  }
}
