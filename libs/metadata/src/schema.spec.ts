import { readFileSync } from 'fs';
import { join } from 'path';
import { manifestSchema, validateManifest } from '@archive/metadata';
import { sampleDocument, sampleFile, sampleManifest, twoDocFile } from './__fixtures__/manifest';

/**
 * Minimal draft-07 evaluator for the keywords the published schema uses (no Ajv in the repo): type, enum,
 * const, pattern (u flag, as Ajv), min/maxLength (code points, as Ajv), minimum/maximum, required,
 * properties, items, min/maxItems, allOf, anyOf, if/then/else, local $ref. Unknown keywords fail loudly so
 * the schema cannot silently grow beyond what is tested here.
 */
type S = Record<string, unknown>;
const KNOWN = new Set(['$schema', '$id', '$comment', 'title', 'description', 'definitions', 'type', 'enum', 'const', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'required', 'properties', 'items', 'minItems', 'maxItems', 'allOf', 'anyOf', 'if', 'then', 'else', '$ref']);

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'null': return v === null;
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    default: throw new Error(`type ${t}`);
  }
}

function valid(schema: S, v: unknown, root: S): boolean {
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`unsupported keyword ${k}`);
  if (schema.$ref) {
    const name = String(schema.$ref).replace('#/definitions/', '');
    return valid((root.definitions as Record<string, S>)[name], v, root);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeOk(t as string, v))) return false;
  }
  if (schema.enum && !(schema.enum as unknown[]).some((e) => e === v)) return false;
  if ('const' in schema && schema.const !== v) return false;
  if (typeof v === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern as string, 'u').test(v)) return false;
    const len = [...v].length;
    if (schema.minLength !== undefined && len < (schema.minLength as number)) return false;
    if (schema.maxLength !== undefined && len > (schema.maxLength as number)) return false;
  }
  if (typeof v === 'number') {
    if (schema.minimum !== undefined && v < (schema.minimum as number)) return false;
    if (schema.maximum !== undefined && v > (schema.maximum as number)) return false;
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < (schema.minItems as number)) return false;
    if (schema.maxItems !== undefined && v.length > (schema.maxItems as number)) return false;
    if (schema.items && !v.every((x) => valid(schema.items as S, x, root))) return false;
  }
  if (typeOk('object', v)) {
    const o = v as Record<string, unknown>;
    if (schema.required && !(schema.required as string[]).every((r) => r in o)) return false;
    if (schema.properties) {
      for (const [k, s] of Object.entries(schema.properties as Record<string, S>)) if (k in o && !valid(s, o[k], root)) return false;
    }
  }
  if (schema.allOf && !(schema.allOf as S[]).every((s) => valid(s, v, root))) return false;
  if (schema.anyOf && !(schema.anyOf as S[]).some((s) => valid(s, v, root))) return false;
  if (schema.if) {
    const branch = valid(schema.if as S, v, root) ? schema.then : schema.else;
    if (branch && !valid(branch as S, v, root)) return false;
  }
  return true;
}

const schemaValid = (m: unknown) => valid(manifestSchema as S, m, manifestSchema as S);
const withDoc = (over: Record<string, unknown>) => sampleManifest([sampleFile({}, [sampleDocument({ process: true, ...over })])]);
const withFile = (over: Record<string, unknown>) => sampleManifest([sampleFile(over)]);

describe('manifest JSON Schema', () => {
  it('the published file is the generated schema (regenerate with scripts/generate-schema.ts)', () => {
    const file = JSON.parse(readFileSync(join(__dirname, '..', 'schema', 'manifest.schema.json'), 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(manifestSchema)));
  });

  const samples: Array<[string, unknown]> = [
    ['API sample', sampleManifest()],
    ['two documents', sampleManifest([twoDocFile()])],
    ['maintenance 07 with years', withFile({ maintenance: '07', retentionYears: 5 })],
    ['maintenance 07 without years', withFile({ maintenance: '07', retentionYears: null })],
    ['retentionYears with 06', withFile({ retentionYears: 10 })],
    ['unknown maintenance', withFile({ maintenance: '08' })],
    ['several languages', withFile({ language: '01,06' })],
    ['unknown language', withFile({ language: '01,12' })],
    ['partial span', withFile({ startDate: '2024', endDate: '2024-12' })],
    ['invalid date', withDoc({ issuedDate: '2024-02-30' })],
    ['DD/MM/YYYY in JSON', withDoc({ issuedDate: '01/03/2024' })],
    ['leap day', withDoc({ issuedDate: '2024-02-29' })],
    ['bad sha256', withDoc({ sha256: 'abc' })],
    ['upper-case sha256', withDoc({ sha256: 'A'.repeat(64) })],
    ['traversal', withDoc({ path: '../x.pdf' })],
    ['backslash', withDoc({ path: 'docs\\x.pdf' })],
    ['absolute', withDoc({ path: '/x.pdf' })],
    ['full-width dots', withDoc({ path: '\uff0e\uff0e/x.pdf' })],
    ['Vietnamese path', withDoc({ path: 'Hồ sơ/Quyết định.pdf' })],
    ['digitised without paperFileCode', withFile({ confidenceLevel: '02' })],
    ['digitised with paperFileCode', withFile({ confidenceLevel: '02', paperFileCode: 'TTLT.K1.HS01' })],
    ['riskRecovery without status', withFile({ riskRecovery: true })],
    ['riskRecovery with status', withFile({ riskRecovery: '1', riskRecoveryStatus: '01' })],
    ['status without riskRecovery', withFile({ riskRecoveryStatus: '01' })],
    ['born-digital doc without process', withDoc({ confidenceLevel: '01', process: undefined })],
    ['born-digital doc with process 0', withDoc({ confidenceLevel: '01', process: 0 })],
    ['missing subject', withDoc({ subject: undefined })],
    ['blank title', withFile({ title: '  ' })],
    ['title too long', withFile({ title: 'ễ'.repeat(1001) })],
    ['title at the limit', withFile({ title: 'ễ'.repeat(1000) })],
    ['string ordinal', withDoc({ docOrdinal: '1' })],
    ['typeName 33', withDoc({ typeName: '33' })],
    ['bad agency id', { ...sampleManifest(), agency: { id: '000.00.12.h05', name: 'X' } }],
    ['file without documents', sampleManifest([sampleFile({ totalDoc: 0, numberOfPage: 0 }, [])])],
    ['no files', { agency: { id: '000.00.12.H05', name: 'X' }, files: [] }],
    ['not an object', 'manifest'],
    ['empty optional strings', withDoc({ codeNumber: '', description: '', keyword: null })],
    ['bad notation', withDoc({ codeNotation: 'QĐ SNV' })],
    ['recipients', withDoc({ recipients: [{ organId: '000.00.13.H05', organName: 'UBND tỉnh' }] })],
    ['bad recipient', withDoc({ recipients: [{ organId: 'x' }] })],
  ];
  it.each(samples)('schema and validator agree: %s', (_name, m) => {
    expect(schemaValid(m)).toBe(validateManifest(m).ok);
  });

  it('cross-record rules are validator-only (documented)', () => {
    const m = withFile({ totalDoc: 7 });
    expect(schemaValid(m)).toBe(true);
    expect(validateManifest(m).ok).toBe(false);
  });
});
