import { getTestPki, makeTinyPdf, signAs, flipByte } from '../../libs/signature/test/pki';
import { caseFile, createWorld, DocSpec, getTransfer, manifest, postMultipart, signedPdf, World } from './support';

describe('transfers: rejections, policy, idempotency, bad input', () => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld({ TRANSFER_MAX_DOCUMENT_BYTES: '300kb' });
  });
  afterAll(async () => w?.close());

  async function run(docs: DocSpec[], files?: Record<string, unknown>[]): Promise<any> {
    const r = await postMultipart(w, manifest(files ?? [caseFile(docs)]), docs);
    expect(r.status).toBe(202);
    await w.drain();
    return getTransfer(w, r.body.id);
  }

  it('rejects a document whose SHA-256 differs from the manifest', async () => {
    const bytes = await signedPdf('checksum');
    const t = await run([{ path: 'a.pdf', bytes, sha256: 'ab'.repeat(32) }]);
    expect(t.status).toBe('REJECTED');
    expect(t.files[0].status).toBe('REJECTED');
    expect(t.documents[0].errors.map((e: any) => e.code)).toContain('checksum_mismatch');
  });

  it('rejects a document modified after signing, and a revoked signer', async () => {
    const signed = await signedPdf('tampered');
    const tampered = Buffer.from(flipByte(signed));
    const revoked = await signedPdf('revoked', { signer: 'revoked' });
    const t = await run([{ path: 't.pdf', bytes: tampered }]);
    expect(t.status).toBe('REJECTED');
    expect(t.documents[0].signatureSummary).toBe('INVALID');
    const codes = t.documents[0].errors.map((e: any) => e.code);
    expect(codes.some((c: string) => ['INVALID_DIGEST', 'MODIFIED_AFTER_SIGNING', 'MALFORMED_CMS', 'INVALID_BYTERANGE', 'PDF_CORRUPT'].includes(c))).toBe(true);
    const t2 = await run([{ path: 'r.pdf', bytes: revoked }]);
    expect(t2.status).toBe('REJECTED');
    expect(t2.documents[0].errors.map((e: any) => e.code)).toContain('REVOKED');
  });

  it('accepts with flags: unsigned, untrusted chain, no agency signature', async () => {
    const unsigned = Buffer.from(await makeTinyPdf('unsigned'));
    const untrusted = Buffer.from(await signAs(await makeTinyPdf('lookalike'), getTestPki('lookalike').signer));
    const signerOnly = await signedPdf('signer only', { seal: false });
    const docs = [{ path: 'u.pdf', bytes: unsigned }, { path: 'x.pdf', bytes: untrusted }, { path: 's.pdf', bytes: signerOnly }];
    const t = await run(docs);
    expect(t.status).toBe('ACCEPTED');
    expect(t.documents[0]).toMatchObject({ status: 'ACCEPTED', signatureSummary: 'UNSIGNED', signatureFlags: ['UNSIGNED'] });
    expect(t.documents[1].signatureFlags).toContain('UNTRUSTED_CHAIN');
    expect(t.documents[2].signatureFlags).toEqual(['MISSING_AGENCY_SIGNATURE']);
    expect(t.documents[2].warnings.map((x: any) => x.code)).toEqual(['MISSING_AGENCY_SIGNATURE']);
  });

  it('accepts the good case file and rejects the bad one (PARTIALLY_ACCEPTED), with paths and codes', async () => {
    const good = [{ path: 'g/1.pdf', bytes: await signedPdf('good') }];
    const bad = [{ path: 'b/1.pdf', bytes: await signedPdf('bad') }];
    const t = await run([...good, ...bad], [caseFile(good), caseFile(bad, { maintenance: '99' })]);
    expect(t.status).toBe('PARTIALLY_ACCEPTED');
    expect(t.files.map((f: any) => f.status)).toEqual(['ACCEPTED', 'REJECTED']);
    expect(t.files[1].errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'files[1].maintenance', code: expect.any(String) })]));
    expect(t.documents[1].status).toBe('REJECTED');
  });

  it('rejects a missing document and an unreferenced part', async () => {
    const bytes = await signedPdf('missing');
    const t = await run([], [caseFile([{ path: 'not-sent.pdf', bytes }])]);
    expect(t.status).toBe('REJECTED');
    expect(t.documents[0].errors.map((e: any) => e.code)).toContain('document_missing');
    const docs = [{ path: 'a.pdf', bytes }];
    const r = await postMultipart(w, manifest([caseFile(docs)]), [...docs, { path: 'extra.pdf', bytes }]);
    await w.drain();
    const t2 = await getTransfer(w, r.body.id);
    expect(t2.status).toBe('REJECTED');
    expect(t2.errors.map((e: any) => e.code)).toContain('file_unreferenced');
  });

  it('is idempotent: same key, or same content, answers the original transfer; a new content under an archived fileCode is 409', async () => {
    const docs = [{ path: 'i.pdf', bytes: await signedPdf('idem') }];
    const cf = caseFile(docs);
    const r1 = await postMultipart(w, manifest([cf]), docs, { idempotencyKey: 'key-1' });
    const r2 = await postMultipart(w, manifest([cf]), docs, { idempotencyKey: 'key-1' });
    expect(r2.status).toBe(202);
    expect(r2.body.id).toBe(r1.body.id);
    expect(r2.headers['idempotency-replayed']).toBe('true');
    await w.drain();
    const r3 = await postMultipart(w, manifest([cf]), docs);
    expect(r3.body).toEqual({ id: r1.body.id, status: 'ACCEPTED' });
    const other = [{ path: 'i.pdf', bytes: await signedPdf('idem 2') }];
    const r4 = await postMultipart(w, manifest([caseFile(other, { fileCode: cf.fileCode })]), other);
    expect(r4.status).toBe(409);
    expect(r4.body).toMatchObject({ statusCode: 409, error: 'Conflict', details: [expect.objectContaining({ code: 'file_code_exists', path: 'files[0].fileCode' })] });
    const files = await w.http.get(`/api/v1/files?fileCode=${encodeURIComponent(String(cf.fileCode))}`).set('Authorization', `Bearer ${w.archivist}`).expect(200);
    expect(files.body.total).toBe(1);
  });

  it('answers bad input with 4xx JSON, never 500', async () => {
    const auth = { Authorization: `Bearer ${w.submitter}` };
    const post = () => w.http.post('/api/v1/transfers').set(auth);
    const expectError = (r: any, status: number) => {
      expect(r.status).toBe(status);
      expect(r.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String) });
    };
    expectError(await post().attach('a.pdf', Buffer.from('%PDF-1.4'), 'a.pdf'), 400); // no manifest
    expectError(await post().field('manifest', '{not json'), 400);
    expectError(await post().field('manifest', '[]'), 400);
    expectError(await post().field('manifest', JSON.stringify({ agency: { id: '000.00.99.H99', name: 'x' }, files: [{}] })), 403);
    expectError(await post().set('Content-Type', 'text/plain').send('hello'), 415);
    expectError(await post().set('Content-Type', 'multipart/form-data; boundary=xyz').send('--abc\r\ngarbage'), 400);
    expectError(await post().set('Content-Type', 'multipart/form-data').send('x'), 400);
    expectError(await post().set('Content-Type', 'application/zip').send(Buffer.from('PK not a zip at all')), 400);
    expectError(await post().set('Idempotency-Key', 'x'.repeat(300)).field('manifest', '{}'), 400);
    const big = Buffer.alloc(400 * 1024, 1);
    const docs = [{ path: 'big.pdf', bytes: big }];
    expectError(await postMultipart(w, manifest([caseFile(docs)]), docs), 413);
    expectError(await w.http.post('/api/v1/transfers').field('manifest', '{}'), 401);
    expectError(await w.http.get('/api/v1/transfers/not-a-uuid').set(auth), 400);
    expectError(await w.http.get('/api/v1/transfers/00000000-0000-4000-8000-000000000000').set(auth), 404);
  });
});
