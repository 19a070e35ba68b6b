import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ObjectStat, ObjectStore } from '@archive/storage';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { JobQueue } from '../jobs/job-queue.service';
import { RecordsService } from '../records/records.service';
import { InjectObjectStore } from '../storage/storage.module';
import { ARCHIVE_PREFIX, RECEIPT_PREFIX, STAGING_PREFIX, transferIdOfKey } from './object-keys';
import { AIP_QUEUE, JANITOR_QUEUE } from './transfer.types';

const INTERVAL_SECONDS = 3600;
const BATCH = 500;

export interface JanitorReport {
  examined: number;
  removed: string[];
  kept: number;
}

/**
 * Removes objects that no catalogue row claims: staged parts of finished or vanished transfers, and
 * archive objects written by a run that crashed or whose case file was rejected after storing. Only
 * objects older than the grace period (TRANSFER_JANITOR_GRACE_SECONDS) and belonging to no transfer still
 * in flight (RECEIVED/PROCESSING) are touched, so it is safe beside running jobs and on several
 * instances at once (removal is idempotent). Runs hourly as a durable job (one per hour slot).
 */
@Injectable()
export class TransferJanitorService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('TransferJanitor');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectObjectStore() private readonly store: ObjectStore,
    private readonly config: AppConfig,
    private readonly jobs: JobQueue,
    private readonly records: RecordsService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.jobs.register(JANITOR_QUEUE, async () => {
      await this.run();
      await this.scheduleNext();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.jobs.pollMs > 0) await this.scheduleNext().catch((err) => this.logger.warn({ err }, 'could not schedule the janitor'));
  }

  private async scheduleNext(): Promise<void> {
    const slot = Math.floor(this.clock.now().getTime() / 1000 / INTERVAL_SECONDS) + 1;
    await this.jobs.enqueue(null, JANITOR_QUEUE, {}, { dedupeKey: `slot:${slot}`, runAt: new Date(slot * INTERVAL_SECONDS * 1000), maxAttempts: 3 });
  }

  async run(): Promise<JanitorReport> {
    const cutoff = this.clock.now().getTime() - this.config.transfers.janitorGraceSeconds * 1000;
    const report: JanitorReport = { examined: 0, removed: [], kept: 0 };
    for (const prefix of [STAGING_PREFIX, ARCHIVE_PREFIX, RECEIPT_PREFIX]) {
      let batch: ObjectStat[] = [];
      for await (const o of this.store.list(prefix)) {
        report.examined++;
        if (o.lastModified.getTime() > cutoff) {
          report.kept++;
          continue;
        }
        batch.push(o);
        if (batch.length >= BATCH) {
          await this.sweep(batch, report);
          batch = [];
        }
      }
      if (batch.length) await this.sweep(batch, report);
    }
    if (report.removed.length) this.logger.log(`removed ${report.removed.length} unclaimed object(s)`);
    return report;
  }

  private async sweep(objects: ObjectStat[], report: JanitorReport): Promise<void> {
    const keys = objects.map((o) => o.key);
    const claimed = await this.records.claimedKeys(keys);
    const receipts: { k: string }[] = await this.db.query('SELECT receipt_key AS k FROM transfers WHERE receipt_key = ANY($1)', [keys]);
    for (const r of receipts) claimed.add(r.k);
    const ids = [...new Set(keys.map(transferIdOfKey).filter((x): x is string => !!x))];
    const inFlight = new Set<string>(
      ids.length
        ? ((await this.db.query(`SELECT id FROM transfers WHERE id = ANY($1::uuid[]) AND status IN ('RECEIVED','PROCESSING')`, [ids])) as { id: string }[]).map((r) => r.id)
        : [],
    );
    // A deferred AIP (transfers.aip) is stored before its claim commits: its transfer is still in flight.
    if (ids.length) {
      const pending: { id: string }[] = await this.db.query(
        `SELECT DISTINCT payload->>'transferId' AS id FROM jobs WHERE queue = $1 AND status IN ('QUEUED','RUNNING') AND payload->>'transferId' = ANY($2::text[])`,
        [AIP_QUEUE, ids],
      );
      for (const r of pending) inFlight.add(r.id);
    }
    for (const o of objects) {
      const tid = transferIdOfKey(o.key);
      if (claimed.has(o.key) || (tid && inFlight.has(tid))) {
        report.kept++;
        continue;
      }
      try {
        await this.store.remove(o.key);
        report.removed.push(o.key);
      } catch (err) {
        report.kept++;
        this.logger.warn({ err, key: o.key }, 'could not remove an unclaimed object');
      }
    }
  }
}
