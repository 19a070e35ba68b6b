import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  ArchivalDocument,
  CaseFile,
  caseFileRetention,
  EarkPackage,
  formatDocCode,
  formatDocId,
  Issue,
  parseFileCode,
  readPackage,
  retentionUntil,
  validateCaseFile,
  validateManifest,
  writeAip,
} from '@archive/metadata';
import { ZipArchive } from '@archive/metadata/eark/zip-reader';
import { resolveLimits } from '@archive/metadata/eark/limits';
import { DocumentReport, verifyPdf } from '@archive/signature';
import { ObjectStore, RetentionShortenError } from '@archive/storage';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Job, JobQueue, PermanentJobError } from '../jobs/job-queue.service';
import { NewDocument, RecordsService } from '../records/records.service';
import { InjectObjectStore } from '../storage/storage.module';
import { SearchIndexer } from '../search/search-indexer.service';
import { caseFilePrefix, documentKey, STAGING_PREFIX } from './object-keys';
import { verifyPdfFileOffThread } from './pdf-verify-thread';
import { decideSignature } from './signature-policy';
import { readSmall, spoolToFile, storeRangeSource, sweepSpools } from './staging';
import { TransferIntakeService } from './transfer-intake.service';
import { AIP_QUEUE, DocumentResult, FileResult, RECEIPT_QUEUE, receiptAvailable, ResultMessage, StagedPart, TERMINAL_STATUSES, TRANSFER_QUEUE, TransferStatus } from './transfer.types';
import { TrustMaterial, TrustStoreService } from './trust-store.service';

const SYSTEM_ACTOR = { system: 'transfer-processor' };

/** What a document's signatures are judged against: the trust store in force and the agency as registered. */
type SignatureContext = TrustMaterial & { agencyName: string | null };

interface TransferRow {
  id: string;
  status: TransferStatus;
  agency_id: string | null;
  body_kind: 'MULTIPART' | 'ZIP_MANIFEST' | 'EARK_SIP';
  parts: StagedPart[];
  manifest: unknown;
  submitted_by: string;
}

/** Opens the bytes of one received document, whatever the body kind. */
interface Source {
  open(part: StagedPart): Promise<Readable>;
  close(): Promise<void>;
}

interface FilePlan {
  index: number;
  raw: Record<string, unknown>;
  caseFile: CaseFile | null;
  result: FileResult;
  docs: DocumentResult[];
  stored: NewDocument[];
  /** keys this run wrote for the file (removed again if the file ends up rejected). */
  written: string[];
  existing?: { id: string };
  aip?: { key: string; sha256: string; size: number } | null;
  /** Verified bytes kept for the AIP (bounded by AIP_BUFFER_BYTES per case file) instead of reading them back. */
  buffers?: Map<number, Buffer>;
  bufferedBytes?: number;
}

const AIP_BUFFER_BYTES = 64 * 1024 * 1024;

/** Payload of a `transfers.aip` job: one catalogued case file (its index in the transfer's manifest). */
interface AipJob {
  transferId: string;
  fileId: string;
  fileIndex: number;
}

/** What the AIP of one case file is made of, whether written inline or by the deferred job. */
interface AipInput {
  transferId: string;
  caseFile: CaseFile;
  agencyId: string;
  agencyName: string;
  prefix: string;
  /** a metadata validation warning was reported for the file or one of its documents */
  warnings: boolean;
  files: (Pick<NewDocument, 'doc' | 'mimeType' | 'sha256' | 'size' | 'validatedAt' | 'signatureSummary' | 'signatureFlags'> & { open: () => Readable | Promise<Readable> })[];
}

/**
 * The processing job of a transfer (queue `transfers.process`). Idempotent and safe to re-run after a
 * crash at any point:
 *   1. validate the manifest (libs/metadata): every issue goes to the report with its path and code;
 *   2. per document: SHA-256 against the manifest, signature verification (libs/signature) against the
 *      current trust store, the signature policy; a case file is accepted only whole;
 *   3. preserve: originals byte for byte under `aip/<agency>/<year>/<fileCode>/<transferId>/data/…`
 *      (a re-run finds and reuses what an earlier run stored);
 *   4. ONE transaction per accepted case file: case file, documents, signature reports, audit event,
 *      transfer results/status. Objects are stored before it, so no row ever lacks its object;
 *   5. after the commit: WORM (retention until the case file's retention end, legal hold when
 *      permanent) — only now, so that an object no row claims can still be removed by the janitor —
 *      and the staging is discarded.
 */
