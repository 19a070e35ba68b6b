/**
 * Search benchmark: GET /api/v1/search through HTTP vs the very same statement as bare SQL, in the
 * same run, over a seeded catalogue (PERFORMANCE.md: p95 ≤ 50 ms at 1M documents, HTTP ≤ 1.5 × SQL).
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/search/run.ts [--docs 100000] [--rounds 20] [--no-results]
 *
 * - PostgreSQL: DATABASE_URL when set (a database `bench_search_<docs>` is created on it and reused
 *   by later runs with the same --docs), else an embedded cluster in a temp dir.
 * - Seeding: generate_series SQL straight into agencies / transfers / case_files / documents with the
 *   catalogue triggers off, then the index is built by the reindex code path (`reindexSearch`, the
 *   same as `npm run cli -- reindex`), GIN indexes created after the load, then ANALYZE.
 * - Queries: a mixed set (broad words, selective words, numbers, filtered browsing) as a citizen,
 *   an agency archivist and an archive-wide auditor. Each round runs every query once through HTTP
 *   (fetch → Nest → guard → SearchService) and once as bare SQL (the statement SearchService.prepare
 *   + buildSearchSql produce, on a plain `pg` client, plus the estimate when the hit set overflows),
 *   interleaved so machine noise hits both alike. One client, sequential: latency, not throughput.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from '../../apps/archive-api/src/app.module';
import { configureApp } from '../../apps/archive-api/src/app.setup';
import type { RequestActor } from '../../apps/archive-api/src/auth/auth.decorators';
import { startEmbeddedPostgres, tempClusterDir } from '../../apps/archive-api/src/database/embedded-postgres';
import { buildSearchSql } from '../../apps/archive-api/src/search/search-sql';
import { reindexSearch } from '../../apps/archive-api/src/search/search-reindex';
import { SearchQueryDto } from '../../apps/archive-api/src/search/search.dto';
import { SearchService } from '../../apps/archive-api/src/search/search.service';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const DOCS = arg('docs', 100_000);
const ROUNDS = arg('rounds', 20);
const WRITE_RESULTS = !argv.includes('--no-results');
const ROOT = path.resolve(__dirname, '../..');
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const log = (m: string) => process.stderr.write(`${m}\n`);

const AGENCIES = [
  { id: '000.00.12.H05', name: 'Sở Nội vụ tỉnh Bình Định', abbrev: 'SNV' },
  { id: '000.00.34.H40', name: 'Sở Tư pháp tỉnh Nghệ An', abbrev: 'STP' },
  { id: '000.00.01.H29', name: 'Ủy ban nhân dân thành phố Hà Nội', abbrev: 'UBND' },
  { id: '000.00.56.H56', name: 'Sở Tài chính tỉnh Khánh Hòa', abbrev: 'STC' },
];

const sqlArray = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]`;
const TYPES = [['01', 'Nghị quyết', 'NQ'], ['02', 'Quyết định', 'QĐ'], ['03', 'Chỉ thị', 'CT'], ['07', 'Thông báo', 'TB'], ['10', 'Kế hoạch', 'KH'], ['14', 'Báo cáo', 'BC'], ['16', 'Tờ trình', 'TTr'], ['18', 'Công văn', 'CV']];
const ACTIONS = [
  'về việc bổ nhiệm cán bộ lãnh đạo', 'về việc điều động công chức', 'về việc khen thưởng tập thể và cá nhân có thành tích xuất sắc',
  'về việc kỷ luật cán bộ', 'về việc nâng bậc lương thường xuyên', 'phê duyệt kế hoạch đào tạo, bồi dưỡng cán bộ, công chức',
  'về công tác phòng, chống thiên tai và tìm kiếm cứu nạn', 'về tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội',
  'về việc giao đất, cho thuê đất để đầu tư xây dựng', 'về việc thành lập Hội đồng thẩm định', 'kết luận cuộc họp giao ban',
  'về cải cách hành chính và chuyển đổi số', 'về quản lý, sử dụng tài sản công', 'về việc phê duyệt dự án đường giao thông nông thôn',
  'về việc cấp giấy chứng nhận quyền sử dụng đất', 'về việc thu hồi đất thực hiện dự án', 'về công tác văn thư, lưu trữ',
  'về việc tiếp nhận hồ sơ thủ tục hành chính', 'về phòng cháy, chữa cháy', 'về việc phân bổ dự toán ngân sách',
];
const COMMUNES = ['xã Nhơn Lý', 'xã Cát Tiến', 'xã Phước Sơn', 'xã Mỹ Chánh', 'xã Bình Nghi', 'xã Nhơn Hải', 'xã Cát Hải', 'xã Phước Thuận',
  'xã Mỹ Thắng', 'xã Tây Xuân', 'xã Hoài Hương', 'xã Ân Hảo', 'xã Canh Vinh', 'xã Vĩnh Thạnh', 'xã Tam Quan Bắc', 'xã Hòa Hội', 'phường Trần Phú',
  'phường Lê Lợi', 'phường Nhơn Bình', 'phường Đống Đa', 'phường Ghềnh Ráng', 'phường Quang Trung', 'phường Bồng Sơn', 'phường Tam Quan',
  'xã Đập Đá', 'xã Nhơn Mỹ', 'xã Cát Minh', 'xã Phước Hòa', 'xã Mỹ Đức', 'xã Bình Thuận', 'xã Ân Tường', 'xã Canh Hiệp', 'xã Vĩnh Hảo',
  'xã Hoài Sơn', 'xã Tây Giang', 'xã Cát Khánh', 'xã Phước Lộc', 'xã Nhơn Hậu', 'xã Mỹ Hiệp', 'xã Bình Tân'];
const DISTRICTS = ['huyện Tuy Phước', 'thị xã An Nhơn', 'huyện Phù Cát', 'huyện Hoài Nhơn', 'huyện Vân Canh', 'thành phố Quy Nhơn', 'huyện Tây Sơn',
  'huyện Phù Mỹ', 'huyện Hoài Ân', 'huyện An Lão', 'huyện Vĩnh Thạnh', 'huyện Phù Cát'];
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Đức', 'Quốc', 'Thanh', 'Ngọc', 'Hữu', 'Xuân', 'Thu'];
const GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Đào', 'Giang', 'Hà', 'Hải', 'Hạnh', 'Hiếu', 'Hòa', 'Hùng', 'Hương', 'Khánh', 'Lan', 'Linh', 'Long',
  'Mai', 'Nam', 'Nga', 'Phong', 'Phúc', 'Quân', 'Sơn', 'Tâm', 'Thảo', 'Trang', 'Tuấn', 'Vân', 'Yến'];
const TAILS = ['năm 2019', 'năm 2020', 'năm 2021', 'năm 2022', 'năm 2023', 'năm 2024', 'quý I', 'quý III', 'tháng 6', 'giai đoạn 2021-2025'];
const SIGNERS = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Đức Dũng', 'Phạm Thị Đào', 'Hoàng Minh Đức', 'Võ Thị Hương', 'Đặng Quốc Huy', 'Bùi Thị Lan'];
const TOPICS = ['Hồ sơ tổ chức cán bộ', 'Hồ sơ thi đua khen thưởng', 'Hồ sơ quản lý đất đai', 'Hồ sơ cải cách hành chính', 'Hồ sơ đầu tư công', 'Hồ sơ tài chính ngân sách'];

/** A pseudo-random pick in SQL: deterministic per row (hashint4 of the row number and a salt). */
const pick = (arr: string, n: string, salt: number) => `(${arr})[1 + ((hashint4(${n} * 7 + ${salt}) % 1000000 + 1000000) % array_length(${arr}, 1))]`;
const pct = (n: string, salt: number) => `((hashint4(${n} * 13 + ${salt}) % 100 + 100) % 100)`;

