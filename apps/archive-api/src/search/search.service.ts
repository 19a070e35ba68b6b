import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessPolicy, AccessScope } from '../auth/access-policy';
import type { RequestActor } from '../auth/auth.decorators';
import { ApiError } from '../common/api-error';
import { AppConfig } from '../config/app-config';
import { buildSearchSql, filterLexemes, SearchSqlInput, SearchVisibility } from './search-sql';
import { highlight, parseQuery, ParsedQuery } from './search-text';
import { MAX_RESULT_WINDOW, SearchItemDto, SearchQueryDto, SearchResultDto, SearchSort } from './search.dto';

/**
 * A heap visit (row fetch + recheck) in units of one GIN posting entry read (the index-words cost
 * model). Measured at 1M documents: ~30 ns per entry of an AND, 3–7 µs per heap row (OS cache).
 */
const HEAP_VISIT_COST = 150;

/** Roles that see destroyed records as tombstones (flagged); citizens and e-office systems never do. */
const TOMBSTONE_ROLES = new Set(['ARCHIVIST', 'APPROVER', 'AUDITOR']);

interface Row {
  matched: number;
  f_type: Record<string, number>;
  f_year: Record<string, number>;
  f_organ: Record<string, number>;
  f_mode: Record<string, number>;
  items: Array<SearchItemDto & { body: string | null }>;
}

/**
 * Full-text search over the catalogue (issue 7). Every query runs through `buildSearchSql`, whose
 * first predicates are the caller's visibility (AccessPolicy scope): items, totals and facets are all
 * computed over the same visible set, so none of them reveals a hidden record.
 */
