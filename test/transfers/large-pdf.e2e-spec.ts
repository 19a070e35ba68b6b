import type { ObjectStore } from '@archive/storage';
import { OBJECT_STORE } from '../../apps/archive-api/src/storage/storage.module';
import { getTestPki, makePdf, signAs } from '../../libs/signature/test/pki';
import { binary, caseFile, createWorld, getTransfer, manifest, postMultipart, sha256, World, zipOf } from './support';

/**
 * PDFs larger than SIGNATURE_VERIFY_MAX_BYTES are not loaded into memory: they are copied to a local
 * file and verified from it through small windows. Their verdict is real (not NOT_VERIFIED): a valid
 * signature is VALID, bytes changed after signing are rejected — for a document stored in place at
 * intake (multipart, read back from the store) and for one copied out of a ZIP body.
 */
describe('transfers: signed PDFs above SIGNATURE_VERIFY_MAX_BYTES', () => {
  let w: World;
  let big: Buffer;
  beforeAll(async () => {
    w = await createWorld({ SIGNATURE_VERIFY_MAX_BYTES: '1mb' });
    const pki = getTestPki();
    const pdf = await makePdf({ pages: 1, padBytes: 3 * 1024 * 1024, title: 'Bản quét lớn' });
    big = Buffer.from(await signAs(await signAs(pdf, pki.signer), pki.seal));
  });
  afterAll(async () => w?.close());

  it('verifies a large signed PDF for real and stores it byte for byte (multipart, in place)', async () => {
    expect(big.length).toBeGreaterThan(3 * 1024 * 1024);
    const docs = [{ path: 'scan/large.pdf', bytes: big }];
    const r = await postMultipart(w, manifest([caseFile(docs)]), docs);
    expect(r.status).toBe(202);
    await w.drain();
    const t = await getTransfer(w, r.body.id);
    expect(t.status).toBe('ACCEPTED');
    expect(t.documents[0]).toMatchObject({ status: 'ACCEPTED', signatureSummary: 'VALID', signatureFlags: [], sha256: sha256(big), size: big.length });
    const sig = await w.http.get(`/api/v1/documents/${t.documents[0].documentId}/signatures`).set('Authorization', `Bearer ${w.archivist}`).expect(200);
    expect(JSON.stringify(sig.body)).toContain('"signatureCount":2');
    const c = await w.http.get(`/api/v1/documents/${t.documents[0].documentId}/content`).set('Authorization', `Bearer ${w.archivist}`).buffer(true).parse(binary);
    expect(sha256(c.body)).toBe(sha256(big));
  });

  it('does not read back a large document stored in place that is not a PDF (nothing to verify)', async () => {
    const tiff = Buffer.concat([Buffer.from('II*\0'), Buffer.alloc(2 * 1024 * 1024, 7)]);
    const docs = [{ path: 'scan/large.tif', bytes: tiff }];
    const cf = caseFile(docs);
    (cf.documents as Record<string, unknown>[])[0]!.mimeType = 'image/tiff';
    const r = await w.http
      .post('/api/v1/transfers')
      .set('Authorization', `Bearer ${w.submitter}`)
      .field('manifest', JSON.stringify(manifest([cf])))
      .attach('scan/large.tif', tiff, { filename: 'large.tif', contentType: 'image/tiff' });
    expect(r.status).toBe(202);
    const store: ObjectStore = w.t.app.get(OBJECT_STORE);
    const get = jest.spyOn(store, 'get');
    await w.drain();
    const t = await getTransfer(w, r.body.id);
    expect(t.status).toBe('ACCEPTED');
    expect(t.documents[0]).toMatchObject({ status: 'ACCEPTED', signatureSummary: 'INDETERMINATE', signatureFlags: ['NOT_VERIFIED'], sha256: sha256(tiff), size: tiff.length });
    // only its first KiB was read (to recognise the format), not the whole document
    const reads = get.mock.calls.filter(([key]) => key.endsWith('.tif'));
    expect(reads.map(([, opts]) => opts?.range)).toEqual([{ start: 0, end: 1023 }]);
    get.mockRestore();
  });

  it('rejects a large PDF changed after signing (ZIP body: copied out of the package, never stored)', async () => {
    const tampered = Buffer.from(big);
    // a byte of the scanned image, inside the signed ranges
    const at = tampered.indexOf('/Subtype /Image') + 4096;
    tampered[at] = tampered[at]! ^ 0xff;
    const docs = [{ path: 'scan/tampered.pdf', bytes: tampered }];
    const cf = caseFile(docs);
    const zip = await zipOf([{ name: 'manifest.json', content: Buffer.from(JSON.stringify(manifest([cf]))) }, { name: 'scan/tampered.pdf', content: tampered }], { compress: false });
    const r = await w.http.post('/api/v1/transfers').set('Authorization', `Bearer ${w.submitter}`).set('Content-Type', 'application/zip').send(zip);
    expect(r.status).toBe(202);
    await w.drain();
    const t = await getTransfer(w, r.body.id);
    expect(t.status).toBe('REJECTED');
    expect(t.documents[0].status).toBe('REJECTED');
    expect(t.documents[0].signatureSummary).toBe('INVALID');
    expect(t.documents[0].errors.map((e: any) => e.code)).toEqual(expect.arrayContaining(['INVALID_DIGEST']));
    const store: ObjectStore = w.t.app.get(OBJECT_STORE);
    const left: string[] = [];
    for await (const o of store.list('')) if (o.key.includes(r.body.id)) left.push(o.key);
    // nothing of the package or the document; only the receipt that records the rejection
    expect(left).toEqual([expect.stringMatching(new RegExp(`^receipts/.*${r.body.id}\\.pdf$`))]);
  });
});