@Injectable()
export class TransferProcessorService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('TransferProcessor');
  private readonly evidenceKept = new Set<string>();
  /** Drains of the transfer queue started by `kick` (at most TRANSFER_JOB_CONCURRENCY at once). */
  private readonly kicked = new Set<Promise<void>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectObjectStore() private readonly store: ObjectStore,
    private readonly config: AppConfig,
    private readonly jobs: JobQueue,
    private readonly audit: AuditService,
    private readonly records: RecordsService,
    private readonly trust: TrustStoreService,
    private readonly intake: TransferIntakeService,
    private readonly clock: Clock,
    private readonly search: SearchIndexer,
  ) {}

  async onModuleInit(): Promise<void> {
    // Ingest first: while transfers are processed here, packaging and text extraction wait (bounded).
    this.jobs.register<{ transferId: string }>(TRANSFER_QUEUE, (job) => this.handle(job), { priority: true });
    this.jobs.register<AipJob>(AIP_QUEUE, (job) => this.writeDeferredAip(job.payload));
    await sweepSpools();
  }

  async onApplicationShutdown(): Promise<void> {
    // JobQueue stops the drains after the job in hand; wait for those jobs like its own poller does.
    await Promise.allSettled([...this.kicked]);
  }

  /**
   * Starts work on a transfer just received instead of waiting for the next poll, and lets up to
   * TRANSFER_JOB_CONCURRENCY transfers of this instance be processed at once (the poller runs one job
   * at a time: a transfer's store and database round trips would otherwise leave the cores idle).
   * Each drain claims with FOR UPDATE SKIP LOCKED like the poller, so nothing runs twice. Only on
   * instances that run jobs at all (JOBS_POLL_MS > 0); tests drive the queue themselves.
   */
  kick(): void {
    if (this.config.jobs.pollMs <= 0 || this.kicked.size >= this.config.transfers.jobConcurrency) return;
    const p: Promise<void> = this.jobs
      .drain([TRANSFER_QUEUE])
      .then(() => undefined)
      .catch((err) => this.logger.error({ err }, 'transfer drain failed'))
      .finally(() => this.kicked.delete(p));
    this.kicked.add(p);
  }

  private async handle(job: Job<{ transferId: string }>): Promise<void> {
    try {
      await this.process(job.payload.transferId, job.attempts > 1);
    } catch (err) {
      if (job.attempts >= job.maxAttempts) await this.markFailed(job.payload.transferId, err);
      throw err;
    }
  }

  /** `rerun`: an earlier attempt may have stored objects already (looked up and reused instead of rewritten). */
  async process(transferId: string, rerun = true): Promise<void> {
    const t = (await this.db.query('SELECT id, status, agency_id, body_kind, parts, manifest, submitted_by FROM transfers WHERE id = $1', [transferId]))[0] as TransferRow | undefined;
    if (!t) return;
    if (TERMINAL_STATUSES.includes(t.status)) {
      // Ended, but a crash may have come between the last commit and WORM / clean-up: finish those.
      await this.applyWorm(t.id);
      await this.intake.discardStaging(t.id);
      return;
    }
    await this.db.query(`UPDATE transfers SET status = 'PROCESSING', started_at = COALESCE(started_at, now()) WHERE id = $1`, [t.id]);

    const transferIssues: ResultMessage[] = [];
    const raw = (t.manifest ?? {}) as { agency?: { id?: string; name?: string }; files?: unknown[] };
    const rawFiles = Array.isArray(raw.files) ? raw.files : [];
    const manifestCheck = validateManifest(raw);
    const agencyId = typeof raw.agency?.id === 'string' ? raw.agency.id : '';
    for (const i of manifestCheck.issues) if (!i.path.startsWith('files[') && i.severity === 'error') transferIssues.push(fromIssue(i));
    // The agency as registered (not as the manifest names it): its name identifies its seal certificate.
    const agencyName = agencyId ? await this.registeredAgencyName(agencyId) : null;
    if (agencyId && agencyName === null) {
      transferIssues.push({ path: 'agency.id', code: 'agency_unknown', message: `Cơ quan ${agencyId} chưa được đăng ký / agency ${agencyId} is not registered (POST /agencies)` });
    }

    const files: FilePlan[] = rawFiles.map((rf, index) => {
      try {
        return this.planFile(index, rf, agencyId, manifestCheck.issues);
      } catch (err) {
        // Input the validator did not foresee is still bad input: the file is rejected, the job does not retry.
        this.logger.warn({ err, transferId, index }, 'validation threw; the case file is rejected');
        const f = this.planFile(index, {}, agencyId, []);
        reject(f, { path: `files[${index}]`, code: 'invalid_input', message: 'Dữ liệu hồ sơ không đọc được / unreadable case file' });
        return f;
      }
    });
    // A part nobody references is an integrity problem of the whole transfer (API.md: unreferenced files).
    const parts = t.parts.filter((p) => p.path !== '');
    const referenced = new Set(
      files.flatMap((f) => (Array.isArray(f.raw.documents) ? (f.raw.documents as { path?: unknown }[]) : []).map((d) => (typeof d?.path === 'string' ? d.path.normalize('NFC') : ''))),
    );
    for (const p of parts) {
      if (!referenced.has(p.path)) transferIssues.push({ path: p.path, code: 'file_unreferenced', message: `Tệp ${p.path} không được khai báo trong manifest / ${p.path} is not referenced by the manifest` });
    }

    if (transferIssues.length > 0) {
      for (const f of files) reject(f, { code: 'transfer_rejected', message: 'Gói nộp lưu bị từ chối / the transfer was rejected' });
      await this.finish(t, files, transferIssues, 'REJECTED');
      return;
    }

    // Duplicates in the catalogue (another transfer's live case files / documents).
    const live = await this.records.liveFileCodes(files.filter((f) => f.caseFile).map((f) => f.caseFile!.fileCode));
    for (const f of files) {
      if (!f.caseFile) continue;
      const hit = live.get(f.caseFile.fileCode);
      if (hit && hit.transferId === t.id) f.existing = { id: hit.id };
      else if (hit) reject(f, { path: `files[${f.index}].fileCode`, code: 'file_code_exists', message: `Hồ sơ ${f.caseFile.fileCode} đã được lưu trữ / already archived as ${hit.id}` });
    }
    const docCodes = files.filter((f) => f.caseFile && !f.existing && f.result.status === 'ACCEPTED').flatMap((f) => f.docs.map((d) => d.docCode!));
    const liveDocs = await this.records.liveDocCodes(docCodes);
    for (const f of files) {
      if (f.existing || f.result.status !== 'ACCEPTED') continue;
      f.docs.forEach((d, j) => {
        if (d.docCode && liveDocs.has(d.docCode)) rejectDoc(f, j, { path: `files[${f.index}].documents[${j}].docCode`, code: 'doc_code_exists', message: `Tài liệu ${d.docCode} đã được lưu trữ / already archived` });
      });
    }

    const byPath = new Map(parts.map((p) => [p.path, p]));
    const source = await this.openSource(t);
    try {
      const material = this.trust.current();
      const trust = { ...material, agencyName };
      await this.keepTrustEvidence(material);
      for (const f of files) {
        if (f.existing || f.result.status !== 'ACCEPTED' || !f.caseFile) continue;
        await this.preserveFile(t, f, agencyId, byPath, source, trust, rerun);
      }
    } finally {
      await source.close();
    }

    // Catalogue: one transaction per accepted case file; the last one also closes the transfer.
    const accepted = files.filter((f) => f.result.status === 'ACCEPTED' && !f.existing);
    const alreadyIn = files.filter((f) => f.existing);
    for (const f of alreadyIn) await this.reloadExisting(f);
    const finalStatus: TransferStatus =
      accepted.length + alreadyIn.length === 0 ? 'REJECTED' : files.every((f) => f.result.status === 'ACCEPTED') ? 'ACCEPTED' : 'PARTIALLY_ACCEPTED';
    if (accepted.length === 0) {
      await this.finish(t, files, transferIssues, finalStatus);
    } else {
      for (let k = 0; k < accepted.length; k++) {
        const f = accepted[k]!;
        const last = k === accepted.length - 1;
        await this.db.transaction(async (m) => {
          await this.catalogueFile(m, t, f, agencyId);
          if (last) await this.writeResults(m, t, files, transferIssues, finalStatus);
          else await this.writeResults(m, t, files, transferIssues, 'PROCESSING');
        });
      }
    }
    // WORM goes on exactly the versions the catalogue recorded (no lookup of the current one).
    await this.applyWorm(t.id);
    await this.discardUnclaimed(t, files);
  }

  /** Staging, and documents streamed in place at intake whose case file was not accepted. */
  private async discardUnclaimed(t: TransferRow, files: FilePlan[]): Promise<void> {
    const claimed = new Set(files.flatMap((f) => (f.result.status === 'ACCEPTED' ? f.stored.map((d) => d.objectKey) : [])));
    const candidates = t.parts.map((p) => p.key).filter((k) => !k.startsWith(STAGING_PREFIX) && !claimed.has(k));
    // One query for the lot: another transfer's catalogue row may claim the same key.
    const elsewhere = candidates.length ? await this.records.claimedKeys(candidates) : new Set<string>();
    for (const k of new Set(candidates)) if (!elsewhere.has(k)) await this.store.remove(k).catch(() => undefined);
    // Intake stages nothing but the parts it records: with every part in place there is no staging to list.
    if (t.parts.some((p) => p.key.startsWith(STAGING_PREFIX))) await this.intake.discardStaging(t.id);
  }

  // -------------------------------------------------------------------------------------------
  // Planning (pure validation)

  private planFile(index: number, rf: unknown, agencyId: string, manifestIssues: Issue[]): FilePlan {
    const raw = (typeof rf === 'object' && rf !== null ? rf : {}) as Record<string, unknown>;
    const fileCode = typeof raw.fileCode === 'string' ? raw.fileCode.normalize('NFC') : '';
    const base = `files[${index}]`;
    const check = validateCaseFile(raw, { agencyId: agencyId || undefined, basePath: base });
    const issues = dedupeIssues([...manifestIssues.filter((i) => i.path === base || i.path.startsWith(`${base}.`) || i.path.startsWith(`${base}[`)), ...check.issues]);
    const rawDocs = Array.isArray(raw.documents) ? (raw.documents as Record<string, unknown>[]) : [];
    const cf = check.ok ? check.value! : null;
    const f: FilePlan = {
      index,
      raw,
      caseFile: null,
      result: { fileCode, status: 'ACCEPTED', fileId: null, errors: [], warnings: [] },
      docs: rawDocs.map((d, j) => {
        const docs = cf?.documents;
        const v = docs?.[j];
        const path = typeof d?.path === 'string' ? d.path.normalize('NFC') : '';
        return {
          path,
          fileCode,
          docCode: v ? (v.docCode ?? formatDocCode(cf!.fileCode, v.docOrdinal)) : typeof d?.docCode === 'string' ? d.docCode : null,
          status: 'ACCEPTED',
          documentId: null,
          signatureSummary: null,
          signatureFlags: [],
          sha256: null,
          size: null,
          errors: [],
          warnings: [],
        } satisfies DocumentResult;
      }),
      stored: [],
      written: [],
    };
    const docPath = /^files\[\d+\]\.documents\[(\d+)\]/;
    for (const i of issues) {
      const m = docPath.exec(i.path);
      const target = m ? f.docs[Number(m[1])] : undefined;
      const msg = fromIssue(i);
      if (i.severity === 'error') {
        if (target) {
          target.status = 'REJECTED';
          target.errors.push(msg);
        } else f.result.errors.push(msg);
      } else (target ?? f.result).warnings.push(msg);
    }
    if (!cf || issues.some((i) => i.severity === 'error')) {
      reject(f, f.result.errors.length ? null : { code: 'document_rejected', message: 'Hồ sơ có tài liệu không hợp lệ / a document of the case file is invalid' });
      return f;
    }
    f.caseFile = cf;
    return f;
  }

  // -------------------------------------------------------------------------------------------
  // Preservation

  private async preserveFile(
    t: TransferRow,
    f: FilePlan,
    agencyId: string,
    byPath: Map<string, StagedPart>,
    source: Source,
    trust: SignatureContext,
    rerun: boolean,
  ): Promise<void> {
    const cf = f.caseFile!;
    const year = parseFileCode(cf.fileCode, { agencyId })?.year ?? Number(cf.endDate.slice(0, 4));
    const prefix = caseFilePrefix(agencyId, year, cf.fileCode, t.id);
    const out: (NewDocument | null)[] = cf.documents.map(() => null);
    // Documents of a file are handled a few at a time: store round trips overlap with verification.
    await pool(cf.documents.map((_, j) => j), this.config.transfers.docConcurrency, async (j) => {
      if (f.result.status !== 'ACCEPTED') return;
      out[j] = await this.preserveDocument(t, f, j, prefix, byPath, source, trust, rerun);
    });
    if (f.result.status === 'ACCEPTED') f.stored = out.filter((d): d is NewDocument => d !== null);
    if (f.result.status === 'ACCEPTED') {
      try {
        f.aip = this.config.transfers.aipDeferred ? null : await this.storeAip(t, f, agencyId, prefix);
      } catch (err) {
        const codes = (err as { errors?: { code: string; path?: string; message: { vi: string; en: string } }[] }).errors;
        if (!codes?.length) throw err;
        const c = codes[0]!;
        reject(f, { code: c.code.toLowerCase(), path: c.path, message: `${c.message.vi} / ${c.message.en}` });
      }
    }
    f.buffers = undefined;
    f.bufferedBytes = 0;
    if (f.result.status !== 'ACCEPTED') {
      // Not catalogued: what this run stored for the file goes again (unlocked, so removable; else the janitor).
      for (const k of f.written) await this.store.remove(k).catch(() => undefined);
      f.stored = [];
    }
  }

  /** One document: bytes, SHA-256, signature, policy, and its original stored at its archive key. Null when rejected. */
  private async preserveDocument(
    t: TransferRow,
    f: FilePlan,
    j: number,
    prefix: string,
    byPath: Map<string, StagedPart>,
    source: Source,
    trust: SignatureContext,
    rerun: boolean,
  ): Promise<NewDocument | null> {
    const cf = f.caseFile!;
    const doc = cf.documents[j]!;
    const r = f.docs[j]!;
    const part = byPath.get(doc.path);
    if (!part) {
      rejectDoc(f, j, { path: `files[${f.index}].documents[${j}].path`, code: 'document_missing', message: `Không nhận được tệp ${doc.path} / no part or entry named ${doc.path}` });
      return null;
    }
    const mimeType = mimeOf(part, doc);
    const key = documentKey(prefix, r.docCode!, doc.path, mimeType);
    const inPlace = part.key === key; // streamed straight to its archive key at intake
    const expected = doc.sha256.toLowerCase();
    const validatedAt = this.clock.now();
    const meta = objectMetadata(t.id, cf.fileCode, r.docCode!);
    let report: DocumentReport | null = null;
    let sha256: string;
    let size: number;
    let versionId: string | null = inPlace ? (part.versionId ?? null) : null;
    try {
      // Only a re-run can find its own earlier write at the key.
      const existing = !inPlace && rerun ? await this.store.stat(key) : null;
      if (part.size <= this.config.transfers.verifyMaxBytes) {
        // Small enough to verify: one read into memory, verified, then (unless already there) stored from the same buffer.
        const bytes = await readSmall(await source.open(part), this.config.transfers.verifyMaxBytes + 1, doc.path);
        sha256 = createHash('sha256').update(bytes).digest('hex');
        size = bytes.length;
        if (sha256 === expected && this.config.transfers.writeAip && !this.config.transfers.aipDeferred && (f.bufferedBytes ?? 0) + size <= AIP_BUFFER_BYTES) {
          (f.buffers ??= new Map()).set(doc.docOrdinal, bytes);
          f.bufferedBytes = (f.bufferedBytes ?? 0) + size;
        }
        if (sha256 === expected && isPdf(bytes, mimeType)) report = await verifyPdf(bytes, { trustAnchors: trust.trustAnchors, crls: trust.crls, validationTime: validatedAt });
        if (sha256 === expected && !inPlace) {
          if (existing?.sha256 === sha256) versionId = existing.versionId;
          else {
            versionId = (await this.store.put(key, bytes, { contentType: mimeType, metadata: meta })).versionId;
            f.written.push(key);
          }
        }
      } else if (inPlace && !(await this.storedIsPdf(part, mimeType))) {
        // Large, stored in place at intake (hashed while written) and not a PDF: nothing to verify.
        sha256 = part.sha256;
        size = part.size;
      } else {
        // Too large to hold in memory: copied to a local file (hashed on the way; in place, that reads the
        // stored object back), verified from it through small windows, then stored from it unless already there.
        const spool = await spoolToFile(await source.open(part));
        try {
          sha256 = spool.sha256;
          size = spool.size;
          if (sha256 === expected && isPdf(spool.head, mimeType)) report = await verifyPdfFileOffThread(spool.path, { trustAnchors: trust.trustAnchors, crls: trust.crls, validationTime: validatedAt });
          if (sha256 === expected && !inPlace) {
            if (existing?.sha256 === sha256) versionId = existing.versionId;
            else {
              const file = createReadStream(spool.path);
              const put = await this.store.put(key, file, { contentType: mimeType, metadata: meta }).finally(() => file.destroy());
              f.written.push(key);
              // what was verified is what is stored (the store hashed the bytes it wrote)
              if (put.sha256 !== sha256) throw new Error(`stored ${key} hashes ${put.sha256}, the verified spool ${sha256}`);
              versionId = put.versionId;
            }
          }
        } finally {
          await spool.remove();
        }
      }
    } catch (err) {
      const codes = (err as { errors?: { code: string }[] }).errors;
      if (codes?.length) {
        rejectDoc(f, j, { path: doc.path, code: codes[0]!.code.toLowerCase(), message: (err as Error).message });
        return null;
      }
      throw err; // storage or database trouble: transient, the job is retried
    }
    r.sha256 = sha256;
    r.size = size;
    if (sha256 !== expected) {
      rejectDoc(f, j, { path: `files[${f.index}].documents[${j}].sha256`, code: 'checksum_mismatch', message: `SHA-256 không khớp: nhận ${sha256} / checksum mismatch: received ${sha256}, manifest says ${expected}` });
      return null;
    }
    const decision = decideSignature(report, this.config.transfers.policy, trust.agencyName);
    r.signatureSummary = decision.summary;
    r.signatureFlags = decision.flags;
    r.warnings.push(...decision.warnings);
    if (decision.rejected) {
      rejectDoc(f, j, ...decision.errors.map((e) => ({ ...e, path: doc.path })));
      return null;
    }
    return {
      doc,
      docCode: r.docCode!,
      docId: doc.docId ?? formatDocId(cf.fileCode, doc.docOrdinal),
      mimeType,
      sha256,
      size,
      objectKey: key,
      objectVersionId: versionId,
      signatureSummary: decision.summary,
      signatureFlags: decision.flags,
      signatureReport: report,
      validatedAt,
      trustEvidence: trust.fingerprint,
    };
  }

  /** A stored document is a PDF by its type or by its first bytes (read by range, not whole). */
  private async storedIsPdf(part: StagedPart, mimeType: string): Promise<boolean> {
    if (mimeType === 'application/pdf') return true;
    const head = await this.store.get(part.key, { range: { start: 0, end: 1023 }, ...(part.versionId ? { versionId: part.versionId } : {}) });
    return isPdf(await readSmall(head, 1024, part.key), mimeType);
  }

  /**
   * The AIP_hoso of the case file (E-ARK, TT 05/2025), streamed from the stored originals into the
   * store: METS + EAD + PREMIS (ingestion, metadata validation, fixity, signature validation events).
   * Its key is deterministic per transfer and case file, so a re-run reuses an AIP already written.
   */
  private async storeAip(t: TransferRow, f: FilePlan, agencyId: string, prefix: string): Promise<{ key: string; sha256: string; size: number } | null> {
    if (!this.config.transfers.writeAip) return null;
    const out = await this.putAip({
      transferId: t.id,
      caseFile: f.caseFile!,
      agencyId,
      agencyName: String((t.manifest as { agency?: { name?: string } })?.agency?.name ?? agencyId),
      prefix,
      warnings: f.result.warnings.length > 0 || f.docs.some((d) => d.warnings.length > 0),
      files: f.stored.map((d) => ({
        ...d,
        open: () => {
          const b = f.buffers?.get(d.doc.docOrdinal);
          return b ? Readable.from([b]) : this.store.get(d.objectKey, { versionId: d.objectVersionId ?? undefined });
        },
      })),
    });
    if (out.written) f.written.push(out.key);
    return { key: out.key, sha256: out.sha256, size: out.size };
  }

  /** Builds the AIP_hoso ZIP and stores it at its deterministic key, or finds the one an earlier run stored. */
  private async putAip(a: AipInput): Promise<{ key: string; sha256: string; size: number; written: boolean }> {
    const cf = a.caseFile;
    const uuid = uuidFrom(`${a.transferId}\u0000${cf.fileCode}`);
    const first = a.files[0]?.validatedAt ?? this.clock.now();
    const written = writeAip({
      caseFile: cf,
      archiveCode: this.config.transfers.archiveCode,
      archive: { name: this.config.transfers.archiveName, id: this.config.transfers.archiveCode },
      producer: { id: a.agencyId, name: a.agencyName },
      uuid,
      createdAt: first,
      ingestedAt: first,
      metadataValidation: { outcome: a.warnings ? 'warning' : 'success', dateTime: first },
      files: a.files.map((d) => ({
        docOrdinal: d.doc.docOrdinal,
        size: d.size,
        sha256: d.sha256,
        mimeType: d.mimeType,
        originalName: d.doc.path.split('/').pop(),
        fixityCheckedAt: d.validatedAt,
        signature: { outcome: d.signatureSummary as 'VALID', dateTime: d.validatedAt, detail: d.signatureFlags.join(',') || undefined },
        open: d.open,
      })),
    });
    if (!written.ok) throw Object.assign(new Error('AIP not writable'), { errors: written.errors });
    const key = `${a.prefix}${written.value.zipName}`;
    const existing = await this.store.stat(key);
    if (existing?.sha256) {
      written.value.stream.destroy();
      return { key, sha256: existing.sha256, size: existing.size, written: false };
    }
    const put = await this.store.put(key, written.value.stream, { contentType: 'application/zip', metadata: { 'transfer-id': a.transferId, 'file-code': cf.fileCode } });
    const manifest = await written.value.manifest;
    if (!manifest.ok) throw Object.assign(new Error('AIP stream failed'), { errors: manifest.errors });
    return { key, sha256: put.sha256, size: put.size, written: true };
  }

  /**
   * Job `transfers.aip` (TRANSFER_AIP_DEFERRED, the default): the AIP of a case file already catalogued, enqueued in
   * its catalogue transaction. Its originals are durable and claimed by then, so preservation packaging
   * need not hold up the ingest. Idempotent: the AIP key is deterministic (a re-run finds the object an
   * earlier attempt stored), the claim is set once, WORM is re-applied harmlessly. Until the claim
   * commits, the janitor keeps the transfer's objects (a queued/running AIP job counts as in flight),
   * and GET /files/:id/package answers 409 PACKAGE_PENDING with Retry-After. An ordinary (not priority)
   * queue: it waits while this instance ingests transfers (JobQueue, at most BACKGROUND_MAX_WAIT_SECONDS).
   */
  async writeDeferredAip(job: AipJob): Promise<void> {
    const file = (
      await this.db.query(
        `SELECT f.id, f.status, f.aip_key, f.object_prefix, to_char(f.retention_until, 'YYYY-MM-DD') AS retention_until, t.manifest, t.agency_id, t.files, t.documents
         FROM case_files f JOIN transfers t ON t.id = f.transfer_id WHERE f.id = $1 AND t.id = $2`,
        [job.fileId, job.transferId],
      )
    )[0] as
      | { id: string; status: string; aip_key: string | null; object_prefix: string; retention_until: string | null; manifest: unknown; agency_id: string | null; files: FileResult[] | null; documents: DocumentResult[] | null }
      | undefined;
    if (!file || file.status === 'DESTROYED') return;
    let key = file.aip_key;
    if (!key) {
      const raw = (file.manifest ?? {}) as { agency?: { id?: string; name?: string }; files?: unknown[] };
      const agencyId = typeof raw.agency?.id === 'string' ? raw.agency.id : (file.agency_id ?? '');
      // The case file as validated at ingest (validation is pure: the same manifest gives the same value).
      const check = validateCaseFile(raw.files?.[job.fileIndex], { agencyId: agencyId || undefined, basePath: `files[${job.fileIndex}]` });
      if (!check.ok) throw new PermanentJobError(`case file ${job.fileId} no longer validates; AIP not written`);
      const cf = check.value!;
      const rows: { doc_ordinal: number; mime_type: string; sha256: string; size: string; object_key: string; object_version_id: string | null; signature_summary: string; signature_flags: string[]; validated_at: Date }[] =
        await this.db.query(
          'SELECT doc_ordinal, mime_type, sha256, size, object_key, object_version_id, signature_summary, signature_flags, validated_at FROM documents WHERE file_id = $1',
          [file.id],
        );
      const byOrdinal = new Map(rows.map((r) => [Number(r.doc_ordinal), r]));
      const files = cf.documents.map((doc) => {
        const r = byOrdinal.get(doc.docOrdinal);
        if (!r) throw new PermanentJobError(`document ${doc.docOrdinal} of case file ${job.fileId} is not catalogued`);
        return {
          doc,
          mimeType: r.mime_type,
          sha256: r.sha256,
          size: Number(r.size),
          validatedAt: new Date(r.validated_at),
          signatureSummary: r.signature_summary,
          signatureFlags: r.signature_flags ?? [],
          open: () => this.store.get(r.object_key, { versionId: r.object_version_id ?? undefined }),
        };
      });
      const result = file.files?.[job.fileIndex];
      const warnings = (result?.warnings.length ?? 0) > 0 || (file.documents ?? []).some((d) => d.fileCode === cf.fileCode && d.warnings.length > 0);
      let out: { key: string; sha256: string; size: number };
      try {
        out = await this.putAip({ transferId: job.transferId, caseFile: cf, agencyId, agencyName: String(raw.agency?.name ?? agencyId), prefix: file.object_prefix, warnings, files });
      } catch (err) {
        if ((err as { errors?: unknown[] }).errors?.length) throw new PermanentJobError(`AIP not writable: ${(err as Error).message}`);
        throw err;
      }
      await this.db.transaction(async (m) => {
        await m.query('UPDATE case_files SET aip_key = $2, aip_sha256 = $3, aip_size = $4 WHERE id = $1 AND aip_key IS NULL', [file.id, out.key, out.sha256, out.size]);
        await this.audit.record(m, { actor: { system: `transfer:${job.transferId}` }, action: 'transfer.file.aip', target: `file:${file.id}`, details: { key: out.key, sha256: out.sha256 } });
      });
      key = out.key;
    }
    // WORM like the originals (after the claim, so that an unclaimed AIP stays removable). The transfer
    // job may have locked the originals before this claim existed: the AIP is always locked here.
    if (this.store.objectLock) await this.lockObject(key, file.retention_until);
  }

  // -------------------------------------------------------------------------------------------
  // Catalogue

  private async catalogueFile(m: EntityManager, t: TransferRow, f: FilePlan, agencyId: string): Promise<void> {
    const cf = f.caseFile!;
    const years = caseFileRetention(cf);
    const retention = years === undefined ? null : years;
    const year = parseFileCode(cf.fileCode, { agencyId })?.year ?? Number(cf.endDate.slice(0, 4));
    const out = await this.records.catalogue(m, {
      agencyId,
      transferId: t.id,
      caseFile: cf,
      year,
      retentionYears: retention,
      retentionUntil: retention === null ? null : retentionUntil(cf.endDate, retention),
      codeListVersion: validateManifest({}).codeListVersion,
      objectPrefix: caseFilePrefix(agencyId, year, cf.fileCode, t.id),
      documents: f.stored,
      aip: f.aip ?? null,
    });
    f.result.fileId = out.fileId;
    f.docs.forEach((d, j) => {
      d.documentId = out.documentIds.get(cf.documents[j]!.docOrdinal) ?? null;
    });
    // Deferred AIP: enqueued with the rows it describes, so it exists exactly when the case file does
    // (before the text jobs: same run_at, and the claim then usually follows insertion order).
    if (this.config.transfers.writeAip && this.config.transfers.aipDeferred && !f.aip) {
      await this.jobs.enqueue(m, AIP_QUEUE, { transferId: t.id, fileId: out.fileId, fileIndex: f.index } satisfies AipJob, { dedupeKey: `aip:${out.fileId}`, maxAttempts: 5 });
    }
    // Body text for search is extracted after the commit, by a job enqueued in this same transaction.
    await this.search.enqueueTextExtraction(m, [...out.documentIds.values()]);
    await this.audit.record(m, {
      actor: { system: `transfer:${t.id}` },
      action: 'transfer.file.accept',
      target: `file:${out.fileId}`,
      details: { transferId: t.id, fileCode: cf.fileCode, submittedBy: t.submitted_by, documents: f.stored.map((d) => ({ docCode: d.docCode, sha256: d.sha256, signatureSummary: d.signatureSummary })) },
    });
  }

  private async reloadExisting(f: FilePlan): Promise<void> {
    const rows: { id: string; doc_code: string; sha256: string; size: string; signature_summary: string; signature_flags: string[] }[] = await this.db.query(
      'SELECT id, doc_code, sha256, size, signature_summary, signature_flags FROM documents WHERE file_id = $1',
      [f.existing!.id],
    );
    f.result.status = 'ACCEPTED';
    f.result.fileId = f.existing!.id;
    for (const d of f.docs) {
      const row = rows.find((r) => r.doc_code === d.docCode);
      if (!row) continue;
      Object.assign(d, { status: 'ACCEPTED', documentId: row.id, sha256: row.sha256, size: Number(row.size), signatureSummary: row.signature_summary, signatureFlags: row.signature_flags });
    }
  }

  private async writeResults(m: EntityManager, t: TransferRow, files: FilePlan[], issues: ResultMessage[], status: TransferStatus): Promise<void> {
    const terminal = TERMINAL_STATUSES.includes(status);
    await m.query(
      `UPDATE transfers SET status = $2, issues = $3::jsonb, files = $4::jsonb, documents = $5::jsonb,
         completed_at = CASE WHEN $6 THEN now() ELSE completed_at END WHERE id = $1`,
      [t.id, status, JSON.stringify(issues), JSON.stringify(files.map((f) => f.result)), JSON.stringify(files.flatMap((f) => f.docs)), terminal],
    );
    if (terminal) {
      await this.audit.record(m, {
        actor: { system: `transfer:${t.id}` },
        action: `transfer.${status.toLowerCase()}`,
        target: `transfer:${t.id}`,
        details: { files: files.map((f) => ({ fileCode: f.result.fileCode, status: f.result.status, fileId: f.result.fileId, errors: f.result.errors.map((e) => e.code) })) },
      });
      // The receipt is made with the result it records, not when someone first asks for it.
      if (receiptAvailable(status)) await this.jobs.enqueue(m, RECEIPT_QUEUE, { transferId: t.id }, { dedupeKey: `receipt:${t.id}`, maxAttempts: 5 });
    }
  }

  private async finish(t: TransferRow, files: FilePlan[], issues: ResultMessage[], status: TransferStatus): Promise<void> {
    await this.db.transaction((m) => this.writeResults(m, t, files, issues, status));
    await this.discardUnclaimed(t, files);
  }

  private async markFailed(transferId: string, err: unknown): Promise<void> {
    try {
      await this.db.transaction(async (m) => {
        await m.query(
          `UPDATE transfers SET status = 'FAILED', completed_at = now(), issues = issues || $2::jsonb WHERE id = $1 AND status IN ('RECEIVED','PROCESSING')`,
          [transferId, JSON.stringify([{ code: 'processing_failed', message: `Xử lý thất bại / processing failed: ${(err as Error).message ?? String(err)}`.slice(0, 1000) }])],
        );
        await this.audit.record(m, { actor: SYSTEM_ACTOR, action: 'transfer.failed', target: `transfer:${transferId}`, outcome: 'FAILURE' });
      });
    } catch (e) {
      this.logger.error({ err: e, transferId }, 'could not mark the transfer FAILED');
    }
  }

  /**
   * WORM after the commit: retention until the end of the case file's retention (31/12 of the last
   * year, Vietnam time) in the configured Object Lock mode; a permanent (vĩnh viễn) case file has no
   * end date, so its objects get a legal hold instead, lifted only by a decision recorded elsewhere.
   */
  private async applyWorm(transferId: string): Promise<void> {
    if (!this.store.objectLock) return;
    const mode = this.config.s3?.objectLock === 'governance' ? 'GOVERNANCE' : 'COMPLIANCE';
    for (const f of await this.records.filesAwaitingWorm(transferId)) {
      // exactly the versions the catalogue recorded (no lookup of the current one; a stray later write stays unlocked and unclaimed)
      await pool(f.objects, 8, (o) => this.lockObject(o.key, f.retentionUntil, mode, o.versionId ?? undefined));
      await this.records.markWormApplied(f.id);
    }
  }

  /** Retention until `retentionUntil` 23:59:59 (+07:00), or a legal hold when permanent (null); on `versionId`, else the current version. */
  private async lockObject(
    key: string,
    retentionUntil: string | null,
    mode = this.config.s3?.objectLock === 'governance' ? 'GOVERNANCE' as const : 'COMPLIANCE' as const,
    versionId?: string,
  ): Promise<void> {
    const version = versionId ? { versionId } : {};
    if (retentionUntil === null) return this.store.setLegalHold(key, true, version);
    const until = new Date(`${retentionUntil}T23:59:59+07:00`);
    try {
      await this.store.setRetention(key, until, mode, version);
    } catch (err) {
      // Already retained at least as long (a re-run, or an extension decided since): nothing to do.
      if (!(err instanceof RetentionShortenError)) throw err;
    }
  }

  /**
   * The trust anchors and CRLs the verdicts were reached with are evidence too: each version of the
   * trust store is kept once under `evidence/trust/<fingerprint>/` (anchors/<sha256>.der|pem,
   * crls/<sha256>.crl), named by the fingerprint stored with each document's report. The certificates
   * of the signers travel inside the signed originals themselves (CMS).
   */
  private async keepTrustEvidence(trust: TrustMaterial): Promise<void> {
    if (trust.trustAnchors.length === 0 && trust.crls.length === 0) return;
    const fp = trust.fingerprint;
    if (this.evidenceKept.has(fp)) return;
    const prefix = `evidence/trust/${fp}/`;
    const items = [
      ...trust.trustAnchors.map((b) => ({ dir: 'anchors', b, ext: isPem(b) ? '.pem' : '.der' })),
      ...trust.crls.map((b) => ({ dir: 'crls', b, ext: isPem(b) ? '.pem' : '.crl' })),
    ];
    for (const it of items) {
      const key = `${prefix}${it.dir}/${createHash('sha256').update(it.b).digest('hex')}${it.ext}`;
      if (!(await this.store.stat(key))) await this.store.put(key, Buffer.from(it.b), { contentType: 'application/octet-stream' });
    }
    this.evidenceKept.add(fp);
  }

  // -------------------------------------------------------------------------------------------
  // Sources

  private async openSource(t: TransferRow): Promise<Source> {
    if (t.body_kind === 'MULTIPART') {
      // the version intake wrote (and hashed), not whatever is current under the key
      return { open: (p) => this.store.get(p.key, p.versionId ? { versionId: p.versionId } : {}), close: async () => undefined };
    }
    const pkgPart = t.parts.find((p) => p.path === '')!;
    const src = storeRangeSource(this.store, pkgPart.key, pkgPart.size);
    const limits = resolveLimits({ maxEntryBytes: this.config.transfers.maxDocumentBytes, maxEntries: this.config.transfers.maxParts + 100 });
    if (t.body_kind === 'ZIP_MANIFEST') {
      const zip = await ZipArchive.open(src, limits);
      return { open: (p) => zip.openStream(p.zipEntry ?? p.path), close: async () => zip.close() };
    }
    const res = await readPackage(src, { verifyData: false, limits });
    if (!res.ok) throw new Error(`staged package no longer readable: ${res.errors.map((e) => e.code).join(', ')}`);
    const pkg: EarkPackage = res.value;
    return { open: (p) => pkg.openFile(p.zipEntry ?? p.path), close: () => pkg.close() };
  }

  private async registeredAgencyName(id: string): Promise<string | null> {
    const rows: { name: string }[] = await this.db.query('SELECT name FROM agencies WHERE id = $1', [id]);
    return rows[0]?.name ?? null;
  }
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/** A stable UUID (v4 layout) from a string: the AIP id of one case file of one transfer. */
function uuidFrom(s: string): string {
  const h = createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

function fromIssue(i: Issue): ResultMessage {
  return { path: i.path, code: i.code, message: `${i.message.vi} / ${i.message.en}` };
}

function dedupeIssues(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.code}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A case file is accepted whole or not at all: rejecting it marks every document rejected too. */
function reject(f: FilePlan, why: ResultMessage | null): void {
  f.result.status = 'REJECTED';
  if (why && !f.result.errors.some((e) => e.code === why.code)) f.result.errors.push(why);
  for (const d of f.docs) {
    if (d.status === 'ACCEPTED') {
      d.status = 'REJECTED';
      d.errors.push({ code: 'file_rejected', message: 'Hồ sơ chứa tài liệu này bị từ chối / the case file was rejected' });
    }
  }
}

function rejectDoc(f: FilePlan, j: number, ...why: ResultMessage[]): void {
  const d = f.docs[j]!;
  d.status = 'REJECTED';
  d.errors.push(...why);
  reject(f, { code: 'document_rejected', message: `Tài liệu ${d.path} bị từ chối / document ${d.path} was rejected` });
}

function mimeOf(part: StagedPart, doc: ArchivalDocument): string {
  if (doc.mimeType) return doc.mimeType;
  if (part.contentType && part.contentType !== 'application/octet-stream') return part.contentType;
  return /\.pdf$/i.test(doc.path) ? 'application/pdf' : 'application/octet-stream';
}

function isPem(b: Uint8Array): boolean {
  return Buffer.from(b.subarray(0, 64)).toString('latin1').includes('-----BEGIN');
}

function isPdf(bytes: Buffer, mimeType: string): boolean {
  return mimeType === 'application/pdf' || bytes.subarray(0, 1024).includes('%PDF-');
}

function objectMetadata(transferId: string, fileCode: string, docCode: string): Record<string, string> {
  return { 'transfer-id': transferId, 'file-code': fileCode, 'doc-code': docCode };
}

