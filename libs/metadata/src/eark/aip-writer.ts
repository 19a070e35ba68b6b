/**
 * Writes an AIP_hoso (TT 05/2025, E-ARK CSIP 2.0.4) as a ZIP stream. Metadata (METS, EAD, PREMIS)
 * is small and built in memory; the originals are pulled one at a time from their factories, stored
 * byte for byte (no recompression) and re-hashed on the way: a source whose bytes differ from the
 * declared size/SHA-256 fails the stream, so a package never claims a fixity it does not have.
 *
 * Layout (§2.5), inside a top folder named after the OBJID with `:` → `_` (§2.4):
 *   METS.xml · metadata/descriptive/EAD.xml · metadata/preservation/PREMIS.xml · schemas/* ·
 *   representations/rep1/{METS.xml, data/{fileCode}.{NNN}.{ext},
 *   metadata/descriptive/EAD_doc_{fileCode}.{NNN}.xml, metadata/preservation/PREMIS_rep1.xml}
 */
import { createHash, randomUUID } from 'node:crypto';
import * as posix from 'node:path/posix';
import { PassThrough, Readable, Transform, TransformCallback } from 'node:stream';
import * as yazl from 'yazl';
import type { ArchivalDocument, CaseFile } from '../model';
import { writeCaseFileEad, writeDocumentEad } from './ead';
import { EarkError, EarkFailure, EarkResult, earkError, toEarkErrors } from './errors';
import { MetsAgent, MetsFileRef, MetsMdRef, writeRepresentationMets, writeRootMets } from './mets';
import { safeName } from './paths';
import { isSha256 } from '../patterns';
import { PremisAgent, PremisEvent, PremisIdentifier, PremisObject, writePremis } from './premis';
import { verifyingStream } from './package-reader';
import { useNativeCrc32ForYazl } from './zip-crc32';

useNativeCrc32ForYazl();

export type SignatureOutcome = 'VALID' | 'INVALID' | 'INDETERMINATE' | 'UNSIGNED';

export interface AipFileInput {
  /** The document (by `docOrdinal` in `caseFile.documents`) this file is the content of. */
  docOrdinal: number;
  size: number;
  /** SHA-256 hex (any case) of the original, as stored. */
  sha256: string;
  /** Opens the original bytes; called once, when the ZIP reaches this file. */
  open(): Readable | Promise<Readable>;
  mimeType?: string;
  /** PREMIS formatName/formatVersion (e.g. `PDF/A-2b`, or `PDF` `1.7`). Default from the MIME type. */
  formatName?: string;
  formatVersion?: string;
  /** Name as received (PREMIS originalName). Default: the basename of the document's `path`. */
  originalName?: string;
  /** When the service checked this file's SHA-256 at ingest (PREMIS fixity check event). */
  fixityCheckedAt?: string | Date;
  /** Result of the signature validation (PREMIS event outcome). */
  signature?: { outcome: SignatureOutcome; dateTime?: string | Date; detail?: string };
}

export interface AipEventInput {
  /** PREMIS event type, e.g. `ingestion`, `metadata validation`, `virus check`. */
  type: string;
  dateTime: string | Date;
  outcome?: string;
  detail?: string;
  outcomeDetail?: string;
  /** Documents the event concerns; none = the package. */
  docOrdinals?: number[];
}

export interface AipInput {
  caseFile: CaseFile;
  files: AipFileInput[];
  /** Mã cơ quan lưu trữ; arcFileCode = archiveCode + "." + fileCode unless caseFile.arcFileCode is set. */
  archiveCode: string;
  /** Mã phông: OBJID becomes `urn:{fondsCode}:uuid-{UUID}` (else `urn:uuid:{UUID}`). */
  fondsCode?: string;
  /** Package UUID (upper-cased); random when absent. */
  uuid?: string;
  createdAt?: string | Date;
  /** Agency that formed the case file (METS CREATOR agent's organisation, PREMIS agent). */
  producer?: { id: string; name: string };
  /** The archive (METS ARCHIVIST agent, PREMIS agent). */
  archive?: { id?: string; name: string };
  software?: { name: string; version?: string };
  ingestedAt?: string | Date;
  metadataValidation?: { outcome: 'success' | 'failure' | 'warning'; dateTime?: string | Date; detail?: string };
  events?: AipEventInput[];
  recordStatus?: 'NEW' | 'SUPPLEMENT' | 'REPLACEMENT' | 'TEST' | 'OTHER';
  /** XSDs to ship in `schemas/` (the caller reads them; the library does no file I/O). */
  schemas?: { name: string; content: Buffer }[];
}

