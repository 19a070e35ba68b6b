import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventInput, AuditService } from '../audit/audit.service';
import { ApiError } from '../common/api-error';

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
 * Fails closed: a download whose event cannot be stored is refused (503), never served unrecorded. A
 * batch that fails is retried one event per statement, so one bad event cannot refuse the others.
 */
@Injectable()
export class ReadAuditWriter {
  private readonly logger = new Logger('ReadAudit');
  private queue: { input: AuditEventInput; done: (err?: unknown) => void }[] = [];
  private writing = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Resolves once the event is committed; rejects with 503 when it could not be. */
  record(input: AuditEventInput): Promise<void> {
    const written = new Promise<void>((resolve, reject) => {
      this.queue.push({
        input,
        done: (err) => {
          if (err === undefined) return resolve();
          this.logger.error({ err, action: input.action, target: input.target }, 'could not write a download audit event: download refused');
          reject(new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'The download could not be recorded in the audit trail; try again later', undefined, 5));
        },
      });
      if (!this.writing) void this.drain();
    });
    // Callers await it before any byte; this only keeps a refusal that nobody awaited any more from
    // being reported as an unhandled rejection.
    written.catch(() => undefined);
    return written;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 100);
        if (batch.length > 1) {
          try {
            await this.db.transaction(async (m) => {
              for (const e of batch) await this.audit.record(m, e.input);
            });
            for (const e of batch) e.done();
            continue;
          } catch (err) {
            this.logger.warn({ err, events: batch.length }, 'batched audit write failed; writing the events one by one');
          }
        }
        // Alone (or retried): the append is one statement, its own transaction.
        for (const e of batch) await this.audit.appendStandalone(e.input).then(() => e.done(), (err: unknown) => e.done(err ?? new Error('audit write failed')));
      }
    } finally {
      this.writing = false;
    }
  }
}
