/** Shared shapes of the transfers feature (rows of `transfers`, job payloads, results). */

export const TRANSFER_QUEUE = 'transfers.process';
export const JANITOR_QUEUE = 'transfers.janitor';
/** The AIP of a catalogued case file, written after the commit (TRANSFER_AIP_DEFERRED). */
export const AIP_QUEUE = 'transfers.aip';
/** The receipt (biên bản giao nhận) of a transfer whose processing ended: made and signed by a job. */
export const RECEIPT_QUEUE = 'transfers.receipt';

export type BodyKind = 'MULTIPART' | 'ZIP_MANIFEST' | 'EARK_SIP';
export type TransferStatus = 'RECEIVED' | 'PROCESSING' | 'ACCEPTED' | 'PARTIALLY_ACCEPTED' | 'REJECTED' | 'FAILED';
export const TERMINAL_STATUSES: readonly TransferStatus[] = ['ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED', 'FAILED'];

/** A receipt (biên bản giao nhận) exists once processing has ended with a decision (not on FAILED). */
export function receiptAvailable(status: string): boolean {
  return TERMINAL_STATUSES.includes(status as TransferStatus) && status !== 'FAILED';
}

/** A received document (multipart part) or ZIP entry, as staged. For ZIP bodies the package itself comes first with `path` ''. */
export interface StagedPart {
  /** multipart field name / ZIP entry name = the document's `path` in the manifest. */
  path: string;
  /** object key of the staged bytes (for ZIP entries: the staged package). */
  key: string;
  /** hex SHA-256 computed while staging (multipart), declared by METS (SIP), or '' until read (manifest ZIP). */
  sha256: string;
  size: number;
  contentType: string;
  fileName: string | null;
  /** version the store gave the write (S3 versioned buckets). */
  versionId?: string | null;
  /** entry inside the staged ZIP. */
  zipEntry?: string;
}

export interface ResultMessage {
  code: string;
  message: string;
  path?: string;
}

export interface FileResult {
  fileCode: string;
  status: 'ACCEPTED' | 'REJECTED';
  fileId: string | null;
  errors: ResultMessage[];
  warnings: ResultMessage[];
}

export interface DocumentResult {
  path: string;
  fileCode: string;
  docCode: string | null;
  status: 'ACCEPTED' | 'REJECTED';
  documentId: string | null;
  signatureSummary: 'VALID' | 'INVALID' | 'INDETERMINATE' | 'UNSIGNED' | null;
  signatureFlags: string[];
  sha256: string | null;
  size: number | null;
  errors: ResultMessage[];
  warnings: ResultMessage[];
}
