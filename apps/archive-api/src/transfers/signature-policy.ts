/**
 * The signature policy of intake (chính sách chấp nhận chữ ký số). Pure: report + policy → decision.
 *
 * Always rejected (the document is not what its signer signed, or the signer's certificate was revoked):
 *   MALFORMED_CMS, INVALID_BYTERANGE, INVALID_DIGEST, INVALID_SIGNATURE, MODIFIED_AFTER_SIGNING, REVOKED,
 *   and a PDF the verifier cannot parse (CORRUPT).
 * Per policy (`accept` silently, `flag` = accept with a flag and a warning, `reject`), defaults `flag`:
 *   UNTRUSTED_CHAIN (SIGNATURE_POLICY_UNTRUSTED), EXPIRED (…_EXPIRED), WEAK_ALGORITHM and
 *   UNSUPPORTED_ALGORITHM (…_WEAK), no signature at all (…_UNSIGNED), no agency signature although NĐ 30
 *   expects the signer's AND the agency's (…_MISSING_AGENCY_SIGNATURE), and a document that is not a PDF
 *   (…_NOT_VERIFIED; a PDF too large for memory is verified from a local file instead).
 * An agency signature (chữ ký số của cơ quan, tổ chức) is recognised by its signer certificate
 * (`isAgencySignature`): a certificate carrying a person's ID (UID CMND:/CCCD:/…) is never one; otherwise
 * it is one when the subject names an organisation — CN = O (seal certificates of Ban Cơ yếu and the
 * public CAs), CN = the agency's name as registered in the archive (never a name the transfer supplies),
 * or a budget-unit code in UID (MNS:, given to organisations only; a tax code MST: is not enough, persons
 * have one too).
 */
import type { DocumentReport, SignatureReport, SignatureVerdict } from '@archive/signature';
import type { SignatureAction, TransfersConfig } from '../config/app-config';

export type SignatureSummary = 'VALID' | 'INVALID' | 'INDETERMINATE' | 'UNSIGNED';

export interface PolicyMessage {
  code: string;
  message: string;
}

export interface SignatureDecision {
  summary: SignatureSummary;
  rejected: boolean;
  errors: PolicyMessage[];
  warnings: PolicyMessage[];
  /** Stable flags stored with the document (e.g. UNTRUSTED_CHAIN, MISSING_AGENCY_SIGNATURE). */
  flags: string[];
}

const ALWAYS_REJECT = new Set<SignatureVerdict>(['MALFORMED_CMS', 'INVALID_BYTERANGE', 'INVALID_DIGEST', 'INVALID_SIGNATURE', 'MODIFIED_AFTER_SIGNING', 'REVOKED']);

const TEXT: Record<string, string> = {
  MALFORMED_CMS: 'Chữ ký số có cấu trúc CMS không hợp lệ / malformed CMS signature',
  INVALID_BYTERANGE: 'Vùng ký (/ByteRange) không hợp lệ / invalid /ByteRange',
  INVALID_DIGEST: 'Giá trị băm không khớp: văn bản đã bị sửa / digest mismatch: the document was altered',
  INVALID_SIGNATURE: 'Chữ ký số không hợp lệ / invalid signature',
  MODIFIED_AFTER_SIGNING: 'Văn bản bị sửa đổi sau khi ký / modified after signing',
  REVOKED: 'Chứng thư số đã bị thu hồi / certificate revoked',
  UNTRUSTED_CHAIN: 'Chứng thư số không thuộc chuỗi tin cậy đã cấu hình / certificate chain not trusted',
  EXPIRED: 'Chứng thư số hết hạn tại thời điểm ký / certificate expired',
  WEAK_ALGORITHM: 'Thuật toán yếu / weak algorithm',
  UNSUPPORTED_ALGORITHM: 'Thuật toán không được hỗ trợ / unsupported algorithm',
  UNSIGNED: 'Văn bản không có chữ ký số / the document is not signed',
  MISSING_AGENCY_SIGNATURE: 'Thiếu chữ ký số của cơ quan, tổ chức (NĐ 30/2020) / no agency signature',
  NOT_VERIFIED: 'Không kiểm tra chữ ký số (không phải tệp PDF) / signature not verified (not a PDF)',
  PDF_CORRUPT: 'Tệp PDF bị hỏng, không đọc được / the PDF cannot be parsed',
};

