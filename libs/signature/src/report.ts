/**
 * The validation report: the contract between the verifier, the service (which stores it as
 * evidence) and the CLI (`verify-pdf --json`). Vocabularies here are used by outside checks:
 * extend, never rename.
 */

/** Primary verdict per signature: the first check that fails, in this order. */
export const SIGNATURE_VERDICTS = [
  'MALFORMED_CMS',
  'INVALID_BYTERANGE',
  'INVALID_DIGEST',
  'INVALID_SIGNATURE',
  'UNSUPPORTED_ALGORITHM',
  'WEAK_ALGORITHM',
  'MODIFIED_AFTER_SIGNING',
  'UNTRUSTED_CHAIN',
  'REVOKED',
  'EXPIRED',
  'VALID',
] as const;
export type SignatureVerdict = (typeof SIGNATURE_VERDICTS)[number];

/** ETSI EN 319 102-1 main indication. */
export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';

/** Per-document summary. */
export type DocumentSummary = 'VALID' | 'INVALID' | 'INDETERMINATE' | 'UNSIGNED' | 'CORRUPT';

export type SignatureKind = 'SIGNATURE' | 'DOCUMENT_TIMESTAMP';

export interface LocalizedMessage {
  code: string;
  vi: string;
  en: string;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string; // hex
  notBefore: string; // ISO
  notAfter: string; // ISO
  sha256: string; // fingerprint of the DER, hex
  commonName?: string;
  organization?: string;
}

export interface RevocationInfo {
  status: 'GOOD' | 'REVOKED' | 'UNKNOWN' | 'NOT_CHECKED';
  source?: 'CRL' | 'OCSP';
  origin?: 'SUPPLIED' | 'CMS' | 'DSS';
  revokedAt?: string;
  reason?: string;
  certificateSerial: string;
}

export interface TimestampInfo {
  time: string; // ISO genTime
  tsa?: CertificateInfo;
  imprintValid: boolean;
  signatureValid: boolean;
  trusted: boolean;
}

export interface SignatureReport {
  index: number; // revision order (ascending end of /ByteRange), from 0
  kind: SignatureKind;
  fieldName: string | null;
  subFilter: string | null;
  verdict: SignatureVerdict;
  indication: Indication;
  subIndication: string | null; // ETSI sub-indication, e.g. HASH_FAILURE, NO_CERTIFICATE_CHAIN_FOUND
  signer: {
    name: string | null;
    organization: string | null;
    serialNumber: string | null;
    issuer: string | null;
  } | null;
  claimedSigningTime: string | null; // /M or signingTime attribute
  timestampTime: string | null; // signature timestamp (or the document timestamp's genTime)
  byteRange: number[] | null;
  coverage: {
    coversWholeRevision: boolean;
    coversWholeDocument: boolean; // nothing appended after this signature's revision
    signedRevisionLength: number | null;
  };
  algorithms: {
    digest: string | null; // e.g. SHA-256
    signature: string | null; // e.g. RSA, RSASSA-PSS, ECDSA
  };
  chain: CertificateInfo[]; // signer first, then up to the anchor
  trustAnchor: CertificateInfo | null;
  revocation: RevocationInfo[];
  timestamp: TimestampInfo | null;
  modifications: {
    level: 'NONE' | 'PERMITTED' | 'DISALLOWED';
    details: string[];
  };
  messages: LocalizedMessage[]; // errors and warnings, in Vietnamese and English
}

export interface DocumentReport {
  summary: DocumentSummary;
  signatureCount: number;
  sha256: string;
  size: number;
  validationTime: string; // ISO: the time the validation was judged at
  trustStoreFingerprint: string; // SHA-256 over the sorted anchor fingerprints
  signatures: SignatureReport[];
  messages: LocalizedMessage[];
}
