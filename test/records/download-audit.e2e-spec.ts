import { DataSource } from 'typeorm';
import { AuditService } from '../../apps/archive-api/src/audit/audit.service';
import { binary, caseFile, createWorld, DocSpec, getTransfer, manifest, postMultipart, signedPdf, World } from '../transfers/support';

/** Every read of content is audited before a byte leaves; a read that cannot be audited is refused, not served unrecorded. */
describe('records: downloads fail closed when their audit event cannot be stored', () => {
  let w: World;
  let db: DataSource;
  let audit: AuditService;
  let documentId: string;
  let bytes: Buffer;

  beforeAll(async () => {
    w = await createWorld();
    db = w.t.app.get(DataSource);
    audit = w.t.app.get(AuditService);
    bytes = await signedPdf('Tai lieu kiem tra nhat ky tai xuong');
    const docs: DocSpec[] = [{ path: 'hồ sơ/Quyết định 15-QĐ.pdf', bytes }];
    const r = await postMultipart(w, manifest([caseFile(docs)]), docs).expect(202);
    await w.drain();
    documentId = (await getTransfer(w, r.body.id)).documents[0].documentId;
  });
  afterAll(async () => w?.close());
  afterEach(() => jest.restoreAllMocks());

  const downloads = async (): Promise<number> =>
    Number((await db.query(`SELECT count(*) AS n FROM audit_events WHERE action = 'document.download' AND target = $1`, [`document:${documentId}`]))[0].n);
  const content = (headers: Record<string, string> = {}) =>
    w.http.get(`/api/v1/documents/${documentId}/content`).set('Authorization', `Bearer ${w.archivist}`).set(headers).buffer(true).parse(binary);

  it('answers 503 JSON and sends no byte when the event is not stored, for whole, ranged and conditional reads', async () => {
    const before = await downloads();
    const failing = jest.spyOn(audit, 'appendStandalone').mockRejectedValue(new Error('simulated: database refused the audit insert'));
    for (const headers of [{}, { Range: 'bytes=0-99' }, { 'If-None-Match': '"not-the-etag"' }] as Record<string, string>[]) {
      const r = await content(headers);
      expect(r.status).toBe(503);
      expect(r.headers['content-type']).toMatch(/application\/json/);
      expect(r.headers['retry-after']).toBe('5');
      expect(JSON.parse((r.body as Buffer).toString('utf8'))).toMatchObject({ statusCode: 503, message: expect.stringContaining('audit') });
      expect((r.body as Buffer).includes(Buffer.from('%PDF'))).toBe(false);
    }
    expect(failing).toHaveBeenCalled();
    expect(await downloads()).toBe(before);

    failing.mockRestore();
    const ok = await content();
    expect(ok.status).toBe(200);
    expect(Buffer.compare(ok.body as Buffer, bytes)).toBe(0);
    // the name the agency sent, per RFC 5987/6266, with an ASCII fallback
    expect(ok.headers['content-disposition']).toBe(
      `attachment; filename="Quyet dinh 15-QD.pdf"; filename*=UTF-8''${encodeURIComponent('Quyết định 15-QĐ.pdf')}`,
    );
    expect(await downloads()).toBe(before + 1);
  });

  it('refuses only the download whose event failed when several are written together', async () => {
    const before = await downloads();
    const real = audit.record.bind(audit);
    let calls = 0;
    // The group commit's transaction fails on its second event; the retry one by one then stores all but that one.
    jest.spyOn(audit, 'record').mockImplementation(async (m, input) => {
      if (++calls === 2) throw new Error('simulated: one event refused');
      return real(m, input);
    });
    let standalone = 0;
    const realStandalone = audit.appendStandalone.bind(audit);
    jest.spyOn(audit, 'appendStandalone').mockImplementation(async (input) => {
      if (++standalone === 2) throw new Error('simulated: one event refused again');
      return realStandalone(input);
    });
    const results = await Promise.all(Array.from({ length: 6 }, () => content()));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 503).length).toBe(1);
    for (const r of results.filter((x) => x.status === 200)) expect(Buffer.compare(r.body as Buffer, bytes)).toBe(0);
    expect(await downloads()).toBe(before + statuses.filter((s) => s === 200).length);
  });
});
