import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { readAip, readSip, writeAip, AipInput, EarkPackage } from '@archive/metadata/eark';
import { buildTestSip, sampleCaseFile, sampleContents } from '@archive/metadata/eark/testing';
import type { CaseFile } from '@archive/metadata/model';

async function collect(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The AIP fills in identifiers and package paths; everything else must survive unchanged. */
function comparable(cf: CaseFile) {
  return {
    ...cf,
    arcFileCode: undefined,
    retentionYears: cf.retentionYears ?? undefined,
    documents: cf.documents.map((d) => ({ ...d, path: undefined })),
  };
}

function aipInputFrom(pkg: EarkPackage, uuid = '0B7C2E4A-1D2F-4A5B-9C8D-112233445566'): AipInput {
  return {
    caseFile: pkg.caseFile,
    archiveCode: 'TTLT1',
    fondsCode: 'G09',
    uuid: uuid.toLowerCase(),
    createdAt: '2025-01-13T08:46:25Z',
    producer: { id: '000.00.12.H05', name: 'Sở Nội vụ tỉnh Bình Định' },
    archive: { id: '000.00.00.H56', name: 'Trung tâm Lưu trữ lịch sử' },
    software: { name: 'archive-records-service', version: '0.1.0' },
    ingestedAt: '2025-01-13T08:40:00Z',
    metadataValidation: { outcome: 'success', dateTime: '2025-01-13T08:41:00Z' },
    files: pkg.dataFiles.map((f) => ({
      docOrdinal: f.docOrdinal,
      size: f.size,
      sha256: f.sha256.toUpperCase(),
      mimeType: f.mimeType,
      formatName: 'PDF',
      formatVersion: '1.7',
      // Originals come straight out of the SIP: the SIP's own verifying stream feeds the AIP writer.
      open: () => pkg.openFile(f.path),
      signature: { outcome: f.docOrdinal === 1 ? ('VALID' as const) : ('UNSIGNED' as const), dateTime: '2025-01-13T08:42:00Z', detail: 'test' },
    })),
  };
}

async function zipEntries(zip: Buffer): Promise<Map<string, Buffer>> {
  const z = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const out = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    z.on('entry', (e: yauzl.Entry) => {
      z.openReadStream(e, (err, s) => {
        if (err) return reject(err);
        collect(s).then((b) => {
          out.set(e.fileName, b);
          z.readEntry();
        }, reject);
      });
    });
    z.on('end', () => resolve());
    z.on('error', reject);
    z.readEntry();
  });
  return out;
}

