/**
 * The long fuzz run (`npm run fuzz`): the same properties as the CI suite, many more cases, against a
 * real app on a fresh database. Uses DATABASE_URL when set (a scratch server!), otherwise starts an
 * embedded PostgreSQL for the run.
 *
 *   FUZZ_CASES=100000 FUZZ_SEED=42 npm run fuzz
 */
import 'reflect-metadata';
import { AddressInfo } from 'node:net';
import { startEmbeddedPostgres, tempClusterDir } from '../../apps/archive-api/src/database/embedded-postgres';
import { transferSamples } from './fuzz-samples';
import { runFuzz } from './fuzz-targets';
import { AGENCY_A, createSecurityWorld } from './security-fixtures';

async function main(): Promise<void> {
  const cases = Number(process.env.FUZZ_CASES ?? 50_000);
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
  let stopPg: (() => Promise<void>) | null = null;
  if (!process.env.TEST_DATABASE_URL) {
    if (process.env.DATABASE_URL) {
      process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    } else {
      const pg = await startEmbeddedPostgres({ databaseDir: tempClusterDir(), persistent: false, log: { info: () => undefined, warn: () => undefined, debug: () => undefined } });
      process.env.TEST_DATABASE_URL = pg.url;
      stopPg = () => pg.stop();
    }
  }
  const w = await createSecurityWorld();
  try {
    await w.t.app.listen(0, '127.0.0.1');
    const port = (w.t.app.getHttpServer().address() as AddressInfo).port;
    process.stdout.write(`fuzzing ${cases} cases with seed ${seed} (replay: FUZZ_SEED=${seed})\n`);
    const started = Date.now();
    await runFuzz(
      {
        baseUrl: `http://127.0.0.1:${port}`,
        adminToken: w.tokens.admin as string,
        auditorToken: w.tokens.auditor as string,
        archivistToken: w.tokens.archivistA as string,
        submitterToken: w.tokens.submitterA as string,
        agencyId: AGENCY_A.id,
        samples: await transferSamples(AGENCY_A),
      },
      cases,
      seed,
      (line) => process.stdout.write(`  ${line}\n`),
    );
    const verify = await w.as('auditor')(w.http().get('/api/v1/audit-events/verify'));
    if (verify.status !== 200 || verify.body.valid !== true) throw new Error(`audit chain broken after the run: ${verify.text}`);
    process.stdout.write(`ok: ${cases} cases in ${((Date.now() - started) / 1000).toFixed(0)} s, audit chain intact\n`);
  } finally {
    await w.t.close();
    if (stopPg) await stopPg();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`fuzz run FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
