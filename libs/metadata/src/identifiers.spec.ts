import fc from 'fast-check';
import {
  AGENCY_ID_PATTERN, compareForDuplicate, documentIdKey, duplicateKeys, foldVietnamese, formatAgencyId,
  formatArcFileCode, formatDocCode, formatDocId, formatDocumentIdentifier, formatDocumentNumber, formatFileCode,
  isValidAgencyId, isValidArcFileCode, isValidCodeNotation, isValidDocCode, isValidFileCode, looseNumberNotationKey, normalizeVietnamese,
  numberNotationKey, parseAgencyId, parseArcFileCode, parseDocCode, parseDocumentIdentifier, parseDocumentNumber,
  parseFileCode,
} from '@archive/metadata';

describe('mã định danh cơ quan', () => {
  it('accepts the 13-character shape', () => {
    for (const id of ['000.00.12.H05', '000.00.00.H56', '000.00.00.G01', '123.45.67.H28']) expect(isValidAgencyId(id)).toBe(true);
  });
  it('rejects other shapes', () => {
    for (const id of ['000.00.12.h05', '00.00.12.H05', '000.00.12.H5', '000.00.12.05', '000-00-12-H05', ' 000.00.12.H05', 'H49.64.33', '', '000.00.12.H05.']) {
      expect(isValidAgencyId(id)).toBe(false);
    }
  });
  it('parses leniently (trim, upper case) and formats canonically', () => {
    expect(parseAgencyId(' 000.00.12.h05 ')).toEqual({ level4: '000', level3: '00', level2: '12', level1: 'H05' });
    expect(formatAgencyId({ level4: '000', level3: '00', level2: '12', level1: 'H05' })).toBe('000.00.12.H05');
    expect(() => formatAgencyId({ level4: '0', level3: '00', level2: '12', level1: 'H05' })).toThrow();
    expect(parseAgencyId('000.00.12')).toBeNull();
  });
});

describe('fileCode (mã hồ sơ)', () => {
  it('parses the API sample', () => {
    expect(parseFileCode('000.00.12.H05.2024.01.TCCB')).toEqual({
      ownerCode: '000.00.12.H05', agencyId: '000.00.12.H05', ownerIsAgencyId: true, year: 2024, fileNotation: '01.TCCB',
    });
    expect(isValidDocCode('000.00.12.H05.2024.01.TCCB.0000001')).toBe(true);
    expect(isValidArcFileCode('TTLTLS.000.00.12.H05.2024.01.TCCB')).toBe(true);
    expect(isValidArcFileCode('000.00.12.H05.2024')).toBe(false);
  });
  it('parses the TT 05 sample with a non-standard owner', () => {
    expect(parseFileCode('H49.64.33.2001.160')).toEqual({ ownerCode: 'H49.64.33', ownerIsAgencyId: false, year: 2001, fileNotation: '160' });
  });
  it('checks the owner when the agency is known', () => {
    expect(isValidFileCode('000.00.12.H05.2024.01.TCCB', { agencyId: '000.00.12.H05' })).toBe(true);
    expect(isValidFileCode('000.00.13.H05.2024.01.TCCB', { agencyId: '000.00.12.H05' })).toBe(false);
  });
  it('rejects codes without year or notation, or with a too long notation', () => {
    for (const c of ['000.00.12.H05', '000.00.12.H05.2024', '000.00.12.H05.24.01', '2024.01.TCCB', '000.00.12.H05.2024.' + 'X'.repeat(21), '000.00.12.H05.2024.01..TCCB', '']) {
      expect(parseFileCode(c)).toBeNull();
    }
  });
  it('formats and rejects bad parts', () => {
    expect(formatFileCode({ ownerCode: '000.00.12.H05', year: 2024, fileNotation: '01.TCCB' })).toBe('000.00.12.H05.2024.01.TCCB');
    expect(formatFileCode({ agencyId: '000.00.12.H05', year: 2024, fileNotation: '01.TCCB' })).toBe('000.00.12.H05.2024.01.TCCB');
    expect(() => formatFileCode({ year: 2024, fileNotation: '01.TCCB' })).toThrow();
    expect(() => formatFileCode({ ownerCode: '000.00.12.H05', year: 24, fileNotation: '01.TCCB' })).toThrow();
    expect(() => formatFileCode({ ownerCode: '000.00.12.H05', year: 2024, fileNotation: '01 TCCB' })).toThrow();
  });
});