async function seed(db: DataSource, docs: number): Promise<void> {
  const files = Math.ceil(docs / 8);
  const t0 = Date.now();
  await db.query('SET session_replication_role = replica'); // bulk load: the catalogue triggers and FKs are off
  await db.query('DELETE FROM case_files'); // leftovers of an interrupted seeding
  for (const a of AGENCIES) {
    await db.query(`INSERT INTO agencies (id, name, created_by) VALUES ($1, $2, 'bench') ON CONFLICT DO NOTHING`, [a.id, a.name]);
    await db.query(
      `INSERT INTO transfers (id, submitter_scope, agency_id, body_kind, status, submitted_by, staging_prefix)
       VALUES (md5('transfer' || $1)::uuid, $1, $1, 'MULTIPART', 'ACCEPTED', 'bench', 'bench/') ON CONFLICT DO NOTHING`,
      [a.id],
    );
  }
  const agencyIds = sqlArray(AGENCIES.map((a) => a.id));
  const topics = sqlArray(TOPICS);
  await db.query(`
    INSERT INTO case_files (id, agency_id, transfer_id, file_code, year, title, maintenance, status, mode, language, start_date, end_date,
                            keyword, total_doc, number_of_page, code_list_version, metadata, object_prefix)
    SELECT md5('file' || i)::uuid, a, md5('transfer' || a)::uuid, a || '.' || y || '.' || i, y, t || ' năm ' || y, '01', 'ARCHIVED',
           CASE WHEN ${pct('i', 1)} < 80 THEN '01' WHEN ${pct('i', 1)} < 95 THEN '02' ELSE '03' END, '01', y || '-01-01', y || '-12-31',
           replace(t, 'Hồ sơ ', ''), 8, 10, 'bench', '{}'::jsonb, 'bench/' || i || '/'
    FROM generate_series(1, ${files}) AS i,
         LATERAL (SELECT (${agencyIds})[1 + i % ${AGENCIES.length}] AS a, 2015 + i % 10 AS y, ${pick(topics, 'i', 2)} AS t) x`);
  log(`seeded ${files} case files in ${Date.now() - t0} ms`);
  const col = (i: number) => sqlArray(TYPES.map((t) => t[i]));
  const chunk = 200_000;
  for (let from = 1; from <= docs; from += chunk) {
    const to = Math.min(docs, from + chunk - 1);
    await db.query(`
      INSERT INTO documents (id, file_id, agency_id, doc_code, doc_ordinal, type_name, code_number, code_notation, issued_date, organ_name,
                             subject, language, mode, signer_full_name, signer_position, metadata, original_path, mime_type, sha256, size, object_key,
                             signature_summary, validated_at)
      SELECT md5('doc' || j)::uuid, md5('file' || f)::uuid, (${agencyIds})[1 + f % ${AGENCIES.length}], 'BENCH.' || j, 1 + j % 8,
             (${col(0)})[ti], j::text, (${col(2)})[ti] || '-' || (ARRAY[${AGENCIES.map((a) => `'${a.abbrev}'`).join(',')}])[1 + f % ${AGENCIES.length}],
             make_date(2015 + f % 10, 1 + (j % 12), 1 + (j % 28)), (ARRAY[${AGENCIES.map((a) => `'${a.name}'`).join(',')}])[1 + f % ${AGENCIES.length}],
             (${col(1)})[ti] || ' ' || ${pick(sqlArray(ACTIONS), 'j', 3)}
               || CASE WHEN j % 3 = 0 THEN ' đối với ' || ${pick(sqlArray(FAMILY), 'j', 9)} || ' ' || ${pick(sqlArray(MIDDLE), 'j', 10)} || ' ' || ${pick(sqlArray(GIVEN), 'j', 11)} ELSE '' END
               || ' tại ' || ${pick(sqlArray(COMMUNES), 'j', 4)} || ', ' || ${pick(sqlArray(DISTRICTS), 'j', 12)} || ' ' || ${pick(sqlArray(TAILS), 'j', 5)},
             '01', CASE WHEN ${pct('j', 6)} < 90 THEN '01' WHEN ${pct('j', 6)} < 97 THEN '02' ELSE '03' END,
             ${pick(sqlArray(SIGNERS), 'j', 7)}, 'Giám đốc', '{}'::jsonb, 'docs/' || j || '.pdf', 'application/pdf',
             md5(j::text) || md5(j::text), 100000, 'bench/' || j, 'VALID', now()
      FROM generate_series(${from}, ${to}) AS j,
           LATERAL (SELECT (j - 1) / 8 + 1 AS f, 1 + ((hashint4(j * 7 + 8) % 1000000 + 1000000) % ${TYPES.length}) AS ti) x`);
    log(`seeded documents ${to}/${docs} (${Date.now() - t0} ms)`);
  }
  await db.query('SET session_replication_role = DEFAULT');
  await db.query('ANALYZE documents');
  await db.query('ANALYZE case_files');
}

