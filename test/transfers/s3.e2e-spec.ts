import { randomBytes } from 'node:crypto';
import type { ObjectStore } from '@archive/storage';
import { OBJECT_STORE } from '../../apps/archive-api/src/storage/storage.module';
import { binary, caseFile, createWorld, getTransfer, manifest, postMultipart, sha256, signedPdf, World } from './support';

/** The S3 path (Ceph RGW of the suite, or S3_ENDPOINT) with Object Lock: skipped when no S3 is available. */
const endpoint = process.env.S3_ENDPOINT;
const d = endpoint ? describe : describe.skip;
if (!endpoint) process.stderr.write('[transfers] S3 tests SKIPPED: S3_ENDPOINT is not set\n');

d('transfers on S3 with Object Lock', () => {
  let w: World;
  let store: ObjectStore;
  const bucket = `archive-transfers-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    w = await createWorld({
      S3_ENDPOINT: endpoint!,
      ...(process.env.S3_PORT ? { S3_PORT: process.env.S3_PORT } : {}),
      S3_ACCESS_KEY: process.env.S3_ACCESS_KEY ?? '',
      S3_SECRET_KEY: process.env.S3_SECRET_KEY ?? '',
      S3_USE_SSL: process.env.S3_USE_SSL ?? 'false',
      S3_REGION: process.env.S3_REGION ?? 'us-east-1',
      S3_BUCKET: bucket,
      S3_OBJECT_LOCK: 'governance',
    });
    store = w.t.app.get(OBJECT_STORE);
  });
  afterAll(async () => {
    if (store) {
      // governance retention can be bypassed and holds lifted: leave no test data behind
      for await (const o of store.list('')) {
        await store.setLegalHold(o.key, false).catch(() => undefined);
        await store.remove(o.key, { bypassGovernance: true }).catch(() => undefined);
      }
    }
    await w?.close();
  });

  it('ingests, locks (retention / legal hold) and serves the bytes back', async () => {
    const all = [{ path: 's3/1.pdf', bytes: await signedPdf('s3 one') }, { path: 's3/2.pdf', bytes: await signedPdf('s3 two') }];
    const temp = caseFile([all[0]!]);
    const perm = caseFile([all[1]!], { maintenance: '01' }); // vĩnh viễn → legal hold
    const r = await postMultipart(w, manifest([temp, perm]), all);
    expect(r.status).toBe(202);
    await w.drain();
    const t = await getTransfer(w, r.body.id);
    if (t.status !== 'ACCEPTED') console.log(JSON.stringify(t, null, 1));
    expect(t.status).toBe('ACCEPTED');
    const c = await w.http.get(`/api/v1/documents/${t.documents[0].documentId}/content`).set('Authorization', `Bearer ${w.archivist}`).buffer(true).parse(binary);
    expect(sha256(c.body)).toBe(sha256(all[0]!.bytes));
    const doc0 = await w.http.get(`/api/v1/documents/${t.documents[0].documentId}`).set('Authorization', `Bearer ${w.archivist}`).expect(200);
    const doc1 = await w.http.get(`/api/v1/documents/${t.documents[1].documentId}`).set('Authorization', `Bearer ${w.archivist}`).expect(200);
    const { DataSource } = await import('typeorm');
    const db = w.t.app.get(DataSource);
    const [k0] = await db.query('SELECT object_key FROM documents WHERE id = $1', [doc0.body.id]);
    const [k1] = await db.query('SELECT object_key FROM documents WHERE id = $1', [doc1.body.id]);
    if (store.objectLock) {
      const ret = await store.getRetention(k0.object_key);
      expect(ret?.until.toISOString().slice(0, 10)).toBe('2034-12-31');
      expect(await store.getLegalHold(k1.object_key)).toBe(true);
    }
    const files = await w.http.get(`/api/v1/files/${t.files[0].fileId}`).set('Authorization', `Bearer ${w.archivist}`).expect(200);
    expect(files.body).toMatchObject({ retentionUntil: '2034-12-31', status: 'ARCHIVED' });
    const f2 = await w.http.get(`/api/v1/files/${t.files[1].fileId}`).set('Authorization', `Bearer ${w.archivist}`).expect(200);
    expect(f2.body.retentionUntil).toBeNull();
  });
});