export interface AipManifestEntry {
  /** Path inside the package folder. */
  path: string;
  size: number;
  sha256: string;
  kind: 'metadata' | 'schema' | 'data';
}

export interface AipManifest {
  objId: string;
  packageName: string;
  zipName: string;
  /** The case file as written: arcFileCode, docCode and package paths filled in. */
  caseFile: CaseFile;
  entries: AipManifestEntry[];
  zipSize: number;
  zipSha256: string;
}

export interface AipWriter {
  objId: string;
  /** Folder name inside the ZIP (OBJID with `:` → `_`). */
  packageName: string;
  /** `${packageName}.zip`. */
  zipName: string;
  /** The ZIP bytes. Fails with an `EarkFailure` if an original does not match its size/SHA-256. */
  stream: Readable;
  /** Resolves once the stream has ended or failed; never rejects. */
  manifest: Promise<EarkResult<AipManifest>>;
}

const REP = 'rep1';
const SOFTWARE_DEFAULT = { name: 'archive-records-service', version: '0.1.0' };

/** Formats an instant as ISO 8601 in Vietnam time (`+07:00`), as TT 05 asks. */
export function toVietnamIso(d: string | Date): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return String(d);
  const local = new Date(date.getTime() + 7 * 3600_000);
  return local.toISOString().replace(/\.\d{3}Z$/, '+07:00');
}

const sha256Hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

const EXT_BY_MIME: Record<string, string> = {
  'application/pdf': '.pdf',
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/tiff': '.tif',
  'audio/mpeg': '.mp3',
  'video/mp4': '.mp4',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/msword': '.doc',
  'application/vnd.oasis.opendocument.text': '.odt',
  'text/plain': '.txt',
  'application/rtf': '.rtf',
};

function extensionOf(file: AipFileInput, doc: ArchivalDocument): string {
  const name = file.originalName ?? doc.path ?? '';
  const ext = posix.extname(name).toLowerCase();
  if (/^\.[a-z0-9]{1,8}$/.test(ext)) return ext;
  return EXT_BY_MIME[(file.mimeType ?? doc.mimeType ?? '').toLowerCase()] ?? '.bin';
}

function formatFromMime(mime: string | undefined): string | undefined {
  if (!mime) return undefined;
  if (mime === 'application/pdf') return 'PDF';
  return mime;
}

/**
 * Starts writing the AIP. Input problems are returned at once (nothing is streamed); problems met
 * while streaming (a source that fails or does not match) fail the stream and the manifest result.
 */
export function writeAip(input: AipInput): EarkResult<AipWriter> {
  try {
    return buildAip(input);
  } catch (e) {
    return { ok: false, errors: toEarkErrors(e), warnings: [] };
  }
}

function invalid(path: string, vi: string, en: string): EarkError {
  return earkError('AIP_INPUT_INVALID', path, vi, en);
}

