/**
 * Identifiers of §2.4: mã định danh cơ quan, fileCode (mã hồ sơ), docCode, arcFileCode and the document
 * identifier (mã định danh văn bản), plus the NĐ 30 duplicate-detection keys.
 *
 * Separators: every composite code is dot-joined, as the TT 05 samples show (`H49.64.33.2001.160`,
 * docId `H49.64.33.2001.160.1`); the document identifier ends with `số/ký hiệu` (`…2024.15/QĐ-SNV`).
 */

// ---------------------------------------------------------------------------------------------------
// Vietnamese normalisation
// ---------------------------------------------------------------------------------------------------

/**
 * Canonical text for comparison: NFC (Vietnamese precomposed letters; NFD input from macOS or some
 * e-office exports otherwise compares unequal), look-alike letters folded to Đ/đ (Icelandic Ð U+00D0 and
 * African Ɖ U+0189 render exactly like Đ U+0110), dash variants to `-`, full-width `／` to `/`, and
 * whitespace collapsed.
 */
export function normalizeVietnamese(s: string): string {
  return s
    .normalize('NFC')
    .replace(/[\u00D0\u0189]/g, '\u0110')
    .replace(/[\u00F0\u0256]/g, '\u0111')
    .replace(/[\u2010\u2011\u2012\u2013\u2014\u2212\uFE63\uFF0D]/g, '-')
    .replace(/\uFF0F/g, '/')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Removes Vietnamese diacritics and folds Đ→D (for "possible duplicate" keys and accent-insensitive search). */
export function foldVietnamese(s: string): string {
  return normalizeVietnamese(s)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\u0110/g, 'D')
    .replace(/\u0111/g, 'd')
    .normalize('NFC');
}

// ---------------------------------------------------------------------------------------------------
// Mã định danh cơ quan (QĐ 20/2020/QĐ-TTg): 13 chars `A1A2A3.B1B2.C1C2.D1D2D3`, e.g. `000.00.12.H05`
// (D1 letter: G ministries/central bodies, H provinces; shape [I] in the reference).
// ---------------------------------------------------------------------------------------------------

export const AGENCY_ID_PATTERN = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;
const AGENCY_ID_SEGMENTS = [/^\d{3}$/, /^\d{2}$/, /^\d{2}$/, /^[A-Z]\d{2}$/];

export interface AgencyId {
  level4: string; // A1A2A3
  level3: string; // B1B2
  level2: string; // C1C2
  level1: string; // D1D2D3 (e.g. H05)
}

/** Trims and upper-cases (the letter of level 1 is sometimes typed in lower case). */
export function normalizeAgencyId(s: string): string {
  return s.trim().toUpperCase();
}

export function isValidAgencyId(s: unknown): s is string {
  return typeof s === 'string' && AGENCY_ID_PATTERN.test(s);
}

export function parseAgencyId(s: string): AgencyId | null {
  const t = normalizeAgencyId(s);
  if (!AGENCY_ID_PATTERN.test(t)) return null;
  const [level4, level3, level2, level1] = t.split('.');
  return { level4, level3, level2, level1 };
}

export function formatAgencyId(a: AgencyId): string {
  const s = `${a.level4}.${a.level3}.${a.level2}.${a.level1}`;
  if (!AGENCY_ID_PATTERN.test(s)) throw new Error(`invalid agency id parts: ${s}`);
  return s;
}

function isAgencySegments(segs: string[]): boolean {
  return segs.length === 4 && segs.every((s, i) => AGENCY_ID_SEGMENTS[i].test(s));
}

// ---------------------------------------------------------------------------------------------------
// fileCode (mã hồ sơ) = owner (mã định danh cơ quan, or mã phông of a closed fonds) + năm + số và ký hiệu hồ sơ
// ---------------------------------------------------------------------------------------------------

/** Số và ký hiệu hồ sơ (NĐ 30: String 20), e.g. `01.TCCB`: letters, digits, `.`, `-`, `_`, `/`. */
export const FILE_NOTATION_PATTERN = /^[\p{L}\p{N}]+(?:[._/-][\p{L}\p{N}]+)*$/u;
export const FILE_NOTATION_MAX = 20;
export const FILE_CODE_MAX = 100;
const YEAR_SEGMENT = /^\d{4}$/;

