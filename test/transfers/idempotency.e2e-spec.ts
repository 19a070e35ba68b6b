import type { ObjectStore } from '@archive/storage';
import { OBJECT_STORE } from '../../apps/archive-api/src/storage/storage.module';
import { caseFile, createWorld, getTransfer, manifest, postMultipart, signedPdf, World } from './support';

/** Idempotency-Key semantics (draft-ietf-httpapi-idempotency-key-header): same request → the same answer; another payload → 422. */
describe('transfers: Idempotency-Key', () => {
  let w: World;
  let store: ObjectStore;
  beforeAll(async () => {
    w = await createWorld();
    store = w.t.app.get(OBJECT_STORE);
  });
  afterAll(async () => w?.close());

  async function objectCount(): Promise<number> {
    let n = 0;
    for await (const o of store.list('')) if (o.key) n++;
    return n;
  }

  it('answers the original transfer to the same request again, also with the parts in another order', async () => {
    const docs = [
      { path: 'a.pdf', bytes: await signedPdf('idem order a') },
      { path: 'b.pdf', bytes: await signedPdf('idem order b') },
    ];
    const m = manifest([caseFile(docs)]);
    const r1 = await postMultipart(w, m, docs, { idempotencyKey: 'order-key' });
    expect(r1.status).toBe(202);
    const r2 = await postMultipart(w, m, [...docs].reverse(), { idempotencyKey: 'order-key' });
    expect(r2.status).toBe(202);
    expect(r2.body.id).toBe(r1.body.id);
    expect(r2.headers['idempotency-replayed']).toBe('true');
    await w.drain();
    expect((await getTransfer(w, r1.body.id)).status).toBe('ACCEPTED');
  });

  it('refuses a reused key with other bytes or another manifest (422), and keeps nothing of that request', async () => {
    const docs = [{ path: 'k.pdf', bytes: await signedPdf('idem reuse') }];
    const cf = caseFile(docs);
    const r1 = await postMultipart(w, manifest([cf]), docs, { idempotencyKey: 'reuse-key' });
    expect(r1.status).toBe(202);
    await w.drain();
    const before = await objectCount();

    // same manifest (its sha256 included), other bytes under the same path
    const other = [{ path: 'k.pdf', bytes: await signedPdf('idem reuse, another text'), sha256: String((cf.documents as any[])[0].sha256) }];
    const r2 = await postMultipart(w, manifest([cf]), other, { idempotencyKey: 'reuse-key' });
    expect(r2.status).toBe(422);
    expect(r2.body).toMatchObject({
      statusCode: 422,
      details: [expect.objectContaining({ code: 'idempotency_key_reused', path: 'headers.idempotency-key' })],
    });
    expect(r2.body.message).toContain(r1.body.id);

    // same bytes, another manifest (a different title)
    const r3 = await postMultipart(w, manifest([{ ...cf, title: 'Hồ sơ khác' }]), docs, { idempotencyKey: 'reuse-key' });
    expect(r3.status).toBe(422);

    // nothing of the refused requests was kept, and the original is untouched
    expect(await objectCount()).toBe(before);
    const t = await getTransfer(w, r1.body.id);
    expect(t.status).toBe('ACCEPTED');
    const content = await w.http
      .get(`/api/v1/documents/${t.documents[0].documentId}/content`)
      .set('Authorization', `Bearer ${w.archivist}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(content.body as Buffer, docs[0].bytes)).toBe(0);
  });

  it('a key belongs to the agency: its archivist reusing it for other content gets 422 too', async () => {
    const docs = [{ path: 's.pdf', bytes: await signedPdf('idem scope') }];
    const r1 = await postMultipart(w, manifest([caseFile(docs)]), docs, { idempotencyKey: 'scope-key' });
    // the archivist (same agency) shares the agency's scope: same key, other content → 422, not a silent replay
    const docs2 = [{ path: 's.pdf', bytes: await signedPdf('idem scope 2') }];
    const r2 = await postMultipart(w, manifest([caseFile(docs2)]), docs2, { idempotencyKey: 'scope-key', token: w.archivist });
    expect(r1.status).toBe(202);
    expect(r2.status).toBe(422);
  });
});
