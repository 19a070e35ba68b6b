import { SearchService } from '../../apps/archive-api/src/search/search.service';
import type { Principal } from '../../apps/archive-api/src/auth/principal';
import { AGENCY, caseFile, createWorld, manifest, postMultipart, signedPdf, World } from '../transfers/support';

/** Inputs found by review that reached PostgreSQL or Date unchecked (500s), and a cross-role leak. */
describe('review regressions', () => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld();
  });
  afterAll(async () => {
    await w?.close();
  });

  it('refuses a manifest with a NUL character or a lone surrogate (400, not 500), naming the field', async () => {
    const pdf = await signedPdf('Quyet dinh thu');
    const docs = [{ path: 'docs/a.pdf', bytes: pdf }];
    for (const bad of ['Hồ sơ\u0000lỗi', 'Hồ sơ \ud800 lỗi']) {
      const res = await postMultipart(w, manifest([caseFile(docs, { title: bad })]), docs).expect(400);
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'files[0].title', code: 'invalid_character' })]);
    }
  });

  it('refuses a NUL in GET /files?fileCode= with 400', async () => {
    const res = await w.http.get('/api/v1/files').query({ fileCode: 'x\u0000y' }).set('Authorization', `Bearer ${w.archivist}`).expect(400);
    expect(res.body.statusCode).toBe(400);
  });

  it('answers audit date filters Date cannot read (ISO week dates, year -9999) with 400', async () => {
    const auditor = await w.http.post('/api/v1/api-keys').set('Authorization', 'Bearer test-admin-token-0123456789abcdef').send({ name: 'auditor', role: 'AUDITOR' }).expect(201);
    for (const from of ['2026-W01-1', '-009999-01-01T00:00:00Z']) {
      const res = await w.http.get('/api/v1/audit-events').query({ from }).set('Authorization', `Bearer ${auditor.body.token}`);
      expect(res.status).toBe(400);
    }
  });

  it('matches body text only when the caller may read the content of everything it can see', () => {
    const search = w.t.app.get(SearchService);
    const as = (roles: Principal['roles']) => search.visibilityOf({ principal: { kind: 'jwt', actor: 'jwt:x', name: 'x', roles, agencyId: AGENCY.id }, ip: null, requestId: null });
    expect(as(['ARCHIVIST'])?.bodyText).toBe(true);
    expect(as(['APPROVER'])?.bodyText).toBe(true);
    // AUDITOR sees every agency and mode 03; ARCHIVIST may read content of its own agency in 01/02 only.
    expect(as(['AUDITOR', 'ARCHIVIST'])?.bodyText).toBe(false);
    expect(as(['AUDITOR'])?.bodyText).toBe(false);
  });
});