export interface FileCode {
  /** Mã định danh cơ quan (or another owner code such as a mã phông). */
  ownerCode: string;
  /** = ownerCode when it is a mã định danh cơ quan. */
  agencyId?: string;
  /** true when ownerCode has the shape of a mã định danh cơ quan. */
  ownerIsAgencyId: boolean;
  year: number;
  /** Số và ký hiệu hồ sơ, e.g. `01.TCCB`. */
  fileNotation: string;
}

export function isValidFileNotation(s: unknown): s is string {
  return typeof s === 'string' && s.length <= FILE_NOTATION_MAX && FILE_NOTATION_PATTERN.test(s);
}

function ownerSegmentsOk(segs: string[]): boolean {
  return segs.length > 0 && segs.every((s) => /^[\p{L}\p{N}_-]+$/u.test(s));
}

/**
 * Parses a fileCode. When `agencyId` is given the code must start with it. Otherwise an agency-id-shaped
 * prefix is preferred, then the first 4-digit segment after a non-empty owner is taken as the year
 * (so the TT 05 sample `H49.64.33.2001.160` parses with owner `H49.64.33`).
 */
export function parseFileCode(code: string, opts: { agencyId?: string } = {}): FileCode | null {
  if (typeof code !== 'string' || code.length === 0 || code.length > FILE_CODE_MAX) return null;
  const segs = code.split('.');
  const tryAt = (i: number): FileCode | null => {
    if (i < 1 || i >= segs.length - 1 || !YEAR_SEGMENT.test(segs[i])) return null;
    const owner = segs.slice(0, i);
    const fileNotation = segs.slice(i + 1).join('.');
    if (!ownerSegmentsOk(owner) || !isValidFileNotation(fileNotation)) return null;
    const ownerCode = owner.join('.');
    const ownerIsAgencyId = isAgencySegments(owner);
    return { ownerCode, ...(ownerIsAgencyId ? { agencyId: ownerCode } : {}), ownerIsAgencyId, year: +segs[i], fileNotation };
  };
  if (opts.agencyId !== undefined) {
    const n = opts.agencyId.split('.').length;
    const r = tryAt(n);
    return r && r.ownerCode === opts.agencyId ? r : null;
  }
  if (isAgencySegments(segs.slice(0, 4))) {
    const r = tryAt(4);
    if (r) return r;
  }
  for (let i = 1; i < segs.length - 1; i++) {
    const r = tryAt(i);
    if (r) return r;
  }
  return null;
}

/** Formats `owner.year.notation`; the owner is `ownerCode` or `agencyId`. */
export function formatFileCode(f: { ownerCode?: string; agencyId?: string; year: number; fileNotation: string }): string {
  const ownerCode = f.ownerCode ?? f.agencyId;
  if (!ownerCode) throw new Error('fileCode needs an owner (agencyId or ownerCode)');
  if (!Number.isInteger(f.year) || f.year < 1000 || f.year > 9999) throw new Error(`invalid year ${f.year}`);
  if (!isValidFileNotation(f.fileNotation)) throw new Error(`invalid file notation ${f.fileNotation}`);
  const s = `${ownerCode}.${f.year}.${f.fileNotation}`;
  const back = parseFileCode(s, { agencyId: ownerCode });
  if (!back) throw new Error(`invalid file code ${s}`);
  return s;
}

export function isValidFileCode(code: unknown, opts: { agencyId?: string } = {}): code is string {
  return typeof code === 'string' && parseFileCode(code, opts) !== null;
}

// ---------------------------------------------------------------------------------------------------
// docCode = fileCode + số thứ tự tài liệu in 7 digits; docId = fileCode + ordinal (unpadded, TT 05 sample)
// ---------------------------------------------------------------------------------------------------

export const DOC_ORDINAL_MAX = 9_999_999;

