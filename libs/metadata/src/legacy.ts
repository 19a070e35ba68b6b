/**
 * Legacy input → TT 05/2025 model. Accepts
 *  - the column names of the TT 02/2019-era data-entry template (Vietnamese headers, §2.2 [S] S7), and
 *  - the NĐ 30/2020 Phụ lục VI English tags (FileCode{OrganId, FileCatalog, FileNotation}, Rights,
 *    DocTotal, PageTotal, PageAmount, SignerInfo{Position, FullName}, To, …, §2.1),
 * plus the current names (passed through). Header matching ignores case, diacritics and spacing, so
 * "Tiêu đề hồ sơ", "TIEU DE HO SO" and "tieu_de_ho_so" all map to `title`.
 * Values are mapped too: "Vĩnh viễn"/"10 năm" → maintenance codes, "Công khai" → mode `01`, "Tiếng Việt" →
 * `01`, "Quyết định" → typeName `02`, `DD/MM/YYYY` → ISO dates, "Có"/"x" → true.
 * The output is NOT validated: pass it to validateManifest / validateCaseFile / validateDocument. Mapping
 * problems are returned as warnings (`legacy_field_dropped`, `legacy_value_unmapped`) to merge.
 */
import { Issue } from './model';
import { message } from './messages';
import { CodeListName, codeList, CURRENT_CODE_LIST_VERSION } from './codes';
import { foldVietnamese, formatFileCode, isValidAgencyId } from './identifiers';
import { formatIsoDate, parseAnyDate, parseEadDate } from './dates';
import { yearsToMaintenance } from './retention';
import { validateManifest, ValidateOptions } from './validate';
import { Manifest, ValidationResult } from './model';

/** Fold a header or a value for matching: no diacritics, lower case, non-alphanumerics removed. */
export function foldKey(s: string): string {
  return foldVietnamese(s).toLowerCase().replace(/[^a-z0-9]+/g, '');
}

type Target = string;
function table(entries: Array<[Target, string[]]>): Map<string, Target> {
  const m = new Map<string, Target>();
  for (const [target, names] of entries) for (const n of [target, ...names]) m.set(foldKey(n), target);
  return m;
}

/** Hồ sơ columns. `_organId`, `_fileCatalog`, `_fileNotation` are parts of the composite NĐ 30 FileCode. */
export const LEGACY_CASE_FILE_COLUMNS = table([
  ['fileCode', ['Mã hồ sơ', 'FileCode']],
  ['arcFileCode', ['Mã hồ sơ lưu trữ']],
  ['_organId', ['OrganId', 'Organld', 'Mã định danh cơ quan', 'Mã định danh']],
  ['_fileCatalog', ['FileCatalog', 'Năm hình thành hồ sơ', 'Năm hình thành']],
  ['_fileNotation', ['FileNotation', 'Số và ký hiệu hồ sơ', 'Số, ký hiệu hồ sơ', 'Hồ sơ số']],
  ['title', ['Tiêu đề hồ sơ', 'Tiêu đề', 'Title']],
  ['maintenance', ['Thời hạn bảo quản', 'Thời hạn lưu trữ', 'Maintenance']],
  ['mode', ['Chế độ sử dụng', 'Rights']],
  ['language', ['Ngôn ngữ', 'Language']],
  ['startDate', ['Thời gian bắt đầu', 'StartDate']],
  ['endDate', ['Thời gian kết thúc', 'EndDate']],
  ['totalDoc', ['Tổng số văn bản', 'Tổng số tài liệu', 'Tổng số văn bản trong hồ sơ', 'DocTotal']],
  ['numberOfPage', ['Số lượng trang', 'Tổng số trang', 'Tổng số trang của hồ sơ', 'PageTotal']],
  ['numberOfPaper', ['Số lượng tờ', 'Số tờ']],
  ['keyword', ['Từ khóa', 'Từ khoá', 'Keyword']],
  ['inforSign', ['Ký hiệu thông tin', 'InforSign']],
  ['format', ['Tình trạng vật lý', 'Format']],
  ['confidenceLevel', ['Mức độ tin cậy', 'ConfidenceLevel']],
  ['paperFileCode', ['Mã hồ sơ giấy gốc', 'Mã hồ sơ gốc giấy']],
  ['creator', ['Người lập hồ sơ', 'Creator']],
  ['description', ['Ghi chú', 'Description']],
  ['_annotation', ['Chú giải']],
  ['documents', ['Văn bản', 'Tài liệu', 'Documents', 'Docs']],
  // Physical location columns of the paper era: no TT 05 element (kept in description, see below).
  ['_fond', ['Phông', 'Tên phông']],
  ['_catalogue', ['Mục lục', 'Mục lục số']],
  ['_box', ['Hộp số', 'Hộp']],
]);