@Injectable()
export class SearchService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly policy: AccessPolicy,
    private readonly config: AppConfig,
  ) {}

  visibilityOf(actor: RequestActor): SearchVisibility | null {
    const scope = this.policy.scopeFor(actor.principal, 'metadata.read');
    if (scope.none || scope.modes.length === 0) return null;
    return {
      agencyIds: scope.agencyIds,
      modes: scope.modes,
      includeTombstones: actor.principal.roles.some((r) => TOMBSTONE_ROLES.has(r)),
      bodyText: contentCovers(this.policy.scopeFor(actor.principal, 'content.read'), scope),
    };
  }

  /**
   * Validates the request and reduces it to the SQL input (or to an empty answer when the caller can see
   * nothing). Public so the bench can run exactly the service's statement as bare SQL.
   */
  prepare(dto: SearchQueryDto, actor: RequestActor): { input: SearchSqlInput; query: ParsedQuery | null } | SearchResultDto {
    const page = dto.page ?? 1;
    const pageSize = dto.pageSize ?? 20;
    if (page * pageSize > MAX_RESULT_WINDOW) {
      throw new ApiError(HttpStatus.BAD_REQUEST, `page × pageSize must not exceed ${MAX_RESULT_WINDOW}: narrow the query instead`, [
        { path: 'page', code: 'max_result_window', message: `page × pageSize must not exceed ${MAX_RESULT_WINDOW}` },
      ]);
    }
    if (dto.issuedFrom && dto.issuedTo && dto.issuedFrom > dto.issuedTo) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'issuedFrom is after issuedTo', [{ path: 'issuedFrom', code: 'invalid_range', message: 'issuedFrom must not be after issuedTo' }]);
    }
    const query = dto.q ? parseQuery(dto.q) : null;
    const hasQuery = !!query && (query.terms.length > 0 || query.codes.length > 0 || query.bareNumber !== null);
    const sort: SearchSort = dto.sort ?? (hasQuery ? 'relevance' : 'issuedDate:desc');
    const empty: SearchResultDto = { total: 0, totalIsEstimate: false, page, pageSize, sort, fuzzy: false, items: [], facets: { typeName: {}, year: {}, organName: {}, mode: {} } };
    const visibility = this.visibilityOf(actor);
    if (!visibility) return empty;
    // A q of punctuation only matches nothing rather than everything.
    if (dto.q && !hasQuery) return empty;
    return {
      query: hasQuery ? query : null,
      input: {
        query: hasQuery ? query : null,
        filters: { agencyId: dto.agencyId, typeName: dto.typeName, issuedFrom: dto.issuedFrom, issuedTo: dto.issuedTo, mode: dto.mode, fileId: dto.fileId },
        visibility,
        sort,
        limit: pageSize,
        offset: (page - 1) * pageSize,
        // Deep pages widen the ranked sample in whole windows, so pages inside one window stay consistent.
        candidates: this.config.search.rankCandidates * Math.max(1, Math.ceil((page * pageSize) / this.config.search.rankCandidates)),
      },
    };
  }

  async search(dto: SearchQueryDto, actor: RequestActor): Promise<SearchResultDto> {
    const prepared = this.prepare(dto, actor);
    if (!('input' in prepared)) return prepared;
    const { input, query } = prepared;
    const visibility = input.visibility;
    const page = dto.page ?? 1;
    const pageSize = input.limit;
    const sort = input.sort;
    let result = await this.run(input);
    let fuzzy = false;
    // Near misses: nothing matched, the query is short words (no number), try trigram similarity.
    if (result.row.matched === 0 && query && query.terms.length > 0 && query.codes.length === 0 && !query.bareNumber && query.folded.length >= 3 && query.folded.length <= 60) {
      result = await this.run({ ...input, fuzzy: true });
      fuzzy = result.row.matched > 0;
    }
    const { row, total, estimated } = result;
    return {
      total,
      totalIsEstimate: estimated,
      ...(estimated ? { sampled: row.matched } : {}),
      page,
      pageSize,
      sort,
      fuzzy,
      items: row.items.map((it) => this.present(it, query, visibility)),
      facets: { typeName: row.f_type, year: row.f_year, organName: row.f_organ, mode: row.f_mode },
    };
  }

  /** The statement, plus the planner's estimate when the hit set overflowed the ranking window. */
  async run(input: SearchSqlInput): Promise<{ row: Row; total: number; estimated: boolean }> {
    const built = buildSearchSql(await this.plan(input));
    const [row] = (await this.db.query(built.sql, built.params)) as Row[];
    if (row.matched <= input.candidates) return { row, total: row.matched, estimated: false };
    // More matches than we rank: the planner's estimate of the whole visible set (never below what we saw).
    const [{ 'QUERY PLAN': plan }] = await this.db.query(`EXPLAIN (FORMAT JSON) ${built.estimate.sql}`, built.estimate.params);
    const estimate = roundEstimate(Number(plan[0]?.Plan?.['Plan Rows'] ?? 0));
    return { row, total: Math.max(input.candidates + 1, estimate), estimated: true };
  }

  /** The input with the access path chosen from the lexeme statistics (used by the bench for its bare SQL too). */
  async plan(input: SearchSqlInput): Promise<SearchSqlInput> {
    return { ...input, probeBlocks: await this.probeBlocksFor(input), indexWords: await this.indexWordsFor(input) };
  }

  /**
   * Which lexemes to ask the GIN index for: the query's words and the filter lexemes that must be
   * present (type, agency), taking the k rarest. Cost model, in posting entries read: the index reads
   * every posting list it is given (Σ frequencies) and the heap is visited per bitmap row until the
   * window is full — all of the bitmap (Π chosen frequencies, independence assumed) when the query is
   * expected to fit the window, otherwise about `candidates` ÷ (the share of bitmap rows the rest of the
   * query lets through). A heap visit costs ~HEAP_VISIT_COST entries. Lexemes that must be absent
   * (modes the caller may not see, tombstones) only ever cost entries: they stay in the re-check.
   */
  async indexWordsFor(input: SearchSqlInput): Promise<string[] | undefined> {
    const words = [...new Set(input.query?.terms.flatMap((t) => t.words.filter((_, i) => !(t.prefix && i === t.words.length - 1))) ?? [])];
    if (input.fuzzy || words.length === 0) return undefined;
    const stats = await this.lexemeStats();
    if (!stats) return undefined;
    const { required, visible } = filterShare(input, stats.freq);
    // Words missing from the statistics are rarer than the rarest listed one.
    const floor = Math.min(...stats.freq.values(), 0.01) / 2;
    const ranked = [...new Set([...words, ...required])].map((w) => ({ w, f: stats.freq.get(w) ?? floor })).sort((a, b) => a.f - b.f);
    const all = ranked.reduce((acc, r) => acc * r.f, visible);
    const window = (input.candidates + 1) / Math.max(1, stats.rows);
    let best = { k: ranked.length, cost: Infinity };
    let sum = 0;
    let product = 1;
    ranked.forEach((r, i) => {
      sum += r.f;
      product *= r.f;
      const visits = all * stats.rows > input.candidates ? Math.min(product, (window * product) / all) : product;
      const cost = sum + HEAP_VISIT_COST * visits;
      if (cost < best.cost) best = { k: i + 1, cost };
    });
    return ranked.slice(0, best.k).map((r) => r.w);
  }

  /**
   * Whether to look for candidates by scanning heap blocks rather than through the GIN index: only
   * when the query's match rate (from the column statistics: the most common lexemes and their
   * frequencies) lets the first blocks hold twice the candidates needed. The rate is bounded by the
   * rarest word or required filter lexeme, and by ten times the independence estimate (words of one
   * Vietnamese word, "quyết định", go together; five common syllables rarely do). The statement itself
   * checks the first blocks before reading the rest (buildSearchSql).
   */
  async probeBlocksFor(input: SearchSqlInput): Promise<number | undefined> {
    const words = input.query?.terms.flatMap((t) => t.words) ?? [];
    const blocks = this.config.search.probeBlocks;
    if (input.fuzzy || blocks <= 0 || words.length === 0 || input.query?.codes.length || input.query?.bareNumber) return undefined;
    const stats = await this.lexemeStats();
    if (!stats) return undefined;
    const { required, visible } = filterShare(input, stats.freq);
    const freqs = [...new Set([...words, ...required])].map((w) => stats.freq.get(w) ?? 0);
    const rate = Math.min(...freqs, 10 * freqs.reduce((a, b) => a * b, 1)) * visible;
    return rate * blocks * stats.rowsPerBlock >= 2 * (input.candidates + 1) ? blocks : undefined;
  }

  private stats: { freq: Map<string, number>; rowsPerBlock: number; rows: number; at: number } | null = null;
  private statsLoading: Promise<void> | null = null;

  /** Lexeme frequencies from pg_stats (refreshed by ANALYZE / autovacuum), cached for ten minutes. */
  private async lexemeStats(): Promise<{ freq: Map<string, number>; rowsPerBlock: number; rows: number } | null> {
    // Empty statistics (a young table not analysed yet) are retried sooner than good ones.
    const age = this.stats ? Date.now() - this.stats.at : Infinity;
    const stale = age > (this.stats?.freq.size ? 600_000 : 60_000);
    if (stale && !this.statsLoading) {
      this.statsLoading = this.loadStats().finally(() => (this.statsLoading = null));
    }
    if (!this.stats && this.statsLoading) await this.statsLoading;
    return this.stats && this.stats.freq.size > 0 ? this.stats : null;
  }

  /** Reloads the lexeme statistics now (after a bulk load + ANALYZE; tests). */
  async refreshStats(): Promise<void> {
    await this.loadStats();
  }

  private async loadStats(): Promise<void> {
    try {
      const rows: { elems: string[] | null; freqs: number[] | null; reltuples: number; relpages: number }[] = await this.db.query(
        `SELECT (SELECT most_common_elems::text::text[] FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'search_index' AND attname = 'tsv') AS elems,
                (SELECT most_common_elem_freqs FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'search_index' AND attname = 'tsv') AS freqs,
                c.reltuples::float8 AS reltuples, c.relpages::float8 AS relpages
         FROM pg_class c WHERE c.oid = 'search_index'::regclass`,
      );
      const r = rows[0];
      const freq = new Map<string, number>();
      (r?.elems ?? []).forEach((e, i) => freq.set(e, Number(r.freqs?.[i] ?? 0)));
      const rowsPerBlock = r && r.relpages > 0 && r.reltuples > 0 ? r.reltuples / r.relpages : 0;
      this.stats = { freq: rowsPerBlock > 0 ? freq : new Map(), rowsPerBlock, rows: r?.reltuples ?? 0, at: Date.now() };
    } catch {
      this.stats = { freq: new Map(), rowsPerBlock: 0, rows: 0, at: Date.now() };
    }
  }

  private present(it: SearchItemDto & { body: string | null }, query: ParsedQuery | null, visibility: SearchVisibility): SearchItemDto {
    const item: SearchItemDto = {
      documentId: it.documentId,
      fileId: it.fileId,
      agencyId: it.agencyId,
      subject: it.subject,
      codeNumber: it.codeNumber,
      codeNotation: it.codeNotation,
      issuedDate: it.issuedDate,
      organName: it.organName,
      typeName: it.typeName,
      score: Number(it.score),
    };
    if (query) {
      const words = query.terms.flatMap((t) => t.words.map((w, i) => (t.prefix && i === t.words.length - 1 ? `${w}*` : w)));
      const subject = highlight(it.subject, words.length ? words : query.folded.split(' '));
      const body = it.body ? highlight(it.body, words, 240) : null;
      item.highlights = { ...(subject ? { subject } : {}), ...(body ? { body } : {}) };
    }
    // Staff get the record's standing; citizens only the public description.
    if (visibility.includeTombstones || visibility.bodyText) {
      item.mode = it.mode;
      item.destroyed = it.destroyed;
    }
    return item;
  }
}

