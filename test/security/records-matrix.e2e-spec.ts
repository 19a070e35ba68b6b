import { createHash } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import request from 'supertest';
import { AGENCY_A, AGENCY_B, AGENCY_OF, Caller, CALLERS, createKey, createSecurityWorld, SecurityWorld } from './security-fixtures';

/**
 * The record-level matrix on real catalogue data: case files of two agencies in each access mode
 * (01 public, 02 restricted, 03 secret), ingested through POST /transfers, then read by every kind
 * of caller through every catalogue endpoint. Expectations come from the table below, written
 * independently of PERMISSION_MATRIX. Each record carries a unique marker word: a response may only
 * ever contain the markers of records the caller may see (bodies, totals, facets, errors).
 */
type Mode = '01' | '02' | '03';
const MODES: Mode[] = ['01', '02', '03'];

/** Which records each caller may see (metadata), and whether it may download originals. */
const SEES: Record<Caller, { modes: Mode[]; agencies: 'all' | 'own' | 'none'; download: boolean }> = {
  public: { modes: ['01'], agencies: 'all', download: false },
  admin: { modes: [], agencies: 'none', download: false },
  auditor: { modes: ['01', '02', '03'], agencies: 'all', download: false },
  jwtAuditor: { modes: ['01', '02', '03'], agencies: 'all', download: false },
  submitterA: { modes: ['01', '02'], agencies: 'own', download: false },
  archivistA: { modes: ['01', '02'], agencies: 'own', download: true },
  jwtArchivistA: { modes: ['01', '02'], agencies: 'own', download: true },
  approverA: { modes: ['01', '02', '03'], agencies: 'own', download: true },
  archivistB: { modes: ['01', '02'], agencies: 'own', download: true },
  jwtNoRoles: { modes: [], agencies: 'none', download: false },
  revokedKey: { modes: [], agencies: 'none', download: false },
  garbage: { modes: [], agencies: 'none', download: false },
};
const UNAUTHENTICATED: Caller[] = ['revokedKey', 'garbage'];
/** Callers whose role lacks metadata.read altogether: stopped by the guard. */
const NO_METADATA: Caller[] = ['admin', 'jwtNoRoles'];

interface Rec {
  agencyId: string;
  mode: Mode;
  marker: string;
  fileId: string;
  documentId: string;
}

