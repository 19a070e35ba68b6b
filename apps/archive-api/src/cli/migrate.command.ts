import { Command, CommandRunner } from 'nest-commander';
import { DataSource } from 'typeorm';
import { DatabaseServer } from '../database/database-server';
import { dataSourceOptions } from '../database/data-source-options';

@Command({ name: 'migrate', description: 'Run pending database migrations' })
export class MigrateCommand extends CommandRunner {
  constructor(private readonly server: DatabaseServer) {
    super();
  }

  async run(): Promise<void> {
    const ds = new DataSource(dataSourceOptions(await this.server.url()));
    await ds.initialize();
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      if (applied.length === 0) process.stdout.write('database schema is up to date\n');
      for (const m of applied) process.stdout.write(`applied ${m.name}\n`);
    } finally {
      await ds.destroy();
    }
  }
}
