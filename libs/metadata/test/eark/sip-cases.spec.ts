import { Readable } from 'node:stream';
import { readSip, EarkResult, ZipRangeSource } from '@archive/metadata/eark';
import { buildTestSip, sampleCaseFile } from '@archive/metadata/eark/testing';

function codes(r: EarkResult<unknown>): string[] {
  return r.ok ? [] : r.errors.map((e) => e.code);
}
const rep = (f: (x: string) => string) => (p: string, x: string) => (p === 'representations/rep1/METS.xml' ? f(x) : x);
const root = (f: (x: string) => string) => (p: string, x: string) => (p === 'METS.xml' ? f(x) : x);

async function read(opts: Parameters<typeof buildTestSip>[0]) {
  const r = await readSip((await buildTestSip(opts)).zip);
  if (r.ok) await r.value.close();
  return r;
}

describe('readSip — integrity rejections', () => {
  it('rejects an href that leaves the package', async () => {
    const r = await read({ transformXml: rep((x) => x.replace('xlink:href="data/', 'xlink:href="../../../data/')) });
    expect(codes(r)).toContain('HREF_INVALID');
  });

  it('rejects an absolute URL href', async () => {
    const r = await read({ transformXml: rep((x) => x.replace('xlink:href="data/', 'xlink:href="http://example.org/data/')) });
    expect(codes(r)).toContain('HREF_INVALID');
  });

  it('rejects a data file whose checksum type is not SHA-256', async () => {
    const r = await read({ transformXml: rep((x) => x.replace(/(MIMETYPE="application\/pdf"[^>]*)CHECKSUMTYPE="SHA-256"/, '$1CHECKSUMTYPE="MD5"')) });
    expect(codes(r)).toEqual(['CHECKSUM_TYPE_UNSUPPORTED']);
  });

  it('rejects a data file without a checksum', async () => {
    const r = await read({ transformXml: rep((x) => x.replace(/(MIMETYPE="application\/pdf"[^>]*) CHECKSUM="[0-9A-F]+"/, '$1')) });
    expect(codes(r)).toEqual(['CHECKSUM_MISSING']);
  });

  it('rejects a wrong SIZE', async () => {
    const r = await read({ transformXml: rep((x) => x.replace(/(MIMETYPE="application\/pdf" )SIZE="\d+"/, '$1SIZE="1"')) });
    expect(codes(r)).toEqual(['SIZE_MISMATCH']);
  });

  it('rejects a tampered metadata file (EAD) whose checksum no longer matches', async () => {
    const r = await read({ tamper: (p, b) => (p === 'metadata/descriptive/EAD.xml' ? Buffer.from(b.toString().replace('<title>H', '<title>X')) : undefined) });
    expect(codes(r)).toEqual(['CHECKSUM_MISMATCH']);
  });

  it('rejects a data file with no EAD_doc', async () => {
    const r = await read({
      transformXml: rep((x) => x.replace(/ DMDID="[^"]*"/g, '').replace(/<mets:dmdSec ID="uuid-dmd-2"[\s\S]*?<\/mets:dmdSec>\n/, '').replace(' uuid-dmd-2', '')),
      omit: ['representations/rep1/metadata/descriptive/EAD_doc_000.00.12.H05.2024.01.TCCB.002.xml'],
    });
    expect(codes(r)).toEqual(['EAD_DOC_MISSING']);
  });

  it('rejects conflicting csip:OAISPACKAGETYPE attribute and element', async () => {
    const r = await read({ transformXml: root((x) => x.replace(' csip:OAISPACKAGETYPE="SIP">', ' csip:OAISPACKAGETYPE="SIP">\n<csip:OAISPACKAGETYPE>AIP</csip:OAISPACKAGETYPE>')) });
    expect(codes(r)).toEqual(['CSIP_VALUE_AMBIGUOUS']);
  });

  it('rejects a DIP', async () => {
    const r = await read({ transformXml: root((x) => x.replace('csip:OAISPACKAGETYPE="SIP"', 'csip:OAISPACKAGETYPE="DIP"')) });
    expect(codes(r)).toEqual(['PACKAGE_TYPE_UNSUPPORTED']);
  });

  it('rejects a package with no representation', async () => {
    const r = await read({
      transformXml: root((x) => x.replace(/<mets:fileGrp ID="uuid-grp-rep1"[\s\S]*?<\/mets:fileGrp>\n/, '').replace(/<mets:div ID="uuid-div-rep1"[\s\S]*?<\/mets:div>\n/, '')),
      omit: ['representations/rep1/METS.xml'],
    });
    // the representation's files are then unreferenced data, or there is no representation at all
    expect(codes(r)[0]).toMatch(/REPRESENTATION_MISSING|FILE_UNREFERENCED/);
  });

  it('rejects duplicate document ordinals', async () => {
    const cf = sampleCaseFile();
    const r2 = await read({ caseFile: { ...cf, documents: cf.documents.map((d) => ({ ...d, docCode: `${cf.fileCode}.0000001` })) } });
    expect(codes(r2)).toEqual(['DOCUMENT_ORDINAL_DUPLICATE']); // SIP ordinals come from docCode: two documents claim 1
  });

  it('a failing range source gives a structured error, not a hang or a throw', async () => {
    const sip = await buildTestSip();
    const source: ZipRangeSource = {
      size: sip.zip.length,
      createReadStream(start, end) {
        if (start > 100) return Promise.reject(new Error('S3 range GET failed'));
        return Readable.from([sip.zip.subarray(start, end)]);
      },
    };
    const r = await readSip(source);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].message.en).toContain('S3 range GET failed');
  });
});

