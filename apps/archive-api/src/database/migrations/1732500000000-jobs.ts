import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable jobs kept in PostgreSQL: claimed with FOR UPDATE SKIP LOCKED under a lease, so several
 * service instances share the work and a crashed worker's job is taken over when its lease runs out.
 */
export class Jobs1732500000000 implements MigrationInterface {
  name = 'Jobs1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        queue text NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED','RUNNING','DONE','FAILED')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL DEFAULT 5,
        run_at timestamptz NOT NULL DEFAULT now(),
        locked_by text,
        locked_until timestamptz,
        last_error text,
        dedupe_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    // The claim query's access path: ready jobs of a queue in run order.
    await q.query(`CREATE INDEX jobs_ready_idx ON jobs (queue, run_at) WHERE status IN ('QUEUED','RUNNING')`);
    // One live job per dedupe key (e.g. one processing job per transfer), however often it is enqueued.
    await q.query(`CREATE UNIQUE INDEX jobs_dedupe_idx ON jobs (queue, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('QUEUED','RUNNING')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE jobs');
  }
}