describe('SIP → model → AIP → model', () => {
  it('round-trips metadata and bytes, with names per §2.4–2.5', async () => {
    const sip = await buildTestSip();
    const read = await readSip(sip.zip);
    if (!read.ok) throw new Error(JSON.stringify(read.errors));
    const w = writeAip(aipInputFrom(read.value));
    if (!w.ok) throw new Error(JSON.stringify(w.errors));
    expect(w.value.objId).toBe('urn:G09:uuid-0B7C2E4A-1D2F-4A5B-9C8D-112233445566');
    expect(w.value.zipName).toBe('urn_G09_uuid-0B7C2E4A-1D2F-4A5B-9C8D-112233445566.zip');
    const aipZip = await collect(w.value.stream);
    const manifest = await w.value.manifest;
    if (!manifest.ok) throw new Error(JSON.stringify(manifest.errors));
    await read.value.close();

    const entries = await zipEntries(aipZip);
    const root = 'urn_G09_uuid-0B7C2E4A-1D2F-4A5B-9C8D-112233445566/';
    expect([...entries.keys()].sort()).toEqual(
      [
        'METS.xml',
        'metadata/descriptive/EAD.xml',
        'metadata/preservation/PREMIS.xml',
        'representations/rep1/METS.xml',
        'representations/rep1/data/000.00.12.H05.2024.01.TCCB.001.pdf',
        'representations/rep1/data/000.00.12.H05.2024.01.TCCB.002.pdf',
        'representations/rep1/metadata/descriptive/EAD_doc_000.00.12.H05.2024.01.TCCB.001.xml',
        'representations/rep1/metadata/descriptive/EAD_doc_000.00.12.H05.2024.01.TCCB.002.xml',
        'representations/rep1/metadata/preservation/PREMIS_rep1.xml',
      ].map((p) => root + p).sort(),
    );
    expect(manifest.value.zipSize).toBe(aipZip.length);
    expect(manifest.value.entries.filter((e) => e.kind === 'data')).toHaveLength(2);
    const rootMets = entries.get(`${root}METS.xml`)!.toString();
    expect(rootMets).toContain('csip:OAISPACKAGETYPE="AIP"');
    expect(rootMets).toContain('CHECKSUMTYPE="SHA-256"');
    expect(rootMets).toMatch(/CREATEDATE="2025-01-13T15:46:25\+07:00"/);

    const back = await readAip(aipZip);
    if (!back.ok) throw new Error(JSON.stringify(back.errors, null, 2));
    const aip = back.value;
    expect(aip.packageType).toBe('AIP');
    expect(aip.caseFile.arcFileCode).toBe('TTLT1.000.00.12.H05.2024.01.TCCB');
    expect(comparable(aip.caseFile)).toEqual(comparable(sampleCaseFile()));
    expect(aip.caseFile).toEqual(manifest.value.caseFile);
    for (const f of aip.dataFiles) {
      const bytes = await collect(await aip.openFile(f.path));
      expect(bytes.equals(sip.contents.get(f.docOrdinal)!)).toBe(true);
    }
    // PREMIS: objects with fixity, events with outcomes, agents.
    const rep = aip.preservation!.representations['rep1'];
    const files = rep.objects.filter((o) => o.category === 'file');
    expect(files.map((o) => [o.path, o.sha256, o.size, o.formatName])).toEqual(
      aip.dataFiles.map((f) => [f.path, f.sha256, f.size, 'PDF']),
    );
    expect(rep.events.filter((e) => e.type === 'signature validation').map((e) => e.outcome)).toEqual(['VALID', 'UNSIGNED']);
    expect(rep.events.filter((e) => e.type === 'fixity check')).toHaveLength(2);
    const pkgEvents = aip.preservation!.package!.events.map((e) => [e.type, e.outcome]);
    expect(pkgEvents).toEqual([
      ['information package creation', 'success'],
      ['ingestion', 'success'],
      ['metadata validation', 'success'],
    ]);
    expect(aip.preservation!.package!.agents.map((a) => a.type).sort()).toEqual(['organization', 'organization', 'software']);
    await aip.close();

    // An AIP of this system is also accepted by readSip (Điều 17), but readAip refuses a SIP.
    expect((await readSip(aipZip)).ok).toBe(true);
    const notAip = await readAip(sip.zip);
    expect(notAip.ok ? [] : notAip.errors.map((e) => e.code)).toEqual(['PACKAGE_TYPE_UNSUPPORTED']);
  });

  it('fails the stream (structured) when an original does not match its SHA-256', async () => {
    const cf = sampleCaseFile();
    const contents = sampleContents(cf);
    const w = writeAip({
      caseFile: cf,
      archiveCode: 'TTLT1',
      files: cf.documents.map((d) => ({
        docOrdinal: d.docOrdinal,
        size: d.size!,
        sha256: d.sha256,
        open: () => Readable.from([d.docOrdinal === 2 ? Buffer.from(contents.get(2)!.toString('latin1').replace('Quyet', 'Quyxt'), 'latin1') : contents.get(d.docOrdinal)!]),
      })),
    });
    if (!w.ok) throw new Error(JSON.stringify(w.errors));
    await expect(collect(w.value.stream)).rejects.toMatchObject({ errors: [expect.objectContaining({ code: 'CHECKSUM_MISMATCH' })] });
    const m = await w.value.manifest;
    expect(m.ok).toBe(false);
  });

  it('returns input errors without streaming', () => {
    const cf = sampleCaseFile();
    const w = writeAip({ caseFile: cf, archiveCode: 'TTLT1', files: [] });
    expect(w.ok).toBe(false);
    if (!w.ok) expect(new Set(w.errors.map((e) => e.code))).toEqual(new Set(['AIP_INPUT_INVALID']));
  });
});

