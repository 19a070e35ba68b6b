import { deflateRawSync } from 'node:zlib';
import * as yazl from 'yazl';
import { openZip, readSip, EarkResult } from '@archive/metadata/eark';
import { buildTestSip, rawZip } from '@archive/metadata/eark/testing';

function codes(r: EarkResult<unknown>): string[] {
  return r.ok ? [] : r.errors.map((e) => e.code);
}

async function yazlZip(entries: { name: string; data: Buffer; compress?: boolean }[]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(e.data, e.name, { compress: e.compress ?? true });
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('ZIP safety', () => {
  it.each([
    ['../evil.pdf', 'parent directory reference'],
    ['representations/rep1/data/../../../../etc/passwd', 'parent directory reference'],
    ['/etc/passwd', 'absolute path'],
    ['C:/Windows/win.ini', 'absolute path'],
    ['representations\\rep1\\data\\x.pdf', 'backslash'],
  ])('rejects the unsafe entry name %s', async (name) => {
    const r = await readSip(rawZip([{ name: 'METS.xml', data: Buffer.from('<mets/>') }, { name, data: Buffer.from('x') }]));
    expect(codes(r)).toEqual(['ZIP_UNSAFE_PATH']);
    if (!r.ok) expect(r.errors[0].path).toBe(name);
  });

  it('rejects symlinks', async () => {
    const r = await readSip(rawZip([{ name: 'METS.xml', data: Buffer.from('<mets/>') }, { name: 'link', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 }]));
    expect(codes(r)).toEqual(['ZIP_SYMLINK']);
  });

  it('rejects duplicate entry names', async () => {
    const r = await readSip(rawZip([{ name: 'METS.xml', data: Buffer.from('<mets/>') }, { name: 'METS.xml', data: Buffer.from('<mets/>') }]));
    expect(codes(r)).toEqual(['ZIP_DUPLICATE_ENTRY']);
  });

  it('rejects too many entries (configurable)', async () => {
    const sip = await buildTestSip();
    const r = await readSip(sip.zip, { limits: { maxEntries: 3 } });
    expect(codes(r)).toEqual(['ZIP_TOO_MANY_ENTRIES']);
  });

  it('rejects an entry above the size limit', async () => {
    const sip = await buildTestSip();
    const r = await readSip(sip.zip, { limits: { maxEntryBytes: 500 } });
    expect(codes(r)).toContain('ZIP_ENTRY_TOO_LARGE');
  });

  it('rejects a package above the total size limit', async () => {
    const sip = await buildTestSip();
    const r = await readSip(sip.zip, { limits: { maxTotalBytes: 2000 } });
    expect(codes(r)).toEqual(['ZIP_TOTAL_TOO_LARGE']);
  });

  it('rejects a zip bomb by compression ratio, without inflating it', async () => {
    const bomb = await yazlZip([
      { name: 'METS.xml', data: Buffer.from('<mets/>') },
      { name: 'representations/rep1/data/bomb.pdf', data: Buffer.alloc(20 * 1024 * 1024) },
    ]);
    expect(bomb.length).toBeLessThan(100_000);
    const r = await readSip(bomb);
    expect(codes(r)).toEqual(['ZIP_COMPRESSION_RATIO']);
  });

  it('never inflates past a declared size that lies', async () => {
    // Header says 5 bytes; the deflate stream holds 1 MiB. Reading must stop at the declared size.
    const zip = rawZip([{ name: 'METS.xml', data: Buffer.alloc(1024 * 1024, 0x20), deflate: true, declaredSize: 5 }]);
    const r = await readSip(zip);
    expect(codes(r)).toEqual(['ZIP_ENTRY_CORRUPT']);
  });

  it('rejects XML nested too deeply and XML too large', async () => {
    const deep = '<mets>' + '<a>'.repeat(200) + '</a>'.repeat(200) + '</mets>';
    let r = await readSip(rawZip([{ name: 'METS.xml', data: Buffer.from(deep) }]));
    expect(codes(r)).toEqual(['XML_TOO_DEEP']);
    r = await readSip(rawZip([{ name: 'METS.xml', data: Buffer.from('<mets>' + ' '.repeat(5000) + '</mets>') }]), { limits: { maxXmlBytes: 1000 } });
    expect(codes(r)).toEqual(['XML_TOO_LARGE']);
  });

  it('rejects an entity-expansion attempt (billion laughs) as DTD', async () => {
    const lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><mets>&lol2;</mets>';
    const r = await readSip(rawZip([{ name: 'METS.xml', data: Buffer.from(lol) }]));
    expect(codes(r)).toEqual(['XML_DTD_FORBIDDEN']);
  });

  it('rejects a truncated ZIP', async () => {
    const sip = await buildTestSip();
    const r = await readSip(sip.zip.subarray(0, sip.zip.length - 30));
    expect(codes(r)).toEqual(['ZIP_INVALID']);
  });

  it('reports a corrupt deflate stream as a structured error', async () => {
    const good = deflateRawSync(Buffer.from('<mets/>'));
    const zip = rawZip([{ name: 'METS.xml', data: Buffer.from('<mets/>'), deflate: true }]);
    // Corrupt the compressed bytes right after the local header + name.
    const at = 30 + 'METS.xml'.length;
    zip.fill(0xff, at, at + good.length);
    const r = await readSip(zip);
    expect(codes(r)).toEqual(['ZIP_ENTRY_CORRUPT']);
  });

  it('openZip gives the same safe access to other ZIP shapes (manifest.json + documents)', async () => {
    const ok = await openZip(await yazlZip([{ name: 'manifest.json', data: Buffer.from('{}') }, { name: 'docs/a.pdf', data: Buffer.from('%PDF') }]));
    if (!ok.ok) throw new Error(JSON.stringify(ok.errors));
    expect(ok.value.files().map((f) => f.name).sort()).toEqual(['docs/a.pdf', 'manifest.json']);
    const chunks: Buffer[] = [];
    for await (const c of await ok.value.openStream('manifest.json')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('{}');
    ok.value.close();
    const bad = await openZip(rawZip([{ name: '../manifest.json', data: Buffer.from('{}') }]));
    expect(codes(bad)).toEqual(['ZIP_UNSAFE_PATH']);
  });
});
