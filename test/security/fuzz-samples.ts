import { createHash } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import * as yazl from 'yazl';
import type { FuzzTarget } from './fuzz-targets';

/** Valid inputs for POST /transfers that the fuzz properties mutate. */
export async function transferSamples(agency: { id: string; name: string }): Promise<FuzzTarget['samples']> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]).drawText('Van ban thu nghiem', { x: 10, y: 100, size: 10, font: await doc.embedFont(StandardFonts.Helvetica) });
  const pdf = Buffer.from(await doc.save({ useObjectStreams: false }));
  let n = 0;
  const manifest = (docs: { path: string; bytes: Buffer }[]): Record<string, unknown> => {
    n++;
    return {
      agency,
      files: [
        {
          fileCode: `${agency.id}.2024.${String(n % 100).padStart(2, '0')}.FUZZ${n}`,
          title: `Hồ sơ thử ${n}`,
          maintenance: '06',
          retentionYears: null,
          mode: '01',
          language: '01',
          startDate: '2024-01-05',
          endDate: '2024-12-20',
          totalDoc: docs.length,
          numberOfPage: docs.length,
          documents: docs.map((d, i) => ({
            docOrdinal: i + 1,
            typeName: '02',
            codeNumber: String(n),
            codeNotation: 'QĐ-FUZZ',
            issuedDate: '2024-03-01',
            organName: agency.name,
            subject: `Quyết định thử ${n}`,
            language: '01',
            numberOfPage: 1,
            mode: '01',
            path: d.path,
            sha256: createHash('sha256').update(d.bytes).digest('hex'),
          })),
        },
      ],
    };
  };
  const zipfile = new yazl.ZipFile();
  zipfile.addBuffer(Buffer.from(JSON.stringify(manifest([{ path: 'docs/a.pdf', bytes: pdf }]))), 'manifest.json');
  zipfile.addBuffer(pdf, 'docs/a.pdf');
  zipfile.end();
  const chunks: Buffer[] = [];
  for await (const c of zipfile.outputStream) chunks.push(c as Buffer);
  return { pdf, zip: Buffer.concat(chunks), manifest };
}
