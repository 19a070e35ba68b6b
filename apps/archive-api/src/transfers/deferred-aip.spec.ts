import { DataSource } from 'typeorm';
import type { ObjectStore } from '@archive/storage';
import { binary, caseFile, createWorld, getTransfer, manifest, postMultipart, sha256, signedPdf, World } from '../../../../test/transfers/support';
import { JobQueue } from '../jobs/job-queue.service';
import { OBJECT_STORE } from '../storage/storage.module';
import { TransferJanitorService } from './transfer-janitor.service';
import { AIP_QUEUE, TRANSFER_QUEUE } from './transfer.types';

/**
 * TRANSFER_AIP_DEFERRED (the default): the case file is catalogued without its AIP, which a follow-up job writes.
 * Checked here: the package answers 409 (pending) until then; a crash between storing the AIP and claiming it
 * neither loses it to the janitor nor stores a second one; the re-run claims it and it is served.
 */
describe('transfers: deferred AIP', () => {
  let w: World;
  let db: DataSource;
  let store: ObjectStore;
  let jobs: JobQueue;
  beforeAll(async () => {
    w = await createWorld({ TRANSFER_JANITOR_GRACE_SECONDS: '0' }); // deferred is the default
    db = w.t.app.get(DataSource);
    store = w.t.app.get(OBJECT_STORE);
    jobs = w.t.app.get(JobQueue);
  });
  afterAll(async () => w?.close());

  it('catalogues first, survives a crash before the claim, then serves the AIP', async () => {
    const docs = [{ path: 'a/1.pdf', bytes: await signedPdf('deferred 1') }, { path: 'a/2.pdf', bytes: await signedPdf('deferred 2') }];
    const cf = caseFile(docs);
    const r = await postMultipart(w, manifest([cf]), docs);
    expect(r.status).toBe(202);
    await jobs.drain([TRANSFER_QUEUE]);
    const t = await getTransfer(w, r.body.id);
    expect(t.status).toBe('ACCEPTED');
    const fileId = t.files[0].fileId as string;
    expect((await db.query('SELECT aip_key FROM case_files WHERE id = $1', [fileId]))[0].aip_key).toBeNull();
    const before = await w.http.get(`/api/v1/files/${fileId}/package`).set('Authorization', `Bearer ${w.archivist}`);
    expect(before.status).toBe(409); // PACKAGE_PENDING: the AIP job is queued
    expect(before.headers['retry-after']).toEqual(expect.stringMatching(/^\d+$/));

    // Crash after the AIP is stored, before its claim commits.
    const spy = jest.spyOn(db, 'transaction').mockRejectedValueOnce(new Error('simulated crash before the AIP claim') as never);
    await jobs.drain([AIP_QUEUE]);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    const zips = async () => {
      const out: string[] = [];
      for await (const o of store.list('aip/')) if (o.key.includes(r.body.id) && o.key.endsWith('.zip')) out.push(o.key);
      return out;
    };
    expect(await zips()).toHaveLength(1);
    // The janitor keeps it: its job is queued for a retry.
    const janitor = w.t.app.get(TransferJanitorService);
    expect((await janitor.run()).removed.filter((k) => k.includes(r.body.id))).toEqual([]);

    await db.query(`UPDATE jobs SET run_at = now() WHERE queue = $1 AND status = 'QUEUED'`, [AIP_QUEUE]);
    await jobs.drain([AIP_QUEUE]);
    const [row] = await db.query('SELECT aip_key, aip_sha256 FROM case_files WHERE id = $1', [fileId]);
    expect(await zips()).toEqual([row.aip_key]);
    const pkg = await w.http.get(`/api/v1/files/${fileId}/package`).set('Authorization', `Bearer ${w.archivist}`).buffer(true).parse(binary);
    expect(pkg.status).toBe(200);
    expect(sha256(pkg.body)).toBe(row.aip_sha256);
    // The originals are inside it, byte for byte.
    for (const d of docs) expect(pkg.body.includes(d.bytes)).toBe(true);
    // Nothing of the transfer is left for the janitor.
    expect((await janitor.run()).removed.filter((k) => k.includes(r.body.id))).toEqual([]);
  });
});
