import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';

export interface Job<P = Record<string, unknown>> {
  id: string;
  queue: string;
  payload: P;
  attempts: number;
  maxAttempts: number;
}

export type JobHandler<P = Record<string, unknown>> = (job: Job<P>) => Promise<void>;

export interface EnqueueOptions {
  /** Run no earlier than this. */
  runAt?: Date;
  maxAttempts?: number;
  /** At most one QUEUED/RUNNING job per (queue, dedupeKey): a second enqueue is a no-op. */
  dedupeKey?: string;
}

export interface RegisterOptions {
  /**
   * Work someone is waiting for (a transfer being ingested). While a job of such a queue runs in this
   * process, its drains claim only jobs of priority queues, and other queues' jobs (packaging, text
   * extraction, clean-up) wait — up to BACKGROUND_MAX_WAIT_SECONDS, so that none starves under a long ingest.
   */
  priority?: boolean;
}

/** A handler may throw this to fail the job at once, without retries (bad input, not a transient fault). */
export class PermanentJobError extends Error {}

const LEASE_SECONDS = 300;
/** How long a ready job of an ordinary queue may be held back by priority work of this instance. */
export const BACKGROUND_MAX_WAIT_SECONDS = 30;

/**
 * Durable jobs in PostgreSQL. `enqueue` takes the caller's EntityManager so the job commits (or not)
 * with the change that asks for it. Workers claim with FOR UPDATE SKIP LOCKED under a lease: safe with
 * several instances; a job whose worker died is claimed again after the lease. Handlers must be
 * idempotent (a job may run more than once after a crash).
 */
