import type { AccessMode } from '../auth/permissions';
import { ParsedQuery, toTsQuery } from './search-text';
import type { SearchSort } from './search.dto';

/** Who is asking, reduced to what the SQL needs (from AccessPolicy.scopeFor). */
export interface SearchVisibility {
  /** null: every agency. */
  agencyIds: string[] | null;
  modes: AccessMode[];
  /** Staff see destroyed records as tombstones; citizens and machine clients never see them. */
  includeTombstones: boolean;
  /** Body text is content: only callers with content.read may find documents through it. */
  bodyText: boolean;
}

export interface SearchFilters {
  agencyId?: string;
  typeName?: string;
  issuedFrom?: string;
  issuedTo?: string;
  mode?: string;
  fileId?: string;
}

export interface SearchSqlInput {
  query: ParsedQuery | null;
  filters: SearchFilters;
  visibility: SearchVisibility;
  sort: SearchSort;
  limit: number;
  offset: number;
  /** Matches ranked and faceted exactly; one more tells "there are more" (then the total is estimated). */
  candidates: number;
  /** Near-miss mode: trigram similarity of the subject instead of full text. */
  fuzzy?: boolean;
  /**
   * Broad-query mode: look for the candidates by scanning the first N heap blocks instead of the GIN
   * index, falling back to the index when they do not hold enough matches (see buildSearchSql).
   */
  probeBlocks?: number;
  /**
   * The lexemes the GIN index is asked for (words, and filter lexemes such as the caller's agency);
   * the whole query is then checked on the rows found. A GIN AND costs in proportion to the posting
   * lists of ALL its entries, and syllables such as "thị", "đất", "nhơn" each sit in a third of the
   * archive: asking the index for "lý" and re-checking "nhơn lý đất…" on its hits is far cheaper than
   * intersecting five huge lists. Unset: the whole query, filters included, goes to the index.
   */
  indexWords?: string[];
}

export interface SearchSql {
  sql: string;
  params: unknown[];
  /** `SELECT score FROM search_index s WHERE …` with its own parameters: EXPLAIN of it estimates a capped total. */
  estimate: { sql: string; params: unknown[] };
}

const TS_MARK = '\u0000ts\u0000';

// Field weights {D, C, B, A}: subject and number (A) far above the body text (C).
const WEIGHTS = `'{0.05, 0.2, 0.5, 1.0}'`;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const agencyLexeme = (id: string) => `zzg${id.replace(/\./g, '').toLowerCase()}`;

/**
 * Visibility and filters as tsquery lexemes (`search_filter_lexemes` in the migration): `required`
 * must all be present (type, agency, mode filters, a single visible agency), `excluded` must not
 * (modes the caller may not see, tombstones), `anyAgency` is one of several visible agencies. Modes
 * are expressed as exclusions: the excluded modes are the rare ones. The column predicates stay in
 * the WHERE as well: these only let the index (or the cost model choosing what to ask it) narrow.
 */
export function filterLexemes(v: SearchVisibility, f: SearchFilters): { required: string[]; excluded: string[]; anyAgency: string[] } {
  const required: string[] = [];
  const excluded = ['01', '02', '03'].filter((m) => !v.modes.includes(m as AccessMode)).map((m) => `zzm${m}`);
  if (!v.includeTombstones) excluded.push('zzdead');
  let anyAgency: string[] = [];
  if (v.agencyIds?.length === 1) required.push(agencyLexeme(v.agencyIds[0]));
  else if (v.agencyIds !== null) anyAgency = v.agencyIds.map(agencyLexeme);
  if (f.typeName && /^\d{2}$/.test(f.typeName)) required.push(`zzt${f.typeName}`);
  if (f.agencyId && /^[\d.A-Z]+$/.test(f.agencyId)) required.push(agencyLexeme(f.agencyId));
  if (f.mode && /^0[123]$/.test(f.mode)) required.push(`zzm${f.mode}`);
  return { required, excluded, anyAgency };
}

