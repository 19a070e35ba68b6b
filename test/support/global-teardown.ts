import * as fs from 'node:fs';
import type { EmbeddedPostgresHandle } from '../../apps/archive-api/src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __ARCHIVE_TEST_PG__?: EmbeddedPostgresHandle }).__ARCHIVE_TEST_PG__;
  if (pg) {
    await pg.stop();
    fs.rmSync(pg.databaseDir, { recursive: true, force: true });
    fs.rmSync(`${pg.databaseDir}.password`, { force: true });
  }
  // The Ceph RGW is left running: it takes seconds to start and the next run reuses it.
}