describe('docCode, docId, arcFileCode', () => {
  it('docCode = fileCode + 7-digit ordinal', () => {
    expect(formatDocCode('000.00.12.H05.2024.01.TCCB', 1)).toBe('000.00.12.H05.2024.01.TCCB.0000001');
    expect(parseDocCode('000.00.12.H05.2024.01.TCCB.0000012')).toEqual({ fileCode: '000.00.12.H05.2024.01.TCCB', docOrdinal: 12 });
    expect(parseDocCode('000.00.12.H05.2024.01.TCCB.12')).toBeNull();
    expect(parseDocCode('000.00.12.H05.2024.01.TCCB.0000000')).toBeNull();
    expect(() => formatDocCode('x', 0)).toThrow();
    expect(() => formatDocCode('x', 10_000_000)).toThrow();
  });
  it('docId follows the TT 05 sample', () => {
    expect(formatDocId('H49.64.33.2001.160', 1)).toBe('H49.64.33.2001.160.1');
  });
  it('arcFileCode = archive code + file code', () => {
    const a = formatArcFileCode('TTLTLS', '000.00.12.H05.2024.01.TCCB');
    expect(a).toBe('TTLTLS.000.00.12.H05.2024.01.TCCB');
    expect(parseArcFileCode(a)).toMatchObject({ archiveCode: 'TTLTLS', fileCode: '000.00.12.H05.2024.01.TCCB' });
    // archive identified by its own mã định danh
    const b = formatArcFileCode('000.00.01.H05', '000.00.12.H05.2024.01.TCCB');
    expect(parseArcFileCode(b)).toMatchObject({ archiveCode: '000.00.01.H05', fileCode: '000.00.12.H05.2024.01.TCCB' });
    expect(parseArcFileCode('G09.H49.64.33.2001.160', { archiveCode: 'G09' })).toMatchObject({ fileCode: 'H49.64.33.2001.160' });
    expect(parseArcFileCode('X.Y', {})).toBeNull();
    expect(() => formatArcFileCode('bad code', '000.00.12.H05.2024.01.TCCB')).toThrow();
  });
});

describe('số, ký hiệu and mã định danh văn bản', () => {
  it('parses number/notation', () => {
    expect(parseDocumentNumber('15/QĐ-SNV')).toEqual({ codeNumber: '15', codeNotation: 'QĐ-SNV' });
    expect(parseDocumentNumber('Số: 05/BNV-VP')).toEqual({ codeNumber: '05', codeNotation: 'BNV-VP' });
    expect(parseDocumentNumber('12 / NQ-HĐND')).toEqual({ codeNumber: '12', codeNotation: 'NQ-HĐND' });
    expect(parseDocumentNumber('QĐ-SNV')).toBeNull();
    expect(parseDocumentNumber('15/')).toBeNull();
    expect(formatDocumentNumber({ codeNumber: '15', codeNotation: 'QĐ-SNV' })).toBe('15/QĐ-SNV');
  });
  it('formats and parses the document identifier', () => {
    const id = formatDocumentIdentifier({ organId: '000.00.12.H05', year: 2024, codeNumber: '15', codeNotation: 'QĐ-SNV' });
    expect(id).toBe('000.00.12.H05.2024.15/QĐ-SNV');
    expect(parseDocumentIdentifier(id)).toEqual({ organId: '000.00.12.H05', year: 2024, codeNumber: '15', codeNotation: 'QĐ-SNV' });
    expect(parseDocumentIdentifier('000.00.12.H05.15/QĐ-SNV')).toBeNull();
    expect(() => formatDocumentIdentifier({ organId: 'SNV', year: 2024, codeNumber: '15', codeNotation: 'QĐ-SNV' })).toThrow();
  });
  it('rejects notations with spaces or stray punctuation', () => {
    expect(isValidCodeNotation('QĐ-SNV')).toBe(true);
    expect(isValidCodeNotation('QĐ SNV')).toBe(false);
    expect(isValidCodeNotation('-QĐ')).toBe(false);
  });
});

