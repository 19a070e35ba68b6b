import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Catalogue (issue 6): transfers (nộp lưu), case files (hồ sơ) and documents (văn bản / tài liệu).
 *
 * Design notes for the features that come later:
 * - Retention: `case_files.retention_years` (null = vĩnh viễn) and `retention_until` (31/12 of endYear + N,
 *   null = permanent) are indexed for the review job; `status` moves ARCHIVED → UNDER_REVIEW → DESTROYED
 *   (or back), ON_HOLD while a legal hold applies (`legal_hold_count` lets several holds overlap).
 * - Destruction keeps a tombstone: the rows stay (identifiers, title, dates, sha256s), `destroyed_at` /
 *   `destruction_ref` are set and the bytes are gone; the uniqueness of fileCode / docCode only binds the
 *   live rows, so a destroyed identifier does not block anything.
 * - Search owns its own index: a `search` tsvector column or a side table keyed by `documents.id` is added
 *   by the search feature's migration; nothing here depends on it.
 * - Objects become WORM (Object Lock retention / legal hold) only AFTER the catalogue commit
 *   (`worm_applied_at`): until then an object that no row claims can still be removed by the janitor.
 */
export class Catalogue1732700000000 implements MigrationInterface {
  name = 'Catalogue1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE transfers (
        id               uuid PRIMARY KEY,
        -- who sent it: the agency of the caller (or its actor id for archive-wide callers); idempotency is per scope
        submitter_scope  text NOT NULL,
        agency_id        text,
        idempotency_key  text,
        body_kind        text NOT NULL,
        status           text NOT NULL DEFAULT 'RECEIVED',
        submitted_by     text NOT NULL,
        submitted_role   text,
        received_at      timestamptz NOT NULL DEFAULT now(),
        started_at       timestamptz,
        completed_at     timestamptz,
        staging_prefix   text NOT NULL,
        byte_count       bigint NOT NULL DEFAULT 0,
        file_codes       text[] NOT NULL DEFAULT '{}',
        -- sha256 over the sorted (fileCode, path, sha256) of the manifest: the same transfer sent again
        content_fingerprint text,
        -- where each received part / entry is: [{path, key, sha256, size, contentType}]
        parts            jsonb NOT NULL DEFAULT '[]'::jsonb,
        manifest         jsonb,
        -- transfer-level problems [{path, code, severity, message}]
        issues           jsonb NOT NULL DEFAULT '[]'::jsonb,
        -- per-file and per-document results, in the shape of GET /transfers/:id
        files            jsonb NOT NULL DEFAULT '[]'::jsonb,
        documents        jsonb NOT NULL DEFAULT '[]'::jsonb,
        receipt_key      text,
        receipt_sha256   text,
        CONSTRAINT transfers_status_known CHECK (status IN ('RECEIVED','PROCESSING','ACCEPTED','PARTIALLY_ACCEPTED','REJECTED','FAILED')),
        CONSTRAINT transfers_body_kind_known CHECK (body_kind IN ('MULTIPART','ZIP_MANIFEST','EARK_SIP')),
        CONSTRAINT transfers_idempotency_length CHECK (idempotency_key IS NULL OR char_length(idempotency_key) BETWEEN 1 AND 200)
      )`);
    await q.query('CREATE UNIQUE INDEX transfers_idempotency_unique ON transfers (submitter_scope, idempotency_key) WHERE idempotency_key IS NOT NULL');
    await q.query('CREATE INDEX transfers_agency_idx ON transfers (agency_id, received_at DESC)');
    await q.query('CREATE INDEX transfers_file_codes_idx ON transfers USING gin (file_codes)');
    await q.query('CREATE INDEX transfers_status_idx ON transfers (status, received_at)');

    await q.query(`
      CREATE TABLE case_files (
        id                    uuid PRIMARY KEY,
        agency_id             text NOT NULL REFERENCES agencies(id),
        transfer_id           uuid NOT NULL REFERENCES transfers(id),
        file_code             text NOT NULL,
        arc_file_code         text,
        year                  integer NOT NULL,
        title                 text NOT NULL,
        maintenance           text NOT NULL,
        retention_years       integer,
        retention_until       date,
        status                text NOT NULL DEFAULT 'ARCHIVED',
        mode                  text NOT NULL,
        language              text NOT NULL,
        start_date            text NOT NULL,
        end_date              text NOT NULL,
        keyword               text,
        total_doc             integer NOT NULL,
        number_of_paper       integer,
        number_of_page        integer NOT NULL,
        format                text,
        infor_sign            text,
        confidence_level      text,
        paper_file_code       text,
        risk_recovery         boolean,
        risk_recovery_status  text,
        description           text,
        creator               text,
        code_list_version     text NOT NULL,
        -- the whole normalised record (TT 05/2025 field names), documents excluded
        metadata              jsonb NOT NULL,
        object_prefix         text NOT NULL,
        aip_key               text,
        aip_sha256            text,
        aip_size              bigint,
        legal_hold_count      integer NOT NULL DEFAULT 0,
        worm_applied_at       timestamptz,
        archived_at           timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        destroyed_at          timestamptz,
        destroyed_by          text,
        destruction_ref       text,
        CONSTRAINT case_files_status_known CHECK (status IN ('ARCHIVED','UNDER_REVIEW','ON_HOLD','DESTROYED')),
        CONSTRAINT case_files_mode_known CHECK (mode IN ('01','02','03')),
        CONSTRAINT case_files_retention_consistent CHECK ((retention_years IS NULL) = (retention_until IS NULL)),
        CONSTRAINT case_files_tombstone CHECK ((status = 'DESTROYED') = (destroyed_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX case_files_file_code_live ON case_files (file_code) WHERE status <> 'DESTROYED'`);
    await q.query('CREATE INDEX case_files_agency_idx ON case_files (agency_id, file_code)');
    await q.query(`CREATE INDEX case_files_retention_idx ON case_files (retention_until) WHERE retention_until IS NOT NULL AND status = 'ARCHIVED'`);
    await q.query('CREATE INDEX case_files_transfer_idx ON case_files (transfer_id)');

    await q.query(`
      CREATE TABLE documents (
        id                      uuid PRIMARY KEY,
        file_id                 uuid NOT NULL REFERENCES case_files(id),
        agency_id               text NOT NULL REFERENCES agencies(id),
        doc_code                text NOT NULL,
        doc_id                  text,
        doc_ordinal             integer NOT NULL,
        type_name               text NOT NULL,
        code_number             text,
        code_notation           text,
        issued_date             date NOT NULL,
        organ_name              text,
        subject                 text NOT NULL,
        language                text NOT NULL,
        number_of_page          integer,
        mode                    text NOT NULL,
        maintenance             text,
        signer_position         text,
        signer_full_name        text,
        metadata                jsonb NOT NULL,
        original_path           text NOT NULL,
        mime_type               text NOT NULL,
        sha256                  text NOT NULL,
        size                    bigint NOT NULL,
        object_key              text NOT NULL,
        object_version_id       text,
        signature_summary       text NOT NULL,
        signature_flags         text[] NOT NULL DEFAULT '{}',
        signature_count         integer NOT NULL DEFAULT 0,
        signature_report        jsonb,
        validated_at            timestamptz NOT NULL,
        trust_store_fingerprint text,
        created_at              timestamptz NOT NULL DEFAULT now(),
        destroyed_at            timestamptz,
        CONSTRAINT documents_sha256_shape CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        CONSTRAINT documents_summary_known CHECK (signature_summary IN ('VALID','INVALID','INDETERMINATE','UNSIGNED')),
        CONSTRAINT documents_mode_known CHECK (mode IN ('01','02','03'))
      )`);
    await q.query('CREATE UNIQUE INDEX documents_doc_code_live ON documents (doc_code) WHERE destroyed_at IS NULL');
    await q.query('CREATE UNIQUE INDEX documents_object_key_unique ON documents (object_key)');
    await q.query('CREATE INDEX documents_file_idx ON documents (file_id, doc_ordinal)');
    await q.query('CREATE INDEX documents_agency_issued_idx ON documents (agency_id, issued_date)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS documents');
    await q.query('DROP TABLE IF EXISTS case_files');
    await q.query('DROP TABLE IF EXISTS transfers');
  }
}
