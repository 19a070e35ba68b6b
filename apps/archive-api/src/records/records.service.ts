import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ArchivalDocument, CaseFile } from '@archive/metadata';
import type { DocumentReport } from '@archive/signature';
import type { ObjectStore } from '@archive/storage';
import { AccessPolicy } from '../auth/access-policy';
import type { RequestActor } from '../auth/auth.decorators';
import type { Permission } from '../auth/permissions';
import { ApiError } from '../common/api-error';
import { InjectObjectStore } from '../storage/storage.module';
import { AIP_QUEUE } from '../transfers/transfer.types';
import { CaseFileDto, CaseFileListDto, DocumentDto, DocumentSummaryDto, ListFilesQueryDto } from './records.dto';
import { exportZip } from './file-export';
import { ReadAuditWriter } from './read-audit';

/** A case file ready to be catalogued: its objects are already durably stored. */
export interface NewCaseFile {
  agencyId: string;
  transferId: string;
  caseFile: CaseFile;
  year: number;
  retentionYears: number | null;
  retentionUntil: string | null;
  codeListVersion: string;
  objectPrefix: string;
  aip?: { key: string; sha256: string; size: number } | null;
  documents: NewDocument[];
}

export interface NewDocument {
  doc: ArchivalDocument;
  docCode: string;
  docId: string | null;
  mimeType: string;
  sha256: string;
  size: number;
  objectKey: string;
  objectVersionId: string | null;
  signatureSummary: string;
  signatureFlags: string[];
  signatureReport: DocumentReport | null;
  validatedAt: Date;
  /** Fingerprint of the trust store version kept as evidence under `evidence/trust/<fingerprint>/`. */
  trustEvidence?: string;
}

export interface CataloguedFile {
  fileId: string;
  documentIds: Map<number, string>;
}

/** GET /files/:id/export after the access check and the audit event: the ZIP, opened on demand. */
export interface FileExport {
  fileName: string;
  documentCount: number;
  open(): { stream: Readable; size: Promise<number> };
}

/** Everything GET /documents/:id/content needs, after the access check. */
export interface DocumentContent {
  sha256: string;
  size: number;
  mimeType: string;
  fileName: string;
  /** The read's audit event being committed (when the producer writes it concurrently): `open()` waits for
   * it, and answers without a body (304, 416) await it before they go out. */
  audited?: Promise<void>;
  open(range?: { start: number; end: number }): Promise<Readable>;
}

const NO_METADATA_LEAK = 'Case file';

const baseName = (p: string | null): string => (p ?? '').slice((p ?? '').lastIndexOf('/') + 1);

/**
 * The object's stream once its download is audited: both round trips run at once, no byte before the
 * event is stored, and a stream opened for a refused download is closed, not left hanging.
 */
async function afterAudit(audited: Promise<void>, opening: Promise<Readable>): Promise<Readable> {
  const [event, stream] = await Promise.allSettled([audited, opening]);
  if (event.status === 'rejected') {
    if (stream.status === 'fulfilled') stream.value.destroy();
    throw event.reason;
  }
  if (stream.status === 'rejected') throw stream.reason;
  return stream.value;
}
/** The shortest Retry-After of a pending package: the AIP job is polled every few seconds at most. */
const PACKAGE_RETRY_SECONDS = 5;

/** GET /files/:id/package while the case file's deferred AIP is still being written: 409 + Retry-After. */
export class PackagePendingError extends ApiError {
  constructor(retryAfterSeconds: number) {
    super(
      HttpStatus.CONFLICT,
      'The archival information package of this case file is still being written; retry later',
      [{ path: '', code: 'PACKAGE_PENDING', message: `the AIP job is queued or running; retry after ${retryAfterSeconds} s` }],
      retryAfterSeconds,
    );
  }
}

/**
 * The catalogue (mục lục hồ sơ, tài liệu): owns `case_files` and `documents`. Transfers write through
 * `catalogue()` inside their transaction; reads are scoped by AccessPolicy (agency and chế độ sử dụng).
 */
