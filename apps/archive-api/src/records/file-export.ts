/**
 * Export of a case file in time order (NĐ 30/2020 Phụ lục VI: "xuất hồ sơ ra PDF + XML theo trình tự
 * thời gian"): a ZIP holding an XML description and the documents' original bytes, in issue order.
 * See README.md in this folder for why originals are shipped as they are instead of one merged PDF.
 */
import type { Readable } from 'node:stream';
import * as yazl from 'yazl';
import type { ArchivalDocument, CaseFile } from '@archive/metadata';
import { writeCaseFileEad, writeDocumentEad } from '@archive/metadata/eark/ead';
import { attrs } from '@archive/metadata/eark/xml';
import { verifyingStream } from '@archive/metadata/eark/package-reader';

export interface ExportDocument {
  id: string;
  docCode: string;
  sha256: string;
  size: number;
  mimeType: string;
  /** The document's metadata as catalogued (ArchivalDocument of the manifest/SIP). */
  metadata: ArchivalDocument;
  open(): Promise<Readable>;
}

export interface ExportInput {
  fileId: string;
  /** The case file's metadata as catalogued (without documents). */
  caseFile: Omit<CaseFile, 'documents'>;
  arcFileCode: string | null;
  /** Already sorted in time order. */
  documents: ExportDocument[];
  /** Fixed entry times make the same case file export to the same bytes. */
  mtime: Date;
  exportedAt: Date;
}

export interface ExportEntry {
  order: number;
  name: string;
}

/** `{fileCode}.xml`, `001_{docCode}.pdf`, …: only characters safe in every unzip tool. */
export function safeName(s: string): string {
  return s.normalize('NFC').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || '_';
}

function extensionOf(doc: ExportDocument): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(doc.metadata.path ?? '');
  if (m) return m[1]!.toLowerCase();
  return doc.mimeType === 'application/pdf' ? 'pdf' : 'bin';
}

export function entryNames(input: ExportInput): { xml: string; documents: string[] } {
  const width = Math.max(3, String(input.documents.length).length);
  return {
    xml: `${safeName(input.caseFile.fileCode)}.xml`,
    documents: input.documents.map((d, i) => `${String(i + 1).padStart(width, '0')}_${safeName(d.docCode)}.${extensionOf(d)}`),
  };
}

/** Drops the XML declaration and indents, so the EAD writers' output nests inside our root. */
function nested(xml: string, indent: string): string {
  return xml
    .replace(/^<\?xml[^>]*\?>\s*/, '')
    .trimEnd()
    .split('\n')
    .map((l) => indent + l)
    .join('\n');
}

/**
 * The XML of the export: the case file and its documents with the element names of the archive's
 * EAD (TT 05/2025 §2.3, the same writer as the AIP, so both describe a record identically), documents
 * in time order, each pointing at its entry in the ZIP with its SHA-256 and size.
 */
export function exportXml(input: ExportInput, names: { documents: string[] }): string {
  const cf: CaseFile = { ...input.caseFile, documents: [] } as CaseFile;
  const docs = input.documents
    .map((d, i) => {
      const head = `    <document${attrs({ order: i + 1, id: d.id, file: names.documents[i], sha256: d.sha256, size: d.size, mimeType: d.mimeType })}>`;
      const doc = { ...d.metadata, docCode: d.docCode } as ArchivalDocument;
      return `${head}\n${nested(writeDocumentEad(doc, 'AIP', input.arcFileCode ?? undefined), '      ')}\n    </document>`;
    })
    .join('\n');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<caseFileExport${attrs({
      id: input.fileId,
      exportedAt: input.exportedAt.toISOString(),
      order: 'issuedDate,docOrdinal',
      basis: 'NĐ 30/2020/NĐ-CP Phụ lục VI; TT 05/2025/TT-BNV',
    })}>\n` +
    `  <caseFile>\n${nested(writeCaseFileEad(cf, 'AIP', input.arcFileCode ?? undefined), '    ')}\n  </caseFile>\n` +
    `  <documents${attrs({ count: input.documents.length })}>\n${docs}${docs ? '\n' : ''}  </documents>\n` +
    '</caseFileExport>\n'
  );
}

/**
 * Streams the ZIP. Nothing is held in memory but the XML: each original is opened only when yazl
 * reaches its entry and its SHA-256 and size are checked on the way (a mismatch fails the stream
 * rather than hand out bytes that are not the archived original). Every entry is STORED, so the ZIP's
 * size is known up front (Content-Length) and the originals sit in it byte for byte.
 */
export function exportZip(input: ExportInput): { stream: Readable; size: Promise<number>; entries: ExportEntry[] } {
  const names = entryNames(input);
  const zip = new yazl.ZipFile();
  const out = zip.outputStream as Readable;
  let current: Readable | undefined;
  const fail = (e: unknown) => {
    current?.destroy();
    out.destroy(e instanceof Error ? e : new Error(String(e)));
  };
  zip.addBuffer(Buffer.from(exportXml(input, names), 'utf8'), names.xml, { mtime: input.mtime, compress: false });
  input.documents.forEach((d, i) => {
    const name = names.documents[i]!;
    zip.addReadStreamLazy(name, { size: d.size, mtime: input.mtime, compress: false }, (cb) => {
      d.open()
        .then((src) => {
          current = src;
          const v = verifyingStream(src, name, 'sha256', d.sha256, d.size);
          v.on('error', fail);
          cb(null, src.pipe(v));
        })
        .catch(fail);
    });
  });
  // The client going away must not leave an original's stream open.
  out.on('close', () => current?.destroy());
  const size = new Promise<number>((resolve) => {
    (zip.end as (o: object, cb: (n: number) => void) => void)({}, (n: number) => resolve(n));
  });
  return { stream: out, size, entries: [{ order: 0, name: names.xml }, ...names.documents.map((name, i) => ({ order: i + 1, name }))] };
}
