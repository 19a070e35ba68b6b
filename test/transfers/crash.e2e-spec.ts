import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ObjectStore } from '@archive/storage';
import { RecordsService } from '../../apps/archive-api/src/records/records.service';
import { OBJECT_STORE } from '../../apps/archive-api/src/storage/storage.module';
import { TransferJanitorService } from '../../apps/archive-api/src/transfers/transfer-janitor.service';
import { AGENCY, binary, caseFile, createWorld, getTransfer, manifest, postMultipart, sha256, signedPdf, World } from './support';

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out;
}

// The AIP is written after the commit by default (TRANSFER_AIP_DEFERRED), before it when set to false.
describe.each([
  ['AIP deferred (default)', true],
  ['AIP inline', false],
])('transfers: crash between storing objects and the catalogue commit — %s', (_mode, deferred) => {
  let w: World;
  let store: ObjectStore;
  let db: DataSource;
  beforeAll(async () => {
    w = await createWorld({ TRANSFER_JANITOR_GRACE_SECONDS: '0', ...(deferred ? {} : { TRANSFER_AIP_DEFERRED: 'false' }) });
    store = w.t.app.get(OBJECT_STORE);
    db = w.t.app.get(DataSource);
  });
  afterAll(async () => w?.close());

  it('resumes after the failed commit: exactly one catalogued case file, its objects, no orphans after the janitor', async () => {
    const docs = [{ path: 'c/1.pdf', bytes: await signedPdf('crash 1') }, { path: 'c/2.pdf', bytes: await signedPdf('crash 2') }];
    const cf = caseFile(docs);
    const records = w.t.app.get(RecordsService);
    const spy = jest.spyOn(records, 'catalogue').mockRejectedValueOnce(new Error('simulated crash before commit'));
    const r = await postMultipart(w, manifest([cf]), docs);
    expect(r.status).toBe(202);
    await w.drain();
    expect(spy).toHaveBeenCalledTimes(1);

    // After the crash: objects stored, nothing catalogued, the transfer still in flight, the job queued for a retry.
    let t = await getTransfer(w, r.body.id);
    expect(t.status).toBe('PROCESSING');
    expect((await db.query('SELECT count(*)::int AS n FROM case_files WHERE file_code = $1', [cf.fileCode]))[0].n).toBe(0);
    const stored = await keys(store, `aip/${AGENCY.id}/`);
    const mine = stored.filter((k) => k.includes(r.body.id));
    // the two originals, and the AIP when it is written before the commit
    expect(mine).toHaveLength(deferred ? 2 : 3);
    // The janitor leaves a transfer in flight alone.
    const janitor = w.t.app.get(TransferJanitorService);
    expect((await janitor.run()).removed.filter((k) => k.includes(r.body.id))).toEqual([]);

    // "Restart": the retry becomes due and runs.
    await db.query(`UPDATE jobs SET run_at = now() WHERE status = 'QUEUED'`);
    await w.drain();
    t = await getTransfer(w, r.body.id);
    expect(t.status).toBe('ACCEPTED');
    const rows = await db.query('SELECT d.object_key FROM documents d JOIN case_files f ON f.id = d.file_id WHERE f.file_code = $1', [cf.fileCode]);
    expect(rows).toHaveLength(2);
    // What was stored before the crash was reused (no second copy); deferred, the AIP came after the commit.
    const [aip] = await db.query('SELECT aip_key FROM case_files WHERE file_code = $1', [cf.fileCode]);
    expect(aip.aip_key).toMatch(/\.zip$/);
    const after = (await keys(store, `aip/${AGENCY.id}/`)).filter((k) => k.includes(r.body.id));
    expect([...rows.map((x: any) => x.object_key), aip.aip_key].sort()).toEqual(after.sort());
    expect(after.sort()).toEqual((deferred ? [...mine, aip.aip_key] : mine).sort());
    for (const [i, d] of docs.entries()) {
      const c = await w.http.get(`/api/v1/documents/${t.documents[i].documentId}/content`).set('Authorization', `Bearer ${w.archivist}`).buffer(true).parse(binary);
      expect(sha256(c.body)).toBe(sha256(d.bytes));
    }

    // Orphans of other kinds: an object of a transfer that never committed, and stale staging.
    const ghost = randomUUID();
    await store.put(`aip/${AGENCY.id}/2024/X/${ghost}/data/x.pdf`, Buffer.from('orphan'));
    await store.put(`staging/${randomUUID()}/000000`, Buffer.from('stale'));
    const report = await janitor.run();
    expect(report.removed).toEqual(expect.arrayContaining([`aip/${AGENCY.id}/2024/X/${ghost}/data/x.pdf`]));
    expect(await keys(store, 'staging/')).toEqual([]);
    const left = await keys(store, 'aip/');
    const claimed = (await db.query('SELECT object_key AS k FROM documents UNION ALL SELECT aip_key FROM case_files WHERE aip_key IS NOT NULL')).map((x: any) => x.k);
    expect(left.sort()).toEqual(claimed.sort());
  });

  it('applies WORM on the re-run when the crash came after the catalogue commit', async () => {
    const docs = [{ path: 'w/1.pdf', bytes: await signedPdf('worm 1') }];
    const cf = caseFile(docs);
    const spy = jest.spyOn(store, 'setRetention').mockRejectedValueOnce(new Error('simulated crash after commit'));
    const r = await postMultipart(w, manifest([cf]), docs);
    await w.drain();
    expect(spy).toHaveBeenCalled();
    expect((await getTransfer(w, r.body.id)).status).toBe('ACCEPTED');
    const [before] = await db.query('SELECT worm_applied_at FROM case_files WHERE file_code = $1', [cf.fileCode]);
    expect(before.worm_applied_at).toBeNull();
    await db.query(`UPDATE jobs SET run_at = now() WHERE status = 'QUEUED'`);
    await w.drain();
    const [after] = await db.query('SELECT worm_applied_at, retention_until FROM case_files WHERE file_code = $1', [cf.fileCode]);
    expect(after.worm_applied_at).not.toBeNull();
    const [doc] = await db.query('SELECT d.object_key FROM documents d JOIN case_files f ON f.id = d.file_id WHERE f.file_code = $1', [cf.fileCode]);
    const retention = await store.getRetention(doc.object_key);
    expect(retention?.until.toISOString().slice(0, 10)).toBe('2034-12-31');
  });
});