/** The index through the reindex code path; the GIN indexes are built after the load (much faster than row by row). */
async function buildIndex(db: DataSource): Promise<{ ms: number; docsPerSec: number }> {
  const defs: { indexname: string; indexdef: string }[] = await db.query(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_index' AND indexdef ILIKE '%USING gin%'`,
  );
  for (const d of defs) await db.query(`DROP INDEX ${d.indexname}`);
  const t0 = Date.now();
  let last = 0;
  const r = await reindexSearch(db, {
    batchSize: 20_000,
    restart: true,
    onProgress: (p) => {
      if (p.finished || Date.now() - last > 5000) {
        last = Date.now();
        log(`reindex ${p.done}/${p.total}`);
      }
    },
  });
  const ms = Date.now() - t0;
  await db.query(`SET maintenance_work_mem = '256MB'`);
  for (const d of defs) {
    const t = Date.now();
    await db.query(d.indexdef);
    log(`built ${d.indexname} in ${Date.now() - t} ms`);
  }
  await db.query('VACUUM ANALYZE search_index');
  return { ms, docsPerSec: Math.round(r.done / (ms / 1000)) };
}

interface BenchQuery {
  name: string;
  kind: 'broad' | 'selective';
  caller: 'public' | 'archivist' | 'auditor';
  params: Record<string, string>;
}