describe('readSip — accepted deviations', () => {
  it('percent-encoded hrefs and file: prefixes', async () => {
    const r = await read({ transformXml: rep((x) => x.replace(/xlink:href="data\/000\.00/g, 'xlink:href="file:data/000%2E00')) });
    expect(r.ok).toBe(true);
  });

  it('a macOS __MACOSX folder next to the package folder', async () => {
    const r = await readSip(
      (
        await buildTestSip({
          rootFolder: false,
          rename: (p) => (p.startsWith('__MACOSX/') ? p : `pkg/${p}`),
          extra: [{ path: '__MACOSX/pkg/._METS.xml', content: Buffer.from([0, 5, 22, 7]) }],
        })
      ).zip,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.rootFolder).toBe('pkg/');
    await r.value.close();
  });

  it('SHA256 / sha-256 spellings of CHECKSUMTYPE', async () => {
    const r = await read({ transformXml: (_p, x) => x.replace(/CHECKSUMTYPE="SHA-256"/g, (_m, i: number) => (i % 2 ? 'CHECKSUMTYPE="SHA256"' : 'CHECKSUMTYPE="sha-256"')) });
    expect(r.ok).toBe(true);
  });

  it('metadata files without checksum are a warning only', async () => {
    const r = await read({ transformXml: root((x) => x.replace(/(MDTYPE="EAD"[^>]*) CHECKSUM="[0-9A-F]+" CHECKSUMTYPE="SHA-256"/, '$1')) });
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.code)).toContain('CHECKSUM_NOT_DECLARED');
  });

  it('missing optional fields and a missing OAISPACKAGETYPE', async () => {
    const cf = sampleCaseFile({ keyword: undefined, description: undefined, creator: undefined });
    delete cf.keyword;
    delete cf.description;
    delete cf.creator;
    const r = await readSip(
      (await buildTestSip({ caseFile: cf, transformXml: root((x) => x.replace(' csip:OAISPACKAGETYPE="SIP"', '')) })).zip,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.packageType).toBe('SIP');
    expect(r.value.caseFile.keyword).toBeUndefined();
    await r.value.close();
  });

  it('EAD dates as DD/MM/YYYY, MM/YYYY and YYYY become ISO (partial kept partial)', async () => {
    const r = await readSip(
      (await buildTestSip({ transformXml: (p, x) => (p === 'metadata/descriptive/EAD.xml' ? x.replace('05/01/2024', '01/2024').replace('20/12/2024', '2024') : x) })).zip,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect([r.value.caseFile.startDate, r.value.caseFile.endDate]).toEqual(['2024-01', '2024']);
    await r.value.close();
  });
});

describe('readSip — stalled source', () => {
  it('gives TIMEOUT instead of hanging when a range read never completes', async () => {
    const sip = await buildTestSip();
    const source: ZipRangeSource = {
      size: sip.zip.length,
      createReadStream(start, end) {
        if (start > 100) return new Readable({ read() {} }); // never ends
        return Readable.from([sip.zip.subarray(start, end)]);
      },
    };
    const r = await readSip(source, { timeoutMs: 200 });
    expect(codes(r)).toEqual(['TIMEOUT']);
  });
});

describe('readSip — pairing data files with their EAD_doc', () => {
  const renameEad = (p: string) => p.replace(/EAD_doc_000\.00\.12\.H05\.2024\.01\.TCCB\.00(\d)\.xml$/, 'EAD_doc_File$1.xml');
  it('by docCode ordinal ↔ data file name when METS has no DMDID links and EAD_doc names are free', async () => {
    const r = await read({
      rename: renameEad,
      transformXml: rep((x) => renameEad(x.replace(/ DMDID="[^"]*"/g, '').replace(/EAD_doc_000\.00\.12\.H05\.2024\.01\.TCCB\.00(\d)\.xml/g, 'EAD_doc_File$1.xml'))),
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.caseFile.documents.map((d) => [d.docOrdinal, d.codeNumber])).toEqual([[1, '15'], [2, '16']]);
  });

  it('accepts representation hrefs written relative to the package root', async () => {
    const r = await read({ transformXml: rep((x) => x.replace(/xlink:href="data\//g, 'xlink:href="representations/rep1/data/')) });
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.code)).toContain('HREF_ROOT_RELATIVE');
  });

  it('falls back to the §2.5 layout when the representation METS has no dmdSec', async () => {
    const r = await read({
      transformXml: rep((x) => x.replace(/ *<mets:dmdSec[\s\S]*?<\/mets:dmdSec>\n/g, '').replace(/ DMDID="[^"]*"/g, '')),
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.caseFile.documents).toHaveLength(2);
    expect(r.warnings.map((w) => w.code)).toContain('FILE_EXTRA');
  });
});
