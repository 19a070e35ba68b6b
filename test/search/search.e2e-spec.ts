import { DataSource } from 'typeorm';
import type { SearchSqlInput } from '../../apps/archive-api/src/search/search-sql';
import { foldedWords, parseQuery } from '../../apps/archive-api/src/search/search-text';
import { SearchService } from '../../apps/archive-api/src/search/search.service';
import { AGENCY_A, AGENCY_B, Caller, createSecurityWorld, SecurityWorld } from '../security/security-fixtures';
import { Corpus, CorpusDoc, generateCorpus, insertCorpus, plant } from './corpus';

/**
 * GET /search end to end on a generated Vietnamese corpus (~400 documents, two agencies, all three
 * access modes, a destroyed case file): diacritics both ways, numbers, facets, pagination, and —
 * for every kind of caller — that items, totals and facets only ever count what the caller may see.
 */
jest.setTimeout(120_000);

type Scope = { agencies: string[] | null; modes: string[]; tombstones: boolean; body: boolean };
const SCOPES: Partial<Record<Caller, Scope>> = {
  public: { agencies: null, modes: ['01'], tombstones: false, body: false },
  submitterA: { agencies: [AGENCY_A.id], modes: ['01', '02'], tombstones: false, body: false },
  archivistA: { agencies: [AGENCY_A.id], modes: ['01', '02'], tombstones: true, body: true },
  approverA: { agencies: [AGENCY_A.id], modes: ['01', '02', '03'], tombstones: true, body: true },
  archivistB: { agencies: [AGENCY_B.id], modes: ['01', '02'], tombstones: true, body: true },
  auditor: { agencies: null, modes: ['01', '02', '03'], tombstones: true, body: false },
};

const visibleTo = (caller: Caller) => (d: CorpusDoc) => {
  const s = SCOPES[caller] as Scope;
  return (s.agencies === null || s.agencies.includes(d.agencyId)) && s.modes.includes(d.effectiveMode) && (s.tombstones || !d.destroyed);
};

/** The index's semantics for metadata-only words: every query word among the folded A/B fields. */
const matches = (q: string) => (d: CorpusDoc) => {
  const words = new Set(foldedWords([d.subject, d.codeNumber, d.codeNotation, d.fileTitle, d.organName, d.signer, keywordOf(d)].join(' ')));
  return foldedWords(q).every((w) => words.has(w));
};
let corpus: Corpus;
const keywordOf = (d: CorpusDoc) => corpus.files.find((f) => f.id === d.fileId)?.keyword ?? '';