const QUERIES: BenchQuery[] = [
  { name: 'quyet dinh (public)', kind: 'broad', caller: 'public', params: { q: 'quyet dinh' } },
  { name: 'cán bộ (archivist)', kind: 'broad', caller: 'archivist', params: { q: 'cán bộ' } },
  { name: 'ke hoach nam 2023 (auditor)', kind: 'broad', caller: 'auditor', params: { q: 'ke hoach nam 2023' } },
  { name: 'đất (public, typeName 02)', kind: 'broad', caller: 'public', params: { q: 'đất', typeName: '02' } },
  { name: 'browse 2020 (public, no q)', kind: 'broad', caller: 'public', params: { issuedFrom: '2020-01-01', issuedTo: '2020-12-31' } },
  { name: 'Nguyễn Thị Hương (public)', kind: 'selective', caller: 'public', params: { q: 'Nguyễn Thị Hương' } },
  { name: 'thu hồi đất Nhơn Lý (archivist)', kind: 'selective', caller: 'archivist', params: { q: 'thu hồi đất Nhơn Lý' } },
  { name: '"chuyển đổi số" Đống Đa from 2024 (public)', kind: 'selective', caller: 'public', params: { q: '"chuyển đổi số" Đống Đa', issuedFrom: '2024-01-01' } },
  { name: 'number 12345 (public)', kind: 'selective', caller: 'public', params: { q: '12345' } },
  { name: 'number 797/… (archivist)', kind: 'selective', caller: 'archivist', params: { q: '797/' } },
  { name: 'phong chay Cat Tien Phu Cat (auditor)', kind: 'selective', caller: 'auditor', params: { q: 'phong chay chua chay Cat Tien Phu Cat' } },
  { name: 'thiên tai Mỹ Chánh by date (public)', kind: 'selective', caller: 'public', params: { q: 'thiên tai Mỹ Chánh', sort: 'issuedDate:desc' } },
];

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const f1 = (n: number) => n.toFixed(1);

