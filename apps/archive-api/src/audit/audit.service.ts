import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import type { RequestActor } from '../auth/auth.decorators';
import { auditRole, Principal } from '../auth/principal';
import { AuditOutcome, canonicalJsonAroundSeq, ChainedEvent, cleanText, normalizeDetails } from './audit-chain';

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
 * the last statement of the transaction. An append is one statement (one round trip).
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
    return this.append(manager, input);
  }

  /**
   * An event with no change of its own (a refused login, a denied access, a download): one statement,
   * hence its own transaction. Never throws — failing to note a refusal must not turn a 401 into a
   * 500 — but logs.
   */
  async recordStandalone(input: AuditEventInput): Promise<void> {
    try {
      await this.appendStandalone(input);
    } catch (err) {
      this.logger.error({ err, action: input.action }, 'could not write an audit event');
    }
  }

  /** An event with no change of its own that must be stored before the action goes on (a download): throws when it is not. */
  async appendStandalone(input: AuditEventInput): Promise<StoredAuditEvent> {
    return this.append(this.dataSource.manager, input);
  }

  /**
   * One statement: lock the head row, insert the event chained to it, advance the head. The hash is
   * computed by PostgreSQL over the same bytes as `chainHash` (the canonical JSON is built here, split
   * around the sequence number only the locked head knows), so an append costs one round trip and
   * holds the head lock for no client round trip when it runs on its own.
   */
  private async append(manager: EntityManager, input: AuditEventInput): Promise<StoredAuditEvent> {
    const content: Omit<ChainedEvent, 'seq'> = {
      id: randomUUID(),
      at: this.clock.now().toISOString(),
      ...this.who(input.actor),
      action: cleanText(input.action, 200) as string,
      target: cleanText(input.target ?? null, 500),
      outcome: input.outcome ?? 'SUCCESS',
      details: normalizeDetails(input.details),
    };
    const { before, after } = canonicalJsonAroundSeq(content);
    const [row] = (await manager.query(
      `WITH head AS (
         SELECT seq + 1 AS seq, hash AS prev_hash FROM audit_head WHERE id = 1 FOR UPDATE
       ), ev AS (
         SELECT seq, prev_hash, encode(sha256(convert_to(prev_hash, 'UTF8') || $1::bytea || convert_to(seq::text, 'UTF8') || $2::bytea), 'hex') AS hash FROM head
       ), ins AS (
         INSERT INTO audit_events (seq, id, at, actor, role, action, target, ip, outcome, details, prev_hash, hash)
         SELECT seq, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, prev_hash, hash FROM ev
         RETURNING seq, prev_hash, hash
       ), advance AS (
         UPDATE audit_head h SET seq = ins.seq, hash = ins.hash FROM ins WHERE h.id = 1
       )
       SELECT seq, prev_hash, hash FROM ins`,
      [before, after, content.id, content.at, content.actor, content.role, content.action, content.target, content.ip, content.outcome, JSON.stringify(content.details)],
    )) as { seq: string; prev_hash: string; hash: string }[];
    return { ...content, seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash };
  }

  private who(actor: AuditEventInput['actor']): Pick<ChainedEvent, 'actor' | 'role' | 'ip'> {
    if ('system' in actor) return { actor: `system:${cleanText(actor.system, 100)}`, role: 'SYSTEM', ip: null };
    const p: Principal = actor.principal;
    return { actor: cleanText(p.actor, 300) as string, role: auditRole(p), ip: cleanText(actor.ip, 100) };
  }
}
