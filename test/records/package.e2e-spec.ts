import request from 'supertest';
import { DataSource } from 'typeorm';
import { JobQueue } from '../../apps/archive-api/src/jobs/job-queue.service';
import { AIP_QUEUE, TRANSFER_QUEUE } from '../../apps/archive-api/src/transfers/transfer.types';
import { ADMIN_TOKEN, caseFile, createWorld, DocSpec, getTransfer, manifest, postMultipart, signedPdf, World } from '../transfers/support';

/**
 * GET /files/:id/package with deferred AIPs (TRANSFER_AIP_DEFERRED): the case file is catalogued before
 * its AIP exists. While the AIP job is queued or running the answer is 409 PACKAGE_PENDING with
 * Retry-After; once written, the package; when no AIP will come (job failed, case file destroyed), 404.
 */
const OTHER_AGENCY = { id: '000.00.13.H05', name: 'Sở Tài chính tỉnh Bình Định' };

describe('records: GET /files/:id/package while a deferred AIP is pending', () => {
  let w: World;
  let db: DataSource;
  let jobs: JobQueue;
  let otherArchivist: string;
  const get = (fileId: string, token: string | null = w.archivist) => {
    const r = w.http.get(`/api/v1/files/${fileId}/package`);
    return token ? r.set('Authorization', `Bearer ${token}`) : r;
  };

  /** A transfer of one case file, processed (catalogued) without running its AIP job. */
  async function catalogued(): Promise<string> {
    const docs: DocSpec[] = [{ path: 'van-ban-1.pdf', bytes: await signedPdf('Van ban goi AIP') }];
    const r = await postMultipart(w, manifest([caseFile(docs)]), docs).expect(202);
    await jobs.drain([TRANSFER_QUEUE]);
    const t = await getTransfer(w, r.body.id);
    expect(t.status).toBe('ACCEPTED');
    return t.files[0].fileId as string;
  }

  beforeAll(async () => {
    w = await createWorld({ TRANSFER_AIP_DEFERRED: 'true', TRANSFER_WRITE_AIP: 'true' });
    db = w.t.app.get(DataSource);
    jobs = w.t.app.get(JobQueue);
    const admin = `Bearer ${ADMIN_TOKEN}`;
    const server = w.t.app.getHttpServer();
    await request(server).post('/api/v1/agencies').set('Authorization', admin).send(OTHER_AGENCY).expect(201);
    otherArchivist = (await request(server).post('/api/v1/api-keys').set('Authorization', admin).send({ name: 'other', role: 'ARCHIVIST', agencyId: OTHER_AGENCY.id }).expect(201)).body
      .token;
  });
  afterAll(async () => w?.close());

  it('answers 409 PACKAGE_PENDING with Retry-After until the AIP job has run, then the package', async () => {
    const fileId = await catalogued();
    const pending = await get(fileId).expect(409);
    expect(pending.headers['content-type']).toMatch(/^application\/json/);
    expect(pending.body).toMatchObject({ statusCode: 409, error: 'Conflict', details: [{ code: 'PACKAGE_PENDING' }] });
    expect(Number(pending.headers['retry-after'])).toBeGreaterThanOrEqual(5);
    // Scope first: another agency's archivist learns nothing (404), no token is 401.
    await get(fileId, otherArchivist).expect(404);
    await get(fileId, null).expect(401);
    // A job backing off after a failed attempt: Retry-After says when it runs again.
    await db.query(`UPDATE jobs SET run_at = now() + interval '90 seconds' WHERE queue = $1 AND dedupe_key = $2`, [AIP_QUEUE, `aip:${fileId}`]);
    const later = Number((await get(fileId).expect(409)).headers['retry-after']);
    expect(later).toBeGreaterThanOrEqual(85);
    expect(later).toBeLessThanOrEqual(90);
    await db.query(`UPDATE jobs SET run_at = now() WHERE queue = $1 AND dedupe_key = $2`, [AIP_QUEUE, `aip:${fileId}`]);

    expect(await jobs.drain([AIP_QUEUE])).toBeGreaterThanOrEqual(1);
    const pkg = await get(fileId).buffer(true).expect(200);
    expect(pkg.headers['content-type']).toBe('application/zip');
    expect(pkg.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
    await get(fileId).set('Range', 'bytes=0-3').expect(206);
  });

  it('answers 404 when no AIP will come: the job failed for good, or the case file was destroyed', async () => {
    const failed = await catalogued();
    await db.query(`UPDATE jobs SET status = 'FAILED', finished_at = now() WHERE queue = $1 AND dedupe_key = $2`, [AIP_QUEUE, `aip:${failed}`]);
    const res = await get(failed).expect(404);
    expect(res.headers['retry-after']).toBeUndefined();

    const destroyed = await catalogued();
    await db.query(`UPDATE case_files SET status = 'DESTROYED', destroyed_at = now() WHERE id = $1`, [destroyed]);
    await get(destroyed).expect(404);
  });
});

describe('records: GET /files/:id/package when AIPs are not written', () => {
  let w: World;
  afterAll(async () => w?.close());

  it('answers 404, not 409: no AIP job exists', async () => {
    w = await createWorld({ TRANSFER_WRITE_AIP: 'false' });
    const docs: DocSpec[] = [{ path: 'van-ban-1.pdf', bytes: await signedPdf('Khong co AIP') }];
    const r = await postMultipart(w, manifest([caseFile(docs)]), docs).expect(202);
    await w.drain();
    const fileId = (await getTransfer(w, r.body.id)).files[0].fileId;
    const res = await w.http.get(`/api/v1/files/${fileId}/package`).set('Authorization', `Bearer ${w.archivist}`).expect(404);
    expect(res.body.details).toBeUndefined();
  });
});
