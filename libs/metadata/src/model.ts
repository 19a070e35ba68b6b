/**
 * Archival metadata model (TT 05/2025/TT-BNV EAD profile + NĐ 30/2020 Phụ lục VI e-office fields).
 *
 * Field names are the element names of the national standard (see VN-ARCHIVE-RULES.md §2.3) so the
 * JSON manifest, the EAD XML and the database speak the same vocabulary.
 * Dates are ISO 8601 strings in the model (`2024-03-01`); case-file spans may be partial
 * (`2024-03`, `2024`) because AIP_hoso accepts `MM/YYYY` and `YYYY`.
 * Codes are strings (`"01"`), validated against the versioned code lists in `codes/`.
 */

/** ISO 8601 calendar date `YYYY-MM-DD` (or, for case-file spans only, `YYYY-MM` / `YYYY`). */
export type IsoDate = string;

/** Two-digit code strings of the TT 05/2025 code lists (kept as `string`: the lists are data, not types). */
export type MaintenanceCode = string; // 01..07 — thời hạn lưu trữ
export type ModeCode = string; // 01..03 — chế độ sử dụng
export type LanguageCode = string; // 01..11, one or more, comma-separated ("01,02")
export type TypeNameCode = string; // 01..32 — tên loại tài liệu
export type ConfidenceLevelCode = string; // 01 gốc điện tử · 02 số hóa · 03 hỗn hợp
export type FormatCode = string; // 01 tốt · 02 bình thường · 03 hỏng — tình trạng vật lý
export type RiskRecoveryStatusCode = string; // 01 đã dự phòng · 02 chưa dự phòng

/** Nơi nhận (NĐ 30 Phụ lục VI, văn bản đi field 13 `To`). */
export interface Recipient {
  organId?: string; // mã định danh, String 13
  organName: string; // String 200
}

/**
 * Văn bản / tài liệu in a case file. Union of the SIP / AIP / DIP EAD_doc element sets (§2.3) plus the
 * NĐ 30 Phụ lục VI e-office fields and the transfer fields of the manifest (`path`, `sha256`).
 */
export interface ArchivalDocument {
  // --- TT 05/2025 EAD_doc ---
  /** Số thứ tự tài liệu trong hồ sơ (1-based; 7 digits in docCode). */
  docOrdinal: number;
  /** Mã định danh tài liệu (String 25), e.g. `H49.64.33.2001.160.1`. Derived when absent. */
  docId?: string;
  /** Mã lưu trữ của tài liệu = fileCode + 7-digit ordinal. Derived when absent. */
  docCode?: string;
  /** Mã lưu trữ tài liệu in AIP_tailieu / DIP = archive code + file code + ordinal. */
  arcDocCode?: string;
  /** Thời hạn lưu trữ; defaults to the case file's value. */
  maintenance?: MaintenanceCode;
  /** Years when `maintenance` is `07` (Khác). */
  retentionYears?: number | null;
  typeName: TypeNameCode;
  codeNumber?: string; // Số (nếu có), String 11
  codeNotation?: string; // Ký hiệu (nếu có), String 30, e.g. `QĐ-SNV`
  issuedDate: IsoDate;
  organName: string; // Cơ quan ban hành, String 200 (absent in DIP)
  /** Mã định danh of the issuing agency, when known (used for the document identifier). */
  organId?: string;
  subject: string; // Trích yếu, String 500
  language: LanguageCode;
  numberOfPage: number;
  inforSign?: string;
  keyword?: string;
  mode: ModeCode;
  confidenceLevel?: ConfidenceLevelCode;
  autograph?: string; // Bút tích
  format?: FormatCode;
  /** Quy trình xử lý: true = a processing-flow file is attached. Required for born-digital documents. */
  process?: boolean;
  riskRecovery?: boolean;
  riskRecoveryStatus?: RiskRecoveryStatusCode;
  description?: string;

  // --- NĐ 30/2020 Phụ lục VI (e-office) ---
  signerPosition?: string; // SignerInfo.Position, 100
  signerFullName?: string; // SignerInfo.FullName, 50
  recipients?: Recipient[]; // To (văn bản đi)
  /** Mức độ khẩn, độ mật (Priority, Number 1). */
  priority?: number;
  issuedAmount?: number; // Số lượng bản phát hành
  dueDate?: IsoDate; // Hạn trả lời / thời hạn giải quyết
  arrivalDate?: IsoDate; // Ngày đến (văn bản đến)
  arrivalNumber?: number; // Số đến
  toPlaces?: string; // Đơn vị hoặc người nhận (String 1000)
  traceHeaderList?: string; // Ý kiến phân phối, chỉ đạo, trạng thái xử lý (LongText)

