import { AddressInfo } from 'node:net';
import { transferSamples } from './fuzz-samples';
import { FuzzTarget, runFuzz } from './fuzz-targets';
import { AGENCY_A, createSecurityWorld, SecurityWorld } from './security-fixtures';

/**
 * The bounded fuzz run of CI: ~2,000 cases over every endpoint that exists, with a fixed seed so a
 * run is reproducible (FUZZ_SEED overrides it). `npm run fuzz` (fuzz.long.ts) explores new seeds.
 */
const CASES = Number(process.env.FUZZ_CASES ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);

describe('fuzz: malformed input never yields a 5xx, a non-JSON error or a slow answer', () => {
  let w: SecurityWorld;
  let target: FuzzTarget;
  beforeAll(async () => {
    w = await createSecurityWorld();
    await w.t.app.listen(0, '127.0.0.1');
    const port = (w.t.app.getHttpServer().address() as AddressInfo).port;
    target = {
      baseUrl: `http://127.0.0.1:${port}`,
      adminToken: w.tokens.admin as string,
      auditorToken: w.tokens.auditor as string,
      archivistToken: w.tokens.archivistA as string,
      submitterToken: w.tokens.submitterA as string,
      agencyId: AGENCY_A.id,
      samples: await transferSamples(AGENCY_A),
    };
  });
  afterAll(async () => {
    await w?.t.close();
  });

  it(`survives ${CASES} cases`, async () => {
    const lines: string[] = [];
    try {
      await runFuzz(target, CASES, SEED, (l) => lines.push(l));
    } finally {
      process.stderr.write(`fuzz (seed ${SEED}):\n  ${lines.join('\n  ')}\n`);
    }
  }, 240_000);

  it('leaves the audit chain intact after the storm', async () => {
    const res = await w.as('auditor')(w.http().get('/api/v1/audit-events/verify')).expect(200);
    expect(res.body.valid).toBe(true);
  });
});

describe('fuzz: the audit chain verifies whatever the events contain', () => {
  it('records arbitrary details, actors and targets and still verifies', async () => {
    const fc = (await import('fast-check')).default;
    const { createTestApp } = await import('../support/app');
    const { DataSource } = await import('typeorm');
    const { AuditService } = await import('../../apps/archive-api/src/audit/audit.service');
    const { verifyAuditChain } = await import('../../apps/archive-api/src/audit/audit-verifier');
    const t = await createTestApp({ AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' });
    try {
      const ds = t.app.get(DataSource);
      const audit = t.app.get(AuditService);
      const text = fc.string({ unit: 'binary', maxLength: 30 });
      await fc.assert(
        fc.asyncProperty(fc.record({ action: text, target: fc.option(text), details: fc.object({ maxDepth: 2 }), ip: fc.option(text) }), async (e) => {
          await ds.transaction((m) =>
            audit.record(m, {
              actor: { principal: { kind: 'api-key', actor: `api-key:${e.action}`, name: 'x', roles: ['ADMIN'], agencyId: null }, ip: e.ip, requestId: null },
              action: e.action,
              target: e.target,
              details: e.details as Record<string, unknown>,
            }),
          );
        }),
        { numRuns: 150 },
      );
      const v = await verifyAuditChain(ds);
      expect(v).toMatchObject({ valid: true, count: 150 });
    } finally {
      await t.close();
    }
  }, 120_000);
});
