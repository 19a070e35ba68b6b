/**
 * Dev helper: EXPLAIN ANALYZE of the search statement for one query, with the access path the service
 * would choose (SearchService.plan on the same database's statistics).
 *
 *   DATABASE_URL=… bench/search/explain.ts '{"q":"quyet dinh"}' [public|archivist|auditor]
 *
 * PROBE=<blocks> / WORDS=a,b override the planned probe and index words.
 */
import { Client } from 'pg';
import { parseQuery } from '../../apps/archive-api/src/search/search-text';
import { buildSearchSql, SearchSqlInput, SearchVisibility } from '../../apps/archive-api/src/search/search-sql';
import { SearchService } from '../../apps/archive-api/src/search/search.service';
import type { AppConfig } from '../../apps/archive-api/src/config/app-config';
import type { DataSource } from 'typeorm';

const VIS: Record<string, SearchVisibility> = {
  public: { agencyIds: null, modes: ['01'], includeTombstones: false, bodyText: false },
  archivist: { agencyIds: ['000.00.12.H05'], modes: ['01', '02'], includeTombstones: true, bodyText: true },
  auditor: { agencyIds: null, modes: ['01', '02', '03'], includeTombstones: true, bodyText: false },
};

async function main(): Promise<void> {
  const params = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
  const who = process.argv[3] ?? 'public';
  const { q, sort, ...filters } = params;
  const c = new Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  const candidates = Number(process.env.SEARCH_RANK_CANDIDATES ?? 1000);
  const db = { query: async (sql: string, p?: unknown[]) => (await c.query(sql, p)).rows } as unknown as DataSource;
  const config = { search: { rankCandidates: candidates, probeBlocks: Number(process.env.SEARCH_PROBE_BLOCKS ?? 2000) } } as AppConfig;
  const service = new SearchService(db, null as never, config);
  const input: SearchSqlInput = {
    query: q ? parseQuery(q) : null,
    filters,
    visibility: VIS[who],
    sort: (sort as 'relevance') ?? (q ? 'relevance' : 'issuedDate:desc'),
    limit: 20,
    offset: 0,
    candidates,
  };
  const planned = await service.plan(input);
  if (process.env.PROBE !== undefined) planned.probeBlocks = Number(process.env.PROBE) || undefined;
  if (process.env.WORDS !== undefined) planned.indexWords = process.env.WORDS ? process.env.WORDS.split(',') : undefined;
  process.stdout.write(`plan: ${JSON.stringify({ probeBlocks: planned.probeBlocks, indexWords: planned.indexWords })}\n`);
  const built = buildSearchSql(planned);
  if (process.env.SHOW_SQL) process.stdout.write(`${built.sql}\n${JSON.stringify(built.params)}\n`);
  const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${built.sql}`, built.params);
  process.stdout.write(r.rows.map((x) => x['QUERY PLAN']).join('\n') + '\n');
  await c.end();
}
main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
