/**
 * Structured errors of the E-ARK package reader/writer. Every problem found in a package is reported
 * as one of these (never as an exception escaping the public API), with a stable `code`, the package
 * path it concerns, and a message in Vietnamese and English for the transfer report.
 */
export type EarkErrorCode =
  // ZIP container
  | 'ZIP_INVALID'
  | 'ZIP_TOO_MANY_ENTRIES'
  | 'ZIP_ENTRY_TOO_LARGE'
  | 'ZIP_TOTAL_TOO_LARGE'
  | 'ZIP_COMPRESSION_RATIO'
  | 'ZIP_UNSAFE_PATH'
  | 'ZIP_SYMLINK'
  | 'ZIP_DUPLICATE_ENTRY'
  | 'ZIP_ENCRYPTED'
  | 'ZIP_UNSUPPORTED_COMPRESSION'
  | 'ZIP_ENTRY_CORRUPT'
  // XML
  | 'XML_TOO_LARGE'
  | 'XML_TOO_DEEP'
  | 'XML_DTD_FORBIDDEN'
  | 'XML_MALFORMED'
  // METS / CSIP structure
  | 'METS_MISSING'
  | 'METS_INVALID'
  | 'PACKAGE_TYPE_UNSUPPORTED'
  | 'CSIP_VALUE_AMBIGUOUS'
  | 'HREF_INVALID'
  | 'REPRESENTATION_MISSING'
  // integrity
  | 'FILE_MISSING'
  | 'FILE_UNREFERENCED'
  | 'FILE_REFERENCED_TWICE'
  | 'CHECKSUM_MISSING'
  | 'CHECKSUM_TYPE_UNSUPPORTED'
  | 'CHECKSUM_MISMATCH'
  | 'SIZE_MISMATCH'
  // descriptive metadata
  | 'EAD_MISSING'
  | 'EAD_INVALID'
  | 'EAD_DOC_MISSING'
  | 'DOCUMENT_FILE_MISSING'
  | 'DOCUMENT_ORDINAL_DUPLICATE'
  // writer input
  | 'AIP_INPUT_INVALID'
  | 'AIP_SOURCE_MISMATCH'
  // warnings (accepted deviations)
  | 'CHECKSUM_NOT_DECLARED'
  | 'CSIP_VALUE_AS_ELEMENT'
  | 'FILE_EXTRA'
  | 'HREF_ROOT_RELATIVE'
  | 'DATE_FORMAT_UNRECOGNIZED'
  | 'TIMEOUT'
  // anything unexpected (a bug or an I/O failure of the source)
  | 'INTERNAL';

export interface LocalizedMessage {
  vi: string;
  en: string;
}

export interface EarkError {
  code: EarkErrorCode;
  /** Path inside the package (ZIP entry name or METS href), when the problem concerns one. */
  path?: string;
  message: LocalizedMessage;
}

export type EarkResult<T> = { ok: true; value: T; warnings: EarkError[] } | { ok: false; errors: EarkError[]; warnings: EarkError[] };

/** Thrown internally and by the streams handed out; the public async API turns it into a result. */
export class EarkFailure extends Error {
  readonly errors: EarkError[];
  constructor(errors: EarkError | EarkError[]) {
    const list = Array.isArray(errors) ? errors : [errors];
    super(list.map((e) => `${e.code}${e.path ? ` (${e.path})` : ''}: ${e.message.en}`).join('; '));
    this.name = 'EarkFailure';
    this.errors = list;
  }
}

export function earkError(code: EarkErrorCode, path: string | undefined, vi: string, en: string): EarkError {
  return path === undefined ? { code, message: { vi, en } } : { code, path, message: { vi, en } };
}

/** Maps anything caught at the API boundary to structured errors. */
export function toEarkErrors(err: unknown): EarkError[] {
  if (err instanceof EarkFailure) return err.errors;
  const detail = err instanceof Error ? err.message : String(err);
  return [earkError('INTERNAL', undefined, `Lỗi xử lý gói tin: ${detail}`, `Package processing failed: ${detail}`)];
}