@Injectable()
export class JobQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, JobHandler<any>>();
  private readonly priorityQueues = new Set<string>();
  /** Jobs of priority queues running in this process now. */
  private priorityRunning = 0;
  private readonly workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * A claimed job is another instance's to take over once its lease lapses (the holder died). The
   * holder renews the lease while the handler runs, so a long job (a transfer of large documents) is
   * never run twice at once. Tests shorten it.
   */
  static leaseSeconds = LEASE_SECONDS;

  register<P>(queue: string, handler: JobHandler<P>, opts: RegisterOptions = {}): void {
    if (this.handlers.has(queue)) throw new Error(`job handler for ${queue} registered twice`);
    this.handlers.set(queue, handler as JobHandler<any>);
    if (opts.priority) this.priorityQueues.add(queue);
  }

  async enqueue(manager: EntityManager | null, queue: string, payload: object, opts: EnqueueOptions = {}): Promise<string | null> {
    const rows: { id: string }[] = await (manager ?? this.db.manager).query(
      `INSERT INTO jobs (queue, payload, run_at, max_attempts, dedupe_key)
       VALUES ($1, $2, COALESCE($3, now()), $4, $5)
       ON CONFLICT (queue, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('QUEUED','RUNNING') DO NOTHING
       RETURNING id`,
      [queue, JSON.stringify(payload), opts.runAt ?? null, opts.maxAttempts ?? 5, opts.dedupeKey ?? null],
    );
    return rows[0]?.id ?? null;
  }

  /** Jobs of one queue in one statement (one round trip for a case file's documents), each deduplicated by its own key. */
  async enqueueMany(manager: EntityManager | null, queue: string, jobs: { payload: object; dedupeKey?: string }[], opts: Omit<EnqueueOptions, 'dedupeKey'> = {}): Promise<void> {
    if (jobs.length === 0) return;
    await (manager ?? this.db.manager).query(
      `INSERT INTO jobs (queue, payload, run_at, max_attempts, dedupe_key)
       SELECT $1, j.payload::jsonb, COALESCE($3, now()), $4, j.dedupe_key FROM unnest($2::text[], $5::text[]) AS j(payload, dedupe_key)
       ON CONFLICT (queue, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('QUEUED','RUNNING') DO NOTHING`,
      [queue, jobs.map((j) => JSON.stringify(j.payload)), opts.runAt ?? null, opts.maxAttempts ?? 5, jobs.map((j) => j.dedupeKey ?? null)],
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.jobs.pollMs > 0) this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle; // let the job in hand finish; its lease would otherwise hand it to another instance later
  }

  private schedule(delay: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.idle = this.drain()
        .then(() => undefined)
        .catch((err) => this.logger.error({ err }, 'job polling failed'))
        .finally(() => this.schedule(this.config.jobs.pollMs));
    }, delay);
    this.timer.unref();
  }

  /** Runs ready jobs until none is left (or shutdown). Also used by tests and the CLI to run work now. */
  async drain(queues: string[] = [...this.handlers.keys()]): Promise<number> {
    let done = 0;
    while (!this.stopping && queues.length > 0) {
      const job = await this.claim(queues);
      if (!job) break;
      await this.runOne(job);
      done++;
    }
    return done;
  }

  private async claim(queues: string[]): Promise<Job | null> {
    // While priority work runs here, other queues' jobs are taken only once they have waited too long.
    const urgent = this.priorityRunning > 0 ? queues.filter((q) => this.priorityQueues.has(q)) : queues;
    const rows: any[] = await this.db.query(
      `UPDATE jobs SET status = 'RUNNING', locked_by = $2, locked_until = now() + make_interval(secs => $3),
              attempts = attempts + 1, updated_at = now()
       WHERE id = (
         SELECT id FROM jobs
         WHERE queue = ANY($1) AND run_at <= now()
           AND (queue = ANY($4) OR run_at <= now() - make_interval(secs => $5))
           AND (status = 'QUEUED' OR (status = 'RUNNING' AND locked_until < now()))
         ORDER BY run_at
         FOR UPDATE SKIP LOCKED
         LIMIT 1)
       RETURNING id, queue, payload, attempts, max_attempts`,
      [queues, this.workerId, JobQueue.leaseSeconds, urgent, BACKGROUND_MAX_WAIT_SECONDS],
    );
    // TypeORM answers an UPDATE … RETURNING with [rows, rowCount].
    const r = (Array.isArray(rows[0]) ? rows[0][0] : rows[0]) as any;
    if (!r?.id) return null;
    return { id: r.id, queue: r.queue, payload: r.payload, attempts: r.attempts, maxAttempts: r.max_attempts };
  }

  private async runOne(job: Job): Promise<void> {
    const handler = this.handlers.get(job.queue);
    const priority = this.priorityQueues.has(job.queue);
    if (priority) this.priorityRunning++;
    const heartbeat = setInterval(() => void this.renewLease(job), (JobQueue.leaseSeconds * 1000) / 3);
    heartbeat.unref();
    try {
      if (!handler) throw new PermanentJobError(`no handler for queue ${job.queue}`);
      await handler(job);
      clearInterval(heartbeat);
      await this.db.query(
        `UPDATE jobs SET status = 'DONE', finished_at = now(), updated_at = now(), locked_by = NULL, locked_until = NULL WHERE id = $1 AND locked_by = $2`,
        [job.id, this.workerId],
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const permanent = err instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      this.logger.warn({ jobId: job.id, queue: job.queue, attempt: job.attempts, permanent }, `job failed: ${message}`);
      // Exponential backoff: 2 s, 4 s, 8 s … capped at 10 minutes.
      const backoff = Math.min(600, 2 ** job.attempts);
      await this.db.query(
        `UPDATE jobs SET status = $3, last_error = $4, updated_at = now(), locked_by = NULL, locked_until = NULL,
                run_at = now() + make_interval(secs => $5), finished_at = CASE WHEN $3 = 'FAILED' THEN now() END
         WHERE id = $1 AND locked_by = $2`,
        [job.id, this.workerId, permanent ? 'FAILED' : 'QUEUED', message.slice(0, 2000), backoff],
      );
    } finally {
      clearInterval(heartbeat);
      if (priority) this.priorityRunning--;
    }
  }

  private async renewLease(job: Job): Promise<void> {
    try {
      const [, renewed] = (await this.db.query(
        `UPDATE jobs SET locked_until = now() + make_interval(secs => $3) WHERE id = $1 AND locked_by = $2 AND status = 'RUNNING'`,
        [job.id, this.workerId, JobQueue.leaseSeconds],
      )) as [unknown, number];
      if (renewed === 0) this.logger.warn({ jobId: job.id, queue: job.queue }, 'job lease lost: another instance may run this job');
    } catch (err) {
      this.logger.warn({ err, jobId: job.id }, 'job lease renewal failed; retried at the next beat');
    }
  }
}
