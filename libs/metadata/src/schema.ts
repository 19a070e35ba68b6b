/**
 * JSON Schema (draft-07) of the transfer manifest, generated from the same field table as the validator
 * (`fields.ts`) and the code lists, so the two agree. `libs/metadata/schema/manifest.schema.json` is this
 * object serialised (regenerate: `npx ts-node --transpile-only libs/metadata/scripts/generate-schema.ts`;
 * a unit test fails when the file is stale).
 *
 * The schema says what a pattern can say: types, lengths, codes, dates (real calendar days), sha256, safe
 * paths, required fields and the conditional fields. Cross-record rules stay in the validator only:
 * totalDoc = number of documents, unique docOrdinal / fileCode / path, dates inside the file's span,
 * startDate ≤ endDate, fileCode owned by the agency, docCode = fileCode + ordinal. Warnings (issues of
 * severity `warning`) are not expressed in the schema.
 */
import { CodeListName, getCodeLists, CURRENT_CODE_LIST_VERSION } from './codes';
import { AGENCY_FIELDS, CASE_FILE_FIELDS, DATE_PATTERNS, DOCUMENT_FIELDS, FieldSpec, MAX_DOCUMENTS_PER_FILE, MAX_FILES, MAX_RECIPIENTS, RECIPIENT_FIELDS } from './fields';

type Json = { [k: string]: unknown };

function codes(list: CodeListName, version: string): string[] {
  return getCodeLists(version).lists[list].map((e) => e.code);
}

function fieldSchema(spec: FieldSpec, version: string): Json {
  const nullable = !spec.required;
  const withDesc = (s: Json): Json => (spec.description ? { description: spec.description, ...s } : s);
  switch (spec.kind) {
    case 'string': {
      const s: Json = { type: nullable ? ['string', 'null'] : 'string' };
      if (spec.required) s.pattern = '\\S';
      if (spec.max !== undefined && spec.softSeverity !== 'warning') s.maxLength = spec.max;
      if (spec.pattern && spec.softSeverity !== 'warning') {
        // A required string must be non-blank AND match; an optional one may be "" (not given).
        if (spec.required) s.pattern = spec.pattern;
        else s.anyOf = [{ type: 'null' }, { const: '' }, { pattern: spec.pattern }];
      }
      return withDesc(s);
    }
    case 'integer': {
      const s: Json = { type: nullable ? ['integer', 'null'] : 'integer' };
      if (spec.min !== undefined) s.minimum = spec.min;
      if (spec.maxValue !== undefined) s.maximum = spec.maxValue;
      return withDesc(s);
    }
    case 'boolean':
      return withDesc({ enum: [true, false, 1, 0, '1', '0', ...(nullable ? [null] : [])] });
    case 'date':
    case 'partialDate':
      return withDesc({ type: nullable ? ['string', 'null'] : 'string', pattern: DATE_PATTERNS[spec.kind] });
    case 'code':
      return withDesc({ enum: [...codes(spec.list!, version), ...(nullable ? [null] : [])] });
    case 'codes': {
      const alt = `(?:${codes(spec.list!, version).join('|')})`;
      const s: Json = {
        anyOf: [
          { type: 'string', pattern: `^${alt}(?:\\s*[,;]\\s*${alt})*$`, ...(spec.max ? { maxLength: spec.max } : {}) },
          { type: 'array', minItems: 1, items: { enum: codes(spec.list!, version) } },
          ...(nullable ? [{ type: 'null' }] : []),
        ],
      };
      return withDesc(s);
    }
    case 'recipients':
      return withDesc({
        type: nullable ? ['array', 'null'] : 'array',
        maxItems: MAX_RECIPIENTS,
        items: objectSchema(RECIPIENT_FIELDS, version),
      });
  }
}

function objectSchema(specs: Record<string, FieldSpec>, version: string, extra: Json = {}): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    properties[name] = fieldSchema(spec, version);
    if (spec.required) required.push(name);
  }
  return { type: 'object', properties: { ...properties, ...extra }, required };
}

const TRUE_VALUES = [true, 1, '1'];

/** Conditional fields shared by case files and documents. */
function conditionals(kind: 'file' | 'document'): Json[] {
  const out: Json[] = [
    // retentionYears iff maintenance 07
    {
      if: { properties: { maintenance: { const: '07' } }, required: ['maintenance'] },
      then: { required: ['retentionYears'], properties: { retentionYears: { type: 'integer' } } },
      else: { properties: { retentionYears: { type: 'null' } } },
    },
    // riskRecoveryStatus iff riskRecovery
    {
      if: { properties: { riskRecovery: { enum: TRUE_VALUES } }, required: ['riskRecovery'] },
      then: { required: ['riskRecoveryStatus'], properties: { riskRecoveryStatus: { type: 'string' } } },
      else: { properties: { riskRecoveryStatus: { type: 'null' } } },
    },
  ];
  if (kind === 'file') {
    // paperFileCode required for digitised files
    out.push({
      if: { properties: { confidenceLevel: { const: '02' } }, required: ['confidenceLevel'] },
      then: { required: ['paperFileCode'], properties: { paperFileCode: { type: 'string', pattern: '\\S' } } },
    });
  } else {
    // process required for born-digital / mixed documents (own confidenceLevel)
    out.push({
      if: { properties: { confidenceLevel: { enum: ['01', '03'] } }, required: ['confidenceLevel'] },
      then: { required: ['process'], properties: { process: { enum: [true, false, 1, 0, '1', '0'] } } },
    });
  }
  return out;
}

export function buildManifestSchema(version: string = CURRENT_CODE_LIST_VERSION): Json {
  const document = { ...objectSchema(DOCUMENT_FIELDS, version), allOf: conditionals('document') };
  const caseFile = {
    ...objectSchema(CASE_FILE_FIELDS, version, {
      documents: { type: 'array', minItems: 1, maxItems: MAX_DOCUMENTS_PER_FILE, items: { $ref: '#/definitions/document' } },
    }),
    required: [...objectSchema(CASE_FILE_FIELDS, version).required as string[], 'documents'],
    allOf: conditionals('file'),
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://archive.example.gov.vn/schemas/manifest.schema.json',
    title: 'Manifest nộp lưu (transfer manifest) — TT 05/2025/TT-BNV field names',
    description: `Generated from libs/metadata (fields.ts) with code lists ${version}. Cross-record rules (totalDoc, unique ordinals/paths/fileCodes, date spans, fileCode owner) are checked by validateManifest only.`,
    $comment: `codeListVersion=${version}`,
    type: 'object',
    required: ['agency', 'files'],
    properties: {
      agency: objectSchema(AGENCY_FIELDS, version),
      files: { type: 'array', minItems: 1, maxItems: MAX_FILES, items: { $ref: '#/definitions/caseFile' } },
    },
    definitions: { caseFile, document },
  };
}

/** The published manifest schema (current code lists). */
export const manifestSchema: Json = buildManifestSchema();
