import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import busboy from 'busboy';
import type { Request } from 'express';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import { formatDocCode, parseFileCode, readPackage } from '@archive/metadata';
import { EarkFailure } from '@archive/metadata/eark/errors';
import { ZipArchive } from '@archive/metadata/eark/zip-reader';
import { resolveLimits } from '@archive/metadata/eark/limits';
import { assertValidKey, ObjectStore } from '@archive/storage';
import type { RequestActor } from '../auth/auth.decorators';
import { AuditService } from '../audit/audit.service';
import { ApiError, ErrorDetail } from '../common/api-error';
import { AppConfig } from '../config/app-config';
import { JobQueue } from '../jobs/job-queue.service';
import { RecordsService } from '../records/records.service';
import { InjectObjectStore } from '../storage/storage.module';
import { caseFilePrefix, documentKey, stagingKey, stagingPrefix } from './object-keys';
import { ByteLimit, readSmall, storeRangeSource, TooLargeError } from './staging';
import { BodyKind, StagedPart, TRANSFER_QUEUE } from './transfer.types';
import { canonicalJson } from '../common/canonical-json';

const MANIFEST_MAX_BYTES = 16 * 1024 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export interface ReceivedTransfer {
  id: string;
  status: string;
  /** true when the answer is an earlier transfer (same Idempotency-Key or the same content sent again). */
  replay: boolean;
}

interface EarlierTransfer {
  id: string;
  status: string;
  manifest: unknown;
  parts: StagedPart[];
}

interface Staged {
  kind: BodyKind;
  parts: StagedPart[];
  manifest: unknown;
  bytes: number;
}

/**
 * Intake of POST /transfers: streams the body to staging in the object store (SHA-256 on the fly,
 * bounded memory, limits → 413), recognises the body kind, reads the manifest, then commits the
 * transfer row and its processing job in one transaction and answers 202. Everything heavier
 * (validation, signatures, preservation, catalogue) is the job's.
 */
