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

/** Vietnamese for the detail phrases the verifier produces (others stay as they are: names, OIDs). */
const DETAIL_VI: [string, string][] = [
  ['no path to a configured trust anchor', 'không có đường dẫn tới chứng thư số gốc tin cậy đã cấu hình'],
  ['the signed range does not end at the end of a revision (%%EOF)', 'vùng được ký không kết thúc tại cuối một phiên bản (%%EOF)'],
  ['bytes after the signed range are not an incremental update', 'dữ liệu sau vùng được ký không phải là bản cập nhật tăng dần'],
  ['points outside the file', 'trỏ ra ngoài tệp'],
  ['ranges overlap', 'các vùng chồng lấn nhau'],
  ['does not start at 0', 'không bắt đầu từ 0'],
  ['is not exactly the /Contents string', 'không trùng khớp với chuỗi /Contents'],
  ['the unsigned gap', 'khoảng không được ký'],
  ['missing or not an array of numbers', 'thiếu hoặc không phải mảng số'],
  ['the signature dictionary was replaced in a later revision', 'từ điển chữ ký đã bị thay thế ở phiên bản sau'],
  ['signature dictionary replaced in a later revision', 'từ điển chữ ký đã bị thay thế ở phiên bản sau'],
  ['the signature field was removed in a later revision', 'trường chữ ký đã bị xóa ở phiên bản sau'],
  ['field appearance changed without a change of its value', 'hình thức hiển thị của trường bị đổi mà giá trị không đổi'],
  ['appearance replaced although the old appearance objects are also used elsewhere', 'hình thức hiển thị bị thay thế trong khi đối tượng cũ còn được dùng ở nơi khác'],
  ['content changed', 'nội dung bị thay đổi'],
  ['document catalog replaced (/Root changed)', 'danh mục tài liệu bị thay thế (/Root thay đổi)'],
  ['a detached PDF signature must not encapsulate content', 'chữ ký PDF tách rời không được chứa nội dung bên trong'],
  ['signature value does not verify', 'giá trị chữ ký không khớp'],
  ['TSA certificate lacks extended key usage timeStamping', 'chứng thư của TSA thiếu mục đích sử dụng timeStamping'],
  ['lacks keyCertSign', 'thiếu quyền keyCertSign'],
  ['is not a CA (basicConstraints) but issued certificate', 'không phải CA (basicConstraints) nhưng đã cấp chứng thư'],
  ['signer certificate key usage allows neither digitalSignature nor nonRepudiation', 'chứng thư người ký không cho phép digitalSignature hay nonRepudiation'],
  ['too large', 'quá lớn'],
  ['unreadable', 'không đọc được'],
];

function detailVi(detail: string): string {
  let out = detail;
  for (const [en, vi] of DETAIL_VI) out = out.split(en).join(vi);
  return out;
}

export function msg(code: string, detail = ''): LocalizedMessage {
  const [vi, en] = M[code] ?? [code, code];
  return { code, vi: vi.replace('{d}', detailVi(detail)), en: en.replace('{d}', detail) };
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
