import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditCheckpointService } from '../../apps/archive-api/src/audit/audit-checkpoint.service';
import { chainHash, GENESIS_HASH } from '../../apps/archive-api/src/audit/audit-chain';
import { AuditService } from '../../apps/archive-api/src/audit/audit.service';
import { rowToEvent, verifyAuditChain } from '../../apps/archive-api/src/audit/audit-verifier';
import { exitOf, spawnEntry } from '../support/process';
import { createSecurityWorld, SecurityWorld } from './security-fixtures';

/**
 * The audit trail (nhật ký) is append-only and hash-chained: the database refuses changes, and any
 * change made anyway by a superuser (triggers bypassed) is found by verify, which names the first
 * bad event. Tampering happens inside a transaction that is rolled back, so cases stay independent.
 */
describe('audit trail: append-only, hash-chained, verifiable', () => {
  let w: SecurityWorld;
  let ds: DataSource;
  let su: Client;
  const asQueryable = (c: Client) => ({ query: async (sql: string, params?: unknown[]) => (await c.query(sql, params as unknown[])).rows });

  beforeAll(async () => {
    w = await createSecurityWorld();
    ds = w.t.app.get(DataSource);
    // A few more events of every kind.
    for (let i = 0; i < 5; i++) await w.as('admin')(w.http().post('/api/v1/agencies').send({ id: `000.00.7${i}.H11`, name: `Cơ quan ${i}` })).expect(201);
    su = new Client({ connectionString: w.t.config.databaseUrl as string });
    await su.connect();
  });
  afterAll(async () => {
    await su?.end();
    await w?.t.close();
  });

  const ids = async (): Promise<{ seq: number; id: string }[]> =>
    ((await ds.query('SELECT seq, id FROM audit_events ORDER BY seq')) as { seq: string; id: string }[]).map((r) => ({ seq: Number(r.seq), id: r.id }));

  /** Runs `tamper` as a superuser with triggers off, verifies on the same connection, rolls back. */
  async function tampered(tamper: (c: Client) => Promise<void>) {
    await su.query('BEGIN');
    try {
      await su.query('SET LOCAL session_replication_role = replica');
      await tamper(su);
      return await verifyAuditChain(asQueryable(su));
    } finally {
      await su.query('ROLLBACK');
    }
  }

  it('verifies a clean chain, through HTTP and in the database', async () => {
    const res = await w.as('auditor')(w.http().get('/api/v1/audit-events/verify')).expect(200);
    const rows = await ids();
    expect(res.body).toMatchObject({ valid: true, count: rows.length });
    expect(res.body.firstBrokenId).toBeUndefined();
    const [head] = await ds.query('SELECT seq, hash FROM audit_head');
    expect(res.body.headHash).toBe(head.hash);
    expect(Number(head.seq)).toBe(rows.length);
  });

  it('records key and agency creation with actor, role, ip and no secret', async () => {
    const res = await w.as('auditor')(w.http().get('/api/v1/audit-events?action=api-key.create&pageSize=100')).expect(200);
    expect(res.body.total).toBeGreaterThanOrEqual(6);
    const e = res.body.items[0];
    expect(e).toMatchObject({ actor: 'api-key:00000000-0000-4000-8000-00000000a0a0', role: 'ADMIN', outcome: 'SUCCESS', target: expect.stringMatching(/^api-key:/) });
    expect(e.ip).toEqual(expect.any(String));
    for (const s of w.secrets) expect(JSON.stringify(res.body)).not.toContain(s);
    const agencies = await w.as('auditor')(w.http().get('/api/v1/audit-events?action=agency.create&target=agency:000.00.70.H11')).expect(200);
    expect(agencies.body.total).toBe(1);
  });

  it('filters by time, actor and outcome, and pages', async () => {
    const all = await w.as('auditor')(w.http().get('/api/v1/audit-events?pageSize=3&page=2')).expect(200);
    expect(all.body.items.map((e: { seq: number }) => e.seq)).toEqual([4, 5, 6]);
    const future = await w.as('auditor')(w.http().get('/api/v1/audit-events?from=2999-01-01T00:00:00Z')).expect(200);
    expect(future.body).toMatchObject({ total: 0, items: [] });
    const sys = await w.as('auditor')(w.http().get('/api/v1/audit-events?actor=system:bootstrap')).expect(200);
    expect(sys.body.items.every((e: { actor: string }) => e.actor === 'system:bootstrap')).toBe(true);
    await w.as('auditor')(w.http().get('/api/v1/audit-events?from=yesterday')).expect(400);
    await w.as('auditor')(w.http().get('/api/v1/audit-events?pageSize=100000')).expect(400);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE of events, and moving the head back', async () => {
    // Triggers apply to every role short of disabling them, the owner and a superuser included.
    await expect(su.query(`UPDATE audit_events SET details = '{"x":1}' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(su.query('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(su.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    await expect(su.query('UPDATE audit_head SET seq = 1')).rejects.toThrow(/advance by one/);
    await expect(su.query('DELETE FROM audit_head')).rejects.toThrow(/append-only/);
  });

  it('writes the event in the transaction of the change: a rolled-back change leaves no event', async () => {
    const before = (await ids()).length;
    const audit = w.t.app.get(AuditService);
    await expect(
      ds.transaction(async (m) => {
        await audit.record(m, { actor: { system: 'test' }, action: 'test.rolled-back' });
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    expect((await ids()).length).toBe(before);
    await expect(audit.record(ds.manager, { actor: { system: 'test' }, action: 'test.no-tx' })).rejects.toThrow(/inside the transaction/);
    // A refused duplicate agency: 409, and no second agency.create event for it.
    await w.as('admin')(w.http().post('/api/v1/agencies').send({ id: '000.00.70.H11', name: 'again' })).expect(409);
    const ev = await w.as('auditor')(w.http().get('/api/v1/audit-events?action=agency.create&target=agency:000.00.70.H11')).expect(200);
    expect(ev.body.total).toBe(1);
  });

  it('keeps one linear chain under concurrent appends', async () => {
    const before = (await ids()).length;
    const audit = w.t.app.get(AuditService);
    await Promise.all(Array.from({ length: 25 }, (_, i) => ds.transaction((m) => audit.record(m, { actor: { system: 'test' }, action: 'test.concurrent', details: { i } }))));
    const v = await verifyAuditChain(ds);
    expect(v).toMatchObject({ valid: true, count: before + 25 });
  });

  it('hashes in the database exactly what the verifier hashes: standalone and in-transaction appends mixed, any content', async () => {
    const before = (await ids()).length;
    const audit = w.t.app.get(AuditService);
    const details = (i: number) => ({ i, seq: i, 'Hồ sơ': 'Quyết định "số" 1\\ — đ \u{1F4DC}', nested: { seq: '"seq":0', at: new Date(0) } });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2
          ? audit.recordStandalone({ actor: { system: 'test' }, action: 'test.standalone', target: `"seq":${i}`, details: details(i) })
          : ds.transaction((m) => audit.record(m, { actor: { system: 'test' }, action: 'test.in-tx', details: details(i) })),
      ),
    );
    expect(await verifyAuditChain(ds)).toMatchObject({ valid: true, count: before + 30 });
    // What record() returns is the stored event, with the hash the JS chain function gives.
    const stored = await ds.transaction((m) => audit.record(m, { actor: { system: 'test' }, action: 'test.returned', details: details(99) }));
    const { prevHash, hash, ...event } = stored;
    expect(hash).toBe(chainHash(prevHash, event));
    const [row] = await ds.query('SELECT seq, id, at, actor, role, action, target, ip, outcome, details, prev_hash, hash FROM audit_events WHERE id = $1', [stored.id]);
    expect(rowToEvent(row)).toEqual(event);
    expect(row).toMatchObject({ prev_hash: prevHash, hash });
  });

  it('detects an edited row and names it', async () => {
    const rows = await ids();
    const v = await tampered((c) => c.query(`UPDATE audit_events SET details = '{"name":"forged"}' WHERE seq = 3`).then(() => undefined));
    expect(v).toMatchObject({ valid: false, firstBrokenId: rows[2].id, firstBrokenSeq: 3 });
    expect(v.reason).toMatch(/edited/);
    const actor = await tampered((c) => c.query(`UPDATE audit_events SET actor = 'someone-else' WHERE seq = 5`).then(() => undefined));
    expect(actor.firstBrokenId).toBe(rows[4].id);
  });

  it('detects a deleted row and names the event after the gap', async () => {
    const rows = await ids();
    const v = await tampered((c) => c.query('DELETE FROM audit_events WHERE seq = 4').then(() => undefined));
    expect(v).toMatchObject({ valid: false, firstBrokenId: rows[4].id });
    // Deleting the newest event is caught by the head.
    const last = await tampered((c) => c.query('DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)').then(() => undefined));
    expect(last.valid).toBe(false);
    expect(last.reason).toMatch(/newest events are missing/);
  });

  it('detects inserted rows — a naive forgery in the middle, a well-formed one at the end', async () => {
    const forgedId = randomUUID();
    const middle = await tampered(async (c) => {
      await c.query('UPDATE audit_events SET seq = seq + 1000000 WHERE seq > 3');
      await c.query('UPDATE audit_events SET seq = seq - 1000000 + 1 WHERE seq > 1000000');
      const [prev] = (await c.query('SELECT hash FROM audit_events WHERE seq = 3')).rows;
      await c.query(
        `INSERT INTO audit_events (seq, id, at, actor, role, action, target, ip, outcome, details, prev_hash, hash)
         VALUES (4, $1, now(), 'api-key:x', 'ADMIN', 'api-key.create', 'api-key:x', '127.0.0.1', 'SUCCESS', '{}', $2, $3)`,
        [forgedId, prev.hash, 'f'.repeat(64)],
      );
    });
    expect(middle).toMatchObject({ valid: false, firstBrokenId: forgedId });

    const endId = randomUUID();
    const end = await tampered(async (c) => {
      const [head] = (await c.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')).rows;
      const event = { seq: Number(head.seq) + 1, id: endId, at: new Date().toISOString(), actor: 'api-key:x', role: 'ADMIN', action: 'api-key.create', target: 'api-key:x', ip: '127.0.0.1', outcome: 'SUCCESS' as const, details: {} };
      await c.query(
        `INSERT INTO audit_events (seq, id, at, actor, role, action, target, ip, outcome, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '{}', $10, $11)`,
        [event.seq, endId, event.at, event.actor, event.role, event.action, event.target, event.ip, event.outcome, head.hash, chainHash(head.hash, event)],
      );
    });
    expect(end).toMatchObject({ valid: false, firstBrokenId: endId });
    expect(end.reason).toMatch(/beyond the recorded head/);
  });

  it('detects reordered rows and names the first one out of place', async () => {
    const rows = await ids();
    const v = await tampered(async (c) => {
      await c.query('UPDATE audit_events SET seq = -1 WHERE seq = 6');
      await c.query('UPDATE audit_events SET seq = 6 WHERE seq = 7');
      await c.query('UPDATE audit_events SET seq = 7 WHERE seq = -1');
    });
    expect(v).toMatchObject({ valid: false, firstBrokenId: rows[6].id, firstBrokenSeq: 6 });
  });

  it('signs checkpoints of the head (once per head, one instance at a time) and catches a rewritten chain', async () => {
    const cp = w.t.app.get(AuditCheckpointService);
    const results = await Promise.all([cp.checkpointNow(), cp.checkpointNow(), cp.checkpointNow()]);
    expect(results.filter((r) => r?.created).length).toBe(1);
    expect((await cp.checkpointNow())?.created).toBe(false);
    expect(fs.existsSync(path.join(w.t.dataDir, 'keys', 'archive-signing-key.pem'))).toBe(true);
    const ok = await w.as('auditor')(w.http().get('/api/v1/audit-events/verify')).expect(200);
    expect(ok.body).toMatchObject({ valid: true, checkpoints: { count: 1, verified: 1 } });
    // Auditors can take the signed checkpoints away and check them offline.
    const [cpt] = (await w.as('auditor')(w.http().get('/api/v1/audit-events/checkpoints')).expect(200)).body;
    expect(cpt).toMatchObject({ seq: ok.body.count, headHash: ok.body.headHash, algorithm: 'RS256' });
    const payload = Buffer.from(`archive-audit-checkpoint:v1:${cpt.seq}:${cpt.headHash}`);
    expect(require('node:crypto').verify('sha256', payload, cpt.publicKey, Buffer.from(cpt.signature, 'base64'))).toBe(true);

    // A superuser edits row 2 and recomputes every later hash and the head: the chain is consistent
    // again, but no longer matches what the archive signed.
    const rewritten = await tampered(async (c) => {
      await c.query(`UPDATE audit_events SET details = '{"rewritten":true}' WHERE seq = 2`);
      const rows = (await c.query('SELECT * FROM audit_events ORDER BY seq')).rows;
      let prev = GENESIS_HASH;
      for (const r of rows) {
        const h = chainHash(prev, rowToEvent(r));
        await c.query('UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE seq = $3', [prev, h, r.seq]);
        prev = h;
      }
      await c.query('UPDATE audit_head SET hash = $1', [prev]);
    });
    expect(rewritten.valid).toBe(false);
    expect(rewritten.reason).toMatch(/checkpoint .* does not match the chain/);

    // A forged signature fails as well.
    const forged = await tampered((c) => c.query(`UPDATE audit_checkpoints SET signature = $1`, [Buffer.alloc(256, 1).toString('base64')]).then(() => undefined));
    expect(forged.reason).toMatch(/invalid signature/);
  });

  it('names the first bad event over HTTP and from `npm run cli -- audit-verify` (exit 1)', async () => {
    const rows = await ids();
    await su.query('BEGIN');
    await su.query('SET LOCAL session_replication_role = replica');
    const [orig] = (await su.query('SELECT details FROM audit_events WHERE seq = 2')).rows;
    await su.query(`UPDATE audit_events SET details = '{"tampered":true}' WHERE seq = 2`);
    await su.query('COMMIT');
    try {
      const res = await w.as('auditor')(w.http().get('/api/v1/audit-events/verify')).expect(200);
      expect(res.body).toMatchObject({ valid: false, firstBrokenId: rows[1].id, firstBrokenSeq: 2 });

      const cli = spawnEntry('cli', ['audit-verify'], { DATABASE_URL: w.t.config.databaseUrl as string, ARCHIVE_DATA_DIR: w.t.dataDir, LOG_LEVEL: 'silent', ARCHIVE_ADMIN_TOKEN: undefined });
      const { code } = await exitOf(cli, 90_000);
      expect(code).toBe(1);
      expect(cli.output()).toContain(rows[1].id);
      expect(cli.output()).toMatch(/"valid": false/);
    } finally {
      await su.query('BEGIN');
      await su.query('SET LOCAL session_replication_role = replica');
      await su.query('UPDATE audit_events SET details = $1 WHERE seq = 2', [orig.details]);
      await su.query('COMMIT');
    }
    const res = await w.as('auditor')(w.http().get('/api/v1/audit-events/verify')).expect(200);
    expect(res.body.valid).toBe(true);
  }, 120_000);
});