@Injectable()
export class TransferIntakeService {
  private readonly logger = new Logger('TransferIntake');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectObjectStore() private readonly store: ObjectStore,
    private readonly config: AppConfig,
    private readonly jobs: JobQueue,
    private readonly audit: AuditService,
    private readonly records: RecordsService,
  ) {}

  async receive(req: Request, actor: RequestActor, idempotencyKey: string | undefined): Promise<ReceivedTransfer> {
    const scope = actor.principal.agencyId ?? actor.principal.actor;
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'Idempotency-Key must be 1-200 printable ASCII characters', [
        { path: 'headers.idempotency-key', code: 'invalid_idempotency_key', message: 'Idempotency-Key must be 1-200 printable ASCII characters' },
      ]);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.config.transfers.maxBytes) {
      req.resume();
      throw tooLarge(new TooLargeError(this.config.transfers.maxBytes, 'The transfer'));
    }
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    const id = randomUUID();
    const written: string[] = [];
    let staged: Staged;
    try {
      if (type.startsWith('multipart/form-data')) staged = await this.receiveMultipart(req, id, written);
      else if (/^application\/(zip|x-zip-compressed|x-zip)\b/.test(type)) staged = await this.receiveZip(req, id, actor);
      else {
        req.resume();
        throw new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Send multipart/form-data (manifest + documents) or application/zip (manifest.json ZIP or E-ARK SIP)');
      }
    } catch (err) {
      await this.discard(id, written);
      if (err instanceof TooLargeError) throw tooLarge(err);
      throw err;
    }
    try {
      const r = await this.commit(id, staged, actor, scope, idempotencyKey ?? null);
      if (r.id !== id) await this.discard(id, written); // answered by an earlier transfer: nothing of this body is kept
      return r;
    } catch (err) {
      await this.discard(id, written);
      throw err;
    }
  }

  private async discard(transferId: string, keys: string[]): Promise<void> {
    for (const k of keys) await this.store.remove(k).catch(() => undefined);
    await this.discardStaging(transferId);
  }

  // -------------------------------------------------------------------------------------------
  // Bodies

  private receiveMultipart(req: Request, transferId: string, written: string[]): Promise<Staged> {
    const limits = this.config.transfers;
    return new Promise<Staged>((resolve, reject) => {
      let bb: busboy.Busboy;
      try {
        bb = busboy({
          headers: req.headers,
          limits: { fileSize: limits.maxDocumentBytes + 1, files: limits.maxParts + 1, fields: 20, fieldSize: MANIFEST_MAX_BYTES, parts: limits.maxParts + 21 },
          defParamCharset: 'utf8',
        });
      } catch (err) {
        req.resume();
        reject(new ApiError(HttpStatus.BAD_REQUEST, `Malformed multipart request: ${(err as Error).message}`));
        return;
      }
      const parts: StagedPart[] = [];
      const puts: Promise<unknown>[] = [];
      const seen = new Set<string>();
      let manifestText: string | null = null;
      let placement: Map<string, string> | null = null;
      let total = 0;
      let failed: unknown = null;
      let active: ByteLimit | null = null;
      const fail = (err: unknown): void => {
        if (failed) return;
        failed = err;
        req.unpipe(bb);
        req.resume();
        // the document being stored stops too (its put fails and its partial object is discarded)
        if (active && !active.destroyed) active.destroy(err instanceof Error ? err : new Error(String(err)));
        reject(err);
      };
      const countTotal = (n: number): void => {
        total += n;
        if (total > limits.maxBytes) fail(new TooLargeError(limits.maxBytes, 'The transfer'));
      };

      bb.on('field', (name, value, info) => {
        if (name !== 'manifest') return; // other text fields are ignored (additive clients)
        if (info.valueTruncated) return fail(new TooLargeError(MANIFEST_MAX_BYTES, 'The manifest'));
        if (manifestText !== null) return fail(badRequest('The manifest part is given twice', 'manifest', 'duplicate_part'));
        manifestText = value;
      });
      bb.on('file', (name, stream, info) => {
        if (failed) return stream.resume();
        if (name === 'manifest') {
          if (manifestText !== null) {
            stream.resume();
            return fail(badRequest('The manifest part is given twice', 'manifest', 'duplicate_part'));
          }
          puts.push(
            readSmall(stream, MANIFEST_MAX_BYTES, 'The manifest').then(
              (b) => (manifestText = b.toString('utf8')),
              (e) => fail(e),
            ),
          );
          return;
        }
        const path = name.normalize('NFC');
        if (!isStorable(path)) {
          stream.resume();
          return fail(badRequest('A part name contains a control character or broken Unicode', '', 'invalid_character'));
        }
        if (seen.has(path)) {
          stream.resume();
          return fail(badRequest(`Two parts are named ${JSON.stringify(path)}`, path, 'duplicate_part'));
        }
        seen.add(path);
        if (parts.length >= limits.maxParts) {
          stream.resume();
          return fail(new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, `More than ${limits.maxParts} documents in one transfer`));
        }
        // With the manifest already read, a document goes straight to its archive key (no copy later).
        placement ??= manifestText !== null ? planPlacement(manifestText, transferId) : null;
        const key = placement?.get(path) ?? stagingKey(transferId, parts.length);
        written.push(key);
        const part: StagedPart = { path, key, sha256: '', size: 0, contentType: info.mimeType || 'application/octet-stream', fileName: info.filename ?? null };
        parts.push(part);
        const limit = new ByteLimit(limits.maxDocumentBytes, `Document ${path}`, countTotal);
        active = limit;
        stream.on('limit', () => limit.destroy(new TooLargeError(limits.maxDocumentBytes, `Document ${path}`)));
        stream.pipe(limit);
        puts.push(
          this.store.put(key, limit, { contentType: part.contentType }).then(
            (r) => {
              part.sha256 = r.sha256;
              part.size = r.size;
              part.versionId = r.versionId;
            },
            (e) => {
              stream.resume();
              fail(e instanceof TooLargeError ? e : limit.destroyed && (limit as any).errored instanceof TooLargeError ? (limit as any).errored : e);
            },
          ),
        );
      });
      bb.on('error', (err) => fail(new ApiError(HttpStatus.BAD_REQUEST, `Malformed multipart request: ${(err as Error).message}`)));
      bb.on('filesLimit', () => fail(new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, `More than ${limits.maxParts} documents in one transfer`)));
      bb.on('partsLimit', () => fail(new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, 'Too many parts in one transfer')));
      bb.on('close', () => {
        void Promise.allSettled(puts).then(() => {
          if (failed) return;
          if (manifestText === null) return fail(badRequest('The multipart body has no "manifest" part', 'manifest', 'manifest_missing'));
          try {
            resolve({ kind: 'MULTIPART', parts, manifest: parseManifestJson(manifestText), bytes: total });
          } catch (e) {
            fail(e);
          }
        });
      });
      req.on('aborted', () => fail(new ApiError(HttpStatus.BAD_REQUEST, 'The request was aborted by the client')));
      req.pipe(bb);
    });
  }

  /** A ZIP body: staged whole (yauzl needs random access), then recognised by its root entries. */
  private async receiveZip(req: Request, transferId: string, actor: RequestActor): Promise<Staged> {
    const key = stagingKey(transferId, 'package.zip');
    const limit = new ByteLimit(this.config.transfers.maxBytes, 'The transfer');
    const put = this.store.put(key, limit, { contentType: 'application/zip' });
    await Promise.all([pipeline(req, limit).catch((e) => { req.resume(); throw e; }), put]).catch(async (e) => {
      await put.catch(() => undefined);
      throw e instanceof TooLargeError ? e : limit.errored instanceof TooLargeError ? limit.errored : e;
    });
    const stored = await put;
    const source = storeRangeSource(this.store, key, stored.size);
    const limits = resolveLimits({ maxEntryBytes: this.config.transfers.maxDocumentBytes, maxEntries: this.config.transfers.maxParts + 100 });
    let zip: ZipArchive;
    try {
      zip = await ZipArchive.open(source, limits);
    } catch (e) {
      throw packageError(e, 'The body is not a readable ZIP archive');
    }
    const zipPart: StagedPart = { path: '', key, sha256: stored.sha256, size: stored.size, contentType: 'application/zip', fileName: null };
    try {
      const names = zip.files().map((f) => f.name);
      if (zip.get('manifest.json')) {
        let text: string;
        try {
          text = (await readSmall(await zip.openStream('manifest.json'), MANIFEST_MAX_BYTES, 'manifest.json')).toString('utf8');
        } catch (e) {
          // A corrupt entry (bad deflate data, CRC) is the sender's fault: 400, not 500 (found by the fuzzer).
          if (e instanceof EarkFailure) throw packageError(e, 'manifest.json cannot be read from the ZIP');
          throw e;
        }
        const parts = zip
          .files()
          .filter((f) => !f.isDirectory && f.name !== 'manifest.json')
          .map<StagedPart>((f) => ({ path: f.name, key, sha256: '', size: f.size, contentType: 'application/octet-stream', fileName: null, zipEntry: f.name }));
        return { kind: 'ZIP_MANIFEST', parts: [zipPart, ...parts], manifest: parseManifestJson(text, 'manifest.json'), bytes: stored.size };
      }
      if (!names.some((n) => n === 'METS.xml' || /^[^/]+\/METS\.xml$/.test(n))) {
        throw new ApiError(HttpStatus.BAD_REQUEST, 'The ZIP holds neither manifest.json nor an E-ARK package (METS.xml)', [
          { path: '', code: 'package_unrecognized', message: 'Expected manifest.json at the root, or METS.xml (TT 05/2025 SIP_hoso / AIP_hoso)' },
        ]);
      }
    } finally {
      zip.close();
    }
    // E-ARK SIP: structure and metadata now (a malformed package is a 400), data checksums in the job.
    const pkg = await readPackage(storeRangeSource(this.store, key, stored.size), { verifyData: false, limits });
    if (!pkg.ok) {
      throw new ApiError(
        HttpStatus.BAD_REQUEST,
        'The E-ARK package is not valid',
        pkg.errors.map((e) => ({ path: e.path ?? '', code: e.code, message: `${e.message.vi} / ${e.message.en}` })),
      );
    }
    const p = pkg.value;
    await p.close();
    const agencyId = actor.principal.agencyId ?? p.caseFile.fileCode.split('.').slice(0, 4).join('.');
    const agencyName = p.agents.find((a) => /creator|producer/i.test(a.role))?.name ?? agencyId;
    const manifest = { agency: { id: agencyId, name: agencyName }, files: [p.caseFile] };
    const parts = p.dataFiles.map<StagedPart>((f) => ({
      path: f.path,
      key,
      sha256: f.sha256,
      size: f.size,
      contentType: f.mimeType ?? 'application/octet-stream',
      fileName: null,
      zipEntry: f.path,
    }));
    return { kind: 'EARK_SIP', parts: [zipPart, ...parts], manifest, bytes: stored.size };
  }

  // -------------------------------------------------------------------------------------------
  // Commit

  private async commit(id: string, staged: Staged, actor: RequestActor, scope: string, idempotencyKey: string | null): Promise<ReceivedTransfer> {
    const manifest = staged.manifest as { agency?: { id?: unknown }; files?: unknown };
    const agencyId = typeof manifest.agency?.id === 'string' ? manifest.agency.id : null;
    if (actor.principal.agencyId && agencyId !== actor.principal.agencyId) {
      throw new ApiError(HttpStatus.FORBIDDEN, `A transfer may only be made for the caller's own agency (${actor.principal.agencyId})`, [
        { path: 'agency.id', code: 'agency_mismatch', message: `manifest agency ${String(agencyId)} is not the caller's agency ${actor.principal.agencyId}` },
      ]);
    }
    const files = Array.isArray(manifest.files) ? (manifest.files as Record<string, unknown>[]) : [];
    const fileCodes = [...new Set(files.map((f) => (f && typeof f.fileCode === 'string' ? f.fileCode.normalize('NFC') : null)).filter((c): c is string => !!c))];
    const fingerprint = contentFingerprint(files);

    // A reused Idempotency-Key answers its transfer only for the same request; another payload under it is
    // a client error (IETF draft-ietf-httpapi-idempotency-key-header: 422), never silently the old answer.
    if (idempotencyKey) {
      const earlier = await this.findByIdempotencyKey(scope, idempotencyKey);
      if (earlier) return this.replayOf(earlier, staged, idempotencyKey);
    }

    // The same content sent again (no or another Idempotency-Key): the original transfer, never a duplicate.
    if (fileCodes.length > 0) {
      const same: { id: string; status: string }[] = await this.db.query(
        `SELECT id, status FROM transfers WHERE file_codes && $1 AND content_fingerprint = $2
           AND status IN ('RECEIVED','PROCESSING','ACCEPTED','PARTIALLY_ACCEPTED') ORDER BY received_at LIMIT 1`,
        [fileCodes, fingerprint],
      );
      if (same[0]) {
        return { id: same[0].id, status: same[0].status, replay: true };
      }
      const live = await this.records.liveFileCodes(fileCodes);
      if (live.size === fileCodes.length) {
        throw new ApiError(
          HttpStatus.CONFLICT,
          fileCodes.length === 1 ? `Case file ${fileCodes[0]} is already archived` : 'Every case file of this transfer is already archived',
          fileCodes.map<ErrorDetail>((c) => ({ path: `files[${files.findIndex((f) => f?.fileCode === c)}].fileCode`, code: 'file_code_exists', message: `already archived as case file ${live.get(c)!.id}` })),
        );
      }
    }

    try {
      await this.db.transaction(async (m) => {
        await m.query(
          `INSERT INTO transfers (id, submitter_scope, agency_id, idempotency_key, body_kind, status, submitted_by, submitted_role,
             staging_prefix, byte_count, file_codes, content_fingerprint, parts, manifest)
           VALUES ($1,$2,$3,$4,$5,'RECEIVED',$6,$7,$8,$9,$10,$11,$12::jsonb,$13::jsonb)`,
          [
            id, scope, agencyId, idempotencyKey, staged.kind, actor.principal.actor, actor.principal.roles.join(',') || null,
            stagingPrefix(id), staged.bytes, fileCodes, fingerprint, JSON.stringify(staged.parts), JSON.stringify(staged.manifest),
          ],
        );
        await this.jobs.enqueue(m, TRANSFER_QUEUE, { transferId: id }, { dedupeKey: id, maxAttempts: 5 });
        await this.audit.record(m, {
          actor,
          action: 'transfer.receive',
          target: `transfer:${id}`,
          details: { agencyId, kind: staged.kind, bytes: staged.bytes, parts: staged.parts.length, fileCodes },
        });
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505' && idempotencyKey) {
        const earlier = await this.findByIdempotencyKey(scope, idempotencyKey);
        if (earlier) return this.replayOf(earlier, staged, idempotencyKey);
      }
      throw err;
    }
    return { id, status: 'RECEIVED', replay: false };
  }

  private async findByIdempotencyKey(scope: string, key: string): Promise<EarlierTransfer | null> {
    const rows: EarlierTransfer[] = await this.db.query(
      'SELECT id, status, manifest, parts FROM transfers WHERE submitter_scope = $1 AND idempotency_key = $2',
      [scope, key],
    );
    return rows[0] ?? null;
  }

  private replayOf(earlier: EarlierTransfer, staged: Staged, key: string): ReceivedTransfer {
    if (requestFingerprint(earlier.manifest, earlier.parts) !== requestFingerprint(staged.manifest, staged.parts)) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, `Idempotency-Key ${key} was already used for another request (transfer ${earlier.id})`, [
        { path: 'headers.idempotency-key', code: 'idempotency_key_reused', message: `transfer ${earlier.id} was made under this key with another manifest or other bytes` },
      ]);
    }
    return { id: earlier.id, status: earlier.status, replay: true };
  }

  /** Best effort: what is left behind is the janitor's (no catalogue row ever claims staging). */
  async discardStaging(transferId: string): Promise<void> {
    try {
      for await (const o of this.store.list(stagingPrefix(transferId))) await this.store.remove(o.key).catch(() => undefined);
    } catch (err) {
      this.logger.warn({ err, transferId }, 'could not discard staged objects; the janitor will');
    }
  }
}

