/**
 * Validation of the transfer manifest, a case file and a document. Returns EVERY problem at once.
 *
 * Choices where the reference (VN-ARCHIVE-RULES.md) is unsure or silent — each documented in README.md:
 * - issuedDate after the file's endDate → ERROR (retention counts from endDate's year, so a later document
 *   would make the computed period end too early); before startDate → WARNING (older documents are often
 *   attached for reference; harmless to retention).
 * - `process` is required (error) when the document's OWN confidenceLevel is 01/03; when only the case file
 *   is born-digital/mixed, a missing `process` is a warning (the API's own manifest sample omits it).
 * - paperFileCode: error for confidenceLevel 02 (digitised), warning for 03 (mixed).
 * - riskRecoveryStatus iff riskRecovery (both directions are errors); riskRecovery itself is optional.
 * - retentionYears iff maintenance 07 (both directions are errors; null counts as absent).
 * - fileCode must start with the manifest's agency id (error): a submitter files under its own identifier.
 * - Duplicate documents in one manifest (NĐ 30 keys): warnings, the Văn thư decides.
 * - Unknown fields: warnings (the API allows additive fields; typos still surface).
 */
import { ArchivalDocument, CaseFile, Issue, Manifest, Recipient, Severity, ValidationResult } from './model';
import { CURRENT_CODE_LIST_VERSION, codeList, getCodeLists, findCode, CONFIDENCE_BORN_DIGITAL, CONFIDENCE_DIGITISED, CONFIDENCE_MIXED, MAINTENANCE_OTHER, MAINTENANCE_PERMANENT } from './codes';
import { AGENCY_FIELDS, CASE_FILE_FIELDS, DATE_PATTERNS, DOCUMENT_FIELDS, FieldSpec, MAX_DOCUMENTS_PER_FILE, MAX_DOCUMENTS_TOTAL, MAX_FILES, MAX_RECIPIENTS, RECIPIENT_FIELDS } from './fields';
import { message } from './messages';
import { formatDocCode, isValidArchiveCode, normalizeVietnamese, looseNumberNotationKey, numberNotationKey, parseArcFileCode, parseFileCode } from './identifiers';
import { lowerBound, parsePartialIsoDate, upperBound } from './dates';
import { caseFileRetention, compareRetention, periodOf } from './retention';

export interface ValidateOptions {
  /** Code-list version to validate against (default: current). */
  codeListVersion?: string;
  /** Transfer to a historical archive (nộp lưu vào lưu trữ lịch sử): only maintenance 01 is accepted. */
  historicalArchive?: boolean;
}

export interface CaseFileValidateOptions extends ValidateOptions {
  /** Submitting agency: the fileCode must start with it. */
  agencyId?: string;
  /** Prefix of issue paths, e.g. `files[0]`. */
  basePath?: string;
}

export interface DocumentValidateOptions extends ValidateOptions {
  /** The enclosing case file (already validated or raw), for inherited and cross-field rules. */
  file?: Partial<Pick<CaseFile, 'fileCode' | 'startDate' | 'endDate' | 'confidenceLevel' | 'maintenance'>>;
  basePath?: string;
}

class Ctx {
  readonly issues: Issue[] = [];
  constructor(readonly version: string, readonly opts: ValidateOptions) {}
  add(path: string, code: string, severity: Severity = 'error', params: Record<string, string | number | undefined> = {}): void {
    // Echoed input is truncated: a hostile 10 MB value must not be copied into every message.
    const safe: Record<string, string | number | undefined> = {};
    for (const [k, v] of Object.entries(params)) safe[k] = typeof v === 'string' && v.length > 80 ? v.slice(0, 80) + '…' : v;
    this.issues.push({ path: path.length > 300 ? path.slice(0, 300) + '…' : path, code, severity, message: message(code, safe) });
  }
}