export const LEGACY_DOCUMENT_COLUMNS = table([
  ['docOrdinal', ['Số thứ tự văn bản trong hồ sơ', 'Số thứ tự', 'STT', 'DocOrdinal']],
  ['typeName', ['Tên loại', 'Tên loại văn bản', 'TypeName']],
  ['codeNumber', ['Số', 'Số của văn bản', 'Số văn bản', 'CodeNumber']],
  ['codeNotation', ['Ký hiệu', 'Ký hiệu của văn bản', 'CodeNotation']],
  ['issuedDate', ['Ngày/Tháng/Năm', 'Ngày tháng năm', 'Ngày, tháng, năm văn bản', 'Ngày văn bản', 'IssuedDate']],
  ['_day', ['Ngày']],
  ['_month', ['Tháng']],
  ['_year', ['Năm']],
  ['organName', ['Tên cơ quan ban hành', 'Tên cơ quan, tổ chức ban hành', 'Cơ quan ban hành', 'OrganName']],
  ['subject', ['Trích yếu nội dung', 'Trích yếu', 'Subject']],
  ['language', ['Ngôn ngữ', 'Language']],
  ['numberOfPage', ['Số lượng trang', 'Số trang', 'Số trang của văn bản', 'PageAmount']],
  ['description', ['Ghi chú', 'Description']],
  ['inforSign', ['Ký hiệu thông tin']],
  ['keyword', ['Từ khóa', 'Từ khoá']],
  ['mode', ['Chế độ sử dụng', 'Rights']],
  ['confidenceLevel', ['Mức độ tin cậy']],
  ['autograph', ['Bút tích']],
  ['format', ['Tình trạng vật lý']],
  ['process', ['Quy trình xử lý', 'Quy trình xử lý (nếu có)']],
  ['_signerInfo', ['SignerInfo']],
  ['signerPosition', ['Chức vụ người ký', 'Position']],
  ['signerFullName', ['Họ tên người ký', 'FullName']],
  ['recipients', ['To', 'Nơi nhận']],
  ['priority', ['Priority', 'Mức độ khẩn', 'Độ khẩn']],
  ['issuedAmount', ['IssuedAmount', 'Số lượng bản phát hành']],
  ['dueDate', ['DueDate', 'Hạn trả lời', 'Thời hạn giải quyết']],
  ['arrivalDate', ['ArrivalDate', 'Ngày đến']],
  ['arrivalNumber', ['ArrivalNumber', 'Số đến']],
  ['toPlaces', ['ToPlaces', 'Đơn vị hoặc người nhận']],
  ['traceHeaderList', ['TraceHeaderList', 'Ý kiến phân phối, chỉ đạo, trạng thái xử lý']],
  ['path', ['Đường dẫn', 'Tệp', 'File', 'Path']],
  ['sha256', ['SHA256', 'SHA-256', 'Mã băm']],
]);

type Rec = Record<string, unknown>;
const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

interface MapCtx {
  issues: Issue[];
  version: string;
}

function warn(ctx: MapCtx, path: string, code: string, params: Record<string, string>): void {
  ctx.issues.push({ path, code, severity: 'warning', message: message(code, params) });
}
const join = (base: string, key: string | number): string =>
  typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key;