describe('Vietnamese normalisation and duplicate keys (NĐ 30)', () => {
  const nfd = 'QĐ-SNV'.normalize('NFD');
  it('NFC and look-alike Đ', () => {
    expect(normalizeVietnamese('Quye\u0302\u0301t \u0111i\u0323nh')).toBe('Quyết định');
    expect(normalizeVietnamese('Q\u00D0-SNV')).toBe('QĐ-SNV'); // Icelandic Eth looks like Đ
    expect(normalizeVietnamese('QĐ\u2013SNV')).toBe('QĐ-SNV'); // en dash
    expect(foldVietnamese('Quyết định QĐ')).toBe('Quyet dinh QD');
  });
  const base = { codeNumber: '15', codeNotation: 'QĐ-SNV', organId: '000.00.12.H05', issuedDate: '2024-03-01' };
  it('same number+notation+issuer+year is a duplicate, whatever the encoding', () => {
    // with the issuer's mã định danh the pair has the same document id
    expect(compareForDuplicate(base, { ...base, codeNotation: nfd })).toBe('same_document_id');
    const byName = { codeNumber: '15', codeNotation: 'QĐ-SNV', organName: 'Sở Nội vụ tỉnh Bình Định', issuedDate: '2024-03-01' };
    expect(compareForDuplicate(byName, { ...byName, codeNotation: nfd })).toBe('same_number_notation');
    expect(compareForDuplicate(byName, { ...byName, codeNumber: '015', codeNotation: ' qđ-snv ' })).toBe('same_number_notation');
    expect(compareForDuplicate(byName, { ...byName, codeNotation: 'Q\u00D0-SNV' })).toBe('same_number_notation');
    expect(numberNotationKey(base)).toBe(numberNotationKey({ ...base, codeNotation: 'Q\u00D0\u2013SNV' }));
  });
  it('QD vs QĐ is only a possible duplicate (HĐ hợp đồng ≠ HD hướng dẫn)', () => {
    expect(numberNotationKey(base)).not.toBe(numberNotationKey({ ...base, codeNotation: 'QD-SNV' }));
    expect(looseNumberNotationKey(base)).toBe(looseNumberNotationKey({ ...base, codeNotation: 'QD-SNV' }));
    expect(compareForDuplicate(base, { ...base, codeNotation: 'QD-SNV' })).toBe('possible_duplicate');
  });
  it('a different year, number or issuer is not a duplicate', () => {
    expect(compareForDuplicate(base, { ...base, issuedDate: '2025-03-01' })).toBeNull();
    expect(compareForDuplicate(base, { ...base, codeNumber: '16' })).toBeNull();
    expect(compareForDuplicate(base, { ...base, organId: '000.00.13.H05' })).toBeNull();
  });
  it('falls back to the issuer name when there is no id', () => {
    const a = { codeNumber: '15', codeNotation: 'QĐ-SNV', organName: 'Sở Nội vụ  tỉnh Bình Định', issuedDate: '01/03/2024' };
    const b = { ...a, organName: 'SỞ NỘI VỤ TỈNH BÌNH ĐỊNH', issuedDate: '2024-03-01' };
    expect(compareForDuplicate(a, b)).toBe('same_number_notation');
    expect(numberNotationKey({ codeNumber: '15', codeNotation: 'QĐ-SNV' })).toBeNull();
  });
  it('same document id', () => {
    expect(documentIdKey('000.00.12.H05.2024.015/qđ-snv')).toBe(documentIdKey('000.00.12.H05.2024.15/QĐ-SNV'));
    expect(duplicateKeys({ ...base }).documentId).toBe(documentIdKey('000.00.12.H05.2024.15/QĐ-SNV'));
    expect(compareForDuplicate({ documentId: '000.00.12.H05.2024.15/QĐ-SNV' }, { documentId: '000.00.12.h05.2024.15/QĐ-SNV' })).toBe('same_document_id');
  });
});

describe('round trips (property)', () => {
  const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
  const agencyArb = fc.record({
    level4: digits(3), level3: digits(2), level2: digits(2),
    level1: fc.tuple(fc.constantFrom(...'ABCDEFGHKLMNPQRSTUVXYZ'), digits(2)).map(([a, b]) => a + b),
  });
  const notationSeg = fc.string({ unit: fc.constantFrom(...'ABCDĐEGHKLMNOPQRSTUVXY0123456789'), minLength: 1, maxLength: 6 });
  const fileNotationArb = fc.array(notationSeg, { minLength: 1, maxLength: 3 }).map((s) => s.join('.')).filter((s) => s.length <= 20);
  const yearArb = fc.integer({ min: 1000, max: 9999 });

  it('agency id', () => {
    fc.assert(fc.property(agencyArb, (a) => {
      const s = formatAgencyId(a);
      expect(AGENCY_ID_PATTERN.test(s)).toBe(true);
      expect(parseAgencyId(s)).toEqual(a);
    }));
  });
  it('fileCode and docCode', () => {
    fc.assert(fc.property(agencyArb, yearArb, fileNotationArb, fc.integer({ min: 1, max: 9_999_999 }), (a, year, fileNotation, ord) => {
      const ownerCode = formatAgencyId(a);
      const code = formatFileCode({ ownerCode, year, fileNotation });
      expect(parseFileCode(code)).toEqual({ ownerCode, agencyId: ownerCode, ownerIsAgencyId: true, year, fileNotation });
      expect(parseFileCode(code, { agencyId: ownerCode })).not.toBeNull();
      const dc = formatDocCode(code, ord);
      expect(parseDocCode(dc)).toEqual({ fileCode: code, docOrdinal: ord });
      const arc = formatArcFileCode('TTLT1', code);
      expect(parseArcFileCode(arc)).toMatchObject({ archiveCode: 'TTLT1', fileCode: code });
    }));
  });
  it('document identifier', () => {
    const numArb = fc.integer({ min: 1, max: 99999 }).map(String);
    const notationArb = fc.tuple(fc.constantFrom('QĐ', 'NQ', 'TTr', 'KH', 'BC', 'HĐ', 'QyĐ'), fc.constantFrom('SNV', 'UBND', 'BNV', 'VP', 'HĐND')).map(([a, b]) => `${a}-${b}`);
    fc.assert(fc.property(agencyArb, yearArb, numArb, notationArb, (a, year, codeNumber, codeNotation) => {
      const d = { organId: formatAgencyId(a), year, codeNumber, codeNotation };
      expect(parseDocumentIdentifier(formatDocumentIdentifier(d))).toEqual(d);
      expect(parseDocumentNumber(formatDocumentNumber(d))).toEqual({ codeNumber, codeNotation });
      // normalisation never changes the duplicate key of NFC vs NFD input
      expect(numberNotationKey({ ...d, codeNotation: codeNotation.normalize('NFD') })).toBe(numberNotationKey(d));
    }));
  });
});