function filterTsQuery(v: SearchVisibility, f: SearchFilters): string[] {
  const { required, excluded, anyAgency } = filterLexemes(v, f);
  return [
    ...excluded.map((l) => `!'${l}'`),
    ...(anyAgency.length ? [`(${anyAgency.map((l) => `'${l}'`).join(' | ')})`] : []),
    ...required.map((l) => `'${l}'`),
  ];
}

/**
 * The one statement behind GET /search (and the bench's "bare SQL"): the visible, filtered matches are
 * collected once (up to `candidates` + 1, in a MATERIALIZED CTE) and total, facets and the ranked page
 * are all computed from that set in the same round trip. Capping the set is what keeps broad queries
 * fast: ranking and faceting cost grows with the hit set, not with the page.
 */
export function buildSearchSql(input: SearchSqlInput): SearchSql {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const { where, score, firstWord, ts } = clauses(input, p);
  const v = input.visibility;
  const whereSql = where.join(' AND ').replace(TS_MARK, ts?.indexed ?? 'true');
  const byDate = input.sort === 'relevance' ? null : input.sort === 'issuedDate:asc' ? 'ASC' : 'DESC';
  const order = byDate ? `issued_date ${byDate}, document_id ${byDate}` : 'score DESC, document_id';
  const limit = p(input.limit);
  const offset = p(input.offset);
  const cap = p(input.candidates + 1);
  // Relevance pages come from the (possibly sampled) candidate set; date pages from the whole filtered
  // set through the (issued_date, document_id) index, so their order is exact at any size.
  const pageSource = byDate
    ? `SELECT s.document_id, ${score} AS score, s.mode, s.destroyed, s.issued_date FROM search_index s WHERE ${whereSql} ORDER BY s.${order.replace(', document_id', ', s.document_id')} LIMIT ${limit} OFFSET ${offset}`
    : `SELECT document_id, score, mode, destroyed FROM hits ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`;
  const body = v.bodyText && firstWord
    ? `CASE WHEN NOT pg.destroyed THEN (SELECT substring(t.body FROM greatest(strpos(vn_unaccent(lower(left(t.body, 50000))), ${p(firstWord)}) - 120, 1) FOR 480)
         FROM document_texts t WHERE t.document_id = pg.document_id AND t.body IS NOT NULL) END`
    : 'NULL';
  const facet = (col: string) =>
    `(SELECT coalesce(json_object_agg(k, n), '{}'::json) FROM (SELECT ${col} AS k, count(*) AS n FROM hits WHERE ${col} IS NOT NULL GROUP BY 1) x)`;

  const cols = `s.document_id, s.type_name, s.issued_year, s.organ_name, s.mode, s.destroyed, s.issued_date, ${score} AS score`;
  let hits = `SELECT ${cols} FROM search_index s WHERE ${whereSql} LIMIT ${cap}`;
  let probe = '';
  const blocks = input.probeBlocks;
  if (ts && blocks && Number.isInteger(blocks) && blocks > 0) {
    // A GIN bitmap costs in proportion to ALL matches (~150k for "quyết định" in 1M documents), even
    // under a LIMIT. For words that common the first `cap` matches are found sooner by reading heap
    // blocks in order (a TID range scan, the match function kept away from the index), and they are the
    // same first `cap` matches in physical order that the bitmap path would return. The statistics only
    // bound the match rate from above (a conjunction of common words can be rare), so the first eighth
    // of the blocks is read first and the rest only when its matches extrapolate to enough: a wrong guess
    // costs that eighth, not the whole probe. When the probe does not hold enough, the index path runs
    // instead (its one-time filter skips it otherwise).
    const probeWhere = where.join(' AND ').replace(TS_MARK, ts.probe);
    const head = Math.max(1, Math.floor(blocks / 8));
    const scan = (range: string) => `SELECT ${cols} FROM search_index s WHERE ${range} AND ${probeWhere} LIMIT ${cap}`;
    probe = `head AS MATERIALIZED (${scan(`s.ctid < '(${head},0)'::tid`)}),
    probe AS MATERIALIZED (SELECT * FROM head
      UNION ALL
      SELECT * FROM (${scan(`s.ctid >= '(${head},0)'::tid AND s.ctid < '(${blocks},0)'::tid`)}) r WHERE (SELECT count(*) FROM head) * ${blocks} >= ${cap} * ${head}
      LIMIT ${cap}),`;
    hits = `SELECT * FROM probe WHERE (SELECT count(*) FROM probe) >= ${cap}
      UNION ALL
      SELECT * FROM (${hits}) g WHERE (SELECT count(*) FROM probe) < ${cap}`;
  }
  const estParams: unknown[] = [];
  // The estimate gives the planner the whole query as one @@ (its selectivity comes from the lexeme
  // statistics; a re-check function call would be guessed at a third).
  const est = clauses({ ...input, indexWords: undefined }, (x: unknown) => `$${estParams.push(x)}`);
  // The score is selected too: every parameter must appear for PostgreSQL to type it.
  const estimate = { sql: `SELECT ${est.score} AS score FROM search_index s WHERE ${est.where.join(' AND ').replace(TS_MARK, est.ts?.indexed ?? 'true')}`, params: estParams };

  const sql = `
    WITH ${probe} hits AS MATERIALIZED (${hits}),
    pg AS MATERIALIZED (SELECT row_number() OVER () AS ord, x.* FROM (${pageSource}) x)
    SELECT (SELECT count(*) FROM hits)::int AS matched,
      ${facet('type_name')} AS f_type, ${facet('issued_year')} AS f_year, ${facet('organ_name')} AS f_organ, ${facet('mode')} AS f_mode,
      (SELECT coalesce(json_agg(json_build_object(
          'documentId', d.id, 'fileId', d.file_id, 'agencyId', d.agency_id, 'subject', d.subject, 'codeNumber', d.code_number,
          'codeNotation', d.code_notation, 'issuedDate', to_char(d.issued_date, 'YYYY-MM-DD'), 'organName', d.organ_name,
          'typeName', d.type_name, 'score', round(pg.score::numeric, 6), 'mode', pg.mode, 'destroyed', pg.destroyed, 'body', ${body}) ORDER BY pg.ord), '[]'::json)
       FROM pg JOIN documents d ON d.id = pg.document_id) AS items`;
  return { sql, params, estimate };
}

