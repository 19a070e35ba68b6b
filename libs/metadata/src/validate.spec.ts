import fc from 'fast-check';
import { CURRENT_CODE_LIST_VERSION, ISSUE_CODES, validateCaseFile, validateDocument, validateManifest, ValidationResult } from '@archive/metadata';
import { sampleDocument, sampleFile, sampleManifest, sha, twoDocFile } from './__fixtures__/manifest';

const errors = (r: ValidationResult<unknown>) => r.issues.filter((i) => i.severity === 'error').map((i) => `${i.path}:${i.code}`);
const warnings = (r: ValidationResult<unknown>) => r.issues.filter((i) => i.severity === 'warning').map((i) => `${i.path}:${i.code}`);
const F = 'files[0]';
const D = 'files[0].documents[0]';

/** Manifest with one file whose first document is modified. */
const withDoc = (over: Record<string, unknown>) => sampleManifest([sampleFile({}, [sampleDocument({ process: true, ...over })])]);
const withFile = (over: Record<string, unknown>) => sampleManifest([sampleFile(over)]);

describe('the API.md sample manifest', () => {
  it('is valid, keeps the code-list version, normalises values', () => {
    const m = sampleManifest();
    (m.files as Record<string, unknown>[])[0].documents = [sampleDocument({ sha256: sha('x').toUpperCase() })];
    const r = validateManifest(m);
    expect(errors(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.codeListVersion).toBe(CURRENT_CODE_LIST_VERSION);
    const doc = r.value!.files[0].documents[0];
    expect(doc.sha256).toBe(sha('x'));
    expect(doc.docCode).toBe('000.00.12.H05.2024.01.TCCB.0000001');
    // born-digital file, document without `process`: a warning only
    expect(warnings(r)).toEqual([`${D}.process:process_recommended`]);
  });
  it('every issue has a path, a known code and both languages', () => {
    const r = validateManifest({ agency: { id: 'x' }, files: [{ documents: [{ sha256: 'z', path: '../x', issuedDate: '2024-02-30' }] }] });
    expect(r.ok).toBe(false);
    for (const i of r.issues) {
      expect(ISSUE_CODES).toContain(i.code);
      expect(i.code).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(i.message.vi.length).toBeGreaterThan(0);
      expect(i.message.en.length).toBeGreaterThan(0);
    }
  });
  it('returns every problem at once', () => {
    const r = validateManifest(sampleManifest([
      sampleFile({ maintenance: '99', startDate: '2024-13-01', totalDoc: 5 }, [
        sampleDocument({ issuedDate: '2024-02-30', sha256: 'abc', path: '/etc/passwd', typeName: '33' }),
      ]),
    ]));
    expect(errors(r)).toEqual(expect.arrayContaining([
      `${F}.maintenance:unknown_code`, `${F}.startDate:invalid_date`, `${F}.totalDoc:total_doc_mismatch`,
      `${D}.issuedDate:invalid_date`, `${D}.sha256:invalid_sha256`, `${D}.path:unsafe_path`, `${D}.typeName:unknown_code`,
    ]));
    expect(r.value).toBeUndefined();
  });
});

describe('types and structure', () => {
  it('rejects non-objects', () => {
    for (const x of [null, 42, 'manifest', [], undefined]) {
      const r = validateManifest(x);
      expect(r.ok).toBe(false);
      expect(errors(r)).toEqual([':invalid_type']);
    }
  });
  it('requires agency and a non-empty files list', () => {
    expect(errors(validateManifest({ files: [sampleFile()] }))).toEqual(['agency:required']);
    expect(errors(validateManifest({ agency: { id: '000.00.12.H05', name: 'X' }, files: [] }))).toEqual(['files:empty']);
    expect(errors(validateManifest({ agency: { id: '000.00.12.H05', name: 'X' }, files: {} }))).toEqual(['files:invalid_type']);
  });
  it('checks the agency identifier', () => {
    const m = sampleManifest();
    (m.agency as Record<string, unknown>).id = '000.00.12.h05';
    expect(errors(validateManifest(m))).toContain('agency.id:invalid_agency_id');
  });
  it('wrong types', () => {
    const r = validateManifest(withDoc({ docOrdinal: '1', numberOfPage: 2.5, mode: 1, process: 'yes' }));
    expect(errors(r)).toEqual(expect.arrayContaining([
      `${D}.docOrdinal:invalid_type`, `${D}.numberOfPage:invalid_integer`, `${D}.mode:invalid_type`, `${D}.process:invalid_type`,
    ]));
  });
  it('booleans accept 1/0 as in the EAD XML', () => {
    const r = validateManifest(withDoc({ process: '1', riskRecovery: 0 }));
    expect(r.ok).toBe(true);
    expect(r.value!.files[0].documents[0].process).toBe(true);
    expect(r.value!.files[0].documents[0].riskRecovery).toBe(false);
  });
  it('required fields and blank strings', () => {
    const doc = sampleDocument({ process: true, subject: '   ' });
    delete doc.organName;
    const r = validateManifest(sampleManifest([sampleFile({}, [doc])]));
    expect(errors(r)).toEqual([`${D}.organName:required`, `${D}.subject:empty`]);
  });
  it('null and "" mean "not given" for optional fields', () => {
    const r = validateManifest(withDoc({ keyword: null, description: '', codeNumber: null, codeNotation: null }));
    expect(r.ok).toBe(true);
  });
  it('unknown fields are warnings', () => {
    const r = validateManifest(withFile({ maintainance: '06' }));
    expect(r.ok).toBe(true);
    expect(warnings(r)).toContain(`${F}.maintainance:unknown_field`);
  });
  it('out of range numbers', () => {
    expect(errors(validateManifest(withDoc({ docOrdinal: 0 })))).toContain(`${D}.docOrdinal:out_of_range`);
    expect(errors(validateManifest(withDoc({ numberOfPage: -1 })))).toContain(`${D}.numberOfPage:out_of_range`);
    expect(errors(validateManifest(withDoc({ priority: 12 })))).toContain(`${D}.priority:out_of_range`);
  });
});

describe('lengths (TT 05 / NĐ 30)', () => {
  const cases: Array<[string, 'file' | 'doc', number]> = [
    ['title', 'file', 1000], ['keyword', 'file', 100], ['inforSign', 'file', 30], ['description', 'file', 2000],
    ['creator', 'file', 30], ['subject', 'doc', 500], ['organName', 'doc', 200], ['codeNumber', 'doc', 11],
    ['codeNotation', 'doc', 30], ['signerPosition', 'doc', 100], ['signerFullName', 'doc', 50], ['autograph', 'doc', 2000],
    ['description', 'doc', 500],
  ];
  it.each(cases)('%s (%s) max %d', (field, where, max) => {
    const fill = field === 'codeNumber' ? '1' : field === 'codeNotation' ? 'Q' : 'ễ';
    const ok = where === 'file' ? withFile({ [field]: fill.repeat(max) }) : withDoc({ [field]: fill.repeat(max) });
    const bad = where === 'file' ? withFile({ [field]: fill.repeat(max + 1) }) : withDoc({ [field]: fill.repeat(max + 1) });
    expect(errors(validateManifest(ok))).toEqual([]);
    expect(errors(validateManifest(bad))).toContain(`${where === 'file' ? F : D}.${field}:too_long`);
  });
  it('docId longer than 25 is only a warning', () => {
    const r = validateManifest(withDoc({ docId: '000.00.12.H05.2024.01.TCCB.1' }));
    expect(r.ok).toBe(true);
    expect(warnings(r)).toContain(`${D}.docId:too_long`);
  });
});

describe('codes', () => {
  it.each([
    ['maintenance', '08'], ['mode', '04'], ['language', '12'], ['confidenceLevel', '04'], ['format', '04'],
  ])('file %s rejects %s', (field, bad) => {
    expect(errors(validateManifest(withFile({ [field]: bad })))).toContain(`${F}.${field}:unknown_code`);
  });
  it('document typeName 01–32', () => {
    expect(validateManifest(withDoc({ typeName: '32' })).ok).toBe(true);
    expect(errors(validateManifest(withDoc({ typeName: '33' })))).toContain(`${D}.typeName:unknown_code`);
    expect(errors(validateManifest(withDoc({ typeName: '2' })))).toContain(`${D}.typeName:unknown_code`);
  });
  it('language accepts several codes', () => {
    const r = validateManifest(withFile({ language: '01, 06' }));
    expect(r.ok).toBe(true);
    expect(r.value!.files[0].language).toBe('01,06');
    expect(validateManifest(withFile({ language: ['01', '02'] })).value!.files[0].language).toBe('01,02');
    expect(errors(validateManifest(withFile({ language: '01,13' })))).toContain(`${F}.language:unknown_code`);
    expect(errors(validateManifest(withFile({ language: [] })))).toContain(`${F}.language:invalid_type`);
  });
  it('an unknown code-list version is a programming error', () => {
    expect(() => validateManifest(sampleManifest(), { codeListVersion: 'nope' })).toThrow();
  });
});

describe('conditional fields', () => {
  it('retentionYears iff maintenance 07', () => {
    expect(validateManifest(withFile({ maintenance: '07', retentionYears: 5 })).ok).toBe(true);
    expect(errors(validateManifest(withFile({ maintenance: '07', retentionYears: null })))).toEqual([`${F}.retentionYears:retention_years_required`]);
    expect(errors(validateManifest(withFile({ maintenance: '06', retentionYears: 10 })))).toEqual([`${F}.retentionYears:retention_years_not_allowed`]);
    expect(errors(validateManifest(withFile({ maintenance: '07', retentionYears: 0 })))).toContain(`${F}.retentionYears:out_of_range`);
    expect(errors(validateManifest(withDoc({ maintenance: '07' })))).toEqual([`${D}.retentionYears:retention_years_required`]);
  });
  it('historical archive transfers accept only 01', () => {
    expect(errors(validateManifest(sampleManifest(), { historicalArchive: true }))).toEqual([`${F}.maintenance:maintenance_must_be_permanent`]);
    expect(validateManifest(withFile({ maintenance: '01' }), { historicalArchive: true }).ok).toBe(true);
  });
  it('paperFileCode for digitised files', () => {
    const digitised = { confidenceLevel: '02' };
    expect(errors(validateManifest(withFile(digitised)))).toEqual([`${F}.paperFileCode:paper_file_code_required`]);
    expect(validateManifest(withFile({ ...digitised, paperFileCode: 'TTLT.K01-G02-H015.HS0123' })).ok).toBe(true);
    expect(warnings(validateManifest(withFile({ ...digitised, paperFileCode: 'HS0123' })))).toContain(`${F}.paperFileCode:invalid_paper_file_code`);
    const mixed = validateManifest(withFile({ confidenceLevel: '03' }));
    expect(mixed.ok).toBe(true);
    expect(warnings(mixed)).toContain(`${F}.paperFileCode:paper_file_code_recommended`);
  });
  it('riskRecoveryStatus iff riskRecovery', () => {
    expect(validateManifest(withFile({ riskRecovery: true, riskRecoveryStatus: '01' })).ok).toBe(true);
    expect(validateManifest(withFile({ riskRecovery: false })).ok).toBe(true);
    expect(errors(validateManifest(withFile({ riskRecovery: 1 })))).toEqual([`${F}.riskRecoveryStatus:risk_recovery_status_required`]);
    expect(errors(validateManifest(withFile({ riskRecoveryStatus: '02' })))).toEqual([`${F}.riskRecoveryStatus:risk_recovery_status_not_allowed`]);
    expect(errors(validateManifest(withFile({ riskRecovery: true, riskRecoveryStatus: '03' })))).toEqual([`${F}.riskRecoveryStatus:unknown_code`]);
    expect(errors(validateManifest(withDoc({ riskRecovery: '1' })))).toEqual([`${D}.riskRecoveryStatus:risk_recovery_status_required`]);
  });
  it('process for born-digital documents', () => {
    expect(errors(validateManifest(withDoc({ confidenceLevel: '01', process: undefined })))).toEqual([`${D}.process:process_required`]);
    expect(errors(validateManifest(withDoc({ confidenceLevel: '03', process: null })))).toEqual([`${D}.process:process_required`]);
    expect(validateManifest(withDoc({ confidenceLevel: '01', process: false })).ok).toBe(true);
    // digitised document in a digitised file: no process needed
    const r = validateManifest(sampleManifest([sampleFile({ confidenceLevel: '02', paperFileCode: 'A.B.C' }, [sampleDocument({ confidenceLevel: '02' })])]));
    expect(r.ok).toBe(true);
    expect(warnings(r)).toEqual([]);
  });
  it('notation abbreviation of another type is a warning (NĐ 30 Phụ lục III)', () => {
    expect(warnings(validateManifest(withDoc({ typeName: '15' })))).toContain(`${D}.codeNotation:notation_type_mismatch`);
    expect(warnings(validateManifest(withDoc({ typeName: '22', codeNotation: 'SNV-VP' })))).toEqual([]);
    expect(warnings(validateManifest(withDoc({ typeName: '21', codeNotation: 'HĐ-SNV' })))).toEqual([]);
    // HD is Hướng dẫn, not Hợp đồng
    expect(warnings(validateManifest(withDoc({ typeName: '21', codeNotation: 'HD-SNV' })))).toContain(`${D}.codeNotation:notation_type_mismatch`);
  });
  it('a number without a notation is a warning', () => {
    expect(warnings(validateManifest(withDoc({ codeNotation: undefined })))).toContain(`${D}.codeNotation:code_number_without_notation`);
  });
});

describe('dates', () => {
  it.each(['2024-02-30', '2023-02-29', '01/03/2024', '2024-3-1', '2024-03-01T00:00:00Z', '', '20240301'])('invalid issuedDate %s', (d) => {
    expect(errors(validateManifest(withDoc({ issuedDate: d })))).toContain(`${D}.issuedDate:invalid_date`);
  });
  it('leap day is valid', () => {
    expect(validateManifest(withDoc({ issuedDate: '2024-02-29' })).ok).toBe(true);
  });
  it('issuedDate must be a full date; case-file spans may be partial', () => {
    expect(errors(validateManifest(withDoc({ issuedDate: '2024-03' })))).toContain(`${D}.issuedDate:invalid_date`);
    expect(validateManifest(withFile({ startDate: '2024', endDate: '2024-12' })).ok).toBe(true);
  });
  it('startDate ≤ endDate', () => {
    expect(errors(validateManifest(withFile({ startDate: '2024-12-21', endDate: '2024-12-20' })))).toContain(`${F}.startDate:start_after_end`);
    expect(validateManifest(withFile({ startDate: '2024-03-01', endDate: '2024-03-01', }), {}).ok).toBe(true);
  });
  it('a document after the file end is an error, before the start a warning', () => {
    expect(errors(validateManifest(withDoc({ issuedDate: '2024-12-21' })))).toEqual([`${D}.issuedDate:issued_after_file_end`]);
    const early = validateManifest(withDoc({ issuedDate: '2023-12-31' }));
    expect(early.ok).toBe(true);
    expect(warnings(early)).toContain(`${D}.issuedDate:issued_before_file_start`);
    // partial span: any day of the end month is inside
    expect(validateManifest(sampleManifest([sampleFile({ endDate: '2024-12' }, [sampleDocument({ issuedDate: '2024-12-31', process: true })])])).ok).toBe(true);
  });
  it('arrival before issue is a warning', () => {
    expect(warnings(validateManifest(withDoc({ arrivalDate: '2024-02-01' })))).toContain(`${D}.arrivalDate:arrival_before_issue`);
  });
});

describe('case-file consistency', () => {
  it('totalDoc equals the number of documents', () => {
    expect(validateManifest(sampleManifest([twoDocFile()])).ok).toBe(true);
    expect(errors(validateManifest(sampleManifest([{ ...twoDocFile(), totalDoc: 1 }])))).toEqual([`${F}.totalDoc:total_doc_mismatch`]);
  });
  it('docOrdinal is unique', () => {
    const f = twoDocFile();
    (f.documents as Record<string, unknown>[])[1].docOrdinal = 1;
    expect(errors(validateManifest(sampleManifest([f])))).toEqual([`${F}.documents[1].docOrdinal:duplicate_doc_ordinal`]);
  });
  it('ordinal gaps are a warning', () => {
    const f = twoDocFile();
    (f.documents as Record<string, unknown>[])[1].docOrdinal = 3;
    const r = validateManifest(sampleManifest([f]));
    expect(r.ok).toBe(true);
    expect(warnings(r)).toContain(`${F}.documents:doc_ordinal_gap`);
  });
  it('page total mismatch is a warning', () => {
    expect(warnings(validateManifest(withFile({ numberOfPage: 4 })))).toContain(`${F}.numberOfPage:page_total_mismatch`);
  });
  it('fileCode: structure, owner, year', () => {
    expect(errors(validateManifest(withFile({ fileCode: '000.00.12.H05.TCCB' })))).toEqual([`${F}.fileCode:invalid_file_code`]);
    expect(errors(validateManifest(withFile({ fileCode: '000.00.13.H05.2024.01.TCCB' })))).toEqual([`${F}.fileCode:file_code_agency_mismatch`]);
    expect(warnings(validateManifest(withFile({ fileCode: '000.00.12.H05.2020.01.TCCB' })))).toContain(`${F}.fileCode:file_code_year_mismatch`);
  });
  it('docCode must be fileCode + 7-digit ordinal', () => {
    expect(validateManifest(withDoc({ docCode: '000.00.12.H05.2024.01.TCCB.0000001' })).ok).toBe(true);
    expect(errors(validateManifest(withDoc({ docCode: '000.00.12.H05.2024.01.TCCB.1' })))).toEqual([`${D}.docCode:doc_code_mismatch`]);
  });
  it('a document with a longer period raises the file period (warning)', () => {
    const r = validateManifest(withDoc({ maintenance: '01' }));
    expect(r.ok).toBe(true);
    expect(warnings(r)).toContain(`${F}.maintenance:retention_raised_by_document`);
  });
  it('duplicate documents (NĐ 30) are reported', () => {
    const f = twoDocFile();
    const docs = f.documents as Record<string, unknown>[];
    docs[0] = { ...docs[0], codeNumber: '015', codeNotation: 'QĐ-SNV' };
    let r = validateManifest(sampleManifest([f]));
    expect(warnings(r)).toContain(`${F}.documents[1]:duplicate_document`);
    docs[0] = { ...docs[0], codeNumber: '15', codeNotation: 'QD-SNV' };
    r = validateManifest(sampleManifest([f]));
    expect(warnings(r)).toContain(`${F}.documents[1]:possible_duplicate_document`);
  });
});

describe('manifest-level uniqueness', () => {
  it('fileCode is unique', () => {
    const a = sampleFile();
    const b = sampleFile({}, [sampleDocument({ path: 'docs/other.pdf' })]);
    expect(errors(validateManifest(sampleManifest([a, b])))).toEqual(['files[1].fileCode:duplicate_file_code']);
  });
  it('paths are unique, also ignoring case and Unicode form', () => {
    const a = sampleFile();
    const b = sampleFile({ fileCode: '000.00.12.H05.2024.02.TCCB' }, [sampleDocument({ path: 'DOCS/15-QD-SNV.pdf' })]);
    expect(errors(validateManifest(sampleManifest([a, b])))).toEqual(['files[1].documents[0].path:duplicate_path']);
  });
});

describe('sha256 and path safety', () => {
  it.each(['', 'abc', 'g'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), ` ${'a'.repeat(63)}`])('bad sha256 %p', (s) => {
    const r = validateManifest(withDoc({ sha256: s }));
    expect(r.ok).toBe(false);
    expect(errors(r).some((e) => e.startsWith(`${D}.sha256:`))).toBe(true);
  });
  it.each([
    '../secret.pdf', 'docs/../../etc/passwd', '/etc/passwd', 'C:/x.pdf', 'C:x.pdf', 'docs\\..\\x.pdf', '..\\x.pdf',
    'docs//x.pdf', 'docs/./x.pdf', './x.pdf', 'docs/', '.', '..', 'docs/x.pdf\u0000.txt', '%2e%2e/x.pdf', 'docs/%2F..',
    '\uff0e\uff0e/x.pdf', 'docs\uff0fx.pdf', 'a\u2025/b', 'x.pdf.', 'x.pdf ', 'x\u202egpj.pdf', 'file:x.pdf',
  ])('unsafe path %p', (p) => {
    expect(errors(validateManifest(withDoc({ path: p })))).toContain(`${D}.path:unsafe_path`);
  });
  it.each(['docs/15-QD-SNV.pdf', 'x.pdf', 'Hồ sơ/Quyết định 15.pdf', '..hidden.pdf', 'a/b/c/d.pdf', '.well-known.pdf'])('safe path %p', (p) => {
    expect(validateManifest(withDoc({ path: p })).ok).toBe(true);
  });
});