describe('METS output validates against the CSIP METS schema (xmllint)', () => {
  // The CSIP schemas live in the shared workspace (../shared/schemas, README there), not in this repo.
  const schemaDir = [process.env.EARK_SCHEMA_DIR, join(__dirname, '../../../../../shared/schemas/e-ark-csip'), '/work/shared/schemas/e-ark-csip']
    .filter((d): d is string => !!d)
    .find((d) => existsSync(join(d, 'mets.xsd')));
  const hasXmllint = spawnSync('xmllint', ['--version']).status === 0 && schemaDir !== undefined;
  if (!hasXmllint) {
    // eslint-disable-next-line no-console
    console.warn('xmllint (apt-get install -y libxml2-utils) or the CSIP schemas not found: METS schema validation skipped');
  }
  let dir = '';
  beforeAll(() => {
    if (!hasXmllint) return;
    dir = mkdtempSync(join(tmpdir(), 'eark-xsd-'));
    const schemas = schemaDir as string;
    // mets.xsd imports xlink from the web: point it at a local copy (validation must not need network).
    writeFileSync(join(dir, 'mets.xsd'), readFileSync(join(schemas, 'mets.xsd'), 'utf8').replace('http://www.loc.gov/standards/xlink/xlink.xsd', 'xlink.xsd'));
    copyFileSync(join(__dirname, 'fixtures', 'xlink.xsd'), join(dir, 'xlink.xsd'));
    copyFileSync(join(schemas, 'DILCISExtensionMETS.xsd'), join(dir, 'DILCISExtensionMETS.xsd'));
    // A driver schema so that the csip: attributes are checked too (METS only allows them laxly).
    writeFileSync(
      join(dir, 'driver.xsd'),
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">' +
        '<xs:import namespace="http://www.loc.gov/METS/" schemaLocation="mets.xsd"/>' +
        '<xs:import namespace="https://DILCIS.eu/XML/METS/CSIPExtensionMETS" schemaLocation="DILCISExtensionMETS.xsd"/>' +
        '</xs:schema>',
    );
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  function xmllint(name: string, xml: Buffer | string): { ok: boolean; stderr: string } {
    const file = join(dir, `${name.replace(/[^A-Za-z0-9]/g, '_')}.xml`);
    writeFileSync(file, xml);
    const res = spawnSync('xmllint', ['--noout', '--nonet', '--schema', join(dir, 'driver.xsd'), file], { encoding: 'utf8' });
    return { ok: res.status === 0, stderr: res.stderr };
  }
  const metsOf = (entries: Map<string, Buffer>) => [...entries.entries()].filter(([k]) => k.endsWith('METS.xml'));

  (hasXmllint ? it : it.skip)('AIP root and representation METS are schema-valid', async () => {
    const cf = sampleCaseFile();
    const contents = sampleContents(cf);
    const w = writeAip({
      caseFile: cf,
      archiveCode: 'TTLT1',
      producer: { id: '000.00.12.H05', name: 'Sở Nội vụ' },
      schemas: [{ name: 'DILCISExtensionMETS.xsd', content: readFileSync(join(schemaDir as string, 'DILCISExtensionMETS.xsd')) }],
      files: cf.documents.map((d) => ({ docOrdinal: d.docOrdinal, size: d.size!, sha256: d.sha256, open: () => Readable.from([contents.get(d.docOrdinal)!]) })),
    });
    if (!w.ok) throw new Error(JSON.stringify(w.errors));
    const zip = await collect(w.value.stream);
    const mets = metsOf(await zipEntries(zip));
    expect(mets).toHaveLength(2);
    for (const [name, xml] of mets) {
      const r = xmllint(name, xml);
      if (!r.ok) throw new Error(`${name}: ${r.stderr}`);
    }
    // The shipped schema is referenced and verifiable.
    const back = await readAip(zip);
    expect(back.ok).toBe(true);
    if (back.ok) await back.value.close();
  });

  (hasXmllint ? it : it.skip)('test SIP METS are schema-valid, and a broken METS is caught (control)', async () => {
    const sip = await buildTestSip();
    for (const [name, xml] of metsOf(await zipEntries(sip.zip))) {
      const r = xmllint(name, xml);
      if (!r.ok) throw new Error(`${name}: ${r.stderr}`);
    }
    const [, rootXml] = metsOf(await zipEntries(sip.zip))[0];
    const broken = rootXml.toString().replace('csip:OAISPACKAGETYPE="SIP"', 'csip:OAISPACKAGETYPE="XIP"');
    expect(xmllint('broken', broken).ok).toBe(false);
  });
});

describe('writeAip streaming behaviour', () => {
  const cf = sampleCaseFile();
  const contents = sampleContents(cf);

  it('opens originals one at a time, only when the ZIP reaches them', async () => {
    const opened: number[] = [];
    const w = writeAip({
      caseFile: cf,
      archiveCode: 'TTLT1',
      files: cf.documents.map((d) => ({
        docOrdinal: d.docOrdinal,
        size: d.size!,
        sha256: d.sha256,
        open: () => {
          opened.push(d.docOrdinal);
          return Readable.from([contents.get(d.docOrdinal)!]);
        },
      })),
    });
    if (!w.ok) throw new Error(JSON.stringify(w.errors));
    expect(opened).toEqual([]);
    await collect(w.value.stream);
    expect(opened).toEqual([1, 2]);
    expect((await w.value.manifest).ok).toBe(true);
  });

  it('a consumer that aborts closes the original and settles the manifest with an error', async () => {
    let destroyed = false;
    const big = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024));
      },
      destroy(err, cb) {
        destroyed = true;
        cb(err);
      },
    });
    const w = writeAip({
      caseFile: { ...cf, documents: [cf.documents[0]] },
      archiveCode: 'TTLT1',
      files: [{ docOrdinal: 1, size: 1024 ** 3, sha256: cf.documents[0].sha256, open: () => big }],
    });
    if (!w.ok) throw new Error(JSON.stringify(w.errors));
    let received = 0;
    await new Promise<void>((resolve) => {
      w.value.stream.on('data', (c: Buffer) => {
        received += c.length;
        if (received > 1024 * 1024) {
          w.value.stream.destroy();
          resolve();
        }
      });
    });
    const m = await w.value.manifest;
    expect(m.ok).toBe(false);
    expect(destroyed).toBe(true);
  });

  it('a factory that throws fails the stream with a structured error', async () => {
    const w = writeAip({
      caseFile: { ...cf, documents: [cf.documents[0]] },
      archiveCode: 'TTLT1',
      files: [{ docOrdinal: 1, size: cf.documents[0].size!, sha256: cf.documents[0].sha256, open: () => Promise.reject(new Error('object store down')) }],
    });
    if (!w.ok) throw new Error(JSON.stringify(w.errors));
    await expect(collect(w.value.stream)).rejects.toMatchObject({ errors: [expect.objectContaining({ code: 'AIP_SOURCE_MISMATCH' })] });
    const m = await w.value.manifest;
    expect(m.ok ? [] : m.errors.map((e) => e.code)).toEqual(['AIP_SOURCE_MISMATCH']);
  });
});
