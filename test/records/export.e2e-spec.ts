import request from 'supertest';
import * as yauzl from 'yauzl';
import { DataSource } from 'typeorm';
import { parseXml } from '@archive/metadata/eark/xml';
import { ADMIN_TOKEN, AGENCY, caseFile, createWorld, DocSpec, getTransfer, manifest, postMultipart, sha256, signedPdf, World } from '../transfers/support';

/**
 * GET /files/:id/export (NĐ 30/2020 Phụ lục VI: a case file in time order as PDF + XML): one ZIP with
 * the XML first, then each original byte for byte, ordered by issuedDate then docOrdinal.
 */
const OTHER_AGENCY = { id: '000.00.13.H05', name: 'Sở Tài chính tỉnh Bình Định' };

const binary = (r: request.Test): request.Test =>
  r.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (x: Buffer) => chunks.push(x));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

/** Entries of a ZIP in their stored order, with their bytes and compression method. */
function unzip(buf: Buffer): Promise<{ name: string; method: number; bytes: Buffer }[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: { name: string; method: number; bytes: Buffer }[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (err2, s) => {
          if (err2 || !s) return reject(err2);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('end', () => {
            out.push({ name: e.fileName, method: e.compressionMethod, bytes: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('records: GET /files/:id/export (NĐ 30 Phụ lục VI, PDF + XML in time order)', () => {
  let w: World;
  let fileId: string;
  let fileCode: string;
  let otherArchivist: string;
  let auditor: string;
  let docs: DocSpec[];
  // issuedDate per manifest ordinal: deliberately not the ordinal order, with a tie broken by docOrdinal.
  const issued = ['2024-05-10', '2024-02-01', '2024-05-10', '2024-01-15'];
  const expectedOrder = [4, 2, 1, 3];

  beforeAll(async () => {
    w = await createWorld();
    const admin = `Bearer ${ADMIN_TOKEN}`;
    const server = w.t.app.getHttpServer();
    await request(server).post('/api/v1/agencies').set('Authorization', admin).send(OTHER_AGENCY).expect(201);
    otherArchivist = (await request(server).post('/api/v1/api-keys').set('Authorization', admin).send({ name: 'other archivist', role: 'ARCHIVIST', agencyId: OTHER_AGENCY.id }).expect(201)).body.token;
    auditor = (await request(server).post('/api/v1/api-keys').set('Authorization', admin).send({ name: 'auditor', role: 'AUDITOR' }).expect(201)).body.token;

    docs = await Promise.all(issued.map(async (_d, i) => ({ path: `hồ sơ/văn bản ${i + 1}.pdf`, bytes: await signedPdf(`Van ban so ${i + 1}`) })));
    const cf = caseFile(docs, { title: 'Hồ sơ về việc bổ nhiệm Trưởng phòng Tổ chức cán bộ năm 2024' });
    (cf.documents as Record<string, unknown>[]).forEach((d, i) => {
      d.issuedDate = issued[i];
      d.subject = `Quyết định số ${i + 1} về việc điều động, bổ nhiệm cán bộ`;
    });
    fileCode = cf.fileCode as string;
    const r = await postMultipart(w, manifest([cf]), docs).expect(202);
    await w.drain();
    const t = await getTransfer(w, r.body.id);
    expect(t.status).toBe('ACCEPTED');
    fileId = t.files[0].fileId;
  });
  afterAll(async () => w?.close());

  it('streams the originals in time order, byte for byte, with the XML describing them in that order', async () => {
    const res = await binary(w.http.get(`/api/v1/files/${fileId}/export`).set('Authorization', `Bearer ${w.archivist}`));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toContain(`filename="${fileCode}.export.zip"`);
    expect(Number(res.headers['content-length'])).toBe((res.body as Buffer).length);

    const entries = await unzip(res.body as Buffer);
    expect(entries.map((e) => e.name)).toEqual([
      `${fileCode}.xml`,
      ...expectedOrder.map((ord, i) => expect.stringMatching(new RegExp(`^${String(i + 1).padStart(3, '0')}_[A-Za-z0-9._-]+\\.pdf$`))),
    ]);
    // Originals untouched (signatures stay valid): stored, and the same SHA-256 as sent.
    const pdfs = entries.slice(1);
    pdfs.forEach((e, i) => {
      expect(e.method).toBe(0);
      expect(e.bytes.equals(docs[expectedOrder[i]! - 1]!.bytes)).toBe(true);
    });

    const xmlText = entries[0]!.bytes.toString('utf8');
    expect(xmlText.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const root = parseXml(entries[0]!.bytes, 'export.xml', { maxXmlBytes: 1 << 22, maxXmlDepth: 16 });
    expect(root.name).toBe('caseFileExport');
    expect(root.attrs.id).toBe(fileId);
    const cf = root.children.find((c) => c.name === 'caseFile')!.children[0]!;
    const field = (n: { children: { name: string; text: string }[] }, name: string) => n.children.find((c) => c.name === name)?.text;
    expect(field(cf, 'fileCode')).toBe(fileCode);
    expect(field(cf, 'title')).toBe('Hồ sơ về việc bổ nhiệm Trưởng phòng Tổ chức cán bộ năm 2024');
    expect(field(cf, 'startDate')).toBe('05/01/2024');
    const documents = root.children.find((c) => c.name === 'documents')!;
    expect(documents.attrs.count).toBe('4');
    const described = documents.children.map((d) => ({ attrs: d.attrs, dc: d.children[0]! }));
    expect(described.map((d) => d.attrs.file)).toEqual(pdfs.map((p) => p.name));
    expect(described.map((d) => d.attrs.order)).toEqual(['1', '2', '3', '4']);
    expect(described.map((d) => Number(field(d.dc, 'docOrdinal')))).toEqual(expectedOrder);
    expect(described.map((d) => field(d.dc, 'issuedDate'))).toEqual(['15/01/2024', '01/02/2024', '10/05/2024', '10/05/2024']);
    expect(described.map((d) => field(d.dc, 'subject'))).toEqual(expectedOrder.map((o) => `Quyết định số ${o} về việc điều động, bổ nhiệm cán bộ`));
    expect(described.map((d) => d.attrs.sha256)).toEqual(expectedOrder.map((o) => sha256(docs[o - 1]!.bytes)));
    expect(described.map((d) => field(d.dc, 'organName'))).toEqual(expectedOrder.map(() => AGENCY.name));
    // Each file name carries the document's docCode.
    described.forEach((d, i) => expect(pdfs[i]!.name).toContain(field(d.dc, 'docCode')!.replace(/[^A-Za-z0-9._-]+/g, '_')));
  });

  it('is audited: who, what, when, from where', async () => {
    const before = Date.now();
    await binary(w.http.get(`/api/v1/files/${fileId}/export`).set('Authorization', `Bearer ${w.archivist}`)).expect(200);
    const ev = await w.http.get('/api/v1/audit-events?action=file.export&pageSize=50').set('Authorization', `Bearer ${auditor}`).expect(200);
    const mine = ev.body.items.filter((e: { target: string }) => e.target === `file:${fileId}`);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const last = mine[mine.length - 1];
    expect(last).toMatchObject({ action: 'file.export', target: `file:${fileId}`, outcome: expect.any(String), actor: expect.any(String), role: 'ARCHIVIST', ip: expect.any(String) });
    expect(new Date(last.at).getTime()).toBeGreaterThanOrEqual(before - 2000);
    expect(last.details.documents.map((d: { sha256: string }) => d.sha256)).toEqual(expectedOrder.map((o) => sha256(docs[o - 1]!.bytes)));
  });

  it('is scoped: another agency gets 404, a citizen 401, a submitter 403; unknown ids 404', async () => {
    const other = await w.http.get(`/api/v1/files/${fileId}/export`).set('Authorization', `Bearer ${otherArchivist}`);
    expect(other.status).toBe(404);
    expect(other.text).not.toContain(fileCode);
    await w.http.get(`/api/v1/files/${fileId}/export`).expect(401);
    await w.http.get(`/api/v1/files/${fileId}/export`).set('Authorization', `Bearer ${w.submitter}`).expect(403);
    await w.http.get('/api/v1/files/5b0c6a8e-1d2f-4e3a-9b7c-000000000404/export').set('Authorization', `Bearer ${w.archivist}`).expect(404);
    await w.http.get('/api/v1/files/not-a-uuid/export').set('Authorization', `Bearer ${w.archivist}`).expect(400);
  });

  it('answers 404 for a destroyed case file (a tombstone has no bytes)', async () => {
    const d = [{ path: 'x/1.pdf', bytes: await signedPdf('Van ban huy') }];
    const r = await postMultipart(w, manifest([caseFile(d)]), d).expect(202);
    await w.drain();
    const id = (await getTransfer(w, r.body.id)).files[0].fileId as string;
    await binary(w.http.get(`/api/v1/files/${id}/export`).set('Authorization', `Bearer ${w.archivist}`)).expect(200);
    // The retention job's end state, set directly: this test is about the export, not destruction.
    await w.t.app.get(DataSource).query(`UPDATE case_files SET status = 'DESTROYED', destroyed_at = now() WHERE id = $1`, [id]);
    const res = await w.http.get(`/api/v1/files/${id}/export`).set('Authorization', `Bearer ${w.archivist}`);
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/destroyed/i);
  });
});
