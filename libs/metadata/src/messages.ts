/**
 * Stable issue codes (snake_case; clients and tests rely on them — never rename) and their messages in
 * Vietnamese and English.
 */
import { LocalizedMessage } from './model';

type P = Record<string, string | number | undefined>;
const CATALOG: Record<string, (p: P) => LocalizedMessage> = {
  invalid_type: (p) => ({ vi: `Sai kiểu dữ liệu: cần ${p.expectedVi ?? p.expected}`, en: `Wrong type: expected ${p.expected}` }),
  required: () => ({ vi: 'Thiếu trường bắt buộc', en: 'Required field is missing' }),
  empty: () => ({ vi: 'Không được để trống', en: 'Must not be empty' }),
  too_long: (p) => ({ vi: `Vượt quá độ dài tối đa ${p.max} ký tự`, en: `Longer than the maximum of ${p.max} characters` }),
  invalid_integer: () => ({ vi: 'Phải là số nguyên', en: 'Must be an integer' }),
  out_of_range: (p) => ({ vi: `Giá trị ngoài khoảng cho phép (${p.min}–${p.max})`, en: `Value out of range (${p.min}–${p.max})` }),
  invalid_date: (p) => ({
    vi: `Ngày không hợp lệ (định dạng ISO 8601 ${p.format ?? 'YYYY-MM-DD'}, ngày có thật)`,
    en: `Invalid date (ISO 8601 ${p.format ?? 'YYYY-MM-DD'}, a real calendar day)`,
  }),
  unknown_code: (p) => ({
    vi: `Mã "${p.value}" không có trong bảng mã ${p.list} (phiên bản ${p.version})`,
    en: `Code "${p.value}" is not in code list ${p.list} (version ${p.version})`,
  }),
  unknown_field: (p) => ({ vi: `Trường không xác định "${p.field}" (bị bỏ qua)`, en: `Unknown field "${p.field}" (ignored)` }),
  invalid_format: () => ({ vi: 'Sai định dạng', en: 'Invalid format' }),
  invalid_agency_id: () => ({
    vi: 'Mã định danh cơ quan không hợp lệ (dạng 000.00.12.H05)',
    en: 'Invalid agency identifier (shape 000.00.12.H05)',
  }),
  invalid_file_code: () => ({
    vi: 'Mã hồ sơ không hợp lệ (mã định danh cơ quan + năm + số và ký hiệu hồ sơ)',
    en: 'Invalid file code (agency identifier + year + file number and notation)',
  }),
  file_code_agency_mismatch: (p) => ({
    vi: `Mã hồ sơ không bắt đầu bằng mã định danh của cơ quan nộp lưu ${p.agencyId}`,
    en: `File code does not start with the submitting agency's identifier ${p.agencyId}`,
  }),
  file_code_year_mismatch: (p) => ({
    vi: `Năm trong mã hồ sơ (${p.year}) nằm ngoài thời gian của hồ sơ`,
    en: `The year in the file code (${p.year}) is outside the file's date span`,
  }),
  arc_file_code_mismatch: () => ({
    vi: 'Mã hồ sơ lưu trữ phải là mã cơ quan lưu trữ + mã hồ sơ (fileCode)',
    en: 'arcFileCode must be an archive code followed by the fileCode',
  }),
  invalid_doc_code: () => ({ vi: 'Mã lưu trữ tài liệu không hợp lệ', en: 'Invalid document code' }),
  doc_code_mismatch: (p) => ({
    vi: `Mã tài liệu phải là mã hồ sơ + số thứ tự 7 chữ số (${p.expected})`,
    en: `Document code must be the file code + 7-digit ordinal (${p.expected})`,
  }),
  invalid_code_number: () => ({ vi: 'Số văn bản không hợp lệ', en: 'Invalid document number' }),
  invalid_code_notation: () => ({ vi: 'Ký hiệu văn bản không hợp lệ', en: 'Invalid document notation' }),
  notation_type_mismatch: (p) => ({
    vi: `Ký hiệu bắt đầu bằng "${p.abbr}" (viết tắt của ${p.typeName}) nhưng tên loại tài liệu khác`,
    en: `Notation starts with "${p.abbr}" (abbreviation of ${p.typeName}) but typeName differs`,
  }),
  code_number_without_notation: () => ({ vi: 'Có số văn bản nhưng thiếu ký hiệu', en: 'Document number given without a notation' }),
  retention_years_required: () => ({
    vi: 'Thời hạn lưu trữ "07" (Khác) phải kèm số năm (retentionYears)',
    en: 'Retention code "07" (other) requires retentionYears',
  }),
  retention_years_not_allowed: () => ({
    vi: 'Chỉ ghi số năm (retentionYears) khi thời hạn lưu trữ là "07" (Khác)',
    en: 'retentionYears is only allowed with retention code "07" (other)',
  }),
  maintenance_must_be_permanent: () => ({
    vi: 'Tài liệu nộp lưu vào lưu trữ lịch sử phải có thời hạn lưu trữ vĩnh viễn ("01")',
    en: 'Records transferred to a historical archive must be permanent ("01")',
  }),
  retention_raised_by_document: (p) => ({
    vi: `Hồ sơ có tài liệu với thời hạn lưu trữ dài hơn (${p.years}); hồ sơ lấy thời hạn dài nhất`,
    en: `A document has a longer retention period (${p.years}); the file takes the longest`,
  }),
  paper_file_code_required: () => ({
    vi: 'Hồ sơ số hóa phải có mã hồ sơ gốc giấy (paperFileCode)',
    en: 'A digitised file requires the paper original file code (paperFileCode)',
  }),
  paper_file_code_recommended: () => ({
    vi: 'Hồ sơ hỗn hợp nên có mã hồ sơ gốc giấy (paperFileCode)',
    en: 'A mixed file should give the paper original file code (paperFileCode)',
  }),
  invalid_paper_file_code: () => ({
    vi: 'Mã hồ sơ gốc giấy nên có dạng [Mã cơ quan lưu trữ].[Số kho/giá/hộp].[Số hồ sơ giấy]',
    en: 'Paper file code should look like [archive code].[store/shelf/box].[paper file number]',
  }),
  risk_recovery_status_required: () => ({
    vi: 'Khi có chế độ dự phòng (riskRecovery) phải ghi tình trạng dự phòng (riskRecoveryStatus)',
    en: 'riskRecoveryStatus is required when riskRecovery is set',
  }),
  risk_recovery_status_not_allowed: () => ({
    vi: 'Chỉ ghi tình trạng dự phòng khi có chế độ dự phòng (riskRecovery = 1)',
    en: 'riskRecoveryStatus is only allowed when riskRecovery is set',
  }),
  process_required: () => ({
    vi: 'Tài liệu gốc điện tử/hỗn hợp phải có trường quy trình xử lý (process)',
    en: 'Born-digital or mixed documents require the process field',
  }),
  process_recommended: () => ({
    vi: 'Hồ sơ gốc điện tử/hỗn hợp: tài liệu nên có trường quy trình xử lý (process)',
    en: 'In a born-digital or mixed file, documents should give the process field',
  }),
  start_after_end: () => ({ vi: 'Thời gian bắt đầu sau thời gian kết thúc', en: 'startDate is after endDate' }),
  issued_after_file_end: () => ({
    vi: 'Ngày văn bản sau thời gian kết thúc của hồ sơ (ảnh hưởng cách tính thời hạn lưu trữ)',
    en: "Document date is after the file's endDate (retention would be computed too early)",
  }),
  issued_before_file_start: () => ({
    vi: 'Ngày văn bản trước thời gian bắt đầu của hồ sơ',
    en: "Document date is before the file's startDate",
  }),
  arrival_before_issue: () => ({ vi: 'Ngày đến trước ngày văn bản', en: 'arrivalDate is before issuedDate' }),
  total_doc_mismatch: (p) => ({
    vi: `Tổng số tài liệu (${p.declared}) khác số tài liệu gửi kèm (${p.actual})`,
    en: `totalDoc (${p.declared}) differs from the number of documents given (${p.actual})`,
  }),
  page_total_mismatch: (p) => ({
    vi: `Tổng số trang hồ sơ (${p.declared}) khác tổng số trang các tài liệu (${p.actual})`,
    en: `File numberOfPage (${p.declared}) differs from the documents' total (${p.actual})`,
  }),
  duplicate_doc_ordinal: (p) => ({ vi: `Trùng số thứ tự tài liệu ${p.value}`, en: `Duplicate docOrdinal ${p.value}` }),
  doc_ordinal_gap: () => ({
    vi: 'Số thứ tự tài liệu không liên tục từ 1',
    en: 'Document ordinals are not consecutive from 1',
  }),
  duplicate_file_code: (p) => ({ vi: `Trùng mã hồ sơ ${p.value}`, en: `Duplicate fileCode ${p.value}` }),
  duplicate_path: (p) => ({ vi: `Trùng đường dẫn tệp ${p.value}`, en: `Duplicate path ${p.value}` }),
  duplicate_document: (p) => ({
    vi: `Trùng văn bản (cùng số, ký hiệu, cơ quan ban hành, năm) với ${p.other}`,
    en: `Duplicate document (same number, notation, issuer and year) as ${p.other}`,
  }),
  possible_duplicate_document: (p) => ({
    vi: `Có thể trùng văn bản với ${p.other} (số, ký hiệu giống nhau khi bỏ dấu)`,
    en: `Possible duplicate of ${p.other} (same number and notation without diacritics)`,
  }),
  invalid_sha256: () => ({ vi: 'Mã băm SHA-256 phải gồm 64 ký tự hexa', en: 'SHA-256 must be 64 hexadecimal characters' }),
  unsafe_path: () => ({
    vi: 'Đường dẫn tệp không an toàn (tuyệt đối, có "..", dấu "\\", ký tự điều khiển hoặc ký tự giả mạo)',
    en: 'Unsafe path (absolute, "..", backslash, control or look-alike characters)',
  }),
  too_large: (p) => ({ vi: `Quá nhiều phần tử (tối đa ${p.max})`, en: `Too many items (maximum ${p.max})` }),
  legacy_field_dropped: (p) => ({
    vi: `Trường cũ "${p.field}" (TT 02/2019) không có trong chuẩn TT 05/2025, đã bỏ qua`,
    en: `Legacy field "${p.field}" (TT 02/2019) has no TT 05/2025 equivalent; dropped`,
  }),
  legacy_value_unmapped: (p) => ({
    vi: `Không chuyển được giá trị "${p.value}" của trường ${p.field}`,
    en: `Could not map value "${p.value}" of ${p.field}`,
  }),
};

export const ISSUE_CODES: readonly string[] = Object.keys(CATALOG);

export function message(code: string, params: P = {}): LocalizedMessage {
  const f = CATALOG[code];
  if (!f) throw new Error(`no message for issue code ${code}`);
  return f(params);
}
