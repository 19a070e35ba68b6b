/**
 * EAD "simpledc" of TT 05/2025 (§2.3): the case-file EAD.xml and the per-document EAD_doc_*.xml,
 * mapped to and from the model. Dates are `DD/MM/YYYY` in XML (AIP also `MM/YYYY`, `YYYY`) and ISO in
 * the model. Elements are matched by local name anywhere under a `simpledc` element (or the root when
 * there is none), so a wrapper such as `<ead><archdesc>…<simpledc>` is accepted.
 *
 * Choices (documented deviations):
 * - `language` with several codes: written as one element, comma-separated ("01,02"); several
 *   `<language>` elements are read and joined the same way.
 * - Fields the circular has no element for but the model keeps (`retentionYears` for maintenance
 *   07, `creator`, the NĐ 30 e-office fields such as `signerPosition`) are written as extra
 *   elements with the model's names, so an AIP round-trips without loss.
 * - The AIP EAD.xml carries both `arcFileCode` and `fileCode`; the AIP EAD_doc carries the AIP set
 *   (`docCode`, `arcFileCode`, `docOrdinal`, …) plus the SIP-only `docId`, `maintenance`, `riskRecovery*`.
 */
import { formatEadDate, formatIsoDate, parseAnyDate } from '../dates';
import type { ArchivalDocument, CaseFile, Recipient } from '../model';
import { EarkError, earkError } from './errors';
import { XNode, descendants, el } from './xml';

export type PackageKind = 'SIP' | 'AIP';

type Warn = (e: EarkError) => void;

class Fields {
  private readonly byName = new Map<string, XNode[]>();
  constructor(root: XNode, private readonly path: string, private readonly errors: EarkError[], private readonly warn: Warn) {
    const scope = root.name === 'simpledc' ? root : (descendants(root, 'simpledc')[0] ?? root);
    for (const c of scope.children) {
      const list = this.byName.get(c.name) ?? [];
      list.push(c);
      this.byName.set(c.name, list);
    }
  }
  node(name: string): XNode | undefined {
    return this.byName.get(name)?.[0];
  }
  all(name: string): XNode[] {
    return this.byName.get(name) ?? [];
  }
  str(name: string): string | undefined {
    const n = this.node(name);
    return n && n.text !== '' ? n.text : undefined;
  }
  int(name: string, required: boolean): number | undefined {
    const s = this.str(name);
    if (s === undefined) {
      if (required) this.errors.push(earkError('EAD_INVALID', `${this.path}#${name}`, `Thiếu trường số bắt buộc ${name}`, `Missing required numeric field ${name}`));
      return undefined;
    }
    if (!/^\d+$/.test(s)) {
      this.errors.push(earkError('EAD_INVALID', `${this.path}#${name}`, `Trường ${name} phải là số nguyên: "${s}"`, `Field ${name} must be an integer: "${s}"`));
      return undefined;
    }
    return Number(s);
  }
  bool(name: string): boolean | undefined {
    const s = this.str(name)?.toLowerCase();
    if (s === undefined) return undefined;
    if (s === '1' || s === 'true' || s === 'có') return true;
    if (s === '0' || s === 'false' || s === 'không') return false;
    this.errors.push(earkError('EAD_INVALID', `${this.path}#${name}`, `Trường ${name} phải là 1 hoặc 0: "${s}"`, `Field ${name} must be 1 or 0: "${s}"`));
    return undefined;
  }
  /** EAD date → ISO. An unrecognised value is passed through for the model validator to report. */
  date(name: string): string | undefined {
    const s = this.str(name);
    if (s === undefined) return undefined;
    const d = parseAnyDate(s);
    if (!d) {
      this.warn(earkError('DATE_FORMAT_UNRECOGNIZED', `${this.path}#${name}`, `Không nhận dạng được ngày "${s}"`, `Unrecognised date "${s}"`));
      return s;
    }
    return formatIsoDate(d);
  }
  language(): string {
    return this.all('language')
      .map((n) => n.text)
      .filter((t) => t !== '')
      .join(',');
  }
}