const join = (base: string, key: string | number): string =>
  typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const has = (o: Record<string, unknown>, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

const KIND_NAMES: Record<string, [string, string]> = {
  string: ['string', 'chuỗi ký tự'],
  integer: ['integer', 'số nguyên'],
  boolean: ['boolean (true/false, 1/0)', 'logic (true/false, 1/0)'],
  date: ['date string YYYY-MM-DD', 'ngày dạng YYYY-MM-DD'],
  partialDate: ['date string YYYY-MM-DD, YYYY-MM or YYYY', 'ngày dạng YYYY-MM-DD, YYYY-MM hoặc YYYY'],
  code: ['code string such as "01"', 'mã dạng "01"'],
  codes: ['code string such as "01" or "01,06"', 'mã dạng "01" hoặc "01,06"'],
  recipients: ['array of recipients', 'danh sách nơi nhận'],
  object: ['object', 'đối tượng'],
  array: ['array', 'mảng'],
};

function typeIssue(ctx: Ctx, path: string, kind: string): void {
  const [en, vi] = KIND_NAMES[kind] ?? [kind, kind];
  ctx.add(path, 'invalid_type', 'error', { expected: en, expectedVi: vi });
}

const regexCache = new Map<string, RegExp>();
function compiled(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let re = regexCache.get(key);
  if (!re) regexCache.set(key, (re = new RegExp(source, flags)));
  return re;
}

/** Validates one field; returns the normalised value or undefined (absent or invalid). */
function checkField(ctx: Ctx, path: string, spec: FieldSpec, raw: unknown): unknown {
  const codeVersion = ctx.version;
  switch (spec.kind) {
    case 'string': {
      if (typeof raw !== 'string') return typeIssue(ctx, path, 'string');
      const v = raw.normalize('NFC');
      if (spec.required && v.trim() === '') return ctx.add(path, 'empty');
      if (!spec.required && v === '') return undefined; // "" = not given (e-office exports)
      let ok = true;
      if (spec.max !== undefined && v.length > spec.max && (v.length > 2 * spec.max || [...v].length > spec.max)) {
        ctx.add(path, 'too_long', spec.softSeverity ?? 'error', { max: spec.max });
        ok = spec.softSeverity === 'warning';
      }
      if (spec.pattern && !compiled(spec.pattern, spec.patternFlags ?? '').test(v)) {
        ctx.add(path, spec.patternCode ?? 'invalid_format', spec.softSeverity ?? 'error');
        ok = spec.softSeverity === 'warning';
      }
      return ok ? v : undefined;
    }
    case 'integer': {
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return typeIssue(ctx, path, 'integer');
      if (!Number.isInteger(raw)) return ctx.add(path, 'invalid_integer');
      const min = spec.min ?? Number.MIN_SAFE_INTEGER;
      const max = spec.maxValue ?? Number.MAX_SAFE_INTEGER;
      if (raw < min || raw > max) return ctx.add(path, 'out_of_range', 'error', { min, max });
      return raw;
    }
    case 'boolean': {
      if (raw === true || raw === 1 || raw === '1') return true;
      if (raw === false || raw === 0 || raw === '0') return false;
      return typeIssue(ctx, path, 'boolean');
    }
    case 'date':
    case 'partialDate': {
      if (typeof raw !== 'string') return typeIssue(ctx, path, spec.kind);
      if (!compiled(DATE_PATTERNS[spec.kind], 'u').test(raw)) {
        return ctx.add(path, 'invalid_date', 'error', { format: spec.kind === 'date' ? 'YYYY-MM-DD' : 'YYYY-MM-DD | YYYY-MM | YYYY' });
      }
      return raw;
    }
    case 'code': {
      if (typeof raw !== 'string') return typeIssue(ctx, path, 'code');
      if (!findCode(spec.list!, raw, codeVersion)) {
        return ctx.add(path, 'unknown_code', 'error', { value: raw, list: spec.list, version: codeVersion });
      }
      return raw;
    }
    case 'codes': {
      let parts: unknown[];
      if (typeof raw === 'string') parts = raw.split(/\s*[,;]\s*/);
      else if (Array.isArray(raw) && raw.length > 0) parts = raw;
      else return typeIssue(ctx, path, 'codes');
      let ok = true;
      for (const p of parts) {
        if (typeof p !== 'string') {
          typeIssue(ctx, path, 'codes');
          return undefined;
        }
        if (!findCode(spec.list!, p, codeVersion)) {
          ctx.add(path, 'unknown_code', 'error', { value: p, list: spec.list, version: codeVersion });
          ok = false;
        }
      }
      if (!ok) return undefined;
      const joined = [...new Set(parts as string[])].join(',');
      if (spec.max !== undefined && joined.length > spec.max) return ctx.add(path, 'too_long', 'error', { max: spec.max });
      return joined;
    }
    case 'recipients': {
      if (!Array.isArray(raw)) return typeIssue(ctx, path, 'recipients');
      if (raw.length > MAX_RECIPIENTS) return ctx.add(path, 'too_large', 'error', { max: MAX_RECIPIENTS });
      const out: Recipient[] = [];
      raw.forEach((r, i) => {
        const v = checkObject(ctx, join(path, i), RECIPIENT_FIELDS, r);
        if (v) out.push(v as unknown as Recipient);
      });
      return out;
    }
  }
}

/** Checks the declared fields of an object; unknown keys (other than `extra`) are warnings. */
function checkObject(
  ctx: Ctx,
  path: string,
  specs: Record<string, FieldSpec>,
  raw: unknown,
  extra: string[] = [],
): Record<string, unknown> | undefined {
  if (!isPlainObject(raw)) {
    typeIssue(ctx, path, 'object');
    return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const p = join(path, name);
    const present = has(raw, name) && raw[name] !== undefined && raw[name] !== null;
    if (!present) {
      if (spec.required) ctx.add(p, 'required');
      continue;
    }
    const v = checkField(ctx, p, spec, raw[name]);
    if (v !== undefined) out[name] = v;
  }
  for (const k of Object.keys(raw)) {
    if (!has(specs, k) && !extra.includes(k)) ctx.add(join(path, k), 'unknown_field', 'warning', { field: k });
  }
  return out;
}

const errorsSince = (ctx: Ctx, mark: number): boolean => ctx.issues.slice(mark).some((i) => i.severity === 'error');

function checkRetentionConditional(ctx: Ctx, path: string, raw: Record<string, unknown>, out: Record<string, unknown>): void {
  const maint = out.maintenance;
  const ry = raw.retentionYears;
  const given = ry !== undefined && ry !== null;
  if (maint === MAINTENANCE_OTHER && !given) ctx.add(join(path, 'retentionYears'), 'retention_years_required');
  if (maint !== undefined && maint !== MAINTENANCE_OTHER && given) ctx.add(join(path, 'retentionYears'), 'retention_years_not_allowed');
  if (ctx.opts.historicalArchive && maint !== undefined && maint !== MAINTENANCE_PERMANENT) {
    ctx.add(join(path, 'maintenance'), 'maintenance_must_be_permanent');
  }
}

function checkRiskRecovery(ctx: Ctx, path: string, raw: Record<string, unknown>, out: Record<string, unknown>): void {
  const statusGiven = raw.riskRecoveryStatus !== undefined && raw.riskRecoveryStatus !== null;
  if (out.riskRecovery === true && !statusGiven) ctx.add(join(path, 'riskRecoveryStatus'), 'risk_recovery_status_required');
  // Only when riskRecovery is validly false/absent: a malformed riskRecovery already has its own issue.
  const rrInvalid = raw.riskRecovery !== undefined && raw.riskRecovery !== null && out.riskRecovery === undefined;
  if (out.riskRecovery !== true && !rrInvalid && statusGiven) ctx.add(join(path, 'riskRecoveryStatus'), 'risk_recovery_status_not_allowed');
}

function docInternal(ctx: Ctx, path: string, raw: unknown, file: DocumentValidateOptions['file']): ArchivalDocument | undefined {
  const mark = ctx.issues.length;
  const out = checkObject(ctx, path, DOCUMENT_FIELDS, raw);
  if (!out || !isPlainObject(raw)) return undefined;

  checkRetentionConditional(ctx, path, raw, out);
  checkRiskRecovery(ctx, path, raw, out);
  if (typeof out.sha256 === 'string') out.sha256 = out.sha256.toLowerCase();

  // process: mandatory for born-digital documents processed in the Hệ thống (confidenceLevel 01/03).
  const processGiven = raw.process !== undefined && raw.process !== null;
  if (!processGiven) {
    const own = out.confidenceLevel;
    const bornDigital = (c: unknown) => c === CONFIDENCE_BORN_DIGITAL || c === CONFIDENCE_MIXED;
    if (bornDigital(own)) ctx.add(join(path, 'process'), 'process_required');
    else if (own === undefined && raw.confidenceLevel == null && bornDigital(file?.confidenceLevel)) {
      ctx.add(join(path, 'process'), 'process_recommended', 'warning');
    }
  }

  if (out.codeNumber !== undefined && out.codeNotation === undefined && raw.codeNotation == null) {
    ctx.add(join(path, 'codeNotation'), 'code_number_without_notation', 'warning');
  }

  // Ký hiệu starts with the type abbreviation (NĐ 30 Phụ lục III, e.g. `QĐ-SNV` for Quyết định). Warn only
  // when it names ANOTHER type: Công văn and free notations carry no abbreviation.
  if (typeof out.typeName === 'string' && typeof out.codeNotation === 'string') {
    const first = normalizeVietnamese(out.codeNotation).split(/[-/]/)[0];
    const own = findCode('typeName', out.typeName, ctx.version);
    const other = codeList('typeName', ctx.version).find((e) => e.abbr === first && e.code !== out.typeName);
    if (other && own?.abbr !== first) {
      ctx.add(join(path, 'codeNotation'), 'notation_type_mismatch', 'warning', { abbr: first, typeName: other.vi });
    }
  }

  // docCode = fileCode + 7-digit ordinal.
  if (typeof out.docCode === 'string' && typeof out.docOrdinal === 'number' && typeof file?.fileCode === 'string') {
    const expected = formatDocCode(file.fileCode, out.docOrdinal);
    if (out.docCode !== expected) ctx.add(join(path, 'docCode'), 'doc_code_mismatch', 'error', { expected });
  }

  // Dates against the file span.
  const issued = typeof out.issuedDate === 'string' ? parsePartialIsoDate(out.issuedDate) : null;
  if (issued && file) {
    const end = typeof file.endDate === 'string' ? parsePartialIsoDate(file.endDate) : null;
    const start = typeof file.startDate === 'string' ? parsePartialIsoDate(file.startDate) : null;
    if (end && lowerBound(issued) > upperBound(end)) ctx.add(join(path, 'issuedDate'), 'issued_after_file_end');
    if (start && upperBound(issued) < lowerBound(start)) ctx.add(join(path, 'issuedDate'), 'issued_before_file_start', 'warning');
  }
  if (issued && typeof out.arrivalDate === 'string') {
    const arr = parsePartialIsoDate(out.arrivalDate);
    if (arr && lowerBound(arr) < lowerBound(issued)) ctx.add(join(path, 'arrivalDate'), 'arrival_before_issue', 'warning');
  }

  out.codeListVersion = ctx.version;
  return errorsSince(ctx, mark) ? undefined : (out as unknown as ArchivalDocument);
}

function fileInternal(ctx: Ctx, path: string, raw: unknown, agencyId: string | undefined): CaseFile | undefined {
  const mark = ctx.issues.length;
  const out = checkObject(ctx, path, CASE_FILE_FIELDS, raw, ['documents']);
  if (!out || !isPlainObject(raw)) {
    return undefined;
  }

  // fileCode structure and owner.
  if (typeof out.fileCode === 'string') {
    const fc = parseFileCode(out.fileCode);
    if (!fc) ctx.add(join(path, 'fileCode'), 'invalid_file_code');
    else if (agencyId !== undefined && !parseFileCode(out.fileCode, { agencyId })) {
      ctx.add(join(path, 'fileCode'), 'file_code_agency_mismatch', 'error', { agencyId });
    } else if (typeof out.startDate === 'string' && typeof out.endDate === 'string') {
      const s = parsePartialIsoDate(out.startDate);
      const e = parsePartialIsoDate(out.endDate);
      // Năm hình thành hồ sơ should fall within the file's span.
      if (s && e && (fc.year < s.year || fc.year > e.year)) {
        ctx.add(join(path, 'fileCode'), 'file_code_year_mismatch', 'warning', { year: fc.year });
      }
    }
  }

  if (typeof out.arcFileCode === 'string' && typeof out.fileCode === 'string') {
    // Mã hồ sơ lưu trữ = mã cơ quan lưu trữ + mã hồ sơ: it must end with this file's code.
    const arc = parseArcFileCode(out.arcFileCode);
    if (!out.arcFileCode.endsWith('.' + out.fileCode) || !arc || !isValidArchiveCode(out.arcFileCode.slice(0, -out.fileCode.length - 1))) {
      ctx.add(join(path, 'arcFileCode'), 'arc_file_code_mismatch');
    }
  }

  checkRetentionConditional(ctx, path, raw, out);
  checkRiskRecovery(ctx, path, raw, out);

  if (out.confidenceLevel === CONFIDENCE_DIGITISED && out.paperFileCode === undefined && raw.paperFileCode == null) {
    ctx.add(join(path, 'paperFileCode'), 'paper_file_code_required');
  } else if (out.confidenceLevel === CONFIDENCE_MIXED && out.paperFileCode === undefined && raw.paperFileCode == null) {
    ctx.add(join(path, 'paperFileCode'), 'paper_file_code_recommended', 'warning');
  }
  if (typeof out.paperFileCode === 'string' && out.paperFileCode.split('.').filter((s) => s.trim()).length < 3) {
    ctx.add(join(path, 'paperFileCode'), 'invalid_paper_file_code', 'warning');
  }

  const start = typeof out.startDate === 'string' ? parsePartialIsoDate(out.startDate) : null;
  const end = typeof out.endDate === 'string' ? parsePartialIsoDate(out.endDate) : null;
  if (start && end && lowerBound(start) > upperBound(end)) ctx.add(join(path, 'startDate'), 'start_after_end');

  // Documents.
  const docsPath = join(path, 'documents');
  const docs: ArchivalDocument[] = [];
  const rawDocs = raw.documents;
  if (rawDocs === undefined || rawDocs === null) ctx.add(docsPath, 'required');
  else if (!Array.isArray(rawDocs)) typeIssue(ctx, docsPath, 'array');
  // A hồ sơ transferred without any tài liệu has nothing to archive.
  else if (rawDocs.length === 0) ctx.add(docsPath, 'empty');
  else if (rawDocs.length > MAX_DOCUMENTS_PER_FILE) ctx.add(docsPath, 'too_large', 'error', { max: MAX_DOCUMENTS_PER_FILE });
  else {
    const fileCtx = {
      fileCode: typeof out.fileCode === 'string' ? out.fileCode : undefined,
      startDate: start ? (out.startDate as string) : undefined,
      endDate: end ? (out.endDate as string) : undefined,
      confidenceLevel: out.confidenceLevel as string | undefined,
      maintenance: out.maintenance as string | undefined,
    };
    const ordinals = new Map<number, number>();
    rawDocs.forEach((d, i) => {
      const dp = join(docsPath, i);
      const v = docInternal(ctx, dp, d, fileCtx);
      // docCode is derived (fileCode + 7-digit ordinal) when the submitter did not give it.
      if (v && v.docCode === undefined && fileCtx.fileCode && parseFileCode(fileCtx.fileCode)) {
        v.docCode = formatDocCode(fileCtx.fileCode, v.docOrdinal);
      }
      if (v) docs.push(v);
      const ord = isPlainObject(d) ? d.docOrdinal : undefined;
      if (typeof ord === 'number' && Number.isInteger(ord)) {
        if (ordinals.has(ord)) ctx.add(join(dp, 'docOrdinal'), 'duplicate_doc_ordinal', 'error', { value: ord });
        else ordinals.set(ord, i);
      }
    });

    // totalDoc counts every item of the file, so it must equal the documents given.
    if (typeof out.totalDoc === 'number' && out.totalDoc !== rawDocs.length) {
      ctx.add(join(path, 'totalDoc'), 'total_doc_mismatch', 'error', { declared: out.totalDoc, actual: rawDocs.length });
    }
    if (ordinals.size === rawDocs.length && rawDocs.length > 0) {
      const max = Math.max(...ordinals.keys());
      if (max !== rawDocs.length) ctx.add(docsPath, 'doc_ordinal_gap', 'warning');
    }
    if (typeof out.numberOfPage === 'number' && docs.length === rawDocs.length && docs.length > 0) {
      const sum = docs.reduce((a, d) => a + d.numberOfPage, 0);
      if (sum !== out.numberOfPage) ctx.add(join(path, 'numberOfPage'), 'page_total_mismatch', 'warning', { declared: out.numberOfPage, actual: sum });
    }

    // A case file takes the longest period of its documents (never shorter): tell the submitter.
    if (typeof out.maintenance === 'string') {
      const own = periodOf(out as { maintenance: string; retentionYears?: number | null }, ctx.version);
      const eff = caseFileRetention({ ...(out as { maintenance: string }), documents: docs }, ctx.version);
      if (own !== undefined && eff !== undefined && compareRetention(eff, own) > 0) {
        ctx.add(join(path, 'maintenance'), 'retention_raised_by_document', 'warning', { years: eff === null ? 'vĩnh viễn / permanent' : eff });
      }
    }
    checkDuplicates(ctx, docsPath, docs, rawDocs);
  }

  if (errorsSince(ctx, mark)) return undefined;
  return { ...(out as unknown as CaseFile), documents: docs, codeListVersion: ctx.version };
}

/** NĐ 30 duplicate alerts inside one case file (warnings). */
function checkDuplicates(ctx: Ctx, docsPath: string, docs: ArchivalDocument[], rawDocs: unknown[]): void {
  const strict = new Map<string, string>();
  const loose = new Map<string, string>();
  rawDocs.forEach((d, i) => {
    if (!isPlainObject(d)) return;
    const input = {
      codeNumber: typeof d.codeNumber === 'string' ? d.codeNumber : undefined,
      codeNotation: typeof d.codeNotation === 'string' ? d.codeNotation : undefined,
      organId: typeof d.organId === 'string' ? d.organId : undefined,
      organName: typeof d.organName === 'string' ? d.organName : undefined,
      issuedDate: typeof d.issuedDate === 'string' ? d.issuedDate : undefined,
    };
    const p = join(docsPath, i);
    const sk = numberNotationKey(input);
    const lk = looseNumberNotationKey(input);
    if (sk && strict.has(sk)) ctx.add(p, 'duplicate_document', 'warning', { other: strict.get(sk) });
    else if (lk && loose.has(lk)) ctx.add(p, 'possible_duplicate_document', 'warning', { other: loose.get(lk) });
    if (sk && !strict.has(sk)) strict.set(sk, p);
    if (lk && !loose.has(lk)) loose.set(lk, p);
  });
  void docs;
}

function countDocuments(files: unknown[]): number {
  return files.reduce<number>((n, f) => n + (isPlainObject(f) && Array.isArray(f.documents) ? f.documents.length : 0), 0);
}

function result<T>(ctx: Ctx, value: T | undefined): ValidationResult<T> {
  const ok = !ctx.issues.some((i) => i.severity === 'error');
  return ok && value !== undefined
    ? { ok: true, value, issues: ctx.issues, codeListVersion: ctx.version }
    : { ok: false, issues: ctx.issues, codeListVersion: ctx.version };
}

function makeCtx(opts: ValidateOptions): Ctx {
  const version = opts.codeListVersion ?? CURRENT_CODE_LIST_VERSION;
  getCodeLists(version); // throws on an unknown version: a programming error, not bad input
  return new Ctx(version, opts);
}

/** Validates a single document (văn bản). */
export function validateDocument(input: unknown, opts: DocumentValidateOptions = {}): ValidationResult<ArchivalDocument> {
  const ctx = makeCtx(opts);
  const v = docInternal(ctx, opts.basePath ?? '', input, opts.file);
  return result(ctx, v);
}

/** Validates a single case file (hồ sơ) with its documents. */
export function validateCaseFile(input: unknown, opts: CaseFileValidateOptions = {}): ValidationResult<CaseFile> {
  const ctx = makeCtx(opts);
  const v = fileInternal(ctx, opts.basePath ?? '', input, opts.agencyId);
  return result(ctx, v);
}

/** Validates the JSON manifest of `POST /transfers` (API.md). */
export function validateManifest(input: unknown, opts: ValidateOptions = {}): ValidationResult<Manifest> {
  const ctx = makeCtx(opts);
  if (!isPlainObject(input)) {
    typeIssue(ctx, '', 'object');
    return result<Manifest>(ctx, undefined);
  }
  const agency =
    input.agency === undefined || input.agency === null
      ? (ctx.add('agency', 'required'), undefined)
      : checkObject(ctx, 'agency', AGENCY_FIELDS, input.agency);
  for (const k of Object.keys(input)) {
    if (k !== 'agency' && k !== 'files') ctx.add(k, 'unknown_field', 'warning', { field: k });
  }
  const files: CaseFile[] = [];
  const rawFiles = input.files;
  if (rawFiles === undefined || rawFiles === null) ctx.add('files', 'required');
  else if (!Array.isArray(rawFiles)) typeIssue(ctx, 'files', 'array');
  else if (rawFiles.length === 0) ctx.add('files', 'empty');
  else if (rawFiles.length > MAX_FILES) ctx.add('files', 'too_large', 'error', { max: MAX_FILES });
  else if (countDocuments(rawFiles) > MAX_DOCUMENTS_TOTAL) ctx.add('files', 'too_large', 'error', { max: MAX_DOCUMENTS_TOTAL });
  else {
    const agencyId = typeof agency?.id === 'string' ? agency.id : undefined;
    const fileCodes = new Map<string, number>();
    const paths = new Map<string, string>();
    rawFiles.forEach((f, i) => {
      const fp = join('files', i);
      const v = fileInternal(ctx, fp, f, agencyId);
      if (v) files.push(v);
      if (!isPlainObject(f)) return;
      if (typeof f.fileCode === 'string') {
        if (fileCodes.has(f.fileCode)) ctx.add(join(fp, 'fileCode'), 'duplicate_file_code', 'error', { value: f.fileCode });
        else fileCodes.set(f.fileCode, i);
      }
      if (Array.isArray(f.documents)) {
        f.documents.forEach((d, j) => {
          if (!isPlainObject(d) || typeof d.path !== 'string') return;
          // Case- and normalisation-insensitive: two names that collide on a case-insensitive or
          // normalising file system are the same file.
          const key = d.path.normalize('NFC').toLowerCase();
          const pp = join(join(join(fp, 'documents'), j), 'path');
          if (paths.has(key)) ctx.add(pp, 'duplicate_path', 'error', { value: d.path });
          else paths.set(key, pp);
        });
      }
    });
  }
  const value = agency && !ctx.issues.some((i) => i.severity === 'error') ? ({ agency, files } as unknown as Manifest) : undefined;
  return result(ctx, value);
}
