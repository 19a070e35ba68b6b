import { DataSource } from 'typeorm';
import { binary, caseFile, createWorld, getTransfer, manifest, postMultipart, sha256, signedPdf, World } from './support';

describe('transfers: multipart', () => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld();
  });
  afterAll(async () => w?.close());

  it('accepts a signed case file and serves the original byte for byte', async () => {
    const a = await signedPdf('Quyet dinh 15');
    const b = await signedPdf('Quyet dinh 16');
    const docs = [{ path: 'docs/15-QD-SNV.pdf', bytes: a }, { path: 'tài liệu/Quyết định 16.pdf', bytes: b }];
    const m = manifest([caseFile(docs)]);
    const r = await postMultipart(w, m, docs);
    if (r.status !== 202) console.log(r.body);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ id: expect.any(String), status: 'RECEIVED' });
    expect((await getTransfer(w, r.body.id)).status).toBe('RECEIVED');
    await w.http.get(`/api/v1/transfers/${r.body.id}/receipt`).set('Authorization', `Bearer ${w.submitter}`).expect(409);
    await w.drain();
    const t = await getTransfer(w, r.body.id);
    if (t.status !== 'ACCEPTED') console.log(JSON.stringify(t, null, 1));
    expect(t.status).toBe('ACCEPTED');
    expect(t.files[0]).toMatchObject({ status: 'ACCEPTED', fileId: expect.any(String), errors: [] });
    expect(t.documents[0]).toMatchObject({ path: 'docs/15-QD-SNV.pdf', status: 'ACCEPTED', signatureSummary: 'VALID', errors: [] });
    expect(t.documents[1]).toMatchObject({ path: 'tài liệu/Quyết định 16.pdf', status: 'ACCEPTED', signatureSummary: 'VALID' });
    const docId = t.documents[0].documentId;
    const c = await w.http.get(`/api/v1/documents/${docId}/content`).set('Authorization', `Bearer ${w.archivist}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (x: Buffer) => chunks.push(x));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(c.status).toBe(200);
    expect(sha256(c.body)).toBe(sha256(a));
    expect(c.headers.etag).toBe(`"${sha256(a)}"`);
    const head = await w.http.get(`/api/v1/documents/${docId}/content`).set('Authorization', `Bearer ${w.archivist}`).set('If-None-Match', `"${sha256(a)}"`);
    expect(head.status).toBe(304);
    const doc = await w.http.get(`/api/v1/documents/${docId}`).set('Authorization', `Bearer ${w.submitter}`).expect(200);
    expect(doc.body).toMatchObject({ id: docId, sha256: sha256(a), size: a.length, signatureSummary: 'VALID', fileId: t.files[0].fileId });
    const pkg = await w.http.get(`/api/v1/files/${t.files[0].fileId}/package`).set('Authorization', `Bearer ${w.archivist}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (x: Buffer) => chunks.push(x));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(pkg.status).toBe(200);
    const { readAip } = await import('@archive/metadata');
    const aip = await readAip(pkg.body as Buffer);
    expect(aip.ok).toBe(true);
    if (aip.ok) {
      expect(aip.value.dataFiles.map((f) => f.sha256).sort()).toEqual([sha256(a), sha256(b)].sort());
      await aip.value.close();
    }
    // The receipt (biên bản giao nhận), signed by the archive's key: made by a job when processing ended,
    // before anyone asked for it, and served as stored.
    const db = w.t.app.get(DataSource);
    const [made] = await db.query('SELECT receipt_key, receipt_sha256 FROM transfers WHERE id = $1', [r.body.id]);
    expect(made.receipt_key).toEqual(expect.stringContaining(r.body.id));
    const events = await db.query(`SELECT actor FROM audit_events WHERE action = 'transfer.receipt' AND target = $1`, [`transfer:${r.body.id}`]);
    expect(events).toEqual([{ actor: 'system:receipt' }]);
    const rc = await w.http.get(`/api/v1/transfers/${r.body.id}/receipt`).set('Authorization', `Bearer ${w.submitter}`).buffer(true).parse(binary);
    expect(rc.status).toBe(200);
    expect(sha256(rc.body)).toBe(made.receipt_sha256);
    const again = await w.http.get(`/api/v1/transfers/${r.body.id}/receipt`).set('Authorization', `Bearer ${w.submitter}`).buffer(true).parse(binary);
    expect(sha256(again.body)).toBe(made.receipt_sha256); // made once
    expect(await db.query(`SELECT 1 FROM audit_events WHERE action = 'transfer.receipt' AND target = $1`, [`transfer:${r.body.id}`])).toHaveLength(1);
    if (process.env.RECEIPT_OUT) require('node:fs').writeFileSync(process.env.RECEIPT_OUT, rc.body);
    expect(rc.headers['content-type']).toBe('application/pdf');
    const { verifyPdf } = await import('@archive/signature');
    const rep = await verifyPdf(rc.body as Buffer, { trustAnchors: [] });
    expect(rep.signatureCount).toBe(1);
    expect(rep.signatures[0]!.verdict).toBe('UNTRUSTED_CHAIN'); // the development key is self-signed: intact, but not anchored
    // The submitter sees metadata but may not download originals (tải bản gốc is for archivists).
    await w.http.get(`/api/v1/documents/${docId}/content`).set('Authorization', `Bearer ${w.submitter}`).expect(403);
  });
});
