import { Readable } from 'node:stream';
import { readAip, readSip, writeAip } from '@archive/metadata/eark';
import { buildTestSip, sampleCaseFile, sampleContents } from '@archive/metadata/eark/testing';
import type { CaseFile } from '@archive/metadata/model';

async function collect(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Every field of the model filled, including the ones the circular has no element for. */
function fullCaseFile(): CaseFile {
  const base = sampleCaseFile();
  return {
    ...base,
    maintenance: '07',
    retentionYears: 15,
    language: '01,02',
    startDate: '2024-01',
    endDate: '2024',
    numberOfPaper: 4,
    format: '01',
    inforSign: 'TCCB',
    confidenceLevel: '03',
    paperFileCode: 'TTLT1.K01.G02.H003.15',
    riskRecovery: false,
    riskRecoveryStatus: undefined,
    description: 'Ghi chú: "đầy đủ" & <trường>',
    documents: base.documents.map((d, i) => ({
      ...d,
      retentionYears: 15,
      maintenance: '07',
      organId: '000.00.12.H05',
      inforSign: 'TT',
      keyword: 'bổ nhiệm',
      autograph: 'Bút tích đỏ',
      format: '02',
      riskRecovery: true,
      riskRecoveryStatus: '02',
      description: `Tài liệu ${i + 1}`,
      recipients: [{ organId: '000.00.13.H05', organName: 'Sở Tài chính' }, { organName: 'Lưu: VT' }],
      priority: 1,
      issuedAmount: 3,
      dueDate: '2024-04-01',
      arrivalDate: '2024-03-05',
      arrivalNumber: 120 + i,
      toPlaces: 'Phòng TCCB',
      traceHeaderList: 'Chuyển phòng TCCB xử lý',
    })),
  };
}

const clean = <T extends object>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

describe('every model field survives SIP → model → AIP → model', () => {
  it('round-trips all fields', async () => {
    const cf = clean(fullCaseFile());
    const sip = await buildTestSip({ caseFile: cf });
    const r = await readSip(sip.zip);
    if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
    const strip = (c: CaseFile) => ({ ...c, arcFileCode: undefined, documents: c.documents.map((d) => ({ ...d, path: undefined })) });
    expect(clean(strip(r.value.caseFile))).toEqual(clean(strip(cf)));

    const contents = sampleContents(cf);
    const w = writeAip({
      caseFile: r.value.caseFile,
      archiveCode: '000.00.00.H56',
      files: r.value.dataFiles.map((f) => ({ docOrdinal: f.docOrdinal, size: f.size, sha256: f.sha256, open: () => r.value.openFile(f.path) })),
    });
    if (!w.ok) throw new Error(JSON.stringify(w.errors));
    const zip = await collect(w.value.stream);
    await r.value.close();
    const back = await readAip(zip);
    if (!back.ok) throw new Error(JSON.stringify(back.errors, null, 2));
    expect(back.value.caseFile.arcFileCode).toBe(`000.00.00.H56.${cf.fileCode}`);
    expect(clean(strip(back.value.caseFile))).toEqual(clean(strip(cf)));
    for (const f of back.value.dataFiles) expect((await collect(await back.value.openFile(f.path))).equals(contents.get(f.docOrdinal)!)).toBe(true);
    await back.value.close();
  });
});