/** Drops undefined properties so that the mapped object compares equal to a hand-written one. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function readCaseFileEad(root: XNode, path: string, errors: EarkError[], warn: Warn): Omit<CaseFile, 'documents'> & { totalDoc?: number } {
  const f = new Fields(root, path, errors, warn);
  const fileCode = f.str('fileCode');
  const arcFileCode = f.str('arcFileCode');
  if (!fileCode && !arcFileCode) {
    errors.push(earkError('EAD_INVALID', `${path}#fileCode`, 'Thiếu mã hồ sơ (fileCode/arcFileCode)', 'Missing file code (fileCode/arcFileCode)'));
  }
  const retentionYears = f.str('retentionYears') !== undefined ? f.int('retentionYears', false) : undefined;
  return compact({
    fileCode: fileCode ?? arcFileCode ?? '',
    arcFileCode,
    title: f.str('title') ?? '',
    maintenance: f.str('maintenance') ?? '',
    retentionYears,
    mode: f.str('mode') ?? '',
    language: f.language(),
    startDate: f.date('startDate') ?? '',
    endDate: f.date('endDate') ?? '',
    keyword: f.str('keyword'),
    totalDoc: f.str('totalDoc') !== undefined ? (f.int('totalDoc', true) as number) : (undefined as unknown as number),
    numberOfPaper: f.int('numberOfPaper', false),
    numberOfPage: f.int('numberOfPage', true) as number,
    format: f.str('format'),
    inforSign: f.str('inforSign'),
    confidenceLevel: f.str('confidenceLevel'),
    paperFileCode: f.str('paperFileCode'),
    riskRecovery: f.bool('riskRecovery'),
    riskRecoveryStatus: f.str('riskRecoveryStatus'),
    description: f.str('description'),
    creator: f.str('creator'),
  });
}

export type DocumentMetadata = Omit<ArchivalDocument, 'path' | 'sha256' | 'size' | 'mimeType' | 'docOrdinal'> & { docOrdinal?: number };

export function readDocumentEad(root: XNode, path: string, errors: EarkError[], warn: Warn): DocumentMetadata {
  const f = new Fields(root, path, errors, warn);
  const recipients: Recipient[] = f.all('recipient').map((n) => compact({ organId: n.attrs['organId'] || undefined, organName: n.text }));
  return compact({
    docOrdinal: f.str('docOrdinal') !== undefined ? f.int('docOrdinal', false) : undefined,
    docId: f.str('docId'),
    docCode: f.str('docCode'),
    arcDocCode: f.str('arcDocCode'),
    maintenance: f.str('maintenance'),
    retentionYears: f.str('retentionYears') !== undefined ? f.int('retentionYears', false) : undefined,
    typeName: f.str('typeName') ?? f.str('typeDoc') ?? '',
    codeNumber: f.str('codeNumber'),
    codeNotation: f.str('codeNotation'),
    issuedDate: f.date('issuedDate') ?? '',
    organName: f.str('organName') ?? '',
    organId: f.str('organId'),
    subject: f.str('subject') ?? '',
    language: f.language(),
    numberOfPage: f.int('numberOfPage', true) as number,
    inforSign: f.str('inforSign'),
    keyword: f.str('keyword'),
    mode: f.str('mode') ?? '',
    confidenceLevel: f.str('confidenceLevel'),
    autograph: f.str('autograph'),
    format: f.str('format'),
    process: f.bool('process'),
    riskRecovery: f.bool('riskRecovery'),
    riskRecoveryStatus: f.str('riskRecoveryStatus'),
    description: f.str('description'),
    signerPosition: f.str('signerPosition'),
    signerFullName: f.str('signerFullName'),
    recipients: recipients.length ? recipients : undefined,
    priority: f.str('priority') !== undefined ? f.int('priority', false) : undefined,
    issuedAmount: f.str('issuedAmount') !== undefined ? f.int('issuedAmount', false) : undefined,
    dueDate: f.date('dueDate'),
    arrivalDate: f.date('arrivalDate'),
    arrivalNumber: f.str('arrivalNumber') !== undefined ? f.int('arrivalNumber', false) : undefined,
    toPlaces: f.str('toPlaces'),
    traceHeaderList: f.str('traceHeaderList'),
  });
}

// ---------------------------------------------------------------- writing

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

function eadDate(iso: string | undefined): string | undefined {
  if (iso === undefined || iso === '') return undefined;
  const d = parseAnyDate(iso);
  return d ? formatEadDate(d) : iso;
}

const b = (v: boolean | undefined) => (v === undefined ? undefined : v ? '1' : '0');
const n = (v: number | null | undefined) => (v === undefined || v === null ? undefined : v);

function lines(parts: string[]): string {
  return parts.filter((p) => p !== '').map((p) => `  ${p}`).join('\n');
}

export function writeCaseFileEad(cf: CaseFile, kind: PackageKind, arcFileCode?: string): string {
  return (
    XML_DECL +
    '<simpledc>\n' +
    lines([
      kind === 'AIP' ? el('arcFileCode', arcFileCode ?? cf.arcFileCode ?? cf.fileCode) : '',
      el('fileCode', cf.fileCode),
      el('title', cf.title),
      el('maintenance', cf.maintenance),
      el('retentionYears', n(cf.retentionYears)),
      el('mode', cf.mode),
      el('language', cf.language),
      el('startDate', eadDate(cf.startDate)),
      el('endDate', eadDate(cf.endDate)),
      el('keyword', cf.keyword),
      el('totalDoc', cf.totalDoc),
      el('numberOfPaper', n(cf.numberOfPaper)),
      el('numberOfPage', cf.numberOfPage),
      el('format', cf.format),
      el('inforSign', cf.inforSign),
      el('confidenceLevel', cf.confidenceLevel),
      el('paperFileCode', cf.paperFileCode),
      el('riskRecovery', b(cf.riskRecovery)),
      el('riskRecoveryStatus', cf.riskRecoveryStatus),
      el('description', cf.description),
      el('creator', cf.creator),
    ]) +
    '\n</simpledc>\n'
  );
}

export function writeDocumentEad(doc: ArchivalDocument, kind: PackageKind, arcFileCode?: string): string {
  return (
    XML_DECL +
    '<simpledc>\n' +
    lines([
      el('docId', doc.docId),
      el('docCode', doc.docCode),
      kind === 'AIP' ? el('arcFileCode', arcFileCode) : '',
      el('arcDocCode', doc.arcDocCode),
      // The SIP EAD_doc has no docOrdinal element (it is the tail of docCode); the AIP one has.
      kind === 'AIP' ? el('docOrdinal', doc.docOrdinal) : '',
      el('maintenance', doc.maintenance),
      el('retentionYears', n(doc.retentionYears)),
      el('typeName', doc.typeName),
      el('codeNumber', doc.codeNumber),
      el('codeNotation', doc.codeNotation),
      el('issuedDate', eadDate(doc.issuedDate)),
      el('organName', doc.organName),
      el('organId', doc.organId),
      el('subject', doc.subject),
      el('language', doc.language),
      el('numberOfPage', doc.numberOfPage),
      el('inforSign', doc.inforSign),
      el('keyword', doc.keyword),
      el('mode', doc.mode),
      el('confidenceLevel', doc.confidenceLevel),
      el('autograph', doc.autograph),
      el('format', doc.format),
      el('process', b(doc.process)),
      el('riskRecovery', b(doc.riskRecovery)),
      el('riskRecoveryStatus', doc.riskRecoveryStatus),
      el('description', doc.description),
      el('signerPosition', doc.signerPosition),
      el('signerFullName', doc.signerFullName),
      ...(doc.recipients ?? []).map((r) => el('recipient', r.organName, { organId: r.organId })),
      el('priority', n(doc.priority)),
      el('issuedAmount', n(doc.issuedAmount)),
      el('dueDate', eadDate(doc.dueDate)),
      el('arrivalDate', eadDate(doc.arrivalDate)),
      el('arrivalNumber', n(doc.arrivalNumber)),
      el('toPlaces', doc.toPlaces),
      el('traceHeaderList', doc.traceHeaderList),
    ]) +
    '\n</simpledc>\n'
  );
}
