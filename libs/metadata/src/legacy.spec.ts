import { fromLegacy, mapLegacy, legacyCode, legacyMaintenance, validateCaseFile, validateDocument, validateLegacyManifest } from '@archive/metadata';
import { sha } from './__fixtures__/manifest';

// A row of the TT 02/2019-era data-entry template (Vietnamese column headers) with its documents.
const legacyFile = {
  'Phông': 'Sở Nội vụ tỉnh Bình Định',
  'Mục lục': '01',
  'Hộp số': '12',
  'Số và ký hiệu hồ sơ': '01.TCCB',
  'Tiêu đề hồ sơ': 'Hồ sơ bổ nhiệm Trưởng phòng Tổ chức cán bộ năm 2024',
  'Thời hạn bảo quản': '10 năm',
  'Chế độ sử dụng': 'Công khai',
  'Ngôn ngữ': 'Tiếng Việt',
  'Thời gian bắt đầu': '05/01/2024',
  'Thời gian kết thúc': '20/12/2024',
  'Tổng số văn bản': '1',
  'Số lượng trang': 3,
  'Từ khóa': 'bổ nhiệm',
  'Mức độ tin cậy': 'Số hóa',
  'Mã hồ sơ giấy gốc': 'TTLT.K01-H12.HS01',
  'Tình trạng vật lý': 'Tốt',
  'Ghi chú': '',
  'Văn bản': [
    {
      'Số thứ tự văn bản trong hồ sơ': 1,
      'Tên loại': 'Quyết định',
      'Số': 15,
      'Ký hiệu': 'QĐ-SNV',
      'Ngày/Tháng/Năm': '01/03/2024',
      'Tên cơ quan ban hành': 'Sở Nội vụ tỉnh Bình Định',
      'Trích yếu nội dung': 'Quyết định bổ nhiệm ông Nguyễn Văn C',
      'Ngôn ngữ': 'Tiếng Việt',
      'Số lượng trang': 3,
      'Chế độ sử dụng': 'Công khai',
      'Mức độ tin cậy': 'Số hóa',
      'Bút tích': '',
      'Quy trình xử lý': 'Không',
      'Đường dẫn': 'docs/15-QD-SNV.pdf',
      'SHA256': sha('15'),
    },
  ],
};

describe('legacy TT 02/2019 template → TT 05/2025', () => {
  it('maps a whole legacy manifest that then validates', () => {
    const r = validateLegacyManifest({ agency: { OrganId: '000.00.12.H05', OrganName: 'Sở Nội vụ tỉnh Bình Định' }, HoSo: [legacyFile] });
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(r.ok).toBe(true);
    const f = r.value!.files[0];
    expect(f).toMatchObject({
      fileCode: '000.00.12.H05.2024.01.TCCB', maintenance: '06', mode: '01', language: '01',
      startDate: '2024-01-05', endDate: '2024-12-20', totalDoc: 1, confidenceLevel: '02', format: '01',
    });
    expect(f.description).toContain('Hộp số: 12'); // paper location kept in the note
    expect(f.documents[0]).toMatchObject({ typeName: '02', codeNumber: '15', issuedDate: '2024-03-01', process: false });
  });
  it('maps a single legacy case-file row given the agency', () => {
    const r = validateCaseFile(fromLegacy(legacyFile, { agencyId: '000.00.12.H05' }), { agencyId: '000.00.12.H05' });
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(r.value!.fileCode).toBe('000.00.12.H05.2024.01.TCCB');
  });
  it('maps NĐ 30 Phụ lục VI tags (composite FileCode, Rights, DocTotal, PageAmount, SignerInfo, To)', () => {
    const { value, issues } = mapLegacy({
      FileCode: { OrganId: '000.00.12.H05', FileCatalog: 2024, FileNotation: '02.VP' },
      Title: 'Hồ sơ công văn đi', Maintenance: 'Vĩnh viễn', Rights: 'Hạn chế', Language: 'Tiếng Việt',
      StartDate: '02/01/2024', EndDate: '28/12/2024', DocTotal: 1, PageTotal: 2, Creator: 'Lê Văn D',
      Documents: [{
        DocOrdinal: 1, TypeName: 'Công văn', CodeNumber: '05', CodeNotation: 'SNV-VP', IssuedDate: '2024/05/06',
        OrganName: 'Sở Nội vụ tỉnh Bình Định', Subject: 'V/v báo cáo', Language: 'Tiếng Việt', PageAmount: 2,
        SignerInfo: { Position: 'Chánh Văn phòng', FullName: 'Phạm Thị E' },
        To: [{ OrganId: '000.00.00.H05', OrganName: 'UBND tỉnh Bình Định' }], Priority: 0, Rights: 'Công khai',
        path: 'docs/05-SNV-VP.pdf', sha256: sha('05'),
      }],
    });
    expect(issues).toEqual([]);
    const r = validateCaseFile(value, { agencyId: '000.00.12.H05' });
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(r.value).toMatchObject({ fileCode: '000.00.12.H05.2024.02.VP', maintenance: '01', mode: '02', creator: 'Lê Văn D' });
    expect(r.value!.documents[0]).toMatchObject({
      typeName: '22', issuedDate: '2024-05-06', signerPosition: 'Chánh Văn phòng', signerFullName: 'Phạm Thị E',
      recipients: [{ organId: '000.00.00.H05', organName: 'UBND tỉnh Bình Định' }],
    });
  });
  it('maps a single document, with separate day/month/year columns', () => {
    const value = fromLegacy({ 'Tên loại': 'Tờ trình', 'Ngày': 9, 'Tháng': 2, 'Năm': 2024, 'Trích yếu': 'Đề nghị', 'Tên cơ quan ban hành': 'SNV' });
    expect(value).toMatchObject({ typeName: '15', issuedDate: '2024-02-09' });
  });
  it('reports what it cannot map', () => {
    const { value, issues } = mapLegacy({ 'Tên loại': 'Loại lạ', 'Cột lạ': 'x', 'Ngày/Tháng/Năm': '31/02/2024' });
    expect(issues.map((i) => i.code).sort()).toEqual(['legacy_field_dropped', 'legacy_value_unmapped', 'legacy_value_unmapped']);
    // unmapped values pass through so the validator reports them precisely
    const r = validateDocument(value);
    expect(r.issues.map((i) => `${i.path}:${i.code}`)).toEqual(expect.arrayContaining(['typeName:unknown_code', 'issuedDate:invalid_date']));
  });
  it('value mappings', () => {
    expect(legacyMaintenance('Vĩnh viễn')).toEqual({ maintenance: '01', retentionYears: null });
    expect(legacyMaintenance('70 năm')).toEqual({ maintenance: '02', retentionYears: null });
    expect(legacyMaintenance('05 năm')).toEqual({ maintenance: '07', retentionYears: 5 });
    expect(legacyMaintenance(20)).toEqual({ maintenance: '05', retentionYears: null });
    expect(legacyMaintenance('lâu dài')).toBeUndefined();
    expect(legacyCode('typeName', 'QĐ')).toBe('02');
    expect(legacyCode('typeName', 'quyet dinh')).toBe('02');
    expect(legacyCode('mode', 'Mật')).toBe('03');
    expect(legacyCode('language', 'Tiếng Anh')).toBe('02');
    expect(legacyCode('language', 1)).toBe('01');
    expect(legacyCode('format', 'Hỏng')).toBe('03');
  });
});
