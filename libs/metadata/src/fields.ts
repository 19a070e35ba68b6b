/**
 * Field specifications of the manifest (one table drives both the validator and the JSON Schema).
 * Lengths are those of TT 05/2025 (§2.3), or NĐ 30 Phụ lục VI (§2.1) for the e-office fields.
 * "Required" follows the reference's reading of TT 05 (fields marked "nếu có" are optional); fields the
 * API manifest sample omits although TT 05 marks them required (riskRecovery, numberOfPaper, docCode,
 * docId, document maintenance) are optional here because the archive derives them or they concern paper.
 */
import { CodeListName } from './codes';
import {
  DATE_PATTERN_SOURCE,
  PARTIAL_DATE_PATTERN_SOURCE,
  PATH_MAX,
  SAFE_PATH_PATTERN_SOURCE,
  SHA256_PATTERN_SOURCE,
} from './patterns';
import { AGENCY_ID_PATTERN, CODE_NOTATION_PATTERN, CODE_NUMBER_PATTERN } from './identifiers';

export type FieldKind =
  | 'string'
  | 'integer'
  | 'boolean' // true/false, also 1/0 and "1"/"0" as in the EAD XML; normalised to boolean
  | 'date' // ISO YYYY-MM-DD
  | 'partialDate' // ISO YYYY-MM-DD | YYYY-MM | YYYY
  | 'code' // one code of `list`
  | 'codes' // one or more codes of `list`: "01", "01,06" or ["01","06"]; normalised to "01,06"
  | 'recipients';

export interface FieldSpec {
  kind: FieldKind;
  required?: boolean;
  /** strings: max length (characters). */
  max?: number;
  /** integers: bounds. */
  min?: number;
  maxValue?: number;
  list?: CodeListName;
  /** strings: a pattern the value must match; `patternCode` is the issue code when it does not. */
  pattern?: string;
  patternFlags?: string;
  patternCode?: string;
  /** Severity of a length / pattern problem (default error). Warnings are not in the JSON Schema. */
  softSeverity?: 'warning';
  /** Not in the JSON Schema pattern: the validator checks it in code (stricter than a pattern can say). */
  description?: string;
}

export const CASE_FILE_FIELDS: Record<string, FieldSpec> = {
  fileCode: { kind: 'string', required: true, max: 100, description: 'Mã hồ sơ: mã định danh cơ quan + năm + số và ký hiệu hồ sơ' },
  arcFileCode: { kind: 'string', max: 100, description: 'Mã hồ sơ lưu trữ: mã cơ quan lưu trữ + mã hồ sơ' },
  title: { kind: 'string', required: true, max: 1000, description: 'Tiêu đề hồ sơ' },
  maintenance: { kind: 'code', list: 'maintenance', required: true, description: 'Thời hạn lưu trữ' },
  retentionYears: { kind: 'integer', min: 1, maxValue: 1000, description: 'Số năm lưu trữ, chỉ khi maintenance = 07' },
  mode: { kind: 'code', list: 'mode', required: true, description: 'Chế độ sử dụng' },
  language: { kind: 'codes', list: 'language', required: true, max: 100, description: 'Ngôn ngữ' },
  startDate: { kind: 'partialDate', required: true, description: 'Thời gian bắt đầu' },
  endDate: { kind: 'partialDate', required: true, description: 'Thời gian kết thúc' },
  keyword: { kind: 'string', max: 100, description: 'Từ khóa' },
  totalDoc: { kind: 'integer', required: true, min: 0, maxValue: 9_999_999_999, description: 'Tổng số tài liệu trong hồ sơ' },
  numberOfPaper: { kind: 'integer', min: 0, maxValue: 9_999_999_999, description: 'Số lượng tờ' },
  numberOfPage: { kind: 'integer', required: true, min: 0, maxValue: 9_999_999_999, description: 'Số lượng trang' },
  format: { kind: 'code', list: 'format', description: 'Tình trạng vật lý' },
  inforSign: { kind: 'string', max: 30, description: 'Ký hiệu thông tin' },
  confidenceLevel: { kind: 'code', list: 'confidenceLevel', description: 'Mức độ tin cậy' },
  paperFileCode: { kind: 'string', max: 100, description: 'Mã hồ sơ gốc giấy (bắt buộc với hồ sơ số hóa)' },
  riskRecovery: { kind: 'boolean', description: 'Chế độ dự phòng' },
  riskRecoveryStatus: { kind: 'code', list: 'riskRecoveryStatus', description: 'Tình trạng dự phòng (khi riskRecovery)' },
  description: { kind: 'string', max: 2000, description: 'Ghi chú' },
  creator: { kind: 'string', max: 30, description: 'Người lập hồ sơ (NĐ 30: String 30)' },
  codeListVersion: { kind: 'string', max: 50, description: 'Set by the validator (input value is replaced)' },
};