export function isValidDocOrdinal(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= DOC_ORDINAL_MAX;
}

export function formatDocCode(fileCode: string, docOrdinal: number): string {
  if (!isValidDocOrdinal(docOrdinal)) throw new Error(`invalid docOrdinal ${docOrdinal}`);
  return `${fileCode}.${String(docOrdinal).padStart(7, '0')}`;
}

export function parseDocCode(code: string, opts: { agencyId?: string } = {}): { fileCode: string; docOrdinal: number } | null {
  if (typeof code !== 'string') return null;
  const m = /^(.+)\.(\d{7})$/.exec(code);
  if (!m) return null;
  const docOrdinal = +m[2];
  if (!isValidDocOrdinal(docOrdinal) || !parseFileCode(m[1], opts)) return null;
  return { fileCode: m[1], docOrdinal };
}

export function isValidDocCode(code: unknown, opts: { agencyId?: string } = {}): code is string {
  return typeof code === 'string' && parseDocCode(code, opts) !== null;
}

export function formatDocId(fileCode: string, docOrdinal: number): string {
  if (!isValidDocOrdinal(docOrdinal)) throw new Error(`invalid docOrdinal ${docOrdinal}`);
  return `${fileCode}.${docOrdinal}`;
}

// ---------------------------------------------------------------------------------------------------
// arcFileCode = mã cơ quan lưu trữ + mã hồ sơ. The archive code is either one token (`TTLT1`, `G09`) or
// a mã định danh (4 segments).
// ---------------------------------------------------------------------------------------------------

const ARCHIVE_TOKEN = /^[A-Z0-9][A-Z0-9_-]*$/i;

export function isValidArchiveCode(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 50 && (ARCHIVE_TOKEN.test(s) || AGENCY_ID_PATTERN.test(s));
}

export function formatArcFileCode(archiveCode: string, fileCode: string): string {
  if (!isValidArchiveCode(archiveCode)) throw new Error(`invalid archive code ${archiveCode}`);
  if (!parseFileCode(fileCode)) throw new Error(`invalid file code ${fileCode}`);
  return `${archiveCode}.${fileCode}`;
}

/**
 * Splits an arcFileCode. With `archiveCode` the split is exact; otherwise a split whose file code is owned
 * by a mã định danh wins, trying a 4-segment (agency-shaped) archive code before a one-token one.
 */
export function parseArcFileCode(
  code: string,
  opts: { archiveCode?: string } = {},
): { archiveCode: string; fileCode: string; file: FileCode } | null {
  if (typeof code !== 'string') return null;
  if (opts.archiveCode !== undefined) {
    if (!code.startsWith(opts.archiveCode + '.')) return null;
    const fileCode = code.slice(opts.archiveCode.length + 1);
    const file = parseFileCode(fileCode);
    return file ? { archiveCode: opts.archiveCode, fileCode, file } : null;
  }
  const segs = code.split('.');
  const candidates: number[] = [];
  if (isAgencySegments(segs.slice(0, 4))) candidates.push(4);
  if (ARCHIVE_TOKEN.test(segs[0])) candidates.push(1);
  const parsed = candidates
    .map((n) => {
      const fileCode = segs.slice(n).join('.');
      const file = parseFileCode(fileCode);
      return file ? { archiveCode: segs.slice(0, n).join('.'), fileCode, file } : null;
    })
    .filter((x): x is NonNullable<typeof x> => x !== null);
  return parsed.find((p) => p.file.ownerIsAgencyId) ?? parsed[0] ?? null;
}

export function isValidArcFileCode(code: unknown, opts: { archiveCode?: string } = {}): code is string {
  return typeof code === 'string' && parseArcFileCode(code, opts) !== null;
}

// ---------------------------------------------------------------------------------------------------
// Số, ký hiệu văn bản and the document identifier (mã định danh văn bản, QĐ 395/QĐ-BTTTT):
// mã định danh cơ quan ban hành + năm ban hành + số/ký hiệu, e.g. `000.00.12.H05.2024.15/QĐ-SNV`.
// ---------------------------------------------------------------------------------------------------

