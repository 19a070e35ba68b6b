import { Command, CommandRunner } from 'nest-commander';
import type { ObjectStore } from '@archive/storage';
import { DatabaseServer } from '../database/database-server';
import { withDataSource } from '../database/data-source-options';
import { InjectObjectStore } from '../storage/storage.module';

/** Checks the database (and pending migrations) and the object store; exit 0 only when both answer. */
@Command({ name: 'health', description: 'Check the database and the object store' })
export class HealthCommand extends CommandRunner {
  constructor(
    private readonly server: DatabaseServer,
    @InjectObjectStore() private readonly store: ObjectStore,
  ) {
    super();
  }

  async run(): Promise<void> {
    const result: Record<string, unknown> = {};
    let ok = true;
    try {
      await withDataSource(await this.server.url(), async (ds) => {
        await ds.query('SELECT 1');
        result.database = { status: 'ok', pendingMigrations: await ds.showMigrations() };
      });
    } catch (err) {
      ok = false;
      result.database = { status: 'down', error: err instanceof Error ? err.message : String(err) };
    }
    try {
      await this.store.ensureReady();
      await this.store.ping();
      result.objectStore = { status: 'ok', driver: this.store.driver, objectLock: this.store.objectLock };
    } catch (err) {
      ok = false;
      result.objectStore = { status: 'down', driver: this.store.driver, error: err instanceof Error ? err.message : String(err) };
    }
    process.stdout.write(`${JSON.stringify({ status: ok ? 'ok' : 'down', ...result }, null, 2)}\n`);
    if (!ok) process.exitCode = 1;
  }
}
