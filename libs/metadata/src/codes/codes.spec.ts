import {
  codeList, CURRENT_CODE_LIST_VERSION, findCode, getCodeLists, isValidCode, listCodeListVersions, registerCodeLists,
  CodeListSet, validateManifest,
} from '@archive/metadata';
import { sampleFile, sampleManifest } from '../__fixtures__/manifest';

const codes = (name: Parameters<typeof codeList>[0]) => codeList(name).map((e) => e.code);
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => String(a + i).padStart(2, '0'));

describe('TT 05/2025 code lists', () => {
  it('are versioned', () => {
    expect(CURRENT_CODE_LIST_VERSION).toBe('TT05-2025.1');
    expect(listCodeListVersions()).toContain(CURRENT_CODE_LIST_VERSION);
    expect(() => getCodeLists('missing')).toThrow();
  });
  it('have the ranges of the reference', () => {
    expect(codes('maintenance')).toEqual(range(1, 7));
    expect(codes('mode')).toEqual(range(1, 3));
    expect(codes('language')).toEqual(range(1, 11));
    expect(codes('typeName')).toEqual(range(1, 32));
    expect(codes('confidenceLevel')).toEqual(range(1, 3));
    expect(codes('format')).toEqual(range(1, 3));
    expect(codes('riskRecoveryStatus')).toEqual(range(1, 2));
    expect(codes('purpose')).toEqual(range(1, 3));
    expect(codes('feeObjectType')).toEqual(range(1, 10));
  });
  it('carry labels and years', () => {
    expect(findCode('typeName', '02')).toMatchObject({ vi: 'Quyết định', abbr: 'QĐ' });
    expect(findCode('typeName', '22')?.abbr).toBeUndefined(); // Công văn has no abbreviation
    expect(findCode('maintenance', '01')?.years).toBeNull();
    expect(findCode('maintenance', '06')?.years).toBe(10);
    expect(findCode('language', '09')?.vi).toBe('Hán Nôm');
    expect(isValidCode('mode', '03')).toBe(true);
    expect(isValidCode('mode', '04')).toBe(false); // OCR specs' invented "04 Tối mật" is not a TT 05 code
    expect(isValidCode('mode', 3)).toBe(false);
  });
  it('a corrected edition is a data change, and records keep their version', () => {
    const current = getCodeLists();
    const v2: CodeListSet = {
      ...current,
      version: 'TT05-2025.test-v2',
      lists: { ...current.lists, typeName: [...current.lists.typeName, { code: '33', vi: 'Thông tư', en: 'Circular' }] },
    };
    registerCodeLists(v2);
    const m = sampleManifest([sampleFile({}, [{ ...(sampleFile().documents as object[])[0], typeName: '33', process: true }])]);
    expect(validateManifest(m).ok).toBe(false);
    const r = validateManifest(m, { codeListVersion: 'TT05-2025.test-v2' });
    expect(r.ok).toBe(true);
    expect(r.codeListVersion).toBe('TT05-2025.test-v2');
    expect(() => registerCodeLists({ ...v2, lists: { ...v2.lists } })).toThrow(); // version reused
    expect(() => registerCodeLists({ ...v2, version: 'dup', lists: { ...v2.lists, mode: [...v2.lists.mode, v2.lists.mode[0]] } })).toThrow();
  });
});
