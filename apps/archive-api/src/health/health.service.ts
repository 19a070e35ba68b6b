import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ObjectStore } from '@archive/storage';
import { DataSource } from 'typeorm';
import { InjectObjectStore } from '../storage/storage.module';

export interface CheckResult {
  status: 'ok' | 'down';
  latencyMs: number;
  error?: string;
}
export interface ReadinessReport {
  status: 'ok' | 'down';
  checks: { database: CheckResult; objectStore: CheckResult };
}

const CHECK_TIMEOUT_MS = 3000;
const logger = new Logger('Health');

async function timed(check: () => Promise<unknown>): Promise<CheckResult> {
  const started = process.hrtime.bigint();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok', latencyMs: Number(process.hrtime.bigint() - started) / 1e6 };
  } catch (err) {
    // /health/ready is public: driver messages (hosts, users, buckets) go to the log, not the answer.
    logger.warn(`readiness check failed: ${err instanceof Error ? err.message : String(err)}`);
    return { status: 'down', latencyMs: Number(process.hrtime.bigint() - started) / 1e6, error: 'unavailable' };
  } finally {
    clearTimeout(timer);
  }
}

/** Readiness really touches both dependencies: a query on PostgreSQL and a request to the store. */
@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectObjectStore() private readonly store: ObjectStore,
  ) {}

  async readiness(): Promise<ReadinessReport> {
    const [database, objectStore] = await Promise.all([timed(() => this.db.query('SELECT 1')), timed(() => this.store.ping())]);
    return { status: database.status === 'ok' && objectStore.status === 'ok' ? 'ok' : 'down', checks: { database, objectStore } };
  }
}
