import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search (issue 7): a side table `search_index` keyed by document id, and `document_texts` for the text
 * extracted from the PDFs after ingest.
 *
 * - The index is maintained by TRIGGERS on `documents`, `case_files` and `document_texts`, so it changes
 *   in the same transaction as the catalogue (ingest, access-mode change, destruction) — no window where
 *   a record made secret is still findable by the public. `search_refresh(ids)` is the one set-based
 *   builder; the triggers and `npm run cli -- reindex` both call it.
 * - It is denormalised (agency, effective mode, type, year, organ, destroyed) so that filtering, counting
 *   and faceting never join the catalogue: the cost of a broad query is one bitmap scan of one table.
 * - Text is folded with `search_fold` = vn_unaccent(lower(x)) with punctuation turned into spaces, and
 *   indexed with the 'simple' configuration (no stemming makes sense for Vietnamese syllables). Weights:
 *   A subject + number/notation, B case-file title, keyword, organ, signer, C body text. A query built
 *   from the same fold matches with or without diacritics, đ ↔ d included.
 * - `code_key` normalises number + notation (`15/QĐ-SNV`, `15/qd snv` → `15-qd-snv`) for exact and
 *   prefix matching through a btree (text_pattern_ops).
 * - `mode` is the effective access mode: the stricter of the document's and its case file's, so a
 *   document filed in a secret case file is never public. `destroyed` marks tombstones; their body
 *   text is dropped from the vector (the bytes are gone, only the description remains).
 * - No foreign key to `documents` (the catalogue may be truncated by its own tools): DELETE and TRUNCATE
 *   triggers keep the side tables in step instead.
 */
export class Search1732800000000 implements MigrationInterface {
  name = 'Search1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION search_fold(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $$ SELECT regexp_replace(vn_unaccent(lower($1)), '[^[:alnum:]]+', ' ', 'g') $$`);
    await q.query(`
      CREATE FUNCTION search_code_key(number text, notation text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT NULLIF(btrim(regexp_replace(vn_unaccent(lower(coalesce(number, '') || '/' || coalesce(notation, ''))), '[^[:alnum:]]+', '-', 'g'), '-'), '') $$`);

    // Filters and visibility as lexemes (no positions, never ranked): with a text query they are ANDed
    // into the tsquery, so the GIN index narrows by type / agency / mode / tombstone before the heap is
    // touched — the heap visits, not the index, are what broad filtered queries cost.
    await q.query(`
      CREATE FUNCTION search_filter_lexemes(type_name text, agency_id text, mode text, destroyed boolean) RETURNS tsvector
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT array_to_tsvector(ARRAY['zzt' || lower(type_name), 'zzg' || lower(replace(agency_id, '.', '')), 'zzm' || mode]
                                      || CASE WHEN destroyed THEN ARRAY['zzdead'] ELSE ARRAY[]::text[] END) $$`);
    await q.query(`
      CREATE TABLE document_texts (
        document_id   uuid PRIMARY KEY,
        -- EXTRACTED: text found; NO_TEXT: a scan without a text layer; SKIPPED: not a PDF, too big, destroyed;
        -- FAILED: the PDF could not be parsed (never an ingest failure, only a missing body text)
        status        text NOT NULL,
        body          text,
        pages         integer,
        chars         integer NOT NULL DEFAULT 0,
        detail        text,
        extracted_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT document_texts_status_known CHECK (status IN ('EXTRACTED','NO_TEXT','SKIPPED','FAILED'))
      )`);

    await q.query(`
      CREATE TABLE search_index (
        document_id   uuid PRIMARY KEY,
        file_id       uuid NOT NULL,
        agency_id     text NOT NULL,
        mode          text NOT NULL,
        destroyed     boolean NOT NULL,
        type_name     text NOT NULL,
        issued_date   date NOT NULL,
        issued_year   smallint NOT NULL,
        organ_name    text,
        code_key      text,
        -- lower-cased accented words of the subject, space-delimited: the exact-accent boost looks here
        subject_words text NOT NULL,
        -- folded subject for pg_trgm near misses
        subject_fold  text NOT NULL,
        tsv           tsvector NOT NULL,
        indexed_at    timestamptz NOT NULL DEFAULT now()
      )`);
    // No parallel scans: a search is a latency-bound single-client statement, and the ranking window
    // ("the first N matches in physical order") must not depend on how workers interleave.
    await q.query('ALTER TABLE search_index SET (parallel_workers = 0)');
    await q.query('CREATE INDEX search_index_tsv_idx ON search_index USING gin (tsv)');
    await q.query('CREATE INDEX search_index_trgm_idx ON search_index USING gin (subject_fold gin_trgm_ops)');
    await q.query('CREATE INDEX search_index_code_idx ON search_index (code_key text_pattern_ops) WHERE code_key IS NOT NULL');
    await q.query('CREATE INDEX search_index_issued_idx ON search_index (issued_date DESC, document_id DESC)');
    await q.query('CREATE INDEX search_index_file_idx ON search_index (file_id)');
    // No btree on agency_id: with a text query the agency is a lexeme in the GIN (a second bitmap would
    // only cost); browsing an agency without q walks the issued_date index.