function facetsOf(docs: CorpusDoc[]) {
  const count = (key: (d: CorpusDoc) => string) => docs.reduce<Record<string, number>>((acc, d) => ((acc[key(d)] = (acc[key(d)] ?? 0) + 1), acc), {});
  return { typeName: count((d) => d.typeName), year: count((d) => d.issuedDate.slice(0, 4)), organName: count((d) => d.organName), mode: count((d) => d.effectiveMode) };
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

describe('GET /search', () => {
  let w: SecurityWorld;
  let db: DataSource;
  const planted: Record<string, CorpusDoc> = {};

  const search = (caller: Caller, params: Record<string, string | number>) => w.as(caller)(w.http().get('/api/v1/search').query(params));

  beforeAll(async () => {
    w = await createSecurityWorld({ SEARCH_TEXT_SWEEP_SECONDS: '0' });
    db = w.t.app.get(DataSource);
    const organsA = [
      { name: 'Sở Nội vụ tỉnh Bình Định', abbrev: 'SNV' },
      { name: 'Ủy ban nhân dân tỉnh Bình Định', abbrev: 'UBND' },
    ];
    const organsB = [
      { name: 'Sở Tư pháp tỉnh Nghệ An', abbrev: 'STP' },
      { name: 'Sở Tài chính tỉnh Nghệ An', abbrev: 'STC' },
    ];
    corpus = generateCorpus([{ id: AGENCY_A.id, organs: organsA }, { id: AGENCY_B.id, organs: organsB }], 400);
    // Generated numbers start above the planted ones.
    corpus.docs.forEach((d, i) => (d.codeNumber = String(1000 + i)));
    const fileA = { agencyId: AGENCY_A.id, fileCode: `${AGENCY_A.id}.2024.900.TCCB`, title: 'Hồ sơ bổ nhiệm cán bộ năm 2024', keyword: 'bổ nhiệm', mode: '01' };
    [planted.appoint, planted.appointUbnd, planted.hundredFifty, planted.legacy, planted.land] = plant(corpus, fileA, [
      { subject: 'Quyết định về việc bổ nhiệm ông Nguyễn Văn An giữ chức Phó Giám đốc Sở Nội vụ', codeNumber: '15', codeNotation: 'QĐ-SNV' },
      { subject: 'Quyết định về việc điều động công chức', codeNumber: '15', codeNotation: 'QĐ-UBND', organName: 'Ủy ban nhân dân tỉnh Bình Định' },
      { subject: 'Quyết định phê duyệt danh sách', codeNumber: '150', codeNotation: 'QĐ-SNV' },
      { subject: 'Bao cao tong ket cong tac van thu luu tru nam 2023', typeName: '14', codeNumber: '7', codeNotation: 'BC-SNV' },
      { subject: 'Đề án quản lý ĐẤT ĐAI và đường giao thông Vĩnh Thạnh', typeName: '12' },
    ]);
    [planted.restricted] = plant(corpus, { ...fileA, fileCode: `${AGENCY_A.id}.2024.901.TCCB`, title: 'Hồ sơ hạn chế', mode: '02' }, [
      { subject: 'Báo cáo thanh tra phường Cẩm Thành', typeName: '14' },
    ]);
    [planted.secretB] = plant(corpus, { agencyId: AGENCY_B.id, fileCode: `${AGENCY_B.id}.2024.902.MAT`, title: 'Hồ sơ mật', keyword: 'quốc phòng', mode: '03' }, [
      { subject: 'Kế hoạch phòng thủ khu vực Xuân Lộc', typeName: '10', organName: 'Sở Tư pháp tỉnh Nghệ An' },
    ]);
    // A document marked public inside a secret case file: the file's mode wins.
    [planted.publicInSecret] = plant(corpus, { ...fileA, fileCode: `${AGENCY_A.id}.2024.903.MAT`, title: 'Hồ sơ mật của Sở', mode: '03' }, [
      { subject: 'Thông báo về đảo Hòn Khô', typeName: '07', mode: '01' },
    ]);
    [planted.destroyed] = plant(corpus, { ...fileA, fileCode: `${AGENCY_A.id}.2015.904.HUY`, title: 'Hồ sơ đã tiêu hủy', mode: '01', destroyed: true }, [
      { subject: 'Công văn về chợ Phước Lộc', typeName: '02', issuedDate: '2015-05-05' },
    ]);
    [planted.toHide, planted.toDestroy] = plant(corpus, { ...fileA, fileCode: `${AGENCY_A.id}.2024.905.TCCB`, title: 'Hồ sơ thay đổi', mode: '01' }, [
      { subject: 'Thông báo lịch tiếp công dân Ngọc Sơn', typeName: '07' },
      { subject: 'Thông báo lịch tiếp công dân Tam Quan', typeName: '07' },
    ]);
    await insertCorpus(db, corpus);
  });

  afterAll(async () => {
    await w?.t.close();
  });

  it('finds accented text with a query typed without diacritics, and marks the accented original', async () => {
    const res = await search('public', { q: 'quyet dinh bo nhiem', pageSize: 100 }).expect(200);
    // Subject matches (weight A) first.
    expect(res.body.items[0].subject).toMatch(/^Quyết định .*bổ nhiệm/);
    const hit = res.body.items.find((i: { documentId: string }) => i.documentId === planted.appoint.id);
    expect(hit.highlights.subject).toContain('<mark>Quyết</mark> <mark>định</mark>');
    expect(hit.highlights.subject).toContain('<mark>bổ</mark> <mark>nhiệm</mark>');
    expect(hit).toMatchObject({ codeNumber: '15', codeNotation: 'QĐ-SNV', issuedDate: '2024-03-01', typeName: '02', organName: 'Sở Nội vụ tỉnh Bình Định' });
    expect(hit).not.toHaveProperty('mode');
  });

  it('finds text stored without diacritics with an accented query', async () => {
    const res = await search('public', { q: 'Báo cáo tổng kết công tác văn thư' }).expect(200);
    expect(res.body.items.map((i: { documentId: string }) => i.documentId)).toContain(planted.legacy.id);
  });

  it('treats đ/Đ as d/D both ways, in any case', async () => {
    for (const q of ['dat dai', 'ĐẤT ĐAI', 'đất đai', 'de an duong']) {
      const res = await search('public', { q }).expect(200);
      expect(res.body.items.map((i: { documentId: string }) => i.documentId)).toContain(planted.land.id);
    }
    const res = await search('public', { q: 'đề án' }).expect(200);
    expect(res.body.items[0].highlights.subject).toContain('<mark>Đề</mark> <mark>án</mark>');
  });

  it('ranks the exact accented form above other foldings of the same letters', async () => {
    // "bộ" (ministry) and "bổ" (appoint) fold alike; typed with accents, "bổ nhiệm" must come first.
    const res = await search('auditor', { q: 'bổ nhiệm', pageSize: 100 }).expect(200);
    const exact = res.body.items.map((i: { subject: string }) => i.subject.toLowerCase().includes('bổ nhiệm'));
    expect(exact).toContain(false); // "cán bộ … nhiệm vụ" folds to the same words
    expect(exact.indexOf(false)).toBeGreaterThan(exact.lastIndexOf(true));
  });

  it('matches numbers and notations exactly and by prefix, whatever the diacritics and case', async () => {
    for (const q of ['15/QĐ-SNV', '15/QD-SNV', '15/qđ-snv', 'số 15/QĐ-SNV']) {
      const res = await search('public', { q }).expect(200);
      expect(res.body.total).toBe(1);
      expect(res.body.items[0].documentId).toBe(planted.appoint.id);
    }
    const prefix = await search('public', { q: '15/QĐ' }).expect(200);
    expect(prefix.body.items.map((i: { documentId: string }) => i.documentId).sort()).toEqual([planted.appoint.id, planted.appointUbnd.id].sort());
    const bare = await search('public', { q: '15' }).expect(200);
    const ids = bare.body.items.map((i: { documentId: string }) => i.documentId);
    expect(ids).toEqual(expect.arrayContaining([planted.appoint.id, planted.appointUbnd.id]));
    expect(ids).not.toContain(planted.hundredFifty.id);
  });

  it('filters by case file, and the filter never widens visibility', async () => {
    const res = await search('archivistA', { fileId: planted.appoint.fileId, pageSize: 100 }).expect(200);
    const expected = corpus.docs.filter((d) => d.fileId === planted.appoint.fileId).map((d) => d.id).sort();
    expect(res.body.items.map((i: { documentId: string }) => i.documentId).sort()).toEqual(expected);
    expect((await search('archivistB', { fileId: planted.appoint.fileId }).expect(200)).body.total).toBe(0);
    expect((await search('public', { fileId: planted.restricted.fileId }).expect(200)).body.total).toBe(0);
  });

  it('offers near misses (trigram) when nothing matches exactly', async () => {
    const res = await search('public', { q: 'Vinh Thanhh' }).expect(200);
    expect(res.body.fuzzy).toBe(true);
    expect(res.body.items.map((i: { documentId: string }) => i.documentId)).toContain(planted.land.id);
  });

  it.each(['public', 'submitterA', 'archivistA', 'approverA', 'archivistB', 'auditor'] as Caller[])(
    'totals and facets of %s are exactly its visible matches, and add up',
    async (caller) => {
      for (const q of ['quyet dinh', 'cán bộ', 'ke hoach nam 2024']) {
        const expected = corpus.docs.filter(visibleTo(caller)).filter(matches(q));
        const res = await search(caller, { q, pageSize: 100 }).expect(200);
        expect(res.body.totalIsEstimate).toBe(false);
        expect(res.body.total).toBe(expected.length);
        expect(res.body.facets).toEqual(facetsOf(expected));
        for (const f of ['typeName', 'year', 'mode'] as const) expect(sum(res.body.facets[f])).toBe(res.body.total);
        const allowed = new Set(expected.map((d) => d.id));
        for (const it of res.body.items) expect(allowed.has(it.documentId)).toBe(true);
      }
      // Browsing without q, with filters.
      const expected = corpus.docs.filter(visibleTo(caller)).filter((d) => d.typeName === '02' && d.issuedDate >= '2022-01-01' && d.issuedDate <= '2023-12-31');
      const res = await search(caller, { typeName: '02', issuedFrom: '2022-01-01', issuedTo: '2023-12-31' }).expect(200);
      expect(res.body.total).toBe(expected.length);
      expect(res.body.facets).toEqual(facetsOf(expected));
    },
  );

  it('gives the same exact answers once statistics steer the access path (index lexemes, filter lexemes, heap probe)', async () => {
    await db.query('ANALYZE search_index');
    const service = w.t.app.get(SearchService);
    await service.refreshStats();
    // The path really changes: an agency-scoped, type-filtered query asks the index for chosen lexemes only.
    const planned = await service.plan({
      query: parseQuery('quyet dinh'),
      filters: { typeName: '02' },
      visibility: { agencyIds: [AGENCY_A.id], modes: ['01', '02'], includeTombstones: true, bodyText: true },
      candidates: 1000,
    } as SearchSqlInput);
    expect(planned.indexWords).toEqual(expect.arrayContaining(['zzt02', 'quyet']));
    expect(planned.probeBlocks).toBeDefined();
    const filtered: [Record<string, string>, (d: CorpusDoc) => boolean][] = [
      [{ q: 'quyet dinh', typeName: '02' }, (d) => d.typeName === '02'],
      [{ q: 'cán bộ', agencyId: AGENCY_A.id }, (d) => d.agencyId === AGENCY_A.id],
      [{ q: 'quyet dinh nam', mode: '02' }, (d) => d.effectiveMode === '02'],
      [{ q: 'ke hoach nam 2024' }, () => true],
      [{ q: 'so noi vu binh dinh' }, () => true],
    ];
    for (const caller of ['public', 'submitterA', 'archivistA', 'approverA', 'archivistB', 'auditor'] as Caller[]) {
      for (const [params, filter] of filtered) {
        const expected = corpus.docs.filter(visibleTo(caller)).filter(matches(params.q)).filter(filter);
        const res = await search(caller, { ...params, pageSize: 100 }).expect(200);
        expect({ caller, params, total: res.body.total, estimate: res.body.totalIsEstimate }).toEqual({ caller, params, total: expected.length, estimate: false });
        expect(res.body.facets).toEqual(facetsOf(expected));
        const allowed = new Set(expected.map((d) => d.id));
        for (const it of res.body.items) expect(allowed.has(it.documentId)).toBe(true);
      }
    }
  });

  it('never reveals restricted, secret or destroyed records to those who may not see them', async () => {
    const cases: [string, Caller[], Caller[]][] = [
      ['Cẩm Thành', ['archivistA', 'approverA', 'auditor', 'submitterA'], ['public', 'archivistB']],
      ['xuan loc', ['auditor'], ['public', 'archivistA', 'approverA', 'archivistB', 'submitterA']],
      ['Hòn Khô', ['approverA', 'auditor'], ['public', 'archivistA', 'archivistB', 'submitterA']],
      ['Phước Lộc', ['archivistA', 'approverA', 'auditor'], ['public', 'archivistB', 'submitterA']],
    ];
    for (const [q, see, blind] of cases) {
      for (const caller of see) {
        const res = await search(caller, { q }).expect(200);
        expect({ q, caller, total: res.body.total }).toEqual({ q, caller, total: 1 });
      }
      for (const caller of blind) {
        for (const params of [{ q }, { q, agencyId: AGENCY_B.id }, { q, mode: '03' }] as Record<string, string>[]) {
          const res = await search(caller, params).expect(200);
          expect({ q, caller, total: res.body.total, items: res.body.items }).toEqual({ q, caller, total: 0, items: [] });
          expect(res.body.facets).toEqual({ typeName: {}, year: {}, organName: {}, mode: {} });
          expect(JSON.stringify(res.body)).not.toMatch(/Xuân Lộc|Cẩm Thành|Hòn Khô|Phước Lộc/);
        }
      }
    }
    const tomb = await search('archivistA', { q: 'Phước Lộc' }).expect(200);
    expect(tomb.body.items[0]).toMatchObject({ documentId: planted.destroyed.id, destroyed: true });
  });

  it('updates the index in the catalogue transaction: access-mode change and destruction', async () => {
    await db.transaction(async (m) => {
      await m.query(`UPDATE documents SET mode = '03' WHERE id = $1`, [planted.toHide.id]);
      const [row] = await m.query('SELECT mode FROM search_index WHERE document_id = $1', [planted.toHide.id]);
      expect(row.mode).toBe('03'); // same transaction, already re-indexed
    });
    expect((await search('public', { q: 'Ngọc Sơn' }).expect(200)).body.total).toBe(0);
    expect((await search('approverA', { q: 'Ngọc Sơn' }).expect(200)).body.total).toBe(1);

    expect((await search('public', { q: 'Tam Quan' }).expect(200)).body.total).toBe(1);
    await db.query(`UPDATE case_files SET status = 'DESTROYED', destroyed_at = now() WHERE id = $1`, [planted.toDestroy.fileId]);
    expect((await search('public', { q: 'Tam Quan' }).expect(200)).body.total).toBe(0);
    const staff = await search('archivistA', { q: 'Tam Quan' }).expect(200);
    expect(staff.body.items[0]).toMatchObject({ documentId: planted.toDestroy.id, destroyed: true });
  });

  it('searches body text only for callers allowed to read content', async () => {
    await db.query(`INSERT INTO document_texts (document_id, status, body, chars) VALUES ($1, 'EXTRACTED', $2, 100)
       ON CONFLICT (document_id) DO UPDATE SET status = EXCLUDED.status, body = EXCLUDED.body`, [
      planted.appointUbnd.id,
      'Căn cứ Luật Tổ chức chính quyền địa phương; xét đề nghị của Giám đốc Sở Nội vụ về nhân sự thôn Thạch Hãn.',
    ]);
    const staff = await search('archivistA', { q: 'thach han' }).expect(200);
    expect(staff.body.items.map((i: { documentId: string }) => i.documentId)).toEqual([planted.appointUbnd.id]);
    expect(staff.body.items[0].highlights.body).toContain('<mark>Thạch</mark> <mark>Hãn</mark>');
    // Ranked below documents matching in the subject.
    expect((await search('public', { q: 'thach han' }).expect(200)).body.total).toBe(0);
  });

  it('paginates stably and completely (ties broken by id), in every sort order', async () => {
    for (const sort of ['relevance', 'issuedDate:desc', 'issuedDate:asc']) {
      const seen: string[] = [];
      let total = 0;
      for (let page = 1; page < 100; page++) {
        const res = await search('auditor', { q: 'quyet dinh', pageSize: 7, page, sort }).expect(200);
        total = res.body.total;
        seen.push(...res.body.items.map((i: { documentId: string }) => i.documentId));
        if (res.body.items.length < 7) break;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(total);
      const again = await search('auditor', { q: 'quyet dinh', pageSize: 7, page: 2, sort }).expect(200);
      expect(again.body.items.map((i: { documentId: string }) => i.documentId)).toEqual(seen.slice(7, 14));
    }
  });

  it('rejects bad parameters with a JSON 400 naming the field', async () => {
    const bad: [Record<string, string | number>, string][] = [
      [{ pageSize: 1000 }, 'pageSize'],
      [{ page: 0 }, 'page'],
      [{ q: 'x'.repeat(201) }, 'q'],
      [{ issuedFrom: '2024-13-01' }, 'issuedFrom'],
      [{ issuedFrom: '2024-05-01', issuedTo: '2024-01-01' }, 'issuedFrom'],
      [{ mode: '04' }, 'mode'],
      [{ fileId: 'not-a-uuid' }, 'fileId'],
      [{ agencyId: 'abc' }, 'agencyId'],
      [{ sort: 'score' }, 'sort'],
      [{ page: 200, pageSize: 100 }, 'page'],
      [{ unknown: 1 }, 'unknown'],
    ];
    for (const [params, field] of bad) {
      const res = await search('public', params);
      expect({ params, status: res.status }).toEqual({ params, status: 400 });
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.details.map((d: { path: string }) => d.path)).toContain(field);
    }
  });
});