@Injectable()
export class RecordsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectObjectStore() private readonly store: ObjectStore,
    private readonly policy: AccessPolicy,
    private readonly readAudit: ReadAuditWriter,
  ) {}

  /** Inserts a case file and its documents in the caller's transaction. */
  async catalogue(m: EntityManager, input: NewCaseFile): Promise<CataloguedFile> {
    const cf = input.caseFile;
    const fileId = randomUUID();
    const { documents: _docs, ...fileMeta } = cf;
    await m.query(
      `INSERT INTO case_files (id, agency_id, transfer_id, file_code, arc_file_code, year, title, maintenance, retention_years, retention_until,
         status, mode, language, start_date, end_date, keyword, total_doc, number_of_paper, number_of_page, format, infor_sign,
         confidence_level, paper_file_code, risk_recovery, risk_recovery_status, description, creator, code_list_version, metadata,
         object_prefix, aip_key, aip_sha256, aip_size)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'ARCHIVED',$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28::jsonb,$29,$30,$31,$32)`,
      [
        fileId, input.agencyId, input.transferId, cf.fileCode, cf.arcFileCode ?? null, input.year, cf.title, cf.maintenance, input.retentionYears, input.retentionUntil,
        cf.mode, cf.language, cf.startDate, cf.endDate, cf.keyword ?? null, cf.totalDoc, cf.numberOfPaper ?? null, cf.numberOfPage, cf.format ?? null, cf.inforSign ?? null,
        cf.confidenceLevel ?? null, cf.paperFileCode ?? null, cf.riskRecovery ?? null, cf.riskRecoveryStatus ?? null, cf.description ?? null, cf.creator ?? null,
        input.codeListVersion, JSON.stringify(fileMeta), input.objectPrefix, input.aip?.key ?? null, input.aip?.sha256 ?? null, input.aip?.size ?? null,
      ],
    );
    const documentIds = new Map<number, string>();
    const rows = input.documents.map((d) => {
      const id = randomUUID();
      documentIds.set(d.doc.docOrdinal, id);
      const doc = d.doc;
      return [
        id, fileId, input.agencyId, d.docCode, d.docId, doc.docOrdinal, doc.typeName, doc.codeNumber ?? null, doc.codeNotation ?? null, doc.issuedDate, doc.organName ?? null,
        doc.subject, doc.language, doc.numberOfPage ?? null, doc.mode, doc.maintenance ?? null, doc.signerPosition ?? null, doc.signerFullName ?? null,
        JSON.stringify(doc), doc.path, d.mimeType, d.sha256, d.size, d.objectKey, d.objectVersionId, d.signatureSummary, d.signatureFlags,
        d.signatureReport?.signatureCount ?? 0, d.signatureReport ? JSON.stringify(d.signatureReport) : null, d.validatedAt, d.trustEvidence ?? d.signatureReport?.trustStoreFingerprint ?? null,
      ];
    });
    // Many rows per statement (a round trip and a plan per document cost more than the rows themselves);
    // 500 rows of 31 parameters stay well under PostgreSQL's 65,535.
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      await m.query(
        `INSERT INTO documents (id, file_id, agency_id, doc_code, doc_id, doc_ordinal, type_name, code_number, code_notation, issued_date, organ_name,
           subject, language, number_of_page, mode, maintenance, signer_position, signer_full_name, metadata, original_path, mime_type, sha256, size,
           object_key, object_version_id, signature_summary, signature_flags, signature_count, signature_report, validated_at, trust_store_fingerprint)
         VALUES ${batch.map((_, r) => this.documentPlaceholders(r)).join(',')}`,
        batch.flat(),
      );
    }
    return { fileId, documentIds };
  }

  /** `($1,…,$31)` of the r-th row of catalogue()'s documents INSERT (metadata and signature_report as jsonb). */
  private documentPlaceholders(r: number): string {
    return `(${Array.from({ length: 31 }, (_, c) => `$${r * 31 + c + 1}${c + 1 === 19 || c + 1 === 29 ? '::jsonb' : ''}`).join(',')})`;
  }

  /** Live case files holding these fileCodes: fileCode → {id, transferId}. */
  async liveFileCodes(codes: string[], m: EntityManager = this.db.manager): Promise<Map<string, { id: string; transferId: string }>> {
    if (codes.length === 0) return new Map();
    const rows: { id: string; file_code: string; transfer_id: string }[] = await m.query(
      `SELECT id, file_code, transfer_id FROM case_files WHERE file_code = ANY($1) AND status <> 'DESTROYED'`,
      [codes],
    );
    return new Map(rows.map((r) => [r.file_code, { id: r.id, transferId: r.transfer_id }]));
  }

  async liveDocCodes(codes: string[], m: EntityManager = this.db.manager): Promise<Set<string>> {
    if (codes.length === 0) return new Set();
    const rows: { doc_code: string }[] = await m.query(`SELECT doc_code FROM documents WHERE doc_code = ANY($1) AND destroyed_at IS NULL`, [codes]);
    return new Set(rows.map((r) => r.doc_code));
  }

  /** Which of these object keys a catalogue row claims (documents, AIPs). */
  async claimedKeys(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows: { k: string }[] = await this.db.query(
      `SELECT object_key AS k FROM documents WHERE object_key = ANY($1)
       UNION SELECT aip_key FROM case_files WHERE aip_key = ANY($1)`,
      [keys],
    );
    return new Set(rows.map((r) => r.k));
  }

  /** Case files of a transfer whose objects are not WORM yet (applied after the catalogue commit). */
  /** Case files of a transfer not yet made WORM, with the exact object versions the catalogue recorded. */
  async filesAwaitingWorm(transferId: string): Promise<{ id: string; retentionUntil: string | null; objects: { key: string; versionId: string | null }[] }[]> {
    const rows: { id: string; retention_until: string | null; aip_key: string | null; keys: string[]; versions: (string | null)[] }[] = await this.db.query(
      `SELECT f.id, to_char(f.retention_until, 'YYYY-MM-DD') AS retention_until, f.aip_key,
              array_agg(d.object_key ORDER BY d.id) AS keys, array_agg(d.object_version_id ORDER BY d.id) AS versions
       FROM case_files f JOIN documents d ON d.file_id = f.id
       WHERE f.transfer_id = $1 AND f.worm_applied_at IS NULL GROUP BY f.id`,
      [transferId],
    );
    return rows.map((r) => ({
      id: r.id,
      retentionUntil: r.retention_until,
      // the AIP's key is written once per case file (a re-run finds it): its current version is the one
      objects: [...r.keys.map((key, i) => ({ key, versionId: r.versions[i] ?? null })), ...(r.aip_key ? [{ key: r.aip_key, versionId: null }] : [])],
    }));
  }

  async markWormApplied(fileId: string): Promise<void> {
    await this.db.query('UPDATE case_files SET worm_applied_at = now() WHERE id = $1', [fileId]);
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  async getFile(id: string, actor: RequestActor): Promise<CaseFileDto> {
    const row = (await this.db.query(`${FILE_SELECT} WHERE f.id = $1`, [id]))[0];
    if (!row) throw new NotFoundException(`${NO_METADATA_LEAK} not found`);
    this.policy.enforce(actor.principal, 'metadata.read', { agencyId: row.agency_id, mode: row.mode }, NO_METADATA_LEAK);
    const scope = this.policy.scopeFor(actor.principal, 'metadata.read');
    const docs: any[] = await this.db.query(`${DOC_SELECT} WHERE d.file_id = $1 AND d.mode = ANY($2) ORDER BY d.doc_ordinal`, [id, scope.modes]);
    return { ...toFileDto(row), documents: docs.map(toDocSummary) };
  }

  async listFiles(q: ListFilesQueryDto, actor: RequestActor): Promise<CaseFileListDto> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    const scope = this.policy.scopeFor(actor.principal, 'metadata.read');
    if (scope.none || scope.modes.length === 0) return { total: 0, page, pageSize, items: [] };
    const where: string[] = ['f.mode = ANY($1)'];
    const params: unknown[] = [scope.modes];
    if (scope.agencyIds !== null) where.push(`f.agency_id = ANY($${params.push(scope.agencyIds)})`);
    if (q.agencyId) where.push(`f.agency_id = $${params.push(q.agencyId)}`);
    if (q.fileCode) where.push(`f.file_code = $${params.push(q.fileCode)}`);
    const w = `WHERE ${where.join(' AND ')}`;
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM case_files f ${w}`, params);
    const rows = await this.db.query(`${FILE_SELECT} ${w} ORDER BY f.archived_at DESC, f.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
      ...params,
      pageSize,
      (page - 1) * pageSize,
    ]);
    return { total: n, page, pageSize, items: rows.map(toFileDto) };
  }

  async getDocument(id: string, actor: RequestActor): Promise<DocumentDto> {
    const row = await this.documentRow(id, actor, 'metadata.read');
    return toDocDto(row);
  }

  async getSignatures(id: string, actor: RequestActor): Promise<Record<string, unknown>> {
    const row = await this.documentRow(id, actor, 'metadata.read',
      'd.id, d.agency_id, d.mode, d.signature_summary, d.signature_flags, d.validated_at, d.signature_report, d.trust_store_fingerprint');
    return {
      documentId: row.id,
      signatureSummary: row.signature_summary,
      signatureFlags: row.signature_flags,
      validatedAt: new Date(row.validated_at).toISOString(),
      trustEvidence: row.trust_store_fingerprint ? `evidence/trust/${row.trust_store_fingerprint}/` : null,
      report: row.signature_report ?? null,
    };
  }

  /** The original bytes: access is checked and the download audited before a byte leaves. */
  async content(id: string, actor: RequestActor): Promise<DocumentContent> {
    // Only the columns a download needs: this runs once per download (bench/retrieval).
    const row = await this.documentRow(id, actor, 'original.download',
      'd.id, d.file_id, d.agency_id, d.mode, d.mime_type, d.sha256, d.size, d.object_key, d.object_version_id, d.original_path, d.destroyed_at');
    if (row.destroyed_at) throw new NotFoundException('The document was destroyed; only its tombstone remains');
    // The event commits while the object store answers (both are round trips; bench/retrieval measured
    // them back to back as most of a 1 MB download's overhead); no byte leaves before the event is stored.
    const audited = this.readAudit.record({ actor, action: 'document.download', target: `document:${row.id}`, details: { fileId: row.file_id, sha256: row.sha256 } });
    const key: string = row.object_key;
    const versionId: string | undefined = row.object_version_id ?? undefined;
    return {
      sha256: row.sha256,
      size: Number(row.size),
      mimeType: row.mime_type,
      // the name the agency sent (often Vietnamese), else the stored key's
      fileName: baseName(row.original_path) || key.slice(key.lastIndexOf('/') + 1),
      audited,
      open: (range) => afterAudit(audited, this.store.get(key, { versionId, range })),
    };
  }

  /** The AIP_hoso ZIP of a case file (E-ARK), as stored at ingest. */
  async package(id: string, actor: RequestActor): Promise<DocumentContent> {
    const row = (await this.db.query('SELECT id, agency_id, mode, aip_key, aip_sha256, aip_size, status FROM case_files WHERE id = $1', [id]))[0];
    if (!row) throw new NotFoundException(`${NO_METADATA_LEAK} not found`);
    this.policy.enforce(actor.principal, 'original.download', { agencyId: row.agency_id, mode: row.mode }, NO_METADATA_LEAK);
    if (row.status === 'DESTROYED') throw new NotFoundException('No archival information package is stored for this case file');
    if (!row.aip_key) {
      // Deferred AIP (TRANSFER_AIP_DEFERRED): its job is enqueued with the catalogue rows; while it is
      // queued or running the package is coming (409, try later); otherwise none will (404).
      const [job] = (await this.db.query(
        `SELECT GREATEST(${PACKAGE_RETRY_SECONDS}, ceil(extract(epoch FROM run_at - now())))::int AS wait FROM jobs
         WHERE queue = $1 AND dedupe_key = $2 AND status IN ('QUEUED', 'RUNNING') LIMIT 1`,
        [AIP_QUEUE, `aip:${row.id}`],
      )) as { wait: number }[];
      if (job) throw new PackagePendingError(job.wait);
      throw new NotFoundException('No archival information package is stored for this case file');
    }
    const audited = this.readAudit.record({ actor, action: 'file.package.download', target: `file:${row.id}`, details: { sha256: row.aip_sha256 } });
    const key: string = row.aip_key;
    return {
      sha256: row.aip_sha256,
      size: Number(row.aip_size),
      mimeType: 'application/zip',
      fileName: key.slice(key.lastIndexOf('/') + 1),
      audited,
      open: (range) => afterAudit(audited, this.store.get(key, { range })),
    };
  }

  /**
   * NĐ 30/2020 Phụ lục VI export: the case file's originals in time order (issuedDate, then docOrdinal)
   * and an XML describing them, as one streamed ZIP. Same rules as a content read: `original.download`
   * in scope (404 outside it), nothing for a destroyed case file (a tombstone has no bytes), and the
   * audit event is written before any byte leaves. Documents of a mode outside the caller's scope or
   * destroyed one by one are left out, as GET /files/:id leaves them out.
   */
  async exportFile(id: string, actor: RequestActor): Promise<FileExport> {
    const row = (
      await this.db.query('SELECT id, agency_id, mode, status, file_code, arc_file_code, metadata, archived_at FROM case_files WHERE id = $1', [id])
    )[0];
    if (!row) throw new NotFoundException(`${NO_METADATA_LEAK} not found`);
    this.policy.enforce(actor.principal, 'original.download', { agencyId: row.agency_id, mode: row.mode }, NO_METADATA_LEAK);
    if (row.status === 'DESTROYED') throw new NotFoundException('The case file was destroyed; only its tombstone remains');
    const scope = this.policy.scopeFor(actor.principal, 'original.download');
    const docs: any[] = await this.db.query(
      `SELECT id, doc_code, sha256, size, mime_type, object_key, object_version_id, metadata FROM documents
       WHERE file_id = $1 AND destroyed_at IS NULL AND mode = ANY($2)
       ORDER BY issued_date, doc_ordinal, id`,
      [id, scope.modes],
    );
    await this.readAudit.record({
      actor,
      action: 'file.export',
      target: `file:${row.id}`,
      details: { format: 'zip(pdf+xml)', documents: docs.map((d) => ({ id: d.id, sha256: d.sha256 })) },
    });
    const input = {
      fileId: row.id,
      caseFile: row.metadata,
      arcFileCode: row.arc_file_code,
      mtime: new Date(row.archived_at),
      exportedAt: new Date(),
      documents: docs.map((d) => ({
        id: d.id,
        docCode: d.doc_code,
        sha256: d.sha256,
        size: Number(d.size),
        mimeType: d.mime_type,
        metadata: d.metadata,
        open: () => this.store.get(d.object_key, { versionId: d.object_version_id ?? undefined }),
      })),
    };
    return {
      fileName: `${row.file_code}.export.zip`,
      documentCount: docs.length,
      open: () => exportZip(input),
    };
  }

  /** A document's row (`columns`: the ones the caller needs; agency_id and mode always), checked against the caller's scope. */
  private async documentRow(id: string, actor: RequestActor, permission: Permission, columns = DOC_COLUMNS): Promise<any> {
    const row = (await this.db.query(`SELECT ${columns} FROM documents d WHERE d.id = $1`, [id]))[0];
    if (!row) throw new NotFoundException('Document not found');
    this.policy.enforce(actor.principal, permission, { agencyId: row.agency_id, mode: row.mode }, 'Document');
    return row;
  }
}