export const DOCUMENT_FIELDS: Record<string, FieldSpec> = {
  docOrdinal: { kind: 'integer', required: true, min: 1, maxValue: 9_999_999, description: 'Số thứ tự tài liệu trong hồ sơ' },
  // TT 05 gives String 25 but its own sample convention (fileCode + ordinal) often exceeds it: warning only.
  docId: { kind: 'string', max: 25, softSeverity: 'warning', description: 'Mã định danh tài liệu' },
  docCode: { kind: 'string', max: 100, description: 'Mã lưu trữ tài liệu = fileCode + số thứ tự 7 chữ số' },
  arcDocCode: { kind: 'string', max: 100, description: 'Mã lưu trữ tài liệu (AIP/DIP)' },
  maintenance: { kind: 'code', list: 'maintenance', description: 'Thời hạn lưu trữ (mặc định theo hồ sơ)' },
  retentionYears: { kind: 'integer', min: 1, maxValue: 1000 },
  typeName: { kind: 'code', list: 'typeName', required: true, description: 'Tên loại tài liệu' },
  codeNumber: { kind: 'string', max: 11, pattern: CODE_NUMBER_PATTERN.source, patternFlags: 'u', patternCode: 'invalid_code_number', description: 'Số' },
  codeNotation: { kind: 'string', max: 30, pattern: CODE_NOTATION_PATTERN.source, patternFlags: 'u', patternCode: 'invalid_code_notation', description: 'Ký hiệu' },
  issuedDate: { kind: 'date', required: true, description: 'Ngày tháng năm tài liệu' },
  organName: { kind: 'string', required: true, max: 200, description: 'Cơ quan, tổ chức ban hành' },
  organId: { kind: 'string', max: 13, pattern: AGENCY_ID_PATTERN.source, patternCode: 'invalid_agency_id', description: 'Mã định danh cơ quan ban hành' },
  subject: { kind: 'string', required: true, max: 500, description: 'Trích yếu nội dung' },
  language: { kind: 'codes', list: 'language', required: true, max: 100 },
  numberOfPage: { kind: 'integer', required: true, min: 0, maxValue: 9999, description: 'Số lượng trang' },
  inforSign: { kind: 'string', max: 30 },
  keyword: { kind: 'string', max: 100 },
  mode: { kind: 'code', list: 'mode', required: true },
  confidenceLevel: { kind: 'code', list: 'confidenceLevel' },
  autograph: { kind: 'string', max: 2000, description: 'Bút tích' },
  format: { kind: 'code', list: 'format' },
  process: { kind: 'boolean', description: 'Quy trình xử lý (bắt buộc với tài liệu gốc điện tử)' },
  riskRecovery: { kind: 'boolean' },
  riskRecoveryStatus: { kind: 'code', list: 'riskRecoveryStatus' },
  description: { kind: 'string', max: 500 },
  // NĐ 30/2020 Phụ lục VI
  signerPosition: { kind: 'string', max: 100, description: 'Chức vụ người ký' },
  signerFullName: { kind: 'string', max: 50, description: 'Họ tên người ký' },
  recipients: { kind: 'recipients', description: 'Nơi nhận' },
  priority: { kind: 'integer', min: 0, maxValue: 9, description: 'Mức độ khẩn, độ mật' },
  issuedAmount: { kind: 'integer', min: 0, maxValue: 999, description: 'Số lượng bản phát hành' },
  dueDate: { kind: 'date', description: 'Hạn trả lời / thời hạn giải quyết' },
  arrivalDate: { kind: 'date', description: 'Ngày đến' },
  arrivalNumber: { kind: 'integer', min: 0, maxValue: 9_999_999_999, description: 'Số đến' },
  toPlaces: { kind: 'string', max: 1000, description: 'Đơn vị hoặc người nhận' },
  traceHeaderList: { kind: 'string', max: 100_000, description: 'Ý kiến phân phối, chỉ đạo, trạng thái xử lý' },
  // transfer
  path: { kind: 'string', required: true, max: PATH_MAX, pattern: SAFE_PATH_PATTERN_SOURCE, patternFlags: 'u', patternCode: 'unsafe_path', description: 'Đường dẫn tương đối của tệp' },
  sha256: { kind: 'string', required: true, pattern: SHA256_PATTERN_SOURCE, patternCode: 'invalid_sha256', description: 'SHA-256 (64 hex)' },
  size: { kind: 'integer', min: 0, maxValue: Number.MAX_SAFE_INTEGER },
  mimeType: { kind: 'string', max: 255 },
  codeListVersion: { kind: 'string', max: 50, description: 'Set by the validator (input value is replaced)' },
};

export const RECIPIENT_FIELDS: Record<string, FieldSpec> = {
  organId: { kind: 'string', max: 13, pattern: AGENCY_ID_PATTERN.source, patternCode: 'invalid_agency_id' },
  organName: { kind: 'string', required: true, max: 200 },
};

export const AGENCY_FIELDS: Record<string, FieldSpec> = {
  id: { kind: 'string', required: true, max: 13, pattern: AGENCY_ID_PATTERN.source, patternCode: 'invalid_agency_id', description: 'Mã định danh cơ quan' },
  name: { kind: 'string', required: true, max: 200 },
};

export const DATE_PATTERNS: Record<'date' | 'partialDate', string> = {
  date: DATE_PATTERN_SOURCE,
  partialDate: PARTIAL_DATE_PATTERN_SOURCE,
};

/** Limits against oversize manifests (each issue list stays bounded). */
export const MAX_FILES = 1000;
export const MAX_DOCUMENTS_PER_FILE = 10_000;
export const MAX_RECIPIENTS = 1000;
export const MAX_DOCUMENTS_TOTAL = 100_000;
