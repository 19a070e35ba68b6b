import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import type { RequestActor } from '../auth/auth.decorators';
import { auditRole, Principal } from '../auth/principal';
import { AuditOutcome, chainHash, ChainedEvent, cleanText, normalizeDetails } from './audit-chain';

/** What a feature tells the audit trail. `action` is dotted: `agency.create`, `transfer.accept`… */
export interface AuditEventInput {
  /** The caller (from `@CurrentActor()`), or a system actor such as `{ system: 'retention-job' }`. */
  actor: RequestActor | { system: string };
  action: string;
  /** What was acted on: `agency:000.00.12.H05`, `document:<uuid>`… */
  target?: string | null;
  outcome?: AuditOutcome;
  details?: Record<string, unknown>;
}

export interface StoredAuditEvent extends ChainedEvent {
  prevHash: string;
  hash: string;
}

/**
 * Appends to the hash-chained audit trail. `record(manager, event)` MUST be called with the
 * EntityManager of the transaction that makes the change, so the event and the change commit or roll
 * back together:
 *
 *   await this.dataSource.transaction(async (m) => {
 *     await m.insert(...);
 *     await this.audit.record(m, { actor, action: 'agency.create', target: `agency:${id}` });
 *   });
 *
 * Appends take the head row FOR UPDATE: the chain stays linear with any number of instances, at
 * the price of serialising audited transactions from that point to commit — so record the event as
 * the last statement of the transaction.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(manager: EntityManager, input: AuditEventInput): Promise<StoredAuditEvent> {
    if (!manager.queryRunner?.isTransactionActive) {
      // An event outside the change's transaction could survive a rolled-back change (or vice versa).
      throw new Error('AuditService.record must be called inside the transaction of the change it records');
    }
    const [head] = (await manager.query('SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE')) as { seq: string; hash: string }[];
    const event: ChainedEvent = {
      seq: Number(head.seq) + 1,
      id: randomUUID(),
      at: this.clock.now().toISOString(),
      ...this.who(input.actor),
      action: cleanText(input.action, 200) as string,
      target: cleanText(input.target ?? null, 500),
      outcome: input.outcome ?? 'SUCCESS',
      details: normalizeDetails(input.details),
    };
    const hash = chainHash(head.hash, event);
    await manager.query(
      `INSERT INTO audit_events (seq, id, at, actor, role, action, target, ip, outcome, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)`,
      [event.seq, event.id, event.at, event.actor, event.role, event.action, event.target, event.ip, event.outcome, JSON.stringify(event.details), head.hash, hash],
    );
    await manager.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [event.seq, hash]);
    return { ...event, prevHash: head.hash, hash };
  }

  /**
   * An event with no change of its own (a refused login, a denied access, an export): its own short
   * transaction. Never throws — failing to note a refusal must not turn a 401 into a 500 — but logs.
   */
  async recordStandalone(input: AuditEventInput): Promise<void> {
    try {
      await this.dataSource.transaction((m) => this.record(m, input));
    } catch (err) {
      this.logger.error({ err, action: input.action }, 'could not write an audit event');
    }
  }

  private who(actor: AuditEventInput['actor']): Pick<ChainedEvent, 'actor' | 'role' | 'ip'> {
    if ('system' in actor) return { actor: `system:${cleanText(actor.system, 100)}`, role: 'SYSTEM', ip: null };
    const p: Principal = actor.principal;
    return { actor: cleanText(p.actor, 300) as string, role: auditRole(p), ip: cleanText(actor.ip, 100) };
  }
}
