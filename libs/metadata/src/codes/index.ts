/**
 * Versioned code lists (bảng mã). The values are DATA (`*.json`) so that a correction of the reference
 * (VN-ARCHIVE-RULES.md §2.3 is tagged [S]) is a data change: add a new JSON file with a new `version`,
 * register it below, and make it current. Records keep the version they were validated against, so old
 * versions must stay registered.
 */
import tt05v1 from './tt05-2025.json';

export type CodeListName =
  | 'maintenance'
  | 'mode'
  | 'language'
  | 'typeName'
  | 'confidenceLevel'
  | 'format'
  | 'riskRecoveryStatus'
  | 'purpose'
  | 'feeObjectType'
  | 'source'
  | 'recordStatus'
  | 'packageType';

export interface CodeEntry {
  code: string;
  vi: string;
  en: string;
  /** maintenance only: years, null = permanent; absent for `07` (Khác: free number of years). */
  years?: number | null;
  /** typeName only: abbreviation used in ký hiệu văn bản (NĐ 30 Phụ lục III). */
  abbr?: string;
}

export interface CodeListSet {
  version: string;
  legalBasis: string;
  lists: Record<CodeListName, CodeEntry[]>;
}

const registry = new Map<string, CodeListSet>();

/** Registers a code-list set (e.g. a corrected edition). Throws on malformed data or a reused version. */
export function registerCodeLists(set: CodeListSet): void {
  if (!set || typeof set.version !== 'string' || !set.version) throw new Error('code list set needs a version');
  const existing = registry.get(set.version);
  if (existing && existing !== set) throw new Error(`code list version ${set.version} already registered`);
  for (const [name, entries] of Object.entries(set.lists)) {
    const seen = new Set<string>();
    for (const e of entries) {
      if (seen.has(e.code)) throw new Error(`duplicate code ${e.code} in ${name} (${set.version})`);
      seen.add(e.code);
    }
  }
  registry.set(set.version, set);
}

registerCodeLists(tt05v1 as CodeListSet);

/** Version used by default for new validations. */
export const CURRENT_CODE_LIST_VERSION: string = tt05v1.version;

export function getCodeLists(version: string = CURRENT_CODE_LIST_VERSION): CodeListSet {
  const set = registry.get(version);
  if (!set) throw new Error(`unknown code list version ${version}`);
  return set;
}

export function listCodeListVersions(): string[] {
  return [...registry.keys()];
}

export function codeList(name: CodeListName, version?: string): readonly CodeEntry[] {
  return getCodeLists(version).lists[name];
}

export function findCode(name: CodeListName, code: string, version?: string): CodeEntry | undefined {
  return codeList(name, version).find((e) => e.code === code);
}

export function isValidCode(name: CodeListName, code: unknown, version?: string): boolean {
  return typeof code === 'string' && findCode(name, code, version) !== undefined;
}

/** Code `07` of maintenance ("Khác") carries a free number of years (retentionYears). */
export const MAINTENANCE_OTHER = '07';
export const MAINTENANCE_PERMANENT = '01';
/** confidenceLevel codes. */
export const CONFIDENCE_BORN_DIGITAL = '01';
export const CONFIDENCE_DIGITISED = '02';
export const CONFIDENCE_MIXED = '03';