export function policyMessage(code: string): PolicyMessage {
  return { code, message: TEXT[code] ?? code };
}

function normalizeName(s: string | null | undefined): string {
  return (s ?? '').normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
}

/** UID prefixes Vietnamese CAs put in a subject: an organisation's budget-unit code, or a person's ID. */
const ORGANISATION_UID = /^MNS\s*:/i;
const PERSON_UID = /^(CMND|CCCD|HC|CMT|PID|PASSPORT)\s*:/i;

function subjectUids(subject: string | undefined): string[] {
  if (!subject) return [];
  return [...subject.matchAll(/(?:^|, )UID=([^,]*)/g)].map((m) => m[1]!.trim());
}

/** Is this the agency's signature rather than a person's? `agencyName`: the agency as registered in the archive. */
export function isAgencySignature(sig: SignatureReport, agencyName: string | null = null): boolean {
  const name = normalizeName(sig.signer?.name);
  if (sig.kind !== 'SIGNATURE' || name === '') return false;
  const uids = subjectUids(sig.chain[0]?.subject);
  if (uids.some((u) => PERSON_UID.test(u))) return false;
  if (uids.some((u) => ORGANISATION_UID.test(u))) return true;
  if (name === normalizeName(sig.signer?.organization)) return true;
  return normalizeName(agencyName) === name;
}

function apply(d: SignatureDecision, action: SignatureAction, code: string): void {
  if (action === 'reject') {
    d.rejected = true;
    d.errors.push(policyMessage(code));
  } else if (action === 'flag') {
    d.warnings.push(policyMessage(code));
  }
  if (action !== 'accept' && !d.flags.includes(code)) d.flags.push(code);
}

/** `report` null: not verified (not a PDF). */
export function decideSignature(
  report: DocumentReport | null,
  policy: TransfersConfig['policy'],
  agencyName: string | null = null,
): SignatureDecision {
  const d: SignatureDecision = { summary: 'INDETERMINATE', rejected: false, errors: [], warnings: [], flags: [] };
  if (report === null) {
    apply(d, policy.notVerified, 'NOT_VERIFIED');
    return d;
  }
  if (report.summary === 'CORRUPT') {
    d.summary = 'INVALID';
    d.rejected = true;
    d.errors.push(policyMessage('PDF_CORRUPT'));
    d.flags.push('PDF_CORRUPT');
    return d;
  }
  d.summary = report.summary;
  const signatures = report.signatures.filter((s) => s.kind === 'SIGNATURE');
  if (signatures.length === 0) {
    apply(d, policy.unsigned, 'UNSIGNED');
    return d;
  }
  for (const s of report.signatures) {
    if (ALWAYS_REJECT.has(s.verdict)) {
      d.rejected = true;
      if (!d.errors.some((e) => e.code === s.verdict)) d.errors.push(policyMessage(s.verdict));
      if (!d.flags.includes(s.verdict)) d.flags.push(s.verdict);
    } else if (s.verdict === 'UNTRUSTED_CHAIN') apply(d, policy.untrusted, 'UNTRUSTED_CHAIN');
    else if (s.verdict === 'EXPIRED') apply(d, policy.expired, 'EXPIRED');
    else if (s.verdict === 'WEAK_ALGORITHM' || s.verdict === 'UNSUPPORTED_ALGORITHM') apply(d, policy.weak, s.verdict);
  }
  if (!signatures.some((s) => isAgencySignature(s, agencyName))) apply(d, policy.missingAgencySignature, 'MISSING_AGENCY_SIGNATURE');
  // dedupe warnings that several signatures raised
  d.warnings = d.warnings.filter((w, i) => d.warnings.findIndex((x) => x.code === w.code) === i);
  return d;
}
