/**
 * Rebuilds `search_index` from the catalogue in batches, keyset-paginated by document id. The cursor is
 * persisted in `search_reindex_state` after every batch (in the batch's transaction), so a rebuild that
 * is interrupted — Ctrl-C, a deploy, a crash — resumes where it stopped instead of starting over.
 * Each batch is one `search_refresh(ids)`: the same builder the catalogue triggers use.
 */

/** What the rebuild needs from a connection: plain queries and a transaction (TypeORM DataSource or pg). */
export interface ReindexDb {
  query(sql: string, params?: unknown[]): Promise<any>;
  transaction<T>(fn: (m: { query(sql: string, params?: unknown[]): Promise<any> }) => Promise<T>): Promise<T>;
}

export interface ReindexProgress {
  done: number;
  total: number;
  resumed: boolean;
  finished: boolean;
}

export interface ReindexOptions {
  batchSize: number;
  /** Ignore a saved cursor and start from the first document. */
  restart?: boolean;
  onProgress?: (p: ReindexProgress) => void;
  /** Stop after this many batches (tests of resumption); the cursor stays saved. */
  maxBatches?: number;
}

export async function reindexSearch(db: ReindexDb, opts: ReindexOptions): Promise<ReindexProgress> {
  if (opts.restart) await db.query('DELETE FROM search_reindex_state');
  const [state] = await db.query('SELECT last_id, done FROM search_reindex_state WHERE id = 1');
  const resumed = !!state;
  if (!state) await db.query('INSERT INTO search_reindex_state (id, last_id, done) VALUES (1, NULL, 0)');
  let lastId: string | null = state?.last_id ?? null;
  let done = Number(state?.done ?? 0);
  const [{ n }] = await db.query('SELECT count(*)::bigint AS n FROM documents');
  const total = Number(n);
  const report = (finished: boolean) => opts.onProgress?.({ done, total, resumed, finished });
  report(false);
  for (let batch = 0; opts.maxBatches === undefined || batch < opts.maxBatches; batch++) {
    const count = await db.transaction(async (m) => {
      const rows: { id: string }[] = await m.query(
        'SELECT id FROM documents WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2',
        [lastId, opts.batchSize],
      );
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      await m.query('SELECT search_refresh($1::uuid[])', [ids]);
      lastId = ids[ids.length - 1];
      await m.query('UPDATE search_reindex_state SET last_id = $1, done = done + $2, updated_at = now() WHERE id = 1', [lastId, ids.length]);
      return ids.length;
    });
    if (count === 0) {
      // Rows of documents that no longer exist (e.g. removed while triggers were disabled).
      await db.query('DELETE FROM search_index s WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = s.document_id)');
      await db.query('DELETE FROM search_reindex_state');
      report(true);
      return { done, total, resumed, finished: true };
    }
    done += count;
    report(false);
  }
  return { done, total, resumed, finished: false };
}

/** A one-line progress bar for stderr ("\r"-redrawn on a terminal). */
export function progressLine(p: ReindexProgress, startedAt: number, startDone: number): string {
  const width = 30;
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(frac * width);
  const secs = Math.max(0.001, (Date.now() - startedAt) / 1000);
  const rate = (p.done - startDone) / secs;
  const eta = rate > 0 && p.total > p.done ? `ETA ${Math.ceil((p.total - p.done) / rate)}s` : '';
  return `reindex [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1).padStart(5)}% ${p.done}/${p.total} ${Math.round(rate)} docs/s ${eta}`.trimEnd();
}