/**
 * Archive keys of the documents a manifest announces (path → key), computed the way the processing job
 * does; a path whose key cannot be derived unambiguously is left out (it goes to staging and is copied).
 */
function planPlacement(manifestText: string, transferId: string): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  try {
    const m = JSON.parse(manifestText.replace(/^\uFEFF/, '')) as { agency?: { id?: unknown }; files?: unknown };
    const agencyId = m.agency?.id;
    if (typeof agencyId !== 'string' || !Array.isArray(m.files)) return out;
    for (const f of m.files as Record<string, unknown>[]) {
      if (typeof f?.fileCode !== 'string' || !Array.isArray(f.documents)) continue;
      const fileCode = f.fileCode.normalize('NFC');
      const year = parseFileCode(fileCode, { agencyId })?.year;
      if (!year) continue;
      const prefix = caseFilePrefix(agencyId, year, fileCode, transferId);
      for (const d of f.documents as Record<string, unknown>[]) {
        if (typeof d?.path !== 'string' || !Number.isInteger(d.docOrdinal) || (d.docOrdinal as number) < 1) continue;
        const path = d.path.normalize('NFC');
        const docCode = typeof d.docCode === 'string' ? d.docCode.normalize('NFC') : formatDocCode(fileCode, d.docOrdinal as number);
        const mime = typeof d.mimeType === 'string' ? d.mimeType : /\.pdf$/i.test(path) ? 'application/pdf' : undefined;
        const key = documentKey(prefix, docCode, path, mime);
        try {
          assertValidKey(key);
        } catch {
          continue;
        }
        if (taken.has(key) || out.has(path)) {
          // ambiguous (a duplicate the validation will reject): both go to staging
          for (const [p, k] of out) if (k === key || p === path) out.delete(p);
          continue;
        }
        taken.add(key);
        out.set(path, key);
      }
    }
  } catch {
    /* not JSON: the request is refused later anyway */
  }
  return out;
}