/** Maps a label or code to a code of `list`: exact code, Vietnamese/English label, or typeName abbreviation. */
export function legacyCode(list: CodeListName, value: unknown, version = CURRENT_CODE_LIST_VERSION): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) value = String(value).padStart(2, '0');
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  const entries = codeList(list, version);
  if (entries.some((e) => e.code === t)) return t;
  if (/^\d$/.test(t) && entries.some((e) => e.code === '0' + t)) return '0' + t;
  const k = foldKey(t);
  const hit = entries.find((e) => foldKey(e.vi) === k || foldKey(e.en) === k || (e.abbr !== undefined && e.abbr === t));
  if (hit) return hit.code;
  // Common legacy labels not in the list's wording.
  const aliases: Partial<Record<CodeListName, Record<string, string>>> = {
    mode: { hanche: '02', sudunghanche: '02', codieukien: '02', toimat: '03', tuyetmat: '03', mat: '03' },
    language: { viet: '01', vietnam: '01', tv: '01', anh: '02', phap: '03', nga: '04', trung: '05', hannom: '09' },
    confidenceLevel: { goc: '01', dientu: '01', sohoa: '02', bansao: '02', honhop: '03' },
  };
  return aliases[list]?.[k.replace(/^tieng/, '')] ?? aliases[list]?.[k];
}

/** "Vĩnh viễn", "70 năm", "10", "5 năm", "01" → {maintenance, retentionYears}. */
export function legacyMaintenance(value: unknown): { maintenance: string; retentionYears: number | null } | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return yearsToMaintenance(value);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  if (/^0[1-6]$/.test(t)) return { maintenance: t, retentionYears: null };
  const k = foldKey(t);
  if (k === 'vinhvien' || k === 'vv' || k === 'permanent') return { maintenance: '01', retentionYears: null };
  const m = /^(\d{1,3})(nam|years?)?$/.exec(k);
  if (m && +m[1] > 0) return yearsToMaintenance(+m[1]);
  return undefined;
}

function legacyDate(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1000 && value <= 9999) return String(value);
  if (typeof value !== 'string') return undefined;
  const d = parseEadDate(value) ?? parseAnyDate(value.trim()) ?? parseAnyDate(value.trim().replace(/\//g, '-'));
  return d ? formatIsoDate(d) : undefined;
}

function legacyBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return undefined;
  const k = foldKey(value);
  if (['1', 'co', 'x', 'true', 'yes'].includes(k)) return true;
  if (['0', 'khong', 'false', 'no', ''].includes(k)) return false;
  return undefined;
}

function legacyInt(value: unknown): number | unknown {
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return +value;
  return value;
}

const INT_FIELDS = new Set(['totalDoc', 'numberOfPage', 'numberOfPaper', 'docOrdinal', 'priority', 'issuedAmount', 'arrivalNumber']);
const DATE_FIELDS = new Set(['startDate', 'endDate', 'issuedDate', 'dueDate', 'arrivalDate']);
const CODE_FIELDS: Record<string, CodeListName> = { mode: 'mode', typeName: 'typeName', confidenceLevel: 'confidenceLevel', format: 'format' };

function mapValue(ctx: MapCtx, path: string, target: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (INT_FIELDS.has(target)) return legacyInt(value);
  if (DATE_FIELDS.has(target)) {
    const d = legacyDate(value);
    if (d === undefined) warn(ctx, path, 'legacy_value_unmapped', { field: target, value: String(value) });
    return d ?? value;
  }
  if (target in CODE_FIELDS) {
    const c = legacyCode(CODE_FIELDS[target], value, ctx.version);
    if (c === undefined && value !== '') warn(ctx, path, 'legacy_value_unmapped', { field: target, value: String(value) });
    return c ?? value;
  }
  if (target === 'language') {
    const parts = Array.isArray(value) ? value : String(value).split(/\s*[,;+]\s*/);
    const codes = parts.map((p) => legacyCode('language', p, ctx.version));
    if (codes.some((c) => c === undefined)) {
      warn(ctx, path, 'legacy_value_unmapped', { field: target, value: String(value) });
      return value;
    }
    return codes.join(',');
  }
  if (target === 'process') {
    const b = legacyBoolean(value);
    if (b === undefined) warn(ctx, path, 'legacy_value_unmapped', { field: target, value: String(value) });
    return b ?? value;
  }
  if (target === 'codeNumber' && typeof value === 'number') return String(value);
  return typeof value === 'string' ? value.normalize('NFC') : value;
}