const FILE_SELECT = `SELECT f.id, f.agency_id, f.file_code, f.arc_file_code, f.title, f.maintenance, f.retention_years,
  to_char(f.retention_until, 'YYYY-MM-DD') AS retention_until, f.status, f.mode, f.language, f.start_date, f.end_date, f.total_doc,
  f.number_of_page, f.transfer_id, f.archived_at, f.metadata FROM case_files f`;

const DOC_COLUMNS = `d.id, d.file_id, d.agency_id, d.doc_code, d.doc_id, d.doc_ordinal, d.type_name, d.code_number, d.code_notation,
  to_char(d.issued_date, 'YYYY-MM-DD') AS issued_date, d.organ_name, d.subject, d.language, d.number_of_page, d.mode, d.signer_position,
  d.signer_full_name, d.metadata, d.original_path, d.mime_type, d.sha256, d.size, d.object_key, d.object_version_id, d.signature_summary,
  d.signature_flags, d.signature_count, d.validated_at, d.destroyed_at`;
const DOC_SELECT = `SELECT ${DOC_COLUMNS} FROM documents d`;

function toFileDto(r: any): CaseFileDto {
  return {
    id: r.id,
    agencyId: r.agency_id,
    fileCode: r.file_code,
    arcFileCode: r.arc_file_code,
    title: r.title,
    maintenance: r.maintenance,
    retentionYears: r.retention_years,
    retentionUntil: r.retention_until,
    status: r.status,
    mode: r.mode,
    language: r.language,
    startDate: r.start_date,
    endDate: r.end_date,
    totalDoc: r.total_doc,
    numberOfPage: r.number_of_page,
    transferId: r.transfer_id,
    archivedAt: new Date(r.archived_at).toISOString(),
    metadata: r.metadata,
  };
}

function toDocSummary(r: any): DocumentSummaryDto {
  return {
    id: r.id,
    docCode: r.doc_code,
    docOrdinal: r.doc_ordinal,
    typeName: r.type_name,
    codeNumber: r.code_number,
    codeNotation: r.code_notation,
    issuedDate: r.issued_date,
    organName: r.organ_name,
    subject: r.subject,
    mode: r.mode,
    sha256: r.sha256,
    size: Number(r.size),
    signatureSummary: r.signature_summary,
  };
}

function toDocDto(r: any): DocumentDto {
  return {
    ...toDocSummary(r),
    fileId: r.file_id,
    agencyId: r.agency_id,
    docId: r.doc_id,
    language: r.language,
    numberOfPage: r.number_of_page,
    signerPosition: r.signer_position,
    signerFullName: r.signer_full_name,
    mimeType: r.mime_type,
    originalPath: r.original_path,
    signatureFlags: r.signature_flags,
    signatureCount: r.signature_count,
    validatedAt: new Date(r.validated_at).toISOString(),
    metadata: r.metadata,
  };
}