  // --- transfer (manifest) ---
  /** Relative path of the content inside the transfer (multipart field name / ZIP entry). */
  path: string;
  /** SHA-256 of the content, 64 hex characters (case-insensitive on input, lower case when normalised). */
  sha256: string;
  size?: number;
  mimeType?: string;

  /** Version of the code lists this record was validated against (set by the validator). */
  codeListVersion?: string;
}

/** Hồ sơ — the 18 EAD.xml fields of TT 05/2025 (§2.3) plus the manifest extras. */
export interface CaseFile {
  /** 1. Mã hồ sơ (SIP): agency id + year + file number/notation, e.g. `000.00.12.H05.2024.01.TCCB`. */
  fileCode: string;
  /** 1'. Mã hồ sơ lưu trữ (AIP): archive code + file code. */
  arcFileCode?: string;
  /** 2. Tiêu đề hồ sơ (String 1000). */
  title: string;
  /** 3. Thời hạn lưu trữ 01..07. */
  maintenance: MaintenanceCode;
  /** Number of years when maintenance = `07` (Khác); null/absent otherwise. */
  retentionYears?: number | null;
  /** 4. Chế độ sử dụng 01..03. */
  mode: ModeCode;
  /** 5. Ngôn ngữ 01..11 (one or more, comma-separated). */
  language: LanguageCode;
  /** 6. Thời gian bắt đầu. */
  startDate: IsoDate;
  /** 7. Thời gian kết thúc (retention counts from its year). */
  endDate: IsoDate;
  /** 8. Từ khóa (nếu có). */
  keyword?: string;
  /** 9. Tổng số tài liệu trong hồ sơ. */
  totalDoc: number;
  /** 10. Số lượng tờ (digitised paper). */
  numberOfPaper?: number;
  /** 11. Số lượng trang. */
  numberOfPage: number;
  /** 12. Tình trạng vật lý (nếu có) 01..03. */
  format?: FormatCode;
  /** 13. Ký hiệu thông tin (nếu có). */
  inforSign?: string;
  /** 14. Mức độ tin cậy (nếu có) 01..03. */
  confidenceLevel?: ConfidenceLevelCode;
  /** 15. Mã hồ sơ gốc giấy — required for digitised files (confidenceLevel 02). */
  paperFileCode?: string;
  /** 16. Chế độ dự phòng. */
  riskRecovery?: boolean;
  /** 17. Tình trạng dự phòng 01/02 — required iff riskRecovery. */
  riskRecoveryStatus?: RiskRecoveryStatusCode;
  /** 18. Ghi chú. */
  description?: string;

  /** Người lập hồ sơ (NĐ 30 Creator, String 30 there; TT 05 puts it in description). */
  creator?: string;
  documents: ArchivalDocument[];

  /** Version of the code lists this record was validated against (set by the validator). */
  codeListVersion?: string;
}

export interface Agency {
  /** Mã định danh cơ quan, shape `000.00.12.H05`. */
  id: string;
  name: string;
}

/** JSON manifest of `POST /transfers` (API.md). */
export interface Manifest {
  agency: Agency;
  files: CaseFile[];
}

/** A record as stored: the value plus the code-list version it was validated against. */
export interface ValidatedRecord<T> {
  value: T;
  codeListVersion: string;
  validatedAt?: string;
}

export type Severity = 'error' | 'warning';

export interface LocalizedMessage {
  vi: string;
  en: string;
}

/** One validation problem. `code` is a stable snake_case identifier; `path` like `files[0].documents[2].issuedDate`. */
export interface Issue {
  path: string;
  code: string;
  severity: Severity;
  message: LocalizedMessage;
}

export interface ValidationResult<T> {
  /** true when there is no issue of severity `error` (warnings allowed). */
  ok: boolean;
  /** The normalised value, present when ok. */
  value?: T;
  issues: Issue[];
  codeListVersion: string;
}

/** Retention period: a number of years, or null for permanent (vĩnh viễn). */
export type RetentionYears = number | null;

/** A row of a retention schedule (bảng thời hạn lưu trữ), e.g. TT 10/2022 Phụ lục I. */
export interface ScheduleRow {
  code: string;
  title: string;
  maintenance: MaintenanceCode;
  /** Years; null when permanent. Must agree with `maintenance` (07 carries the free value). */
  retentionYears: RetentionYears;
  legalBasis: string;
  version: string;
}
