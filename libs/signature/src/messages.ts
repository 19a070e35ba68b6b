/** Report messages in Vietnamese (required by TT 15/2025) and English. */
import { LocalizedMessage, SignatureVerdict } from './report';

const M: Record<string, [vi: string, en: string]> = {
  CORRUPT_PDF: ['Tệp PDF bị hỏng hoặc không đọc được: {d}', 'The PDF is corrupt or unreadable: {d}'],
  PDF_RECONSTRUCTED: ['Bảng xref bị hỏng; cấu trúc tài liệu được dựng lại bằng cách quét tệp', 'The xref table is broken; the document structure was reconstructed by scanning'],
  UNSIGNED: ['Tài liệu không có chữ ký số', 'The document has no digital signature'],
  MALFORMED_CMS: ['Dữ liệu chữ ký (CMS) không hợp lệ: {d}', 'The signature data (CMS) is malformed: {d}'],
  INVALID_BYTERANGE: ['Vùng dữ liệu được ký (/ByteRange) không hợp lệ: {d}', 'The signed byte range (/ByteRange) is invalid: {d}'],
  INVALID_DIGEST: ['Giá trị băm không khớp: tài liệu đã bị thay đổi sau khi ký', 'Digest mismatch: the document was altered after signing'],
  INVALID_SIGNATURE: ['Chữ ký số không hợp lệ: {d}', 'The digital signature is invalid: {d}'],
  UNSUPPORTED_ALGORITHM: ['Thuật toán không được hỗ trợ hoặc không được phép: {d}', 'Unsupported or disallowed algorithm: {d}'],
  WEAK_ALGORITHM: ['Thuật toán yếu (không còn an toàn): {d}', 'Weak algorithm (no longer secure): {d}'],
  MODIFIED_AFTER_SIGNING: ['Tài liệu đã bị sửa đổi không được phép sau khi ký: {d}', 'The document was changed in a way not permitted after signing: {d}'],
  PERMITTED_CHANGES: ['Có thay đổi được phép sau khi ký: {d}', 'Permitted changes after signing: {d}'],
  UNTRUSTED_CHAIN: ['Không xây dựng được chuỗi chứng thư số tới tổ chức chứng thực gốc tin cậy: {d}', 'No certificate path to a trusted root: {d}'],
  REVOKED: ['Chứng thư số đã bị thu hồi ({d})', 'The certificate has been revoked ({d})'],
  EXPIRED: ['Chứng thư số hết hạn hoặc chưa có hiệu lực tại thời điểm kiểm tra: {d}', 'The certificate is expired or not yet valid at the validation time: {d}'],
  REVOCATION_UNKNOWN: ['Không kiểm tra được tình trạng thu hồi của chứng thư số: {d}', 'Revocation status could not be checked: {d}'],
  VALID: ['Chữ ký số hợp lệ', 'The signature is valid'],
  TIMESTAMP_INVALID: ['Dấu thời gian không hợp lệ: {d}', 'The timestamp is invalid: {d}'],
  TIMESTAMP_POE: ['Dấu thời gian hợp lệ chứng minh chữ ký tồn tại lúc {d}', 'A valid timestamp proves the signature existed at {d}'],
  WEAK_DIGEST_NOTE: ['Thuật toán băm SHA-1 bị coi là yếu', 'The SHA-1 digest algorithm is considered weak'],
  ESS_MISMATCH: ['Thuộc tính signing-certificate không khớp với chứng thư ký', 'The signing-certificate attribute does not match the signer certificate'],
  SIGNER_CERT_MISSING: ['Không tìm thấy chứng thư của người ký trong chữ ký', 'The signer certificate is not in the signature'],
  COVERAGE_PARTIAL: ['Chữ ký không bao phủ toàn bộ tài liệu (có các phiên bản cập nhật sau)', 'The signature does not cover the whole document (later revisions follow)'],
};

export function msg(code: string, detail = ''): LocalizedMessage {
  const [vi, en] = M[code] ?? [code, code];
  return { code, vi: vi.replace('{d}', detail), en: en.replace('{d}', detail) };
}

export const VERDICT_LABEL_VI: Record<SignatureVerdict, string> = {
  VALID: 'Hợp lệ',
  MALFORMED_CMS: 'CMS lỗi',
  INVALID_BYTERANGE: 'ByteRange sai',
  INVALID_DIGEST: 'Sai giá trị băm',
  INVALID_SIGNATURE: 'Chữ ký sai',
  UNSUPPORTED_ALGORITHM: 'Thuật toán không hỗ trợ',
  WEAK_ALGORITHM: 'Thuật toán yếu',
  MODIFIED_AFTER_SIGNING: 'Bị sửa sau khi ký',
  UNTRUSTED_CHAIN: 'Không tin cậy',
  REVOKED: 'Đã thu hồi',
  EXPIRED: 'Hết hạn',
};