    // The reindex cursor (keyset by document id), so an interrupted rebuild resumes where it stopped.
    await q.query(`
      CREATE TABLE search_reindex_state (
        id          smallint PRIMARY KEY CHECK (id = 1),
        last_id     uuid,
        done        bigint NOT NULL DEFAULT 0,
        started_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE FUNCTION search_refresh(ids uuid[]) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE n integer;
      BEGIN
        INSERT INTO search_index AS s (document_id, file_id, agency_id, mode, destroyed, type_name, issued_date, issued_year,
                                       organ_name, code_key, subject_words, subject_fold, tsv, indexed_at)
        SELECT d.id, d.file_id, d.agency_id, GREATEST(d.mode, f.mode),
               (d.destroyed_at IS NOT NULL OR f.status = 'DESTROYED'),
               d.type_name, d.issued_date, extract(year FROM d.issued_date)::smallint, d.organ_name,
               search_code_key(d.code_number, d.code_notation),
               ' ' || btrim(regexp_replace(lower(d.subject), '[^[:alnum:]]+', ' ', 'g')) || ' ',
               search_fold(d.subject),
               setweight(to_tsvector('simple', search_fold(concat_ws(' ', d.subject, d.code_number, d.code_notation))), 'A')
               || setweight(to_tsvector('simple', search_fold(concat_ws(' ', f.title, f.keyword, d.organ_name, d.signer_full_name))), 'B')
               || CASE WHEN d.destroyed_at IS NULL AND f.status <> 'DESTROYED' AND t.body IS NOT NULL
                       THEN setweight(to_tsvector('simple', search_fold(left(t.body, 200000))), 'C')
                       ELSE ''::tsvector END
               || search_filter_lexemes(d.type_name, d.agency_id, GREATEST(d.mode, f.mode), d.destroyed_at IS NOT NULL OR f.status = 'DESTROYED'),
               now()
        FROM documents d
        JOIN case_files f ON f.id = d.file_id
        LEFT JOIN document_texts t ON t.document_id = d.id
        WHERE d.id = ANY(ids)
        ON CONFLICT (document_id) DO UPDATE SET
          file_id = EXCLUDED.file_id, agency_id = EXCLUDED.agency_id, mode = EXCLUDED.mode, destroyed = EXCLUDED.destroyed,
          type_name = EXCLUDED.type_name, issued_date = EXCLUDED.issued_date, issued_year = EXCLUDED.issued_year,
          organ_name = EXCLUDED.organ_name, code_key = EXCLUDED.code_key, subject_words = EXCLUDED.subject_words,
          subject_fold = EXCLUDED.subject_fold, tsv = EXCLUDED.tsv, indexed_at = EXCLUDED.indexed_at;
        GET DIAGNOSTICS n = ROW_COUNT;
        RETURN n;
      END $$`);

    // Inserts come in batches (a transfer catalogues its documents together): one statement-level call.
    await q.query(`
      CREATE FUNCTION search_documents_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM search_refresh(ARRAY(SELECT id FROM new_rows));
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER search_documents_insert AFTER INSERT ON documents REFERENCING NEW TABLE AS new_rows
                   FOR EACH STATEMENT EXECUTE FUNCTION search_documents_inserted()`);

    await q.query(`
      CREATE FUNCTION search_document_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM search_refresh(ARRAY[NEW.id]);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER search_documents_update AFTER UPDATE OF subject, code_number, code_notation, organ_name, signer_full_name,
        type_name, issued_date, mode, destroyed_at, file_id, agency_id ON documents
      FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION search_document_changed()`);
    await q.query(`
      CREATE FUNCTION search_text_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM search_refresh(ARRAY[NEW.document_id]);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER search_document_texts_change AFTER INSERT OR UPDATE OF body ON document_texts
                   FOR EACH ROW EXECUTE FUNCTION search_text_changed()`);

    await q.query(`
      CREATE FUNCTION search_case_file_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM search_refresh(ARRAY(SELECT id FROM documents WHERE file_id = NEW.id));
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER search_case_files_update AFTER UPDATE OF title, keyword, mode, status, destroyed_at ON case_files
      FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.keyword IS DISTINCT FROM NEW.keyword OR OLD.mode IS DISTINCT FROM NEW.mode
                         OR OLD.status IS DISTINCT FROM NEW.status OR OLD.destroyed_at IS DISTINCT FROM NEW.destroyed_at)
      EXECUTE FUNCTION search_case_file_changed()`);

    await q.query(`
      CREATE FUNCTION search_document_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM search_index WHERE document_id = OLD.id;
        DELETE FROM document_texts WHERE document_id = OLD.id;
        RETURN NULL;
      END $$`);
    await q.query('CREATE TRIGGER search_documents_delete AFTER DELETE ON documents FOR EACH ROW EXECUTE FUNCTION search_document_deleted()');
    await q.query(`
      CREATE FUNCTION search_documents_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE search_index, document_texts;
        RETURN NULL;
      END $$`);
    await q.query('CREATE TRIGGER search_documents_truncate AFTER TRUNCATE ON documents FOR EACH STATEMENT EXECUTE FUNCTION search_documents_truncated()');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER IF EXISTS search_documents_truncate ON documents');
    await q.query('DROP TRIGGER IF EXISTS search_documents_delete ON documents');
    await q.query('DROP TRIGGER IF EXISTS search_case_files_update ON case_files');
    await q.query('DROP TRIGGER IF EXISTS search_document_texts_change ON document_texts');
    await q.query('DROP TRIGGER IF EXISTS search_documents_update ON documents');
    await q.query('DROP TRIGGER IF EXISTS search_documents_insert ON documents');
    for (const fn of ['search_documents_truncated()', 'search_document_deleted()', 'search_case_file_changed()', 'search_text_changed()',
      'search_document_changed()', 'search_documents_inserted()', 'search_refresh(uuid[])', 'search_filter_lexemes(text, text, text, boolean)', 'search_code_key(text, text)', 'search_fold(text)']) {
      await q.query(`DROP FUNCTION IF EXISTS ${fn}`);
    }
    await q.query('DROP TABLE IF EXISTS search_reindex_state');
    await q.query('DROP TABLE IF EXISTS search_index');
    await q.query('DROP TABLE IF EXISTS document_texts');
  }
}