interface Clauses {
  where: string[];
  score: string;
  firstWord: string | null;
  /** The full-text condition (TS_MARK in `where`): indexable, and the same test the index cannot use. */
  ts: { indexed: string; probe: string } | null;
}

function clauses(input: SearchSqlInput, p: (v: unknown) => string): Clauses {
  const where: string[] = [];
  const v = input.visibility;
  let ts: Clauses['ts'] = null;
  // Visibility first: the same predicate for items, totals and facets, so nothing hidden is ever counted.
  where.push(`s.mode = ANY(${p(v.modes)}::text[])`);
  if (v.agencyIds !== null) where.push(`s.agency_id = ANY(${p(v.agencyIds)}::text[])`);
  if (!v.includeTombstones) where.push('NOT s.destroyed');

  const f = input.filters;
  if (f.agencyId) where.push(`s.agency_id = ${p(f.agencyId)}`);
  if (f.typeName) where.push(`s.type_name = ${p(f.typeName)}`);
  if (f.issuedFrom) where.push(`s.issued_date >= ${p(f.issuedFrom)}::date`);
  if (f.issuedTo) where.push(`s.issued_date <= ${p(f.issuedTo)}::date`);
  if (f.mode) where.push(`s.mode = ${p(f.mode)}`);
  if (f.fileId) where.push(`s.file_id = ${p(f.fileId)}::uuid`);

  const q = input.query;
  let score = '0::real';
  let firstWord: string | null = null;
  if (q && input.fuzzy) {
    const folded = p(q.folded);
    // `<%` uses the trigram index (threshold 0.6); near misses must be nearer than that to be useful.
    where.push(`${folded} <% s.subject_fold AND word_similarity(${folded}, s.subject_fold) >= 0.75`);
    score = `word_similarity(${folded}, s.subject_fold)`;
  } else if (q) {
    const parts: string[] = [];
    let tsCond: string | null = null;
    if (q.terms.length) {
      const text = toTsQuery(q.terms, v.bodyText ? '' : 'AB');
      const tsq = `to_tsquery('simple', ${p(text)})`;
      // The WHERE also carries the filter lexemes (see the migration); the ranking only the words.
      const narrowed = [text, ...filterTsQuery(v, f)].join(' & ');
      const narrowedQ = `to_tsquery('simple', ${p(narrowed)})`;
      const probeCond = `ts_match_vq(s.tsv, ${narrowedQ})`;
      const rare = (input.indexWords ?? []).filter((w) => /^[\p{L}\p{N}]+$/u.test(w));
      const indexed = rare.length ? `s.tsv @@ to_tsquery('simple', ${p(rare.map((w) => `'${w}'`).join(' & '))}) AND ${probeCond}` : `s.tsv @@ ${narrowedQ}`;
      ts = { indexed, probe: probeCond };
      tsCond = TS_MARK;
      let rank = `ts_rank(${WEIGHTS}, s.tsv, ${tsq})`;
      if (q.accented.length) {
        // Exact-accent boost: "bổ nhiệm" typed with its accents ranks "bổ nhiệm" above "bộ nhiệm…".
        const phrase = p(` ${q.accented.join(' ')} `);
        const each = q.accented.map((w) => `(position(${p(` ${w} `)} IN s.subject_words) > 0)::int`).join(' + ');
        rank = `${rank} * (1 + (position(${phrase} IN s.subject_words) > 0)::int + 0.5 * (${each})::real / ${q.accented.length})`;
      }
      // Proximity boost: query words adjacent in the subject ("quyết định", "bổ nhiệm" are words of two
      // syllables) — ts_rank alone ranks "Nghị quyết … bổ nhiệm … Bình Định" like "Quyết định bổ nhiệm".
      const words = q.terms.flatMap((t) => t.words);
      if (words.length >= 2) {
        const pairs = words.slice(1).map((w, i) => `(position(${p(` ${words[i]} ${w} `)} IN ' ' || s.subject_fold || ' ') > 0)::int`);
        rank = `${rank} * (1 + 0.5 * (${pairs.join(' + ')})::real / ${pairs.length})`;
      }
      parts.push(rank);
      firstWord = [...q.terms.flatMap((t) => t.words)].sort((a, b) => b.length - a.length)[0] ?? null;
    }
    const codeCond = (key: string) => {
      const k = p(key);
      const boundary = p(`${escapeLike(key)}-%`);
      const loose = /\p{L}/u.test(key) ? ` OR s.code_key LIKE ${p(`${escapeLike(key)}%`)}` : '';
      parts.push(`CASE WHEN s.code_key = ${k} THEN 10 WHEN s.code_key LIKE ${boundary}${loose} THEN 5 ELSE 0 END`);
      return `(s.code_key = ${k} OR s.code_key LIKE ${boundary}${loose})`;
    };
    if (q.bareNumber) {
      // "15": the document numbered 15 (exactly or 15/…), or any text containing 15.
      where.push(`(${codeCond(q.bareNumber)}${tsCond ? ` OR ${tsCond}` : ''})`);
    } else {
      if (tsCond) where.push(tsCond);
      for (const key of q.codes) where.push(codeCond(key));
    }
    if (parts.length) score = parts.join(' + ');
  }
  return { where, score, firstWord, ts };
}