function parseManifestJson(text: string, path = 'manifest'): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ApiError(HttpStatus.BAD_REQUEST, 'The manifest is not valid JSON', [{ path, code: 'invalid_json', message: (e as Error).message }]);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ApiError(HttpStatus.BAD_REQUEST, 'The manifest must be a JSON object', [{ path, code: 'invalid_type', message: 'expected an object {agency, files}' }]);
  }
  const bad = firstUnstorable(v, '');
  if (bad !== null) {
    // PostgreSQL text/jsonb cannot hold NUL or lone surrogates; rewriting them would change what was sent.
    throw new ApiError(HttpStatus.BAD_REQUEST, 'The manifest contains a NUL character or broken Unicode', [
      { path: bad, code: 'invalid_character', message: 'strings may not contain U+0000 or unpaired surrogates' },
    ]);
  }
  const files = (v as { files?: unknown }).files;
  if (!Array.isArray(files) || files.length === 0) {
    throw new ApiError(HttpStatus.BAD_REQUEST, 'The manifest lists no case files', [{ path: 'files', code: 'required', message: 'files must be a non-empty array' }]);
  }
  return v;
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** NUL or an unpaired surrogate: neither survives PostgreSQL text. */
function isStorable(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/** The JSON path of the first key or string PostgreSQL could not store, or null. */
function firstUnstorable(v: unknown, path: string): string | null {
  if (typeof v === 'string') return isStorable(v) ? null : path;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = firstUnstorable(v[i], `${path}[${i}]`);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const here = path ? `${path}.${k}` : k;
      if (!isStorable(k)) return here;
      const bad = firstUnstorable(x, here);
      if (bad !== null) return bad;
    }
  }
  return null;
}

