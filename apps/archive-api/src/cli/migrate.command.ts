import { Command, CommandRunner } from 'nest-commander';
import { DatabaseServer } from '../database/database-server';
import { withDataSource } from '../database/data-source-options';

@Command({ name: 'migrate', description: 'Run pending database migrations' })
export class MigrateCommand extends CommandRunner {
  constructor(private readonly server: DatabaseServer) {
    super();
  }

  async run(): Promise<void> {
    await withDataSource(await this.server.url(), async (ds) => {
      const applied = await ds.runMigrations({ transaction: 'each' });
      if (applied.length === 0) process.stdout.write('database schema is up to date\n');
      for (const m of applied) process.stdout.write(`applied ${m.name}\n`);
    });
  }
}
