import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli/cli.module';
import { ConfigError, loadConfig } from './config/app-config';
import { DatabaseServer } from './database/database-server';

/** `npm run cli -- <command>`: operators' commands (stdout carries results; logs go to stderr). */
async function main(): Promise<void> {
  try {
    loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const app = await CommandFactory.runWithoutClosing(CliModule, {
    logger: ['error', 'warn'],
    errorHandler: (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
    },
  });
  const database = app.get(DatabaseServer);
  await app.close();
  await database.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : 1);
});
