/** Dev helper: EXPLAIN ANALYZE of the search statement for one query (bench/search/explain.ts '{"q":"quyet dinh"}' [public|archivist|auditor]). */
import { Client } from 'pg';
import { parseQuery } from '../../apps/archive-api/src/search/search-text';
import { buildSearchSql, SearchVisibility } from '../../apps/archive-api/src/search/search-sql';

const VIS: Record<string, SearchVisibility> = {
  public: { agencyIds: null, modes: ['01'], includeTombstones: false, bodyText: false },
  archivist: { agencyIds: ['000.00.12.H05'], modes: ['01', '02'], includeTombstones: true, bodyText: true },
  auditor: { agencyIds: null, modes: ['01', '02', '03'], includeTombstones: true, bodyText: false },
};

async function main(): Promise<void> {
  const params = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
  const who = process.argv[3] ?? 'public';
  const { q, sort, ...filters } = params;
  const built = buildSearchSql({
    query: q ? parseQuery(q) : null,
    filters,
    visibility: VIS[who],
    sort: (sort as 'relevance') ?? (q ? 'relevance' : 'issuedDate:desc'),
    limit: 20,
    offset: 0,
    candidates: Number(process.env.SEARCH_RANK_CANDIDATES ?? 1000),
    probeBlocks: process.env.PROBE ? Number(process.env.PROBE) : undefined,
    indexWords: process.env.WORDS ? process.env.WORDS.split(',') : undefined,
  });
  const c = new Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${built.sql}`, built.params);
  process.stdout.write(r.rows.map((x) => x['QUERY PLAN']).join('\n') + '\n');
  await c.end();
}
main();