/** sha256 over the sorted (fileCode, path, sha256) lines: the identity of "the same transfer". */
function contentFingerprint(files: Record<string, unknown>[]): string {
  const lines: string[] = [];
  for (const f of files) {
    const docs = Array.isArray(f?.documents) ? (f.documents as Record<string, unknown>[]) : [];
    for (const d of docs) lines.push(`${String(f.fileCode)}\t${String(d?.path)}\t${String(d?.sha256 ?? '').toLowerCase()}`);
    if (docs.length === 0) lines.push(`${String(f?.fileCode)}`);
  }
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

/**
 * What makes two requests "the same" for an Idempotency-Key: the manifest (key order aside) and the bytes
 * of every part (path, SHA-256, size; a ZIP body is one part, so its bytes must be identical). Multipart
 * boundaries and part order do not count.
 */
// canonicalJson: object keys sorted, so a manifest read back from jsonb compares equal to the one received
function requestFingerprint(manifest: unknown, parts: Pick<StagedPart, 'path' | 'sha256' | 'size'>[]): string {
  const partLines = parts.map((p) => `${p.path}\t${p.sha256}\t${p.size}`).sort();
  return createHash('sha256').update(canonicalJson(manifest)).update('\n').update(partLines.join('\n')).digest('hex');
}

function badRequest(message: string, path: string, code: string): ApiError {
  return new ApiError(HttpStatus.BAD_REQUEST, message, [{ path, code, message }]);
}

function tooLarge(e: TooLargeError): ApiError {
  return new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, e.message, [{ path: '', code: 'too_large', message: `limit ${e.limit} bytes` }]);
}

function packageError(e: unknown, message: string): ApiError {
  const errors = (e as { errors?: { code: string; path?: string; message: { vi: string; en: string } }[] }).errors;
  const details: ErrorDetail[] = errors?.length
    ? errors.map((x) => ({ path: x.path ?? '', code: x.code, message: `${x.message.vi} / ${x.message.en}` }))
    : [{ path: '', code: 'ZIP_INVALID', message: (e as Error).message ?? String(e) }];
  return new ApiError(HttpStatus.BAD_REQUEST, message, details);
}