describe('validateCaseFile / validateDocument', () => {
  it('validate a single case file with relative paths', () => {
    const r = validateCaseFile(sampleFile({ totalDoc: 2 }));
    expect(errors(r)).toEqual(['totalDoc:total_doc_mismatch']);
    expect(validateCaseFile(sampleFile(), { agencyId: '000.00.12.H05' }).ok).toBe(true);
    expect(errors(validateCaseFile(sampleFile(), { agencyId: '000.00.13.H05' }))).toEqual(['fileCode:file_code_agency_mismatch']);
    expect(errors(validateCaseFile(sampleFile({ documents: undefined, totalDoc: 0 })))).toEqual(['documents:required']);
    expect(errors(validateCaseFile(sampleFile({ documents: [], totalDoc: 0, numberOfPage: 0 })))).toEqual(['documents:empty']);
  });
  it('validate a single document, with or without its file', () => {
    expect(validateDocument(sampleDocument()).ok).toBe(true);
    expect(errors(validateDocument(sampleDocument({ issuedDate: '2025-01-01' }), { file: { startDate: '2024-01-01', endDate: '2024-12-31' } })))
      .toEqual(['issuedDate:issued_after_file_end']);
    expect(errors(validateDocument(sampleDocument({ docCode: 'X' }), { file: { fileCode: '000.00.12.H05.2024.01.TCCB' }, basePath: 'doc' })))
      .toEqual(['doc.docCode:doc_code_mismatch']);
    expect(errors(validateDocument('văn bản'))).toEqual([':invalid_type']);
  });
});

