import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../../../../test/support/app';
import { BACKGROUND_MAX_WAIT_SECONDS, JobQueue, PermanentJobError } from './job-queue.service';

describe('JobQueue (durable jobs on real PostgreSQL)', () => {
  let t: TestApp;
  let t2: TestApp;
  let queue: JobQueue;
  let db: DataSource;
  beforeAll(async () => {
    // Polling off: the tests drive the workers themselves.
    t = await createTestApp({ JOBS_POLL_MS: '0' });
    queue = t.app.get(JobQueue);
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t2?.app.close();
    await t?.close();
  });

  it('commits a job with the transaction that asks for it, and not otherwise', async () => {
    await expect(
      db.transaction(async (m) => {
        await queue.enqueue(m, 'test.rollback', { n: 1 });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await db.transaction((m) => queue.enqueue(m, 'test.rollback', { n: 2 }));
    const rows = await db.query(`SELECT payload FROM jobs WHERE queue = 'test.rollback'`);
    expect(rows.map((r: any) => r.payload.n)).toEqual([2]);
  });

  it('keeps one live job per dedupe key', async () => {
    const a = await queue.enqueue(null, 'test.dedupe', {}, { dedupeKey: 'transfer-1' });
    const b = await queue.enqueue(null, 'test.dedupe', {}, { dedupeKey: 'transfer-1' });
    expect(a).toEqual(expect.any(String));
    expect(b).toBeNull();
  });

  it('enqueues many in one statement, each deduplicated (against live jobs and within the batch)', async () => {
    await queue.enqueue(null, 'test.many', { n: 0 }, { dedupeKey: 'doc-0' });
    await queue.enqueueMany(null, 'test.many', [0, 1, 2, 2].map((n) => ({ payload: { n }, dedupeKey: `doc-${n}` })), { maxAttempts: 3 });
    await queue.enqueueMany(null, 'test.many', []);
    const rows = await db.query(`SELECT payload, dedupe_key, max_attempts FROM jobs WHERE queue = 'test.many' ORDER BY dedupe_key`);
    expect(rows.map((r: any) => [r.dedupe_key, r.payload.n, r.max_attempts])).toEqual([
      ['doc-0', 0, 5],
      ['doc-1', 1, 3],
      ['doc-2', 2, 3],
    ]);
  });

  it('retries a failing job with backoff, then fails it; a permanent error fails at once', async () => {
    let calls = 0;
    queue.register('test.flaky', async () => {
      calls++;
      throw new Error('transient');
    });
    queue.register('test.bad', async () => {
      throw new PermanentJobError('bad input');
    });
    const flaky = await queue.enqueue(null, 'test.flaky', {}, { maxAttempts: 2 });
    const bad = await queue.enqueue(null, 'test.bad', {});
    await queue.drain(['test.flaky', 'test.bad']);
    let [row] = await db.query(`SELECT status, attempts, run_at > now() AS later FROM jobs WHERE id = $1`, [flaky]);
    expect(row).toMatchObject({ status: 'QUEUED', attempts: 1, later: true });
    await db.query(`UPDATE jobs SET run_at = now() WHERE id = $1`, [flaky]);
    await queue.drain(['test.flaky']);
    [row] = await db.query(`SELECT status, attempts, last_error FROM jobs WHERE id = $1`, [flaky]);
    expect(row).toMatchObject({ status: 'FAILED', attempts: 2, last_error: 'transient' });
    expect(calls).toBe(2);
    [row] = await db.query(`SELECT status, attempts FROM jobs WHERE id = $1`, [bad]);
    expect(row).toMatchObject({ status: 'FAILED', attempts: 1 });
  });

  it('takes over a job whose worker died (lease expired)', async () => {
    const seen: string[] = [];
    queue.register('test.lease', async (job) => {
      seen.push(job.id);
    });
    const id = await queue.enqueue(null, 'test.lease', {});
    // As if another instance had claimed it and crashed.
    await db.query(`UPDATE jobs SET status = 'RUNNING', locked_by = 'dead', locked_until = now() + interval '1 hour', attempts = 1 WHERE id = $1`, [id]);
    expect(await queue.drain(['test.lease'])).toBe(0);
    await db.query(`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1`, [id]);
    expect(await queue.drain(['test.lease'])).toBe(1);
    expect(seen).toEqual([id]);
    const [row] = await db.query(`SELECT status, attempts FROM jobs WHERE id = $1`, [id]);
    expect(row).toMatchObject({ status: 'DONE', attempts: 2 });
  });

  it('renews the lease while a long job runs, so no other instance takes it over', async () => {
    const saved = JobQueue.leaseSeconds;
    JobQueue.leaseSeconds = 1;
    try {
      let finish!: () => void;
      const running = new Promise<void>((r) => (finish = r));
      queue.register('test.long', async () => running);
      const id = await queue.enqueue(null, 'test.long', {});
      const drained = queue.drain(['test.long']);
      const leaseLeft = async () => Number((await db.query(`SELECT extract(epoch FROM locked_until - now()) AS s FROM jobs WHERE id = $1`, [id]))[0].s);
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 700)); // 2.8 s in all: the first 1 s lease would have lapsed twice
        expect(await leaseLeft()).toBeGreaterThan(0);
      }
      // what another instance's claim would see: nothing to take
      const [takeable] = await db.query(`SELECT count(*)::int AS n FROM jobs WHERE id = $1 AND (status = 'QUEUED' OR locked_until < now())`, [id]);
      expect(takeable.n).toBe(0);
      finish();
      expect(await drained).toBe(1);
      expect((await db.query(`SELECT status, attempts FROM jobs WHERE id = $1`, [id]))[0]).toMatchObject({ status: 'DONE', attempts: 1 });
    } finally {
      JobQueue.leaseSeconds = saved;
    }
  });

  it('holds ordinary jobs back while a priority job runs here, unless they have waited too long', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    queue.register('test.ingest', async () => {
      order.push('ingest:start');
      await held;
      order.push('ingest:end');
    }, { priority: true });
    queue.register('test.background', async (job) => {
      order.push(`background:${(job.payload as { n: number }).n}`);
    });
    await queue.enqueue(null, 'test.ingest', {});
    const running = queue.drain(['test.ingest']);
    while (!order.includes('ingest:start')) await new Promise((r) => setTimeout(r, 5));
    const fresh = await queue.enqueue(null, 'test.background', { n: 1 });
    // another drain of this instance (the poller) while the priority job runs: the fresh job waits
    expect(await queue.drain(['test.ingest', 'test.background'])).toBe(0);
    // … but not forever: one that has waited past the bound is taken anyway
    await db.query(`UPDATE jobs SET run_at = now() - make_interval(secs => $2) WHERE id = $1`, [fresh, BACKGROUND_MAX_WAIT_SECONDS + 1]);
    expect(await queue.drain(['test.ingest', 'test.background'])).toBe(1);
    await queue.enqueue(null, 'test.background', { n: 2 });
    release();
    await running;
    // once the priority work is done, ordinary jobs run as usual
    expect(await queue.drain(['test.ingest', 'test.background'])).toBe(1);
    expect(order).toEqual(['ingest:start', 'background:1', 'ingest:end', 'background:2']);
  });

  it('never runs a job twice when two instances drain at once', async () => {
    // A second app instance on the same database, as a second server would be.
    const { Test } = await import('@nestjs/testing');
    const { AppModule } = await import('../app.module');
    const { AppConfig } = await import('../config/app-config');
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(AppConfig).useValue(t.config).compile();
    const app2: INestApplication = moduleRef.createNestApplication({ logger: false });
    await app2.init();
    t2 = { app: app2 } as TestApp;
    const queue2 = app2.get(JobQueue);
    const runs = new Map<string, number>();
    const handler = async (job: { id: string }) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 5));
    };
    queue.register('test.race', handler);
    queue2.register('test.race', handler);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await queue.enqueue(null, 'test.race', { i }))!);
    const [a, b] = await Promise.all([queue.drain(['test.race']), queue2.drain(['test.race'])]);
    expect(a + b).toBe(40);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(runs.keys())).toEqual(new Set(ids));
  });
});
