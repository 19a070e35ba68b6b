// Realistic manifests for the tests: the API.md sample (Sở Nội vụ tỉnh Bình Định) and variations.
import { createHash } from 'crypto';

export const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

export function sampleDocument(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    docOrdinal: 1,
    typeName: '02',
    codeNumber: '15',
    codeNotation: 'QĐ-SNV',
    issuedDate: '2024-03-01',
    organName: 'Sở Nội vụ tỉnh Bình Định',
    subject: 'Quyết định bổ nhiệm ông Nguyễn Văn C giữ chức Trưởng phòng Tổ chức cán bộ',
    language: '01',
    numberOfPage: 3,
    mode: '01',
    signerPosition: 'Giám đốc',
    signerFullName: 'Nguyễn Văn A',
    path: 'docs/15-QD-SNV.pdf',
    sha256: sha('15/QĐ-SNV'),
    ...over,
  };
}

export function sampleFile(over: Record<string, unknown> = {}, docs?: Record<string, unknown>[]): Record<string, unknown> {
  const documents = docs ?? [sampleDocument()];
  return {
    fileCode: '000.00.12.H05.2024.01.TCCB',
    title: 'Hồ sơ bổ nhiệm Trưởng phòng Tổ chức cán bộ năm 2024',
    maintenance: '06',
    retentionYears: null,
    mode: '01',
    language: '01',
    startDate: '2024-01-05',
    endDate: '2024-12-20',
    totalDoc: documents.length,
    numberOfPage: documents.reduce((a: number, d) => a + (typeof d.numberOfPage === 'number' ? d.numberOfPage : 0), 0),
    keyword: 'bổ nhiệm',
    confidenceLevel: '01',
    creator: 'Trần Thị B',
    description: '',
    documents,
    ...over,
  };
}

export function sampleManifest(files?: Record<string, unknown>[]): Record<string, unknown> {
  return {
    agency: { id: '000.00.12.H05', name: 'Sở Nội vụ tỉnh Bình Định' },
    files: files ?? [sampleFile()],
  };
}

/** A two-document file: decision + the submission (tờ trình) that preceded it. */
export function twoDocFile(): Record<string, unknown> {
  return sampleFile({}, [
    sampleDocument({
      docOrdinal: 1, typeName: '15', codeNumber: '07', codeNotation: 'TTr-SNV', issuedDate: '2024-02-10',
      subject: 'Tờ trình đề nghị bổ nhiệm', numberOfPage: 2, path: 'docs/07-TTr-SNV.pdf', sha256: sha('07/TTr-SNV'), process: true,
    }),
    sampleDocument({ docOrdinal: 2, process: true }),
  ]);
}