describe('records keep their code-list version; arcFileCode', () => {
  it('sets codeListVersion on every case file and document', () => {
    const r = validateManifest({ ...sampleManifest(), files: [{ ...sampleFile(), codeListVersion: 'forged' }] });
    expect(r.value!.files[0].codeListVersion).toBe(CURRENT_CODE_LIST_VERSION);
    expect(r.value!.files[0].documents[0].codeListVersion).toBe(CURRENT_CODE_LIST_VERSION);
  });
  it('arcFileCode must be archive code + this fileCode', () => {
    expect(validateManifest(withFile({ arcFileCode: 'TTLTLS.000.00.12.H05.2024.01.TCCB' })).ok).toBe(true);
    expect(errors(validateManifest(withFile({ arcFileCode: 'TTLTLS.000.00.12.H05.2024.02.TCCB' })))).toEqual([`${F}.arcFileCode:arc_file_code_mismatch`]);
    expect(errors(validateManifest(withFile({ arcFileCode: '000.00.12.H05.2024.01.TCCB' })))).toEqual([`${F}.arcFileCode:arc_file_code_mismatch`]);
  });
  it('limits the total number of documents', () => {
    const many = Array.from({ length: 11 }, () => ({ documents: new Array(10_000).fill(0) }));
    expect(errors(validateManifest({ agency: { id: '000.00.12.H05', name: 'X' }, files: many }))).toEqual(['files:too_large']);
  });
});

describe('robustness (property)', () => {
  it('never throws on arbitrary JSON and always explains a rejection', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const r = validateManifest(v);
      expect(r.ok).toBe(r.issues.every((i) => i.severity === 'warning') && r.value !== undefined);
      if (!r.ok) expect(r.issues.some((i) => i.severity === 'error')).toBe(true);
    }), { numRuns: 300 });
  });
  it('never throws when any field of the sample is replaced by arbitrary JSON', () => {
    const doc = sampleDocument({ process: true });
    const file = sampleFile({}, [doc]);
    const keys = [...Object.keys(file).map((k) => ['file', k]), ...Object.keys(doc).map((k) => ['doc', k])];
    fc.assert(fc.property(fc.constantFrom(...keys), fc.jsonValue(), ([where, k], v) => {
      const m = where === 'file' ? withFile({ [k]: v }) : withDoc({ [k]: v });
      const r = validateManifest(m);
      for (const i of r.issues) expect(i.path.startsWith('files[0]') || i.path === 'files').toBe(true);
    }), { numRuns: 400 });
  });
});
