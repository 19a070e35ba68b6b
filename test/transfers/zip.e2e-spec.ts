import { buildTestSip, sampleCaseFile } from '../../libs/metadata/src/eark/testing';
import { AGENCY, binary, caseFile, createWorld, getTransfer, manifest, sha256, signedPdf, World, zipOf } from './support';

describe('transfers: ZIP bodies', () => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld();
  });
  afterAll(async () => w?.close());

  const postZip = (zip: Buffer) =>
    w.http.post('/api/v1/transfers').set('Authorization', `Bearer ${w.submitter}`).set('Content-Type', 'application/zip').send(zip);

  it('accepts a ZIP with manifest.json at its root', async () => {
    const a = await signedPdf('zip 1');
    const docs = [{ path: 'docs/1.pdf', bytes: a }];
    const zip = await zipOf([{ name: 'manifest.json', content: Buffer.from(JSON.stringify(manifest([caseFile(docs)]))) }, { name: 'docs/1.pdf', content: a }]);
    const r = await postZip(zip);
    expect(r.status).toBe(202);
    await w.drain();
    const t = await getTransfer(w, r.body.id);
    if (t.status !== 'ACCEPTED') console.log(JSON.stringify(t, null, 1));
    expect(t).toMatchObject({ status: 'ACCEPTED', kind: 'ZIP_MANIFEST' });
    const c = await w.http.get(`/api/v1/documents/${t.documents[0].documentId}/content`).set('Authorization', `Bearer ${w.archivist}`).set('Range', 'bytes=10-99').buffer(true).parse(binary);
    expect(c.status).toBe(206);
    expect(c.headers['content-range']).toBe(`bytes 10-99/${a.length}`);
    expect(Buffer.compare(c.body, a.subarray(10, 100))).toBe(0);
  });

  it('rejects a ZIP whose entry does not match the manifest checksum, and an unsafe entry name', async () => {
    const a = await signedPdf('zip 2');
    const docs = [{ path: 'd.pdf', bytes: a, sha256: sha256(Buffer.from('other')) }];
    const zip = await zipOf([{ name: 'manifest.json', content: Buffer.from(JSON.stringify(manifest([caseFile(docs)]))) }, { name: 'd.pdf', content: a }]);
    const r = await postZip(zip);
    await w.drain();
    const t = await getTransfer(w, r.body.id);
    expect(t.status).toBe('REJECTED');
    expect(t.documents[0].errors.map((e: any) => e.code)).toContain('checksum_mismatch');
    // yazl refuses '..': write a same-length name and patch it in (names are not covered by the CRC)
    const evil = Buffer.from(
      (await zipOf([{ name: 'manifest.json', content: Buffer.from('{}') }, { name: 'AA/AA/etc/passwd', content: Buffer.from('x') }])).toString('latin1').split('AA/AA/etc/passwd').join('../../etc/passwd'),
      'latin1',
    );
    const r2 = await postZip(evil);
    expect(r2.status).toBe(400);
    expect(r2.body.details?.[0]?.code).toBe('ZIP_UNSAFE_PATH');
    const r3 = await postZip(await zipOf([{ name: 'readme.txt', content: Buffer.from('x') }]));
    expect(r3.status).toBe(400);
  });

  it('accepts an E-ARK SIP_hoso (TT 05/2025)', async () => {
    const cf = sampleCaseFile({ fileCode: `${AGENCY.id}.2024.77.SIP` });
    const contents = new Map<number, Buffer>();
    for (const d of cf.documents) contents.set(d.docOrdinal, await signedPdf(`sip ${d.docOrdinal}`));
    const sip = await buildTestSip({ caseFile: cf, contents });
    const r = await postZip(sip.zip);
    if (r.status !== 202) console.log(r.body);
    expect(r.status).toBe(202);
    await w.drain();
    const t = await getTransfer(w, r.body.id);
    if (t.status !== 'ACCEPTED') console.log(JSON.stringify(t, null, 1));
    expect(t).toMatchObject({ status: 'ACCEPTED', kind: 'EARK_SIP' });
    expect(t.documents).toHaveLength(2);
    const c = await w.http.get(`/api/v1/documents/${t.documents[1].documentId}/content`).set('Authorization', `Bearer ${w.archivist}`).buffer(true).parse(binary);
    expect(sha256(c.body)).toBe(sha256(contents.get(2)!));
    const sig = await w.http.get(`/api/v1/documents/${t.documents[1].documentId}/signatures`).set('Authorization', `Bearer ${w.archivist}`).expect(200);
    expect(sig.body.report.summary).toBe('VALID');
    expect(sig.body.report.signatures).toHaveLength(2);
    // the trust anchors and CRLs the verdict was reached with are kept as evidence
    expect(sig.body.trustEvidence).toMatch(/^evidence\/trust\/[0-9a-f]{64}\/$/);
    const { OBJECT_STORE } = await import('../../apps/archive-api/src/storage/storage.module');
    const kept: string[] = [];
    for await (const o of w.t.app.get(OBJECT_STORE).list(sig.body.trustEvidence)) kept.push(o.key);
    expect(kept.some((k) => k.includes('/anchors/'))).toBe(true);
    expect(kept.some((k) => k.includes('/crls/'))).toBe(true);
  });

  it('rejects a SIP with a tampered data file', async () => {
    const cf = sampleCaseFile({ fileCode: `${AGENCY.id}.2024.78.SIP` });
    const sip = await buildTestSip({ caseFile: cf, tamper: (p, b) => (p.includes('/data/') ? Buffer.concat([b, Buffer.from('x')]) : undefined) });
    const r = await postZip(sip.zip);
    if (r.status === 400) {
      expect(r.body.details.map((d: any) => d.code)).toEqual(expect.arrayContaining([expect.stringMatching(/SIZE_MISMATCH|CHECKSUM_MISMATCH/)]));
      return;
    }
    await w.drain();
    const t = await getTransfer(w, r.body.id);
    expect(t.status).toBe('REJECTED');
  });

  it('answers a SIP with malformed XML or an unknown code with 4xx JSON and the library codes', async () => {
    const broken = await buildTestSip({
      caseFile: sampleCaseFile({ fileCode: `${AGENCY.id}.2024.79.SIP` }),
      transformXml: (p, xml) => (p.endsWith('EAD.xml') ? xml.replace('</', '<') : xml),
    });
    const r = await postZip(broken.zip);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ statusCode: 400, error: 'Bad Request', details: expect.arrayContaining([expect.objectContaining({ code: expect.any(String) })]) });
    const badCode = await buildTestSip({ caseFile: sampleCaseFile({ fileCode: `${AGENCY.id}.2024.80.SIP`, maintenance: '99' }) });
    const r2 = await postZip(badCode.zip);
    expect([202, 400]).toContain(r2.status);
    if (r2.status === 202) {
      await w.drain();
      const t = await getTransfer(w, r2.body.id);
      expect(t.status).toBe('REJECTED');
      expect(t.files[0].errors.map((e: any) => e.path)).toContain('files[0].maintenance');
    }
  });
});
