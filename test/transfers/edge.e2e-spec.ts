import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { ADMIN_TOKEN, caseFile, createWorld, getTransfer, manifest, postMultipart, signedPdf, World } from './support';

describe('transfers: scoping, hostile manifests, trust store reload', () => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld();
  });
  afterAll(async () => w?.close());

  it('never fails on hostile manifests: each ends REJECTED with codes, no 500', async () => {
    const bytes = await signedPdf('hostile');
    const bad: unknown[] = [
      { agency: { id: '000.00.12.H05', name: 'x' }, files: [null] },
      { agency: { id: '000.00.12.H05', name: 'x' }, files: [{ fileCode: 42, documents: 'no' }] },
      { agency: { id: '000.00.12.H05', name: 'x' }, files: [{ ...caseFile([{ path: 'a.pdf', bytes }]), documents: [{ path: '../../etc/passwd', docOrdinal: -1 }] }] },
      { agency: { id: '000.00.12.H05', name: 'x' }, files: [caseFile([{ path: 'a.pdf', bytes }]), caseFile([{ path: 'a.pdf', bytes }], {})].map((f, i) => ({ ...f, fileCode: `000.00.12.H05.2024.9${i}.DUP` })) },
      { agency: { id: '000.00.12.H05', name: 'x' }, files: [{ ...caseFile([{ path: 'a.pdf', bytes }]), fileCode: '000.00.12.H05.2024.77.TCCB', endDate: 'yesterday', maintenance: '07' }] },
    ];
    for (const m of bad) {
      const r = await w.http.post('/api/v1/transfers').set('Authorization', `Bearer ${w.submitter}`).field('manifest', JSON.stringify(m)).attach('a.pdf', bytes, 'a.pdf');
      expect([202, 400, 409]).toContain(r.status);
      if (r.status !== 202) continue;
      await w.drain();
      const t = await getTransfer(w, r.body.id);
      expect(['REJECTED', 'PARTIALLY_ACCEPTED']).toContain(t.status);
      const codes = [...t.errors, ...t.files.flatMap((f: any) => f.errors), ...t.documents.flatMap((d: any) => d.errors)].map((e: any) => e.code);
      expect(codes.length).toBeGreaterThan(0);
    }
  });

  it('hides another agency’s transfers and records', async () => {
    const docs = [{ path: 'x.pdf', bytes: await signedPdf('scoped') }];
    const r = await postMultipart(w, manifest([caseFile(docs)]), docs);
    await w.drain();
    const t = await getTransfer(w, r.body.id);
    const http = () => request(w.t.app.getHttpServer());
    await http().post('/api/v1/agencies').set('Authorization', `Bearer ${ADMIN_TOKEN}`).send({ id: '000.00.13.H05', name: 'Sở Tư pháp' }).expect(201);
    const other = (await http().post('/api/v1/api-keys').set('Authorization', `Bearer ${ADMIN_TOKEN}`).send({ name: 'other', role: 'ARCHIVIST', agencyId: '000.00.13.H05' }).expect(201)).body.token;
    await http().get(`/api/v1/transfers/${r.body.id}`).set('Authorization', `Bearer ${other}`).expect(404);
    await http().get(`/api/v1/files/${t.files[0].fileId}`).set('Authorization', `Bearer ${other}`).expect(404);
    await http().get(`/api/v1/documents/${t.documents[0].documentId}/content`).set('Authorization', `Bearer ${other}`).expect(404);
    const list = await http().get('/api/v1/files').set('Authorization', `Bearer ${other}`).expect(200);
    expect(list.body.total).toBe(0);
    // and a SUBMITTER cannot transfer for another agency
    const m = { ...manifest([caseFile(docs)]), agency: { id: '000.00.13.H05', name: 'Sở Tư pháp' } };
    const r2 = await postMultipart(w, m, docs);
    expect(r2.status).toBe(403);
  });

  it('reloads the trust store without a restart', async () => {
    const anchors = path.join(w.trustDir, 'anchors');
    const saved = fs.readdirSync(anchors).map((n) => [n, fs.readFileSync(path.join(anchors, n))] as const);
    for (const [n] of saved) fs.rmSync(path.join(anchors, n));
    try {
      const docs = [{ path: 'r.pdf', bytes: await signedPdf('reload') }];
      const r = await postMultipart(w, manifest([caseFile(docs)]), docs);
      await w.drain();
      const t = await getTransfer(w, r.body.id);
      expect(t.documents[0].signatureFlags).toContain('UNTRUSTED_CHAIN');
    } finally {
      for (const [n, b] of saved) fs.writeFileSync(path.join(anchors, n), b);
    }
    const docs = [{ path: 'r2.pdf', bytes: await signedPdf('reload 2') }];
    const r = await postMultipart(w, manifest([caseFile(docs)]), docs);
    await w.drain();
    expect((await getTransfer(w, r.body.id)).documents[0].signatureSummary).toBe('VALID');
  });
});
