import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../apps/archive-api/src/app.module';
import { configureApp } from '../../apps/archive-api/src/app.setup';
import { AppConfig, loadConfig } from '../../apps/archive-api/src/config/app-config';
import { createTestDatabase } from './database';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The real application on a fresh database of the suite's PostgreSQL and, unless the env given
 * says otherwise, the filesystem object store in a temp dir.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase('e2e');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-e2e-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', ARCHIVE_DATA_DIR: dataDir, DATABASE_URL: db.url, ...env });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
  configureApp(app);
  await app.init();
  return {
    app,
    config,
    dataDir,
    close: async () => {
      await app.close();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
