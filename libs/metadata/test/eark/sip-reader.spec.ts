import { Readable } from 'node:stream';
import { readSip, EarkError, EarkPackage, EarkResult, ZipRangeSource } from '@archive/metadata/eark';
import { buildTestSip, sampleCaseFile } from '@archive/metadata/eark/testing';

async function collect(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function codes(r: EarkResult<unknown>): string[] {
  return r.ok ? [] : r.errors.map((e) => e.code);
}

function expectStructured(errors: EarkError[]) {
  for (const e of errors) {
    expect(typeof e.code).toBe('string');
    expect(e.message.vi.length).toBeGreaterThan(0);
    expect(e.message.en.length).toBeGreaterThan(0);
  }
}

describe('readSip — happy path', () => {
  it('maps a SIP_hoso into the model and streams each data file out verified', async () => {
    const sip = await buildTestSip();
    const r = await readSip(sip.zip);
    if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
    const pkg: EarkPackage = r.value;
    expect(pkg.packageType).toBe('SIP');
    expect(pkg.objId).toBe(sip.objId);
    expect(pkg.rootFolder).toBe(`${sip.objId}/`);
    const expected = sampleCaseFile();
    const { documents, ...caseFields } = pkg.caseFile;
    const { documents: expDocs, ...expFields } = expected;
    expect(caseFields).toEqual(expFields);
    expect(documents).toHaveLength(2);
    documents.forEach((d, i) => {
      const { path, ...rest } = d;
      const { path: _p, ...exp } = expDocs[i];
      expect(rest).toEqual(exp);
      expect(path).toBe(sip.dataPaths.get(d.docOrdinal));
    });
    for (const f of pkg.dataFiles) {
      const bytes = await collect(await pkg.openFile(f.path));
      expect(bytes.equals(sip.contents.get(f.docOrdinal)!)).toBe(true);
    }
    await pkg.close();
  });

  it('reads through a range source (no whole package in memory) and without a top folder', async () => {
    const sip = await buildTestSip({ rootFolder: false });
    let reads = 0;
    let closed = false;
    const source: ZipRangeSource = {
      size: sip.zip.length,
      createReadStream(start, end) {
        reads++;
        return Readable.from([sip.zip.subarray(start, end)]);
      },
      close() {
        closed = true;
      },
    };
    const r = await readSip(source);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.rootFolder).toBe('');
      await r.value.close();
    }
    expect(reads).toBeGreaterThan(0);
    expect(closed).toBe(true);
  });
});

describe('readSip — range source failures', () => {
  it('a source whose close() fails does not crash the process', async () => {
    const sip = await buildTestSip();
    const source: ZipRangeSource = {
      size: sip.zip.length,
      createReadStream: (start, end) => Readable.from([sip.zip.subarray(start, end)]),
      close: () => Promise.reject(new Error('close failed')),
    };
    const r = await readSip(source);
    expect(r.ok).toBe(true);
    if (r.ok) await r.value.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
});

describe('readSip — integrity errors', () => {
  it('rejects a wrong checksum', async () => {
    const sip = await buildTestSip({
      tamper: (p, b) => (p.endsWith('.001.pdf') ? Buffer.concat([b.subarray(0, b.length - 1), Buffer.from('X')]) : undefined),
    });
    const r = await readSip(sip.zip);
    expect(codes(r)).toEqual(['CHECKSUM_MISMATCH']);
    if (!r.ok) {
      expect(r.errors[0].path).toBe(sip.dataPaths.get(1));
      expectStructured(r.errors);
    }
  });

  it('with verifyData=false, the staged stream fails on a wrong checksum', async () => {
    const sip = await buildTestSip({
      tamper: (p, b) => (p.endsWith('.002.pdf') ? Buffer.concat([b.subarray(0, b.length - 1), Buffer.from('X')]) : undefined),
    });
    const r = await readSip(sip.zip, { verifyData: false });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const stream = await r.value.openFile(sip.dataPaths.get(2)!);
    await expect(collect(stream)).rejects.toMatchObject({ errors: [expect.objectContaining({ code: 'CHECKSUM_MISMATCH' })] });
    await r.value.close();
  });

  it('rejects an unreferenced data file', async () => {
    const sip = await buildTestSip({ extra: [{ path: 'representations/rep1/data/smuggled.pdf', content: Buffer.from('%PDF-1.4 x') }] });
    const r = await readSip(sip.zip);
    expect(codes(r)).toEqual(['FILE_UNREFERENCED']);
  });

  it('rejects a referenced file that is missing', async () => {
    const sip = await buildTestSip();
    const r = await readSip(await buildTestSip({ omit: ['representations/rep1/data/000.00.12.H05.2024.01.TCCB.002.pdf'] }).then((s) => s.zip));
    expect(codes(r)).toContain('FILE_MISSING');
    void sip;
  });

  it('rejects a package without METS.xml', async () => {
    const r = await readSip(await buildTestSip({ omit: ['METS.xml'] }).then((s) => s.zip));
    expect(codes(r)).toEqual(['METS_MISSING']);
  });

  it('rejects malformed XML', async () => {
    const r = await readSip(
      await buildTestSip({ transformXml: (p, x) => (p === 'metadata/descriptive/EAD.xml' ? x.replace('</title>', '</titel>') : x) }).then((s) => s.zip),
    );
    expect(codes(r)).toEqual(['XML_MALFORMED']);
  });

  it('rejects a DTD / external entity', async () => {
    const r = await readSip(
      await buildTestSip({
        transformXml: (p, x) =>
          p === 'metadata/descriptive/EAD.xml'
            ? x.replace('<simpledc>', '<!DOCTYPE simpledc [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<simpledc>').replace('<title>', '<title>&xxe;')
            : x,
      }).then((s) => s.zip),
    );
    expect(codes(r)).toEqual(['XML_DTD_FORBIDDEN']);
  });

  it('rejects not-a-zip', async () => {
    const r = await readSip(Buffer.from('this is not a zip'));
    expect(codes(r)).toEqual(['ZIP_INVALID']);
  });
});

describe('readSip — accepted deviations', () => {
  it('accepts lower-case checksums, csip values as elements, missing DMDID links, ./ hrefs', async () => {
    const sip = await buildTestSip({
      checksumCase: 'lower',
      transformXml: (p, x) => {
        if (p === 'METS.xml') {
          x = x.replace(' csip:OAISPACKAGETYPE="SIP">', '>\n    <csip:OAISPACKAGETYPE>SIP</csip:OAISPACKAGETYPE>');
        }
        if (p === 'representations/rep1/METS.xml') x = x.replace(/ DMDID="[^"]*"/g, '').replace(/xlink:href="data\//g, 'xlink:href="./data/');
        return x;
      },
    });
    const r = await readSip(sip.zip);
    if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
    expect(r.value.caseFile.documents.map((d) => d.docOrdinal)).toEqual([1, 2]);
    expect(r.warnings.map((w) => w.code)).toContain('CSIP_VALUE_AS_ELEMENT');
    await r.value.close();
  });
});