/**
 * The filter lexemes a match must carry, and the share of rows the excluded ones (modes the caller may
 * not see, tombstones) let through — for the cost models, from the lexeme frequencies.
 */
function filterShare(input: SearchSqlInput, freq: Map<string, number>): { required: string[]; visible: number } {
  if (!input.visibility) return { required: [], visible: 1 };
  const { required, excluded } = filterLexemes(input.visibility, input.filters ?? {});
  return { required, visible: excluded.reduce((acc, l) => acc * (1 - (freq.get(l) ?? 0)), 1) };
}

/** Two significant digits: an estimate should not look like a count. */
function roundEstimate(n: number): number {
  if (n < 100) return Math.round(n);
  const mag = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.round(n / mag) * mag;
}

/**
 * Body text may be matched and shown only when the caller may read the content of EVERY record it can
 * see: a caller with several roles (e.g. AUDITOR archive-wide + ARCHIVIST of one agency) sees metadata
 * far beyond what it may read.
 */
function contentCovers(content: AccessScope, visible: AccessScope): boolean {
  if (content.none) return false;
  if (content.agencyIds !== null && (visible.agencyIds === null || visible.agencyIds.some((a) => !content.agencyIds!.includes(a)))) return false;
  return visible.modes.every((m) => content.modes.includes(m));
}
