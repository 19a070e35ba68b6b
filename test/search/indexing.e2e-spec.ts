import * as fs from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';
import { DataSource } from 'typeorm';
import type { ObjectStore } from '@archive/storage';
import { JobQueue } from '../../apps/archive-api/src/jobs/job-queue.service';
import { SearchIndexer, TEXT_EXTRACTION_QUEUE } from '../../apps/archive-api/src/search/search-indexer.service';
import { reindexSearch } from '../../apps/archive-api/src/search/search-reindex';
import type { SearchSqlInput } from '../../apps/archive-api/src/search/search-sql';
import { parseQuery } from '../../apps/archive-api/src/search/search-text';
import { SearchService } from '../../apps/archive-api/src/search/search.service';
import { OBJECT_STORE } from '../../apps/archive-api/src/storage/storage.module';
import { exitOf, spawnEntry } from '../support/process';
import { AGENCY_A, AGENCY_B, createSecurityWorld, SecurityWorld } from '../security/security-fixtures';
import { generateCorpus, insertCorpus, plant } from './corpus';

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/** The index's feeders: PDF body text extraction (job + sweep) and the resumable reindex (library and CLI). */
jest.setTimeout(180_000);

async function textPdf(lines: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(fs.readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')), { subset: true });
  const page = doc.addPage([595, 842]);
  lines.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 20, size: 12, font }));
  return Buffer.from(await doc.save());
}

async function scanPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawRectangle({ x: 50, y: 50, width: 400, height: 600 }); // no text layer at all
  return Buffer.from(await doc.save());
}