/** Số (String 11): digits, optionally followed by letters (`15`, `05`, `123a`). */
export const CODE_NUMBER_PATTERN = /^(?:\d{1,11}|\d{1,10}\p{L})$/u;
/** Ký hiệu (String 30): `QĐ-SNV`, `BNV-VP`, `NQ/TW`… letters, digits, `-`, `/`, `.`, `&`. */
export const CODE_NOTATION_PATTERN = /^[\p{L}\p{N}]+(?:[-/.&][\p{L}\p{N}]+)*$/u;

export interface DocumentNumber {
  codeNumber: string;
  codeNotation: string;
}

export function isValidCodeNumber(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 11 && CODE_NUMBER_PATTERN.test(s);
}

export function isValidCodeNotation(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 30 && CODE_NOTATION_PATTERN.test(normalizeVietnamese(s));
}

/** `15/QĐ-SNV` → {codeNumber: '15', codeNotation: 'QĐ-SNV'} (also `Số: 15/QĐ-SNV`, spaces around `/`). */
export function parseDocumentNumber(s: string): DocumentNumber | null {
  if (typeof s !== 'string') return null;
  const t = normalizeVietnamese(s).replace(/^số\s*:?\s*/iu, '');
  const m = /^([^/\s]+)\s*\/\s*(\S+)$/u.exec(t);
  if (!m || !isValidCodeNumber(m[1]) || !isValidCodeNotation(m[2])) return null;
  return { codeNumber: m[1], codeNotation: m[2] };
}

export function formatDocumentNumber(d: DocumentNumber): string {
  if (!isValidCodeNumber(d.codeNumber) || !isValidCodeNotation(d.codeNotation)) {
    throw new Error(`invalid document number ${d.codeNumber}/${d.codeNotation}`);
  }
  return `${d.codeNumber}/${normalizeVietnamese(d.codeNotation)}`;
}

export interface DocumentIdentifier extends DocumentNumber {
  organId: string;
  year: number;
}

export function formatDocumentIdentifier(d: DocumentIdentifier): string {
  if (!isValidAgencyId(d.organId)) throw new Error(`invalid agency id ${d.organId}`);
  if (!Number.isInteger(d.year) || d.year < 1000 || d.year > 9999) throw new Error(`invalid year ${d.year}`);
  return `${d.organId}.${d.year}.${formatDocumentNumber(d)}`;
}

export function parseDocumentIdentifier(s: string): DocumentIdentifier | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{3}\.\d{2}\.\d{2}\.[A-Za-z]\d{2})\.(\d{4})\.(.+)$/.exec(s.trim());
  if (!m) return null;
  const num = parseDocumentNumber(m[3]);
  if (!num) return null;
  return { organId: m[1].toUpperCase(), year: +m[2], ...num };
}

export function isValidDocumentIdentifier(s: unknown): s is string {
  return typeof s === 'string' && parseDocumentIdentifier(s) !== null;
}

// ---------------------------------------------------------------------------------------------------
// Duplicate detection (NĐ 30 Phụ lục VI: alert on the same document id, or on the same số + ký hiệu +
// cơ quan ban hành). Numbers restart every year (Điều 15.1), so the year is part of the key.
//
// Choice on Đ: the STRICT key keeps Đ distinct from D, because notations differ only by it
// (HĐ hợp đồng / HD hướng dẫn, ĐA đề án / DA dự án): `15/QD-SNV` and `15/QĐ-SNV` are not proven the
// same document. The LOOSE key folds Đ→D and diacritics, so the pair is reported as a POSSIBLE
// duplicate for the Văn thư to check (NĐ 30 asks for an alert, not a rejection).
// Both keys: NFC, look-alikes (Ð U+00D0) → Đ, upper case, no spaces, leading zeros of số dropped.
// ---------------------------------------------------------------------------------------------------

export interface DuplicateKeyInput {
  codeNumber?: string;
  codeNotation?: string;
  /** Mã định danh of the issuing agency: preferred over the name when known. */
  organId?: string;
  organName?: string;
  /** Year of issue (năm ban hành); from issuedDate when absent. */
  year?: number;
  issuedDate?: string;
}