/** Maps one legacy document row (văn bản). */
export function fromLegacyDocument(row: unknown, ctx: MapCtx = { issues: [], version: CURRENT_CODE_LIST_VERSION }, path = ''): Rec {
  if (!isObj(row)) return {};
  const out: Rec = {};
  let day: unknown, month: unknown, year: unknown;
  for (const [k, v] of Object.entries(row)) {
    const target = LEGACY_DOCUMENT_COLUMNS.get(foldKey(k));
    const p = join(path, k);
    if (!target) {
      warn(ctx, p, 'legacy_field_dropped', { field: k });
      continue;
    }
    if (target === '_day') day = v;
    else if (target === '_month') month = v;
    else if (target === '_year') year = v;
    else if (target === '_signerInfo' && isObj(v)) {
      if (v.Position !== undefined) out.signerPosition = v.Position;
      if (v.FullName !== undefined) out.signerFullName = v.FullName;
    } else if (target === 'recipients') {
      const list = Array.isArray(v) ? v : [v];
      out.recipients = list.map((r) =>
        isObj(r) ? { organId: r.OrganId ?? r.organId, organName: r.OrganName ?? r.organName } : { organName: String(r) },
      );
    } else if (target === 'maintenance') {
      const m = legacyMaintenance(v);
      if (m) Object.assign(out, m);
      else warn(ctx, p, 'legacy_value_unmapped', { field: target, value: String(v) });
    } else out[target] = mapValue(ctx, p, target, v);
  }
  if (out.issuedDate === undefined && year !== undefined) {
    const y = Number(year), m = Number(month), d = Number(day);
    out.issuedDate = day !== undefined && month !== undefined
      ? `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
      : String(year);
  }
  return out;
}

/** Maps one legacy case-file row (hồ sơ); `agencyId` completes the composite file code when needed. */
export function fromLegacyCaseFile(
  row: unknown,
  opts: { agencyId?: string } = {},
  ctx: MapCtx = { issues: [], version: CURRENT_CODE_LIST_VERSION },
  path = '',
): Rec {
  if (!isObj(row)) return {};
  const out: Rec = {};
  const parts: Rec = {};
  const notes: string[] = [];
  for (const [k, v] of Object.entries(row)) {
    const target = LEGACY_CASE_FILE_COLUMNS.get(foldKey(k));
    const p = join(path, k);
    if (!target) {
      warn(ctx, p, 'legacy_field_dropped', { field: k });
      continue;
    }
    if (target === 'fileCode' && isObj(v)) {
      // NĐ 30 composite FileCode {OrganId, FileCatalog, FileNotation}
      parts._organId = v.OrganId ?? v.Organld;
      parts._fileCatalog = v.FileCatalog;
      parts._fileNotation = v.FileNotation;
    } else if (target.startsWith('_')) {
      if (['_fond', '_catalogue', '_box', '_annotation'].includes(target)) {
        if (v !== undefined && v !== null && String(v).trim() !== '') notes.push(`${k}: ${String(v)}`);
      } else parts[target] = v;
    } else if (target === 'maintenance') {
      const m = legacyMaintenance(v);
      if (m) Object.assign(out, m);
      else warn(ctx, p, 'legacy_value_unmapped', { field: target, value: String(v) });
    } else if (target === 'documents') {
      out.documents = Array.isArray(v) ? v.map((d, i) => fromLegacyDocument(d, ctx, join(join(path, k), i))) : v;
    } else out[target] = mapValue(ctx, p, target, v);
  }
  if (out.fileCode === undefined && parts._fileNotation !== undefined) {
    const owner = String(parts._organId ?? opts.agencyId ?? '').trim();
    const yearRaw = parts._fileCatalog ?? (typeof out.startDate === 'string' ? out.startDate.slice(0, 4) : undefined);
    const year = Number(yearRaw);
    try {
      if (owner && Number.isInteger(year)) out.fileCode = formatFileCode({ ownerCode: owner, year, fileNotation: String(parts._fileNotation).trim() });
    } catch {
      warn(ctx, join(path, 'fileCode'), 'legacy_value_unmapped', { field: 'fileCode', value: `${owner}.${yearRaw}.${String(parts._fileNotation)}` });
    }
  }
  // Paper-era location (phông, mục lục, hộp) and "chú giải" have no TT 05 element: keep them readable in
  // the note (Ghi chú) rather than lose them.
  if (notes.length) out.description = [out.description, ...notes].filter((x) => typeof x === 'string' && x).join('; ');
  if (out.totalDoc === undefined && Array.isArray(out.documents)) out.totalDoc = out.documents.length;
  return out;
}

export interface LegacyMapping {
  value: Rec;
  issues: Issue[];
}

/**
 * Maps a legacy manifest `{agency|Agency|OrganId, files|Files|HoSo: [...]}`, a single case file (has
 * documents or a title/FileCode) or a single document; returns the mapped value and mapping warnings.
 */
export function mapLegacy(input: unknown, opts: { agencyId?: string; codeListVersion?: string } = {}): LegacyMapping {
  const ctx: MapCtx = { issues: [], version: opts.codeListVersion ?? CURRENT_CODE_LIST_VERSION };
  if (!isObj(input)) return { value: {}, issues: ctx.issues };
  const filesKey = Object.keys(input).find((k) => ['files', 'hoso', 'danhsachhoso'].includes(foldKey(k)));
  if (filesKey !== undefined) {
    const agencyKey = Object.keys(input).find((k) => ['agency', 'coquan'].includes(foldKey(k)));
    const rawAgency = agencyKey ? input[agencyKey] : undefined;
    const agency: Rec = isObj(rawAgency)
      ? { id: rawAgency.id ?? rawAgency.OrganId ?? rawAgency.Organld, name: rawAgency.name ?? rawAgency.OrganName }
      : {};
    const agencyId = typeof agency.id === 'string' && isValidAgencyId(agency.id) ? agency.id : opts.agencyId;
    const files = input[filesKey];
    return {
      value: {
        agency,
        files: Array.isArray(files) ? files.map((f, i) => fromLegacyCaseFile(f, { agencyId }, ctx, join('files', i))) : files,
      },
      issues: ctx.issues,
    };
  }
  const keys = Object.keys(input).map(foldKey);
  const looksLikeFile = keys.some((k) => ['tieudehoso', 'filecode', 'mahoso', 'sovakyhieuhoso', 'filenotation', 'documents', 'vanban', 'title'].includes(k));
  return looksLikeFile
    ? { value: fromLegacyCaseFile(input, { agencyId: opts.agencyId }, ctx), issues: ctx.issues }
    : { value: fromLegacyDocument(input, ctx), issues: ctx.issues };
}

/**
 * The mapped record only (current field names), ready for validateManifest / validateCaseFile /
 * validateDocument. Use `mapLegacy` to also get the mapping warnings.
 */
export function fromLegacy(input: unknown, opts: { agencyId?: string; codeListVersion?: string } = {}): Record<string, unknown> {
  return mapLegacy(input, opts).value;
}

/** mapLegacy + validateManifest, with the mapping warnings merged into the issues. */
export function validateLegacyManifest(input: unknown, opts: ValidateOptions = {}): ValidationResult<Manifest> {
  const mapped = mapLegacy(input, { codeListVersion: opts.codeListVersion });
  const r = validateManifest(mapped.value, opts);
  return { ...r, issues: [...mapped.issues, ...r.issues] };
}