function buildAip(input: AipInput): EarkResult<AipWriter> {
  const errors: EarkError[] = [];
  const cf = input.caseFile;
  if (!cf || typeof cf.fileCode !== 'string' || cf.fileCode.trim() === '') errors.push(invalid('caseFile.fileCode', 'Thiếu mã hồ sơ', 'fileCode is required'));
  if (!input.archiveCode || !/^[\p{L}\p{N}._-]+$/u.test(input.archiveCode)) errors.push(invalid('archiveCode', 'Mã cơ quan lưu trữ không hợp lệ', 'Invalid archive code'));
  if (input.fondsCode !== undefined && !/^[A-Za-z0-9._-]+$/.test(input.fondsCode)) errors.push(invalid('fondsCode', 'Mã phông không hợp lệ', 'Invalid fonds code'));
  const uuid = (input.uuid ?? randomUUID()).toUpperCase();
  if (!/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/.test(uuid)) errors.push(invalid('uuid', 'UUID không hợp lệ', 'Invalid UUID'));
  const docs = cf?.documents ?? [];
  const byOrdinal = new Map<number, ArchivalDocument>();
  docs.forEach((d, i) => {
    if (!Number.isInteger(d.docOrdinal) || d.docOrdinal < 1) errors.push(invalid(`caseFile.documents[${i}].docOrdinal`, 'Số thứ tự tài liệu không hợp lệ', 'Invalid docOrdinal'));
    else if (byOrdinal.has(d.docOrdinal)) errors.push(invalid(`caseFile.documents[${i}].docOrdinal`, 'Số thứ tự tài liệu bị trùng', 'Duplicate docOrdinal'));
    else byOrdinal.set(d.docOrdinal, d);
  });
  const fileByOrdinal = new Map<number, AipFileInput>();
  (input.files ?? []).forEach((f, i) => {
    const p = `files[${i}]`;
    if (!byOrdinal.has(f.docOrdinal)) errors.push(invalid(`${p}.docOrdinal`, 'Tệp không ứng với tài liệu nào', 'File matches no document'));
    else if (fileByOrdinal.has(f.docOrdinal)) errors.push(invalid(`${p}.docOrdinal`, 'Tài liệu có hơn một tệp', 'Document has more than one file'));
    const shaOk = isSha256(f.sha256);
    if (!shaOk) errors.push(invalid(`${p}.sha256`, 'SHA-256 không hợp lệ', 'Invalid SHA-256'));
    if (!Number.isSafeInteger(f.size) || f.size < 0) errors.push(invalid(`${p}.size`, 'Kích thước không hợp lệ', 'Invalid size'));
    if (typeof f.open !== 'function') errors.push(invalid(`${p}.open`, 'Thiếu hàm mở nội dung', 'open() is required'));
    const doc = byOrdinal.get(f.docOrdinal);
    if (doc?.sha256 && shaOk && doc.sha256.toLowerCase() !== f.sha256.toLowerCase()) {
      errors.push(invalid(`${p}.sha256`, 'SHA-256 của tệp khác SHA-256 của tài liệu', 'File SHA-256 differs from the document SHA-256'));
    }
    fileByOrdinal.set(f.docOrdinal, f);
  });
  for (const d of docs) {
    if (!fileByOrdinal.has(d.docOrdinal)) errors.push(invalid(`caseFile.documents[docOrdinal=${d.docOrdinal}]`, 'Tài liệu không có tệp nội dung', 'Document has no content file'));
  }
  for (const s of input.schemas ?? []) {
    if (!/^[A-Za-z0-9._-]+\.xsd$/.test(s.name)) errors.push(invalid(`schemas.${s.name}`, 'Tên tệp lược đồ không hợp lệ', 'Invalid schema file name'));
  }
  if (errors.length) return { ok: false, errors, warnings: [] };

  const objId = input.fondsCode ? `urn:${input.fondsCode}:uuid-${uuid}` : `urn:uuid:${uuid}`;
  const packageName = objId.replace(/:/g, '_');
  const created = toVietnamIso(input.createdAt ?? new Date());
  const mtime = new Date(input.createdAt ?? Date.now());
  const software = input.software ?? SOFTWARE_DEFAULT;
  // Same shapes as identifiers.formatArcFileCode / formatDocCode, without their strict validation:
  // the metadata was validated upstream and the package must still be writable for legacy codes.
  const arcFileCode = cf.arcFileCode ?? `${input.archiveCode}.${cf.fileCode}`;
  const fileStem = safeName(cf.fileCode);

  // ---- documents as written
  const ordered = [...docs].sort((a, b) => a.docOrdinal - b.docOrdinal);
  const pad = Math.max(3, String(ordered.length ? ordered[ordered.length - 1].docOrdinal : 0).length);
  interface Planned {
    doc: ArchivalDocument;
    file: AipFileInput;
    dataPath: string; // relative to the representation folder
    eadPath: string;
    eadXml: string;
    index: number;
  }
  const planned: Planned[] = ordered.map((doc, index) => {
    const file = fileByOrdinal.get(doc.docOrdinal)!;
    const stem = `${fileStem}.${String(doc.docOrdinal).padStart(pad, '0')}`;
    const written: ArchivalDocument = {
      ...doc,
      docCode: doc.docCode ?? `${cf.fileCode}.${String(doc.docOrdinal).padStart(7, '0')}`,
      sha256: file.sha256.toLowerCase(),
      size: file.size,
      mimeType: file.mimeType ?? doc.mimeType,
      path: `representations/${REP}/data/${stem}${extensionOf(file, doc)}`,
    };
    if (written.mimeType === undefined) delete written.mimeType;
    return {
      doc: written,
      file,
      dataPath: written.path.slice(`representations/${REP}/`.length),
      eadPath: `metadata/descriptive/EAD_doc_${stem}.xml`,
      eadXml: writeDocumentEad(written, 'AIP', arcFileCode),
      index: index + 1,
    };
  });
  const writtenCaseFile: CaseFile = { ...cf, arcFileCode, documents: planned.map((p) => p.doc) };

  // ---- PREMIS
  const agents: PremisAgent[] = [];
  const archiveAgent: PremisIdentifier = { type: 'local', value: `agent-archive-${input.archive?.id ?? input.archiveCode}` };
  agents.push({ id: archiveAgent, name: input.archive?.name ?? input.archiveCode, type: 'organization', note: input.archive?.id ?? input.archiveCode });
  const softwareAgent: PremisIdentifier = { type: 'local', value: `agent-software-${safeName(software.name)}` };
  agents.push({ id: softwareAgent, name: software.version ? `${software.name} ${software.version}` : software.name, type: 'software' });
  let producerAgent: PremisIdentifier | undefined;
  if (input.producer) {
    producerAgent = { type: 'local', value: `agent-producer-${input.producer.id}` };
    agents.push({ id: producerAgent, name: input.producer.name, type: 'organization', note: input.producer.id });
  }
  const entityId: PremisIdentifier = { type: 'local', value: objId };
  const repId: PremisIdentifier = { type: 'local', value: REP };
  const fileId = (p: Planned): PremisIdentifier => ({ type: 'local', value: p.doc.path });
  let eventNo = 0;
  const eventId = (): PremisIdentifier => ({ type: 'local', value: `event-${++eventNo}` });
  const executing = [{ id: softwareAgent, role: 'executing program' }, { id: archiveAgent, role: 'implementer' }];

  const packageEvents: PremisEvent[] = [
    { id: eventId(), type: 'information package creation', dateTime: created, outcome: 'success', detail: 'AIP_hoso (TT 05/2025/TT-BNV, E-ARK CSIP 2.0.4)', agents: executing, objects: [entityId] },
  ];
  const ingestedAt = input.ingestedAt ?? (input.events?.some((e) => e.type === 'ingestion') ? undefined : input.createdAt ?? new Date());
  if (ingestedAt !== undefined) {
    packageEvents.push({
      id: eventId(), type: 'ingestion', dateTime: toVietnamIso(ingestedAt), outcome: 'success',
      agents: [...executing, ...(producerAgent ? [{ id: producerAgent, role: 'authorizer' }] : [])], objects: [entityId],
    });
  }
  if (input.metadataValidation) {
    packageEvents.push({
      id: eventId(), type: 'metadata validation', dateTime: toVietnamIso(input.metadataValidation.dateTime ?? created),
      outcome: input.metadataValidation.outcome, outcomeDetail: input.metadataValidation.detail,
      detail: 'TT 05/2025/TT-BNV metadata', agents: [{ id: softwareAgent, role: 'validator' }], objects: [entityId],
    });
  }
  const repEvents: PremisEvent[] = [];
  for (const p of planned) {
    repEvents.push({
      id: eventId(), type: 'fixity check', dateTime: toVietnamIso(p.file.fixityCheckedAt ?? created), outcome: 'success',
      detail: 'SHA-256', outcomeDetail: `SHA-256 ${p.doc.sha256.toUpperCase()}`, agents: [{ id: softwareAgent, role: 'validator' }], objects: [fileId(p)],
    });
    if (p.file.signature) {
      repEvents.push({
        id: eventId(), type: 'signature validation', dateTime: toVietnamIso(p.file.signature.dateTime ?? created),
        outcome: p.file.signature.outcome, outcomeDetail: p.file.signature.detail, agents: [{ id: softwareAgent, role: 'validator' }], objects: [fileId(p)],
      });
    }
  }
  for (const e of input.events ?? []) {
    const targets = (e.docOrdinals ?? []).map((o) => planned.find((p) => p.doc.docOrdinal === o)).filter((p): p is Planned => !!p);
    const ev: PremisEvent = {
      id: eventId(), type: e.type, dateTime: toVietnamIso(e.dateTime), outcome: e.outcome, detail: e.detail, outcomeDetail: e.outcomeDetail,
      agents: executing, objects: targets.length ? targets.map(fileId) : [entityId],
    };
    (targets.length ? repEvents : packageEvents).push(ev);
  }
  const fileObjects: PremisObject[] = planned.map((p) => ({
    id: fileId(p),
    category: 'file',
    sha256: p.doc.sha256,
    size: p.file.size,
    formatName: p.file.formatName ?? formatFromMime(p.doc.mimeType),
    formatVersion: p.file.formatVersion,
    originalName: p.file.originalName ?? posix.basename(docs.find((d) => d.docOrdinal === p.doc.docOrdinal)?.path ?? p.dataPath),
    path: p.doc.path,
    linkingEvents: repEvents.filter((e) => e.objects.some((o) => o.value === p.doc.path)).map((e) => e.id),
  }));
  const premisRoot = writePremis({
    objects: [
      { id: entityId, category: 'intellectual entity', linkingEvents: packageEvents.map((e) => e.id) },
      { id: repId, category: 'representation' },
    ],
    events: packageEvents,
    agents,
  });
  const premisRep = writePremis({ objects: [{ id: repId, category: 'representation' }, ...fileObjects], events: repEvents, agents });

  // ---- METS
  const metsAgents: MetsAgent[] = [
    { role: 'CREATOR', type: 'OTHER', otherType: 'SOFTWARE', name: software.name, note: software.version, noteType: software.version ? 'SOFTWARE VERSION' : undefined },
    { role: 'ARCHIVIST', type: 'ORGANIZATION', name: input.archive?.name ?? input.archiveCode, note: input.archive?.id ?? input.archiveCode, noteType: 'IDENTIFICATIONCODE' },
    ...(input.producer ? [{ role: 'CREATOR' as const, type: 'ORGANIZATION' as const, name: input.producer.name, note: input.producer.id, noteType: 'IDENTIFICATIONCODE' as const }] : []),
  ];
  const header = { label: cf.title || undefined, packageType: 'AIP' as const, createDate: created, recordStatus: input.recordStatus ?? 'NEW', agents: metsAgents };
  const ref = (id: string, href: string, content: Buffer | string, mimeType = 'text/xml'): MetsFileRef => ({
    id, href, size: Buffer.byteLength(content), sha256: sha256Hex(content), mimeType, created,
  });
  const md = (r: MetsFileRef, mdType: MetsMdRef['mdType']): MetsMdRef => ({ ...r, mdType });

  const repDescriptive = planned.map((p) => md(ref(`uuid-dmd-doc-${p.index}`, p.eadPath, p.eadXml), 'EAD'));
  const repPreservation = [md(ref('uuid-premis-rep1', `metadata/preservation/PREMIS_${REP}.xml`, premisRep), 'PREMIS')];
  const repMets = writeRepresentationMets({
    ...header,
    objId: `${objId}:${REP}`,
    descriptive: repDescriptive,
    preservation: repPreservation,
    data: planned.map((p) => ({
      file: { id: `uuid-file-${p.index}`, href: p.dataPath, size: p.file.size, sha256: p.doc.sha256, mimeType: p.doc.mimeType ?? 'application/octet-stream', created },
      dmdId: `uuid-dmd-doc-${p.index}`,
    })),
  });
  const ead = writeCaseFileEad(writtenCaseFile, 'AIP', arcFileCode);
  const schemas = (input.schemas ?? []).map((s, i) => ({ ...s, ref: ref(`uuid-schema-${i + 1}`, `schemas/${s.name}`, s.content, 'application/xml') }));
  const rootMets = writeRootMets({
    ...header,
    objId,
    descriptive: [md(ref('uuid-dmd-ead', 'metadata/descriptive/EAD.xml', ead), 'EAD')],
    preservation: [md(ref('uuid-premis', 'metadata/preservation/PREMIS.xml', premisRoot), 'PREMIS')],
    schemas: schemas.map((s) => s.ref),
    documentation: [],
    representations: [{ name: REP, mets: ref(`uuid-mets-${REP}`, `representations/${REP}/METS.xml`, repMets) }],
  });

  // ---- ZIP stream
  const entries: AipManifestEntry[] = [];
  const zip = new yazl.ZipFile();
  const addXml = (path: string, content: string | Buffer, kind: AipManifestEntry['kind'] = 'metadata') => {
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    entries.push({ path, size: buf.length, sha256: sha256Hex(buf), kind });
    zip.addBuffer(buf, `${packageName}/${path}`, { mtime, compress: true });
  };
  addXml('METS.xml', rootMets);
  addXml('metadata/descriptive/EAD.xml', ead);
  addXml('metadata/preservation/PREMIS.xml', premisRoot);
  for (const s of schemas) addXml(`schemas/${s.name}`, s.content, 'schema');
  addXml(`representations/${REP}/METS.xml`, repMets);
  for (const p of planned) addXml(`representations/${REP}/${p.eadPath}`, p.eadXml);
  addXml(`representations/${REP}/metadata/preservation/PREMIS_${REP}.xml`, premisRep);

  const out = new PassThrough();
  let current: Readable | undefined;
  let failed = false;
  let settle!: (r: EarkResult<AipManifest>) => void;
  const manifest = new Promise<EarkResult<AipManifest>>((resolve) => (settle = resolve));
  const fail = (e: unknown) => {
    if (failed) return;
    failed = true;
    current?.destroy();
    const errs = toEarkErrors(e);
    settle({ ok: false, errors: errs, warnings: [] });
    out.destroy(new EarkFailure(errs));
  };

  for (const p of planned) {
    const path = `representations/${REP}/${p.dataPath}`;
    entries.push({ path, size: p.file.size, sha256: p.doc.sha256, kind: 'data' });
    zip.addReadStreamLazy(`${packageName}/${path}`, { size: p.file.size, mtime, compress: false }, (cb) => {
      if (failed) return;
      Promise.resolve()
        .then(() => p.file.open())
        .then((src) => {
          current = src;
          const v = verifyingStream(src, path, 'sha256', p.doc.sha256, p.file.size);
          v.on('error', fail);
          cb(null, src.pipe(v));
        })
        .catch((e: unknown) =>
          fail(e instanceof EarkFailure ? e : new EarkFailure(earkError('AIP_SOURCE_MISMATCH', path, `Không mở được tệp gốc: ${String(e)}`, `Could not open the original: ${String(e)}`))),
        );
    });
  }

  const zipHash = createHash('sha256');
  let zipSize = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback) {
      zipHash.update(chunk);
      zipSize += chunk.length;
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      if (!failed) {
        settle({
          ok: true,
          value: { objId, packageName, zipName: `${packageName}.zip`, caseFile: writtenCaseFile, entries, zipSize, zipSha256: zipHash.digest('hex') },
          warnings: [],
        });
      }
      cb();
    },
  });
  zip.on('error', (e: unknown) => fail(e instanceof EarkFailure ? e : new EarkFailure(earkError('AIP_SOURCE_MISMATCH', undefined, `Lỗi ghi gói: ${String(e)}`, `Package write failed: ${String(e)}`))));
  (zip.outputStream as Readable).on('error', fail);
  counter.on('error', fail);
  (zip.outputStream as Readable).pipe(counter).pipe(out);
  // A consumer that stops reading (client gone) must not leave an original open.
  out.on('close', () => {
    if (!out.readableEnded) fail(new EarkFailure(earkError('INTERNAL', undefined, 'Luồng gói bị đóng trước khi xong', 'Package stream closed before completion')));
  });
  zip.end();

  return { ok: true, value: { objId, packageName, zipName: `${packageName}.zip`, stream: out, manifest }, warnings: [] };
}
