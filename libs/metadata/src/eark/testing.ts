/**
 * Test helpers (also for the service's e2e tests): builds SIP_hoso ZIPs in memory from a case file,
 * with knobs for the deviations met in packages from other software and for hostile packages.
 * Not for production use; everything is in memory.
 */
import { createHash, randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import * as yazl from 'yazl';
import type { ArchivalDocument, CaseFile } from '../model';
import { writeCaseFileEad, writeDocumentEad } from './ead';
import { MetsFileRef, MetsMdRef, writeRepresentationMets, writeRootMets } from './mets';
import { safeName } from './paths';

/** A small valid PDF whose text is `text` (distinct bytes per document). */
export function samplePdf(text = 'Tài liệu mẫu'): Buffer {
  const safe = text.replace(/[()\\]/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = `BT /F1 12 Tf 72 770 Td (${safe}) Tj ET`;
  objs[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let body = '%PDF-1.7\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/**
 * A complete, valid case file (fields as in API.md's manifest example) of `documentCount` documents;
 * each document's content is `sampleContents(caseFile).get(docOrdinal)`.
 */
export function sampleCaseFile(overrides: Partial<CaseFile> = {}, documentCount = 2): CaseFile {
  const fileCode = overrides.fileCode ?? '000.00.12.H05.2024.01.TCCB';
  const docs: ArchivalDocument[] = Array.from({ length: documentCount }, (_, i) => i + 1).map((n) => {
    const content = samplePdf(`Quyet dinh so ${14 + n}`);
    return {
      docOrdinal: n,
      docCode: `${fileCode}.${String(n).padStart(7, '0')}`,
      docId: `${fileCode}.${n}`,
      typeName: '02',
      codeNumber: String(14 + n),
      codeNotation: 'QĐ-SNV',
      issuedDate: `2024-${String(((n + 1) % 11) + 2).padStart(2, '0')}-01`, // within the file's span
      organName: 'Sở Nội vụ tỉnh Bình Định',
      subject: `Quyết định bổ nhiệm cán bộ số ${n} <&> "trích yếu"`,
      language: '01',
      numberOfPage: 1,
      mode: '01',
      maintenance: '06',
      confidenceLevel: '01',
      process: true,
      signerPosition: 'Giám đốc',
      signerFullName: 'Nguyễn Văn A',
      path: `docs/${14 + n}-QD-SNV.pdf`,
      sha256: sha256(content),
      size: content.length,
      mimeType: 'application/pdf',
    };
  });
  return {
    fileCode,
    title: 'Hồ sơ bổ nhiệm cán bộ năm 2024',
    maintenance: '06',
    mode: '01',
    language: '01',
    startDate: '2024-01-05',
    endDate: '2024-12-20',
    keyword: 'bổ nhiệm',
    totalDoc: docs.length,
    numberOfPage: docs.length,
    confidenceLevel: '01',
    riskRecovery: true,
    riskRecoveryStatus: '01',
    creator: 'Trần Thị B',
    description: 'Hồ sơ mẫu',
    documents: docs,
    ...overrides,
  };
}

/** Content of each document of `sampleCaseFile()` (by docOrdinal). */
export function sampleContents(cf: CaseFile): Map<number, Buffer> {
  return new Map(cf.documents.map((d) => [d.docOrdinal, samplePdf(`Quyet dinh so ${Number(d.codeNumber ?? d.docOrdinal)}`)]));
}

export interface TestSipOptions {
  caseFile?: CaseFile;
  /** Bytes per docOrdinal; default `sampleContents(caseFile)`. The METS checksum is computed from these. */
  contents?: Map<number, Buffer>;
  /** Put the package in a top folder named after the OBJID (default true). */
  rootFolder?: boolean;
  uuid?: string;
  /** Hex case of METS checksums (default upper, as in the TT 05 sample). */
  checksumCase?: 'upper' | 'lower';
  /** Rewrite an XML file (package path) before its checksum is taken: models other producers' quirks. */
  transformXml?: (path: string, xml: string) => string;
  /** Replace bytes of a package path after METS was written: models corruption/tampering. */
  tamper?: (path: string, bytes: Buffer) => Buffer | undefined;
  /** Renames a package path in the ZIP (after METS was written; pair with `transformXml` on hrefs). */
  rename?: (path: string) => string;
  /** Package paths left out of the ZIP. */
  omit?: string[];
  /** Extra entries (package paths) added to the ZIP, unreferenced by METS. */
  extra?: { path: string; content: Buffer }[];
  createdAt?: string;
}

export interface TestSip {
  zip: Buffer;
  objId: string;
  caseFile: CaseFile;
  /** Package path of each document's data file, by docOrdinal. */
  dataPaths: Map<number, string>;
  contents: Map<number, Buffer>;
}

/** Builds a SIP_hoso ZIP (TT 05/2025 layout, E-ARK CSIP METS, EAD simpledc; no PREMIS, as in SIPs). */
export async function buildTestSip(options: TestSipOptions = {}): Promise<TestSip> {
  const cf = options.caseFile ?? sampleCaseFile();
  const contents = options.contents ?? sampleContents(cf);
  const uuid = (options.uuid ?? randomUUID()).toUpperCase();
  const objId = `uuid-${uuid}`;
  const created = options.createdAt ?? '2024-12-25T09:00:00+07:00';
  const cs = (hex: string) => (options.checksumCase === 'lower' ? hex.toLowerCase() : hex.toUpperCase());
  const files = new Map<string, Buffer>();
  const xml = (path: string, s: string) => {
    const out = Buffer.from(options.transformXml ? options.transformXml(path, s) : s, 'utf8');
    files.set(path, out);
    return out;
  };
  const ref = (id: string, href: string, content: Buffer, mimeType = 'text/xml'): MetsFileRef => ({
    id, href, size: content.length, sha256: cs(sha256(content)), mimeType, created,
  });
  const md = (r: MetsFileRef): MetsMdRef => ({ ...r, mdType: 'EAD' });
  const stemOf = (d: ArchivalDocument) => `${safeName(cf.fileCode)}.${String(d.docOrdinal).padStart(3, '0')}`;
  const dataPaths = new Map<number, string>();

  const docs = [...cf.documents].sort((a, b) => a.docOrdinal - b.docOrdinal);
  const descriptive: MetsMdRef[] = [];
  const data: { file: MetsFileRef; dmdId?: string }[] = [];
  docs.forEach((d, i) => {
    const stem = stemOf(d);
    const content = contents.get(d.docOrdinal) ?? Buffer.alloc(0);
    const dataRel = `data/${stem}.pdf`;
    dataPaths.set(d.docOrdinal, `representations/rep1/${dataRel}`);
    files.set(`representations/rep1/${dataRel}`, content);
    const eadRel = `metadata/descriptive/EAD_doc_${stem}.xml`;
    const ead = xml(`representations/rep1/${eadRel}`, writeDocumentEad(d, 'SIP'));
    descriptive.push(md(ref(`uuid-dmd-${i + 1}`, eadRel, ead)));
    data.push({ file: ref(`uuid-file-${i + 1}`, dataRel, content, d.mimeType ?? 'application/pdf'), dmdId: `uuid-dmd-${i + 1}` });
  });
  const header = {
    label: cf.title,
    packageType: 'SIP' as const,
    createDate: created,
    recordStatus: 'NEW',
    agents: [
      { role: 'CREATOR' as const, type: 'ORGANIZATION' as const, name: 'Sở Nội vụ tỉnh Bình Định', note: '000.00.12.H05', noteType: 'IDENTIFICATIONCODE' as const },
      { role: 'CREATOR' as const, type: 'OTHER' as const, otherType: 'SOFTWARE', name: 'test-sip-builder', note: '1.0', noteType: 'SOFTWARE VERSION' as const },
    ],
  };
  const repMets = xml('representations/rep1/METS.xml', writeRepresentationMets({ ...header, objId: `${objId}:rep1`, descriptive, preservation: [], data }));
  const ead = xml('metadata/descriptive/EAD.xml', writeCaseFileEad(cf, 'SIP'));
  xml(
    'METS.xml',
    writeRootMets({
      ...header,
      objId,
      descriptive: [md(ref('uuid-dmd-ead', 'metadata/descriptive/EAD.xml', ead))],
      preservation: [],
      schemas: [],
      documentation: [],
      representations: [{ name: 'rep1', mets: ref('uuid-mets-rep1', 'representations/rep1/METS.xml', repMets) }],
    }),
  );
  for (const e of options.extra ?? []) files.set(e.path, e.content);

  const prefix = options.rootFolder === false ? '' : `${objId}/`;
  const zip = new yazl.ZipFile();
  for (const [path, content] of files) {
    if (options.omit?.includes(path)) continue;
    const bytes = options.tamper?.(path, content) ?? content;
    zip.addBuffer(bytes, prefix + (options.rename?.(path) ?? path), { mtime: new Date('2024-12-25T02:00:00Z'), compress: path.endsWith('.xml') });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  // Report what the package really holds (a caller may pass contents that differ from cf's sha256).
  const described: CaseFile = {
    ...cf,
    documents: cf.documents.map((d) => {
      const c = contents.get(d.docOrdinal);
      return c ? { ...d, sha256: sha256(c), size: c.length } : d;
    }),
  };
  return { zip: Buffer.concat(chunks), objId, caseFile: described, dataPaths, contents };
}

// ------------------------------------------------------------------ raw (hostile) ZIPs

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface RawZipEntry {
  /** Written as is (no validation): lets tests build `../x`, `/etc/x`, `a\\b` entries. */
  name: string;
  data: Buffer;
  deflate?: boolean;
  /** Unix mode (e.g. 0o120777 for a symlink); sets "made by Unix". */
  unixMode?: number;
  /** Lie about the uncompressed size in the headers. */
  declaredSize?: number;
}

/** Minimal ZIP writer that does not sanitise anything (yazl refuses hostile names, rightly). */
export function rawZip(entries: RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const crc = crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.unixMode !== undefined ? (3 << 8) | 20 : 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(e.unixMode !== undefined ? (e.unixMode << 16) >>> 0 : 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