describe('search indexing', () => {
  let w: SecurityWorld;
  let db: DataSource;

  beforeAll(async () => {
    w = await createSecurityWorld({ SEARCH_TEXT_SWEEP_SECONDS: '0', JOBS_POLL_MS: '0', SEARCH_RANK_CANDIDATES: '100' });
    db = w.t.app.get(DataSource);
  });

  afterAll(async () => {
    await w?.t.close();
  });

  it('extracts PDF text in a job (enqueued or swept), and makes it searchable for content readers only', async () => {
    const corpus = { files: [], docs: [] };
    const file = { agencyId: AGENCY_A.id, fileCode: `${AGENCY_A.id}.2024.800.PDF`, title: 'Hồ sơ văn bản có nội dung', keyword: 'nội dung', mode: '01' };
    const [withText, scan, broken, viaSweep] = plant(corpus, file, [
      { subject: 'Quyết định ban hành quy chế' },
      { subject: 'Bản scan công văn' },
      { subject: 'Tệp hỏng' },
      { subject: 'Quyết định thứ tư' },
    ]);
    await insertCorpus(db, corpus);
    const store = w.t.app.get<ObjectStore>(OBJECT_STORE);
    await store.put(`objects/${withText.id}.pdf`, await textPdf(['QUYẾT ĐỊNH', 'Về việc ban hành Quy chế quản lý kho lưu trữ Đống Đa', 'Điều 1. Ban hành kèm theo…']));
    await store.put(`objects/${scan.id}.pdf`, await scanPdf());
    await store.put(`objects/${broken.id}.pdf`, Buffer.from('%PDF-1.7\nthis is not really a pdf\n%%EOF'));
    await store.put(`objects/${viaSweep.id}.pdf`, await textPdf(['Nội dung riêng: hợp tác xã Bình Minh']));

    const indexer = w.t.app.get(SearchIndexer);
    const jobs = w.t.app.get(JobQueue);
    // The transfer pipeline enqueues in its catalogue transaction; the sweep catches the rest.
    await db.transaction(async (m) => {
      await indexer.enqueueTextExtraction(m, [withText.id, scan.id, broken.id]);
    });
    await jobs.drain([TEXT_EXTRACTION_QUEUE]);
    expect(await indexer.sweep()).toBe(1);
    await jobs.drain([TEXT_EXTRACTION_QUEUE]);

    const rows: { document_id: string; status: string; chars: number }[] = await db.query('SELECT document_id, status, chars FROM document_texts');
    const status = Object.fromEntries(rows.map((r) => [r.document_id, r.status]));
    expect(status).toEqual({ [withText.id]: 'EXTRACTED', [scan.id]: 'NO_TEXT', [broken.id]: 'FAILED', [viaSweep.id]: 'EXTRACTED' });
    const failed: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM jobs WHERE queue = $1 AND status <> 'DONE'`, [TEXT_EXTRACTION_QUEUE]);
    expect(failed[0].n).toBe(0); // a scan or a broken file is not a failed job

    const staff = await w.as('archivistA')(w.http().get('/api/v1/search').query({ q: 'kho luu tru dong da' })).expect(200);
    expect(staff.body.items.map((i: { documentId: string }) => i.documentId)).toEqual([withText.id]);
    expect(staff.body.items[0].highlights.body).toContain('<mark>Đống</mark> <mark>Đa</mark>');
    const sweep = await w.as('archivistA')(w.http().get('/api/v1/search').query({ q: 'hợp tác xã Bình Minh' })).expect(200);
    expect(sweep.body.items.map((i: { documentId: string }) => i.documentId)).toEqual([viaSweep.id]);
    // Citizens see the record's description, but do not search inside its content.
    const pub = await w.http().get('/api/v1/search').query({ q: 'kho luu tru dong da' }).expect(200);
    expect(pub.body.total).toBe(0);
  });

  it('rebuilds the index in batches, resuming from the saved cursor', async () => {
    const corpus = generateCorpus([{ id: AGENCY_A.id, organs: [{ name: 'Sở Nội vụ tỉnh Bình Định', abbrev: 'SNV' }] }, { id: AGENCY_B.id, organs: [{ name: 'Sở Tư pháp tỉnh Nghệ An', abbrev: 'STP' }] }], 250, 11);
    corpus.docs.forEach((d, i) => (d.codeNumber = String(5000 + i)));
    await insertCorpus(db, corpus);
    const [{ n: total }] = await db.query('SELECT count(*)::int AS n FROM documents');
    const before = (await w.as('auditor')(w.http().get('/api/v1/search').query({ q: 'quyet dinh' })).expect(200)).body;

    // Lose the index (e.g. restored from a dump without it), rebuild part of it, "crash", resume.
    await db.query('TRUNCATE search_index');
    expect((await w.as('auditor')(w.http().get('/api/v1/search').query({ q: 'quyet dinh' })).expect(200)).body.total).toBe(0);
    const partial = await reindexSearch(db, { batchSize: 40, maxBatches: 2 });
    expect(partial).toMatchObject({ done: 80, finished: false });
    const [{ n: indexed }] = await db.query('SELECT count(*)::int AS n FROM search_index');
    expect(indexed).toBe(80);
    const resumed = await reindexSearch(db, { batchSize: 40 });
    expect(resumed).toMatchObject({ done: total, total, resumed: true, finished: true });
    const after = (await w.as('auditor')(w.http().get('/api/v1/search').query({ q: 'quyet dinh' })).expect(200)).body;
    expect(after.total).toBe(before.total);
    expect(after.facets).toEqual(before.facets);

    // Beyond the ranking window (100 here): an estimated total, facets and ranking over the sample.
    const broad = (await w.as('auditor')(w.http().get('/api/v1/search').query({ q: 'năm' })).expect(200)).body;
    expect(broad.total).toBeGreaterThan(100);
    expect(broad).toMatchObject({ totalIsEstimate: true, sampled: 101 });
    expect(broad.items).toHaveLength(20);
    expect(sum(broad.facets.typeName)).toBe(101);
    // Very common words: candidates come from a scan of the first heap blocks, not the GIN index —
    // and they are the same candidates (first matches in physical order) either way.
    const multi = { q: 'quyết định năm 2024', pageSize: 100 };
    const beforeStats = (await w.as('auditor')(w.http().get('/api/v1/search').query(multi)).expect(200)).body;
    await db.query('ANALYZE search_index');
    const service = w.t.app.get(SearchService);
    await service.refreshStats();
    // With statistics the index is asked for the rarer words only and the rest re-checked: same answer.
    expect(await service.indexWordsFor({ query: parseQuery(multi.q), candidates: 100 } as SearchSqlInput)).toBeDefined();
    expect((await w.as('auditor')(w.http().get('/api/v1/search').query(multi)).expect(200)).body).toEqual(beforeStats);
    const viaProbe = await service.probeBlocksFor({ query: parseQuery('năm'), candidates: 100 } as SearchSqlInput);
    expect(viaProbe).toBe(w.t.config.search.probeBlocks);
    const probed = (await w.as('auditor')(w.http().get('/api/v1/search').query({ q: 'năm' })).expect(200)).body;
    w.t.config.search.probeBlocks = 0;
    const viaIndex = (await w.as('auditor')(w.http().get('/api/v1/search').query({ q: 'năm' })).expect(200)).body;
    // A short probe: its first eighth predicts enough matches, the rest of it supplies them.
    w.t.config.search.probeBlocks = 40;
    expect(await service.probeBlocksFor({ query: parseQuery('năm'), candidates: 100 } as SearchSqlInput)).toBe(40);
    const shortProbe = (await w.as('auditor')(w.http().get('/api/v1/search').query({ q: 'năm' })).expect(200)).body;
    w.t.config.search.probeBlocks = viaProbe as number;
    expect(probed).toEqual(viaIndex);
    expect(shortProbe).toEqual(viaIndex);
    // Paging past the window widens the ranked sample instead of running dry.
    const deep = (await w.as('auditor')(w.http().get('/api/v1/search').query({ q: 'năm', page: 7, pageSize: 20 })).expect(200)).body;
    expect(deep.items).toHaveLength(20);
    const narrow = (await w.as('auditor')(w.http().get('/api/v1/search').query({ q: 'quyet dinh', typeName: '02', issuedFrom: '2024-01-01' })).expect(200)).body;
    expect(narrow.totalIsEstimate).toBe(false);
    expect(sum(narrow.facets.typeName)).toBe(narrow.total);

    // The CLI: same rebuild, a progress bar on stderr, a summary on stdout.
    await db.query('TRUNCATE search_index');
    const child = spawnEntry('cli', ['reindex', '--batch', '100'], { DATABASE_URL: w.t.config.databaseUrl ?? undefined, ARCHIVE_DATA_DIR: w.t.dataDir, LOG_LEVEL: 'silent' });
    const { code } = await exitOf(child, 120_000);
    expect({ code, out: child.output() }).toMatchObject({ code: 0 });
    expect(child.output()).toMatch(/reindex \[#+\] +100\.0% /);
    expect(child.output()).toContain(`reindexed ${total} documents`);
    const [{ n: rebuilt }] = await db.query('SELECT count(*)::int AS n FROM search_index');
    expect(rebuilt).toBe(total);
  });
});