function compact(s: string): string {
  return normalizeVietnamese(s).replace(/\s+/g, '').toUpperCase();
}

function issuerPart(d: DuplicateKeyInput, fold: boolean): string | null {
  if (d.organId && d.organId.trim()) return 'ID:' + normalizeAgencyId(d.organId);
  if (d.organName && d.organName.trim()) {
    const n = normalizeVietnamese(d.organName).toUpperCase();
    return 'NAME:' + (fold ? foldVietnamese(n) : n);
  }
  return null;
}

function yearPart(d: DuplicateKeyInput): string | null {
  if (d.year !== undefined) return String(d.year);
  const m = d.issuedDate ? /^(\d{4})/.exec(d.issuedDate.trim()) : null;
  if (m) return m[1];
  const e = d.issuedDate ? /(\d{4})$/.exec(d.issuedDate.trim()) : null; // DD/MM/YYYY
  return e ? e[1] : null;
}

function numberNotationKeyImpl(d: DuplicateKeyInput, fold: boolean): string | null {
  if (!d.codeNumber || !d.codeNotation) return null;
  const issuer = issuerPart(d, fold);
  const year = yearPart(d);
  if (!issuer || !year) return null;
  let num = compact(d.codeNumber).replace(/^0+(?=\d)/, '');
  let notation = compact(d.codeNotation);
  if (fold) {
    num = foldVietnamese(num).toUpperCase();
    notation = foldVietnamese(notation).toUpperCase();
  }
  return `${issuer}|${year}|${num}/${notation}`;
}

/** Strict key: same số + ký hiệu + issuing agency + year. */
export function numberNotationKey(d: DuplicateKeyInput): string | null {
  return numberNotationKeyImpl(d, false);
}

/** Loose key (Đ→D, no diacritics): a collision is a possible duplicate to report, not proof. */
export function looseNumberNotationKey(d: DuplicateKeyInput): string | null {
  return numberNotationKeyImpl(d, true);
}

/** Canonical form of a document identifier for equality (same document id). */
export function documentIdKey(id: string): string | null {
  const p = parseDocumentIdentifier(id);
  if (!p) return null;
  return `${p.organId}.${p.year}.${p.codeNumber.replace(/^0+(?=\d)/, '').toUpperCase()}/${compact(p.codeNotation)}`;
}

export interface DuplicateKeys {
  documentId: string | null;
  numberNotation: string | null;
  numberNotationLoose: string | null;
}

export function duplicateKeys(d: DuplicateKeyInput & { documentId?: string }): DuplicateKeys {
  let documentId: string | null = d.documentId ? documentIdKey(d.documentId) : null;
  if (!documentId && d.organId && isValidAgencyId(normalizeAgencyId(d.organId)) && d.codeNumber && d.codeNotation) {
    const y = yearPart(d);
    if (y) documentId = `${normalizeAgencyId(d.organId)}.${y}.${compact(d.codeNumber).replace(/^0+(?=\d)/, '')}/${compact(d.codeNotation)}`;
  }
  return { documentId, numberNotation: numberNotationKey(d), numberNotationLoose: looseNumberNotationKey(d) };
}

export type DuplicateKind = 'same_document_id' | 'same_number_notation' | 'possible_duplicate';

/** Compares two documents by the NĐ 30 keys; null when not duplicates. */
export function compareForDuplicate(
  a: DuplicateKeyInput & { documentId?: string },
  b: DuplicateKeyInput & { documentId?: string },
): DuplicateKind | null {
  const ka = duplicateKeys(a);
  const kb = duplicateKeys(b);
  if (ka.documentId && ka.documentId === kb.documentId) return 'same_document_id';
  if (ka.numberNotation && ka.numberNotation === kb.numberNotation) return 'same_number_notation';
  if (ka.numberNotationLoose && ka.numberNotationLoose === kb.numberNotationLoose) return 'possible_duplicate';
  return null;
}