async function tinyPdf(text: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([300, 200]);
  page.drawText(text, { x: 20, y: 100, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

function buildManifest(agency: { id: string; name: string }, mode: Mode, marker: string, bytes: Buffer, path: string): Record<string, unknown> {
  return {
    agency: { id: agency.id, name: agency.name },
    files: [
      {
        fileCode: `${agency.id}.2024.${mode}.${marker.slice(0, 12)}`,
        title: `Hồ sơ ${marker}`,
        maintenance: '06',
        retentionYears: null,
        mode,
        language: '01',
        startDate: '2024-01-05',
        endDate: '2024-12-20',
        totalDoc: 1,
        numberOfPage: 1,
        keyword: marker,
        confidenceLevel: '01',
        creator: 'Trần Thị B',
        description: '',
        documents: [
          {
            docOrdinal: 1,
            typeName: '02',
            codeNumber: String(10 + Number(mode)),
            codeNotation: `QĐ-${marker.slice(6, 12)}`,
            issuedDate: '2024-03-01',
            organName: agency.name,
            subject: `Quyết định bổ nhiệm ${marker}`,
            language: '01',
            numberOfPage: 1,
            mode,
            signerPosition: 'Giám đốc',
            signerFullName: 'Nguyễn Văn An',
            path,
            sha256: createHash('sha256').update(bytes).digest('hex'),
          },
        ],
      },
    ],
  };
}

function visible(caller: Caller, r: Rec): boolean {
  const s = SEES[caller];
  if (!s.modes.includes(r.mode)) return false;
  return s.agencies === 'all' || (s.agencies === 'own' && AGENCY_OF[caller] === r.agencyId);
}

describe('record matrix: role × endpoint × access mode × own/other agency, on ingested records', () => {
  let w: SecurityWorld;
  const records: Rec[] = [];
  const http = () => w.http();

  beforeAll(async () => {
    // Unsigned test PDFs: accepted explicitly, whatever the default signature policy becomes.
    w = await createSecurityWorld({ JOBS_POLL_MS: '100', SIGNATURE_POLICY_UNSIGNED: 'accept', SIGNATURE_POLICY_MISSING_AGENCY_SIGNATURE: 'accept' });
    const submitters: Record<string, string> = { [AGENCY_A.id]: w.tokens.submitterA as string, [AGENCY_B.id]: (await createKey(w.t, 'SUBMITTER', AGENCY_B.id)).token };
    for (const agency of [AGENCY_A, AGENCY_B]) {
      for (const mode of MODES) {
        const marker = `MARKER${agency.id.slice(7, 9)}M${mode}X${process.pid}`;
        const bytes = await tinyPdf(`Van ban ${marker}`);
        const path = `docs/${marker}.pdf`;
        const manifest = buildManifest(agency, mode, marker, bytes, path);
        const res = await http()
          .post('/api/v1/transfers')
          .set('Authorization', `Bearer ${submitters[agency.id]}`)
          .field('manifest', JSON.stringify(manifest))
          .attach(path, bytes, { filename: `${marker}.pdf`, contentType: 'application/pdf' });
        if (res.status !== 202) throw new Error(`transfer refused: ${res.status} ${res.text.slice(0, 500)}`);
        let t: { status: string; files: { fileId: string }[]; documents: { documentId: string; errors: unknown[] }[] } | null = null;
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          const g = await http().get(`/api/v1/transfers/${res.body.id}`).set('Authorization', `Bearer ${submitters[agency.id]}`);
          if (g.status === 200 && !['RECEIVED', 'PROCESSING'].includes(g.body.status)) {
            t = g.body;
            break;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
        if (!t || t.status !== 'ACCEPTED') throw new Error(`transfer did not end ACCEPTED: ${JSON.stringify(t).slice(0, 800)}`);
        records.push({ agencyId: agency.id, mode, marker, fileId: t.files[0].fileId, documentId: t.documents[0].documentId });
      }
    }
  }, 180_000);
  afterAll(async () => {
    await w?.t.close();
  });

  /** Nothing about a record the caller may not see, anywhere in the answer. */
  function expectNoLeak(caller: Caller, res: request.Response): void {
    const text = res.text ?? '';
    for (const r of records) {
      if (!visible(caller, r)) {
        expect([caller, r.marker, text.includes(r.marker)]).toEqual([caller, r.marker, false]);
        expect(text).not.toContain(r.fileId);
        expect(text).not.toContain(r.documentId);
      }
    }
    for (const s of w.secrets) expect(text).not.toContain(s);
  }

  const singles = [
    { endpoint: 'GET /files/{id}', url: (r: Rec) => `/api/v1/files/${r.fileId}`, download: false },
    { endpoint: 'GET /documents/{id}', url: (r: Rec) => `/api/v1/documents/${r.documentId}`, download: false },
    { endpoint: 'GET /documents/{id}/signatures', url: (r: Rec) => `/api/v1/documents/${r.documentId}/signatures`, download: false },
    { endpoint: 'GET /documents/{id}/content', url: (r: Rec) => `/api/v1/documents/${r.documentId}/content`, download: true },
    { endpoint: 'GET /files/{id}/package', url: (r: Rec) => `/api/v1/files/${r.fileId}/package`, download: true },
  ];
  const cases = singles.flatMap((e) =>
    CALLERS.flatMap((caller) => [AGENCY_A.id, AGENCY_B.id].flatMap((agencyId) => MODES.map((mode) => [e.endpoint, caller, agencyId === AGENCY_A.id ? 'A' : 'B', mode, e] as const))),
  );

  it.each(cases)('%s as %s on agency %s mode %s', async (_e, caller, agency, mode, e) => {
    const r = records.find((x) => x.agencyId === (agency === 'A' ? AGENCY_A.id : AGENCY_B.id) && x.mode === mode) as Rec;
    let req = http().get(e.url(r));
    if (w.tokens[caller]) req = req.set('Authorization', `Bearer ${w.tokens[caller]}`);
    const res = await req;
    let want: number;
    if (UNAUTHENTICATED.includes(caller)) want = 401;
    else if (e.download && caller === 'public') want = 401; // citizens never download originals
    else if (NO_METADATA.includes(caller) || (e.download && !['archivistA', 'jwtArchivistA', 'approverA', 'archivistB'].includes(caller))) want = 403;
    else if (!visible(caller, r)) want = 404;
    else want = e.download && !SEES[caller].download ? 403 : 200;
    if (res.status !== want) throw new Error(`${e.endpoint} as ${caller} on ${agency}/${mode}: expected ${want}, got ${res.status} ${(res.text ?? '').slice(0, 300)}`);
    if (!e.download || res.status >= 400) expectNoLeak(caller, res);
    if (res.status === 404) expect(res.body.message).not.toMatch(/agency|mode|restricted|secret|cơ quan/i);
  });

  it.each(CALLERS)('GET /files lists, counts and leaks only what %s may see', async (caller) => {
    let req = http().get('/api/v1/files?pageSize=100');
    if (w.tokens[caller]) req = req.set('Authorization', `Bearer ${w.tokens[caller]}`);
    const res = await req;
    if (UNAUTHENTICATED.includes(caller)) return expect(res.status).toBe(401);
    if (NO_METADATA.includes(caller)) return expect(res.status).toBe(403);
    expect(res.status).toBe(200);
    const want = records.filter((r) => visible(caller, r)).map((r) => r.fileId).sort();
    expect(res.body.items.map((f: { id: string }) => f.id).sort()).toEqual(want);
    expect(res.body.total).toBe(want.length);
    expectNoLeak(caller, res);
  });

  it.each(CALLERS)('GET /search: items, total and facets only over what %s may see', async (caller) => {
    // Indexing may trail the transfer a little: wait until the auditor (sees all) finds all six.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const all = await http().get('/api/v1/search?q=quyet%20dinh%20bo%20nhiem&pageSize=50').set('Authorization', `Bearer ${w.tokens.auditor}`);
      if (all.body.total >= records.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    let req = http().get('/api/v1/search?q=quyet%20dinh%20bo%20nhiem&pageSize=50');
    if (w.tokens[caller]) req = req.set('Authorization', `Bearer ${w.tokens[caller]}`);
    const res = await req;
    if (UNAUTHENTICATED.includes(caller)) return expect(res.status).toBe(401);
    if (NO_METADATA.includes(caller)) return expect(res.status).toBe(403);
    expect(res.status).toBe(200);
    const want = records.filter((r) => visible(caller, r)).map((r) => r.documentId).sort();
    expect(res.body.items.map((d: { documentId: string }) => d.documentId).sort()).toEqual(want);
    expect(res.body.total).toBe(want.length);
    const facetCount = Object.values((res.body.facets?.typeName ?? {}) as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(facetCount).toBe(want.length);
    expectNoLeak(caller, res);
  });

  it.each(['submitterA', 'archivistA', 'jwtArchivistA'] as const)('%s cannot transfer for another agency', async (caller) => {
    const bytes = await tinyPdf('x');
    const manifest = buildManifest(AGENCY_B, '01', `FOREIGN${caller.length}`, bytes, 'docs/x.pdf');
    const res = await http()
      .post('/api/v1/transfers')
      .set('Authorization', `Bearer ${w.tokens[caller]}`)
      .field('manifest', JSON.stringify(manifest))
      .attach('docs/x.pdf', bytes, { filename: 'x.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(403);
    expectNoLeak(caller, res);
  });
});
