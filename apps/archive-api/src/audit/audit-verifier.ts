import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { AuditEventRow, chainHash, ChainedEvent, GENESIS_HASH } from './audit-chain';

/** Anything that runs SQL: a DataSource, an EntityManager or a QueryRunner. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface AuditVerification {
  valid: boolean;
  count: number;
  headHash: string;
  /** The first row that does not fit the chain (edited, inserted, moved, or following a deletion). */
  firstBrokenId?: string;
  firstBrokenSeq?: number;
  reason?: string;
  checkpoints: { count: number; verified: number };
}

const BATCH = 2000;

export function rowToEvent(r: AuditEventRow): ChainedEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    role: r.role,
    action: r.action,
    target: r.target,
    ip: r.ip,
    outcome: r.outcome,
    details: r.details ?? {},
  };
}

/**
 * Walks the whole chain in sequence order (keyset batches: bounded memory) and checks, for each row,
 * that its sequence number follows the previous one, that `prev_hash` is the previous row's hash and
 * that its own hash recomputes. Then the head row must point at the last event, and every signed
 * checkpoint must match the chain at its sequence number and carry a valid signature.
 */
export async function verifyAuditChain(db: Queryable, opts: { trustedKeyFingerprints?: string[] } = {}): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  let lastSeq = 0;
  const hashAt = new Map<number, string>();
  const checkpoints = (await db.query('SELECT seq, head_hash, algorithm, key_fingerprint, signature, public_key FROM audit_checkpoints ORDER BY id')) as {
    seq: string;
    head_hash: string;
    algorithm: string;
    key_fingerprint: string;
    signature: string;
    public_key: string;
  }[];
  const wanted = new Set(checkpoints.map((c) => Number(c.seq)));
  const broken = (row: AuditEventRow | null, reason: string): AuditVerification => ({
    valid: false,
    count,
    headHash: prevHash,
    ...(row ? { firstBrokenId: row.id, firstBrokenSeq: Number(row.seq) } : {}),
    reason,
    checkpoints: { count: checkpoints.length, verified: 0 },
  });

  for (;;) {
    const rows = (await db.query(
      `SELECT seq, id, at, actor, role, action, target, ip, outcome, details, prev_hash, hash
         FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT ${BATCH}`,
      [lastSeq],
    )) as AuditEventRow[];
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return broken(row, seq > expectedSeq ? `rows missing before sequence ${seq} (expected ${expectedSeq})` : `unexpected sequence ${seq}`);
      if (row.prev_hash !== prevHash) return broken(row, 'prev_hash does not match the previous event (row deleted, inserted or moved)');
      const recomputed = chainHash(prevHash, rowToEvent(row));
      if (recomputed !== row.hash) return broken(row, 'content does not match its hash (row edited)');
      prevHash = row.hash;
      count++;
      expectedSeq = seq + 1;
      if (wanted.has(seq)) hashAt.set(seq, row.hash);
    }
    lastSeq = Number(rows[rows.length - 1].seq);
  }

  const [head] = (await db.query('SELECT seq, hash FROM audit_head WHERE id = 1')) as { seq: string; hash: string }[];
  if (!head) return broken(null, 'audit head row is missing');
  if (Number(head.seq) !== count || head.hash !== prevHash) {
    if (Number(head.seq) < count) {
      // Rows beyond the head were appended without going through the service: the first of them is forged.
      const [extra] = (await db.query(
        'SELECT seq, id, at, actor, role, action, target, ip, outcome, details, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT 1',
        [head.seq],
      )) as AuditEventRow[];
      return broken(extra ?? null, `events beyond the recorded head (head at ${head.seq}, chain has ${count})`);
    }
    return broken(null, `the newest events are missing (head at ${head.seq}, chain ends at ${count})`);
  }

  let verified = 0;
  for (const c of checkpoints) {
    const seq = Number(c.seq);
    const actual = seq === 0 ? GENESIS_HASH : hashAt.get(seq);
    if (actual !== c.head_hash) return broken(null, `signed checkpoint at sequence ${seq} does not match the chain (history rewritten)`);
    // The key stored beside a checkpoint only proves something when it is the archive's own key.
    if (opts.trustedKeyFingerprints && !opts.trustedKeyFingerprints.includes(c.key_fingerprint)) {
      return broken(null, `signed checkpoint at sequence ${seq} was signed by an unknown key`);
    }
    let ok = false;
    try {
      ok = verifySignature('sha256', checkpointPayload(seq, c.head_hash), createPublicKey(c.public_key), Buffer.from(c.signature, 'base64'));
    } catch {
      ok = false;
    }
    if (!ok) return broken(null, `signed checkpoint at sequence ${seq} has an invalid signature`);
    verified++;
  }
  return { valid: true, count, headHash: prevHash, checkpoints: { count: checkpoints.length, verified } };
}

/** The bytes a checkpoint signs. */
export function checkpointPayload(seq: number, headHash: string): Buffer {
  return Buffer.from(`archive-audit-checkpoint:v1:${seq}:${headHash}`);
}