async function main(): Promise<void> {
  let url = process.env.DATABASE_URL;
  let stopPg: (() => Promise<void>) | null = null;
  let pgDir: string | null = null;
  if (!url) {
    pgDir = tempClusterDir();
    const pg = await startEmbeddedPostgres({ databaseDir: pgDir, persistent: false, log: { info: () => undefined, warn: log, debug: () => undefined } });
    url = pg.url;
    stopPg = () => pg.stop();
  }
  const dbName = `bench_search_${DOCS}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rowCount;
  if (!exists) await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-search-'));
  Object.assign(process.env, {
    DATABASE_URL: u.toString(),
    ARCHIVE_DATA_DIR: dataDir,
    ARCHIVE_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PUBLIC: '0',
    JOBS_POLL_MS: '0',
    SEARCH_TEXT_SWEEP_SECONDS: '0',
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
  });
  const app = await NestFactory.create(AppModule, { logger: false, bodyParser: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const db = app.get(DataSource);

  let seedInfo = 'reused';
  let indexInfo = { ms: 0, docsPerSec: 0 };
  const [{ n }] = await db.query('SELECT count(*)::int AS n FROM documents');
  if (n !== DOCS) {
    if (n > 0) throw new Error(`${dbName} holds ${n} documents, not ${DOCS}: drop it first`);
    const t = Date.now();
    await seed(db, DOCS);
    seedInfo = `${((Date.now() - t) / 1000).toFixed(0)} s`;
    indexInfo = await buildIndex(db);
  }
  const [{ size }] = await db.query(`SELECT pg_size_pretty(pg_total_relation_size('search_index')) AS size`);

  const key = async (role: string, agencyId?: string) => {
    const res = await fetch(`${base}/api/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ name: `bench ${role} ${Date.now()}`, role, agencyId }),
    });
    if (res.status !== 201) throw new Error(`api key: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  };
  const tokens = { public: null as string | null, archivist: await key('ARCHIVIST', AGENCIES[0].id), auditor: await key('AUDITOR') };
  const actors: Record<BenchQuery['caller'], RequestActor> = {
    public: { principal: { kind: 'public', actor: 'public', name: 'public', roles: [], agencyId: null }, ip: null, requestId: null },
    archivist: { principal: { kind: 'api-key', actor: 'bench', name: 'bench', roles: ['ARCHIVIST'], agencyId: AGENCIES[0].id }, ip: null, requestId: null },
    auditor: { principal: { kind: 'api-key', actor: 'bench', name: 'bench', roles: ['AUDITOR'], agencyId: null }, ip: null, requestId: null },
  };
  const service = app.get(SearchService);
  const bare = new Client({ connectionString: u.toString() });
  await bare.connect();

  const http = async (q: BenchQuery) => {
    const t = performance.now();
    const res = await fetch(`${base}/api/v1/search?${new URLSearchParams(q.params)}`, { headers: tokens[q.caller] ? { authorization: `Bearer ${tokens[q.caller]}` } : {} });
    const body = (await res.json()) as { total: number; totalIsEstimate: boolean };
    if (res.status !== 200) throw new Error(`${q.name}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t, total: body.total, estimate: body.totalIsEstimate };
  };
  const sql = async (q: BenchQuery) => {
    const dto = Object.assign(new SearchQueryDto(), q.params);
    const t = performance.now();
    const prepared = service.prepare(dto, actors[q.caller]);
    if (!('input' in prepared)) throw new Error(`${q.name}: nothing to run`);
    const built = buildSearchSql(await service.plan(prepared.input));
    const { rows } = await bare.query(built.sql, built.params);
    if (rows[0].matched > prepared.input.candidates) await bare.query(`EXPLAIN (FORMAT JSON) ${built.estimate.sql}`, built.estimate.params);
    return performance.now() - t;
  };

  log('warm-up');
  const info = new Map<string, { total: number; estimate: boolean }>();
  for (let i = 0; i < 2; i++) for (const q of QUERIES) {
    const r = await http(q);
    info.set(q.name, { total: r.total, estimate: r.estimate });
    await sql(q);
  }
  const times = new Map<string, { http: number[]; sql: number[] }>(QUERIES.map((q) => [q.name, { http: [], sql: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const q of QUERIES) {
      const t = times.get(q.name)!;
      // Alternate which side goes first so neither always gets the warmer cache.
      if (round % 2) {
        t.sql.push(await sql(q));
        t.http.push((await http(q)).ms);
      } else {
        t.http.push((await http(q)).ms);
        t.sql.push(await sql(q));
      }
    }
    if (round % 5 === 4) log(`round ${round + 1}/${ROUNDS}`);
  }
  // The floor of any request through this stack (no database): what HTTP adds to the smallest query.
  const floor: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await (await fetch(`${base}/api/v1/health/live`)).text();
    floor.push(performance.now() - t);
  }
  await bare.end();
  await app.close();
  if (stopPg) await stopPg();
  if (pgDir) fs.rmSync(pgDir, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });

  const all = { http: [...times.values()].flatMap((t) => t.http), sql: [...times.values()].flatMap((t) => t.sql) };
  const line = (label: string, h: number[], s: number[]) =>
    `| ${label} | ${h.length} | ${f1(percentile(h, 50))} | ${f1(percentile(h, 95))} | ${f1(percentile(h, 99))} | ${f1(percentile(s, 50))} | ${f1(percentile(s, 95))} | ${f1(percentile(s, 99))} | ${(percentile(h, 50) / percentile(s, 50)).toFixed(2)}× / ${(percentile(h, 95) / percentile(s, 95)).toFixed(2)}× |`;
  const header = '| query | samples | HTTP p50 ms | HTTP p95 | HTTP p99 | SQL p50 ms | SQL p95 | SQL p99 | HTTP/SQL (p50 / p95) |\n|---|---|---|---|---|---|---|---|---|';
  const rows = QUERIES.map((q) => {
    const t = times.get(q.name)!;
    const i = info.get(q.name)!;
    return line(`${q.kind}: ${q.name} — ${i.estimate ? '≈' : ''}${i.total} hits`, t.http, t.sql);
  });
  const byKind = (k: BenchQuery['kind']) => {
    const qs = QUERIES.filter((q) => q.kind === k).map((q) => times.get(q.name)!);
    return line(`**all ${k}**`, qs.flatMap((t) => t.http), qs.flatMap((t) => t.sql));
  };
  const table = [header, ...rows, byKind('broad'), byKind('selective'), line('**all (mixed set)**', all.http, all.sql)].join('\n');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const heading = `## Search — ${DOCS.toLocaleString('en')} documents`;
  const report = `${heading}

Command (the lead wires it as \`npm run bench:search\`; \`--docs 1000000\` for the 1M target):

\`\`\`
npx ts-node --transpile-only -r tsconfig-paths/register bench/search/run.ts --docs ${DOCS} --rounds ${ROUNDS}
\`\`\`

What it does: seeds ${DOCS.toLocaleString('en')} documents (${Math.ceil(DOCS / 8).toLocaleString('en')} case files, 4 agencies, modes 01/02/03 ≈ 90/7/3 %,
generated Vietnamese subjects) with generate_series SQL, builds the index through the reindex code path
(${indexInfo.docsPerSec ? `${indexInfo.docsPerSec.toLocaleString('en')} docs/s, ${(indexInfo.ms / 1000).toFixed(0)} s, GIN built after` : 'index reused from an earlier run'}; search_index ${size}), then runs a mixed set of
${QUERIES.length} queries (${QUERIES.filter((q) => q.kind === 'broad').length} broad, ${QUERIES.filter((q) => q.kind === 'selective').length} selective; citizen, agency archivist, auditor) for ${ROUNDS} rounds, each query through
HTTP (fetch → guard → SearchService) and as the same statement on a bare \`pg\` client, interleaved.
One client, sequential. Ranking window SEARCH_RANK_CANDIDATES=${process.env.SEARCH_RANK_CANDIDATES ?? 1000}: broad queries beyond it rank and facet a
sample of that many matches and report \`totalIsEstimate\` (≈ below).

HTTP floor (GET /health/live through the same stack, no database): p50 ${f1(percentile(floor, 50))} ms, p95 ${f1(percentile(floor, 95))} ms.

Run Search — ${new Date().toISOString()} — ${os.cpus().length} × ${cpu}, Node ${process.version}; seeding ${seedInfo}; machine shared with other jobs.

${table}
`;
  process.stdout.write(`${report}\n`);
  if (WRITE_RESULTS) {
    const file = path.join(ROOT, 'bench', 'RESULTS.md');
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
    // Our section is replaced by the latest run; the others are left alone.
    const re = new RegExp(`\\n${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n[\\s\\S]*?(?=\\n## |$)`);
    const next = re.test(current) ? current.replace(re, `\n${report}`) : `${current.trimEnd()}\n\n${report}`;
    fs.writeFileSync(file, next);
    log(`results written to ${path.relative(ROOT, file)}`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
