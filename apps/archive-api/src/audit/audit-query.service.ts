import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ArchiveKeyService } from '../archive-key/archive-key.service';
import { AuditCheckpointDto, AuditEventDto, AuditPageDto, AuditQueryDto } from './audit.dto';
import { AuditVerification, rowToEvent, verifyAuditChain } from './audit-verifier';
import { AuditEventRow } from './audit-chain';

const EXPORT_BATCH = 1000;
const COLUMNS = 'seq, id, at, actor, role, action, target, ip, outcome, details, prev_hash, hash';

/** Reading the audit trail (AUDITOR): filtered pages, streamed exports, chain verification. */
@Injectable()
export class AuditQueryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly key: ArchiveKeyService,
  ) {}

  async list(q: AuditQueryDto): Promise<AuditPageDto> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 50;
    const { where, params } = this.filters(q);
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM audit_events ${where}`, params)) as { total: number }[];
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM audit_events ${where} ORDER BY seq LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, pageSize, (page - 1) * pageSize],
    )) as AuditEventRow[];
    return { total, page, pageSize, items: rows.map(toDto) };
  }

  /** Every matching event in chain order, in keyset batches (bounded memory for any size). */
  async *exportAll(q: AuditQueryDto): AsyncGenerator<AuditEventDto> {
    const { where, params } = this.filters(q);
    let after = 0;
    for (;;) {
      const rows = (await this.dataSource.query(
        `SELECT ${COLUMNS} FROM audit_events ${where ? `${where} AND` : 'WHERE'} seq > $${params.length + 1} ORDER BY seq LIMIT ${EXPORT_BATCH}`,
        [...params, after],
      )) as AuditEventRow[];
      for (const r of rows) yield toDto(r);
      if (rows.length < EXPORT_BATCH) return;
      after = Number(rows[rows.length - 1].seq);
    }
  }

  /** The signed checkpoints, newest first, for offline verification against the archive's certificate. */
  async checkpoints(limit = 100): Promise<AuditCheckpointDto[]> {
    const rows = (await this.dataSource.query(
      'SELECT seq, head_hash, at, algorithm, key_fingerprint, public_key, signature FROM audit_checkpoints ORDER BY id DESC LIMIT $1',
      [limit],
    )) as { seq: string; head_hash: string; at: Date; algorithm: string; key_fingerprint: string; public_key: string; signature: string }[];
    return rows.map((r) => ({
      seq: Number(r.seq),
      headHash: r.head_hash,
      at: new Date(r.at).toISOString(),
      algorithm: r.algorithm,
      keyFingerprint: r.key_fingerprint,
      publicKey: r.public_key,
      signature: r.signature,
    }));
  }

  async verify(): Promise<AuditVerification> {
    return verifyAuditChain(this.dataSource, { trustedKeyFingerprints: this.key.trustedFingerprints(this.key.get()) });
  }

  private filters(q: AuditQueryDto): { where: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      clauses.push(sql.replace('?', `$${params.length}`));
    };
    if (q.from) add('at >= ?', instant(q.from, 'from'));
    if (q.to) add('at < ?', instant(q.to, 'to'));
    if (q.actor) add('actor = ?', q.actor);
    if (q.action) add('action = ?', q.action);
    if (q.target) add('target = ?', q.target);
    if (q.outcome) add('outcome = ?', q.outcome);
    return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }
}

function toDto(r: AuditEventRow): AuditEventDto {
  return { ...rowToEvent(r), prevHash: r.prev_hash, hash: r.hash };
}

export const CSV_COLUMNS = ['seq', 'id', 'at', 'actor', 'role', 'action', 'target', 'ip', 'outcome', 'details', 'prevHash', 'hash'] as const;

/** One CSV line (RFC 4180), with spreadsheet formula injection neutralised. */
export function csvLine(values: (string | number | null)[]): string {
  return (
    values
      .map((v) => {
        let s = v === null ? '' : String(v);
        if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\r\n'
  );
}

export function csvRow(e: AuditEventDto): string {
  return csvLine([e.seq, e.id, e.at, e.actor, e.role, e.action, e.target, e.ip, e.outcome, JSON.stringify(e.details), e.prevHash, e.hash]);
}

/** ISO 8601 forms the validator accepts but Date cannot read (week dates, year -9999) are the caller's 400. */
function instant(value: string, field: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1 || d.getUTCFullYear() > 9999) {
    throw new ApiError(HttpStatus.BAD_REQUEST, `${field} is not a readable date-time`, [{ path: field, code: 'invalid_date', message: 'use a date-time such as 2026-01-31T00:00:00Z' }]);
  }
  return d.toISOString();
}
