import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventInput, AuditService } from '../audit/audit.service';

/**
 * Audit events of downloads (content, package, export), written with group commit. Each event is
 * still committed before its download's first byte; what changes is that downloads arriving while a
 * commit is in flight share the next transaction (one BEGIN/COMMIT and one fsync for all of them, the
 * chain head locked once) instead of queueing one by one on the chain head's row lock. A lone download
 * waits for nothing extra: an idle writer starts its transaction at once.
 *
 * Why: bench/retrieval measured the per-download transaction (then five round trips, serialised by the
 * chain head lock) as the largest fixed cost of GET /documents/:id/content after authentication. An
 * append is now one statement: a lone event is written in autocommit (one round trip), a batch in
 * one transaction (one statement per event plus BEGIN/COMMIT).
 * Never rejects, like `AuditService.recordStandalone`: a batch that fails is retried one event per
 * transaction, so one bad event cannot lose the others, and each failure is logged there.
 */
@Injectable()
export class ReadAuditWriter {
  private readonly logger = new Logger('ReadAudit');
  private queue: { input: AuditEventInput; done: () => void }[] = [];
  private writing = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  record(input: AuditEventInput): Promise<void> {
    return new Promise<void>((done) => {
      this.queue.push({ input, done });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 100);
        if (batch.length === 1) {
          // Alone: the append is one statement, its own transaction (no BEGIN/COMMIT round trips).
          await this.audit.recordStandalone(batch[0]!.input);
          batch[0]!.done();
          continue;
        }
        try {
          await this.db.transaction(async (m) => {
            for (const e of batch) await this.audit.record(m, e.input);
          });
        } catch (err) {
          this.logger.warn({ err, events: batch.length }, 'batched audit write failed; writing the events one by one');
          for (const e of batch) await this.audit.recordStandalone(e.input);
        }
        for (const e of batch) e.done();
      }
    } finally {
      this.writing = false;
    }
  }
}
