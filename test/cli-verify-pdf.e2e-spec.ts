import * as fs from 'node:fs';
import * as path from 'node:path';
import { exitOf, ROOT, spawnEntry } from './support/process';

const FIXTURES = path.resolve(ROOT, '../shared/fixtures/external-signed-pdfs');
const ANCHOR = path.join(FIXTURES, 'anchors/pyhanko-testing-ca-root.pem');

/** `npm run cli -- verify-pdf`: offline, no database, no object store; JSON on stdout, exit code by verdict. */
describe('cli verify-pdf', () => {
  jest.setTimeout(120_000);
  // Neither a database nor a store may be needed: point both at nothing reachable.
  const env = { DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none', S3_ENDPOINT: undefined, STORAGE_DRIVER: 'fs', ARCHIVE_DATA_DIR: '/nonexistent/archive-data' };

  beforeAll(() => {
    if (!fs.existsSync(FIXTURES)) throw new Error(`fixtures missing: ${FIXTURES} (shared/ must sit beside the repository)`);
  });

  it('prints one JSON report per file and exits 0 when all are VALID', async () => {
    const file = path.join(FIXTURES, 'pyhanko__sig-no-signed-attrs.pdf');
    const child = spawnEntry('cli', ['verify-pdf', file, '--trust', ANCHOR, '--at', '2020-11-01T00:00:00Z', '--json'], env);
    const { code } = await exitOf(child, 90_000);
    const out = child.output();
    const reports = JSON.parse(out.slice(out.indexOf('[')));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ file, summary: 'VALID', signatureCount: 1, signatures: [{ verdict: 'VALID', indication: 'TOTAL_PASSED' }] });
    expect(code).toBe(0);
  });

  it('exits 1 when any file is INVALID, and prints a readable table without --json', async () => {
    const good = path.join(FIXTURES, 'pyhanko__sig-no-signed-attrs.pdf');
    const tampered = path.join(FIXTURES, 'dss__pdf-signed-corrupted.pdf');
    const child = spawnEntry('cli', ['verify-pdf', good, tampered, '--trust', ANCHOR], env);
    const { code } = await exitOf(child, 90_000);
    expect(child.output()).toContain('dss__pdf-signed-corrupted.pdf: INVALID');
    expect(child.output()).toMatch(/INVALID_(DIGEST|BYTERANGE)/);
    expect(code).toBe(1);
  });

  it('exits 2 when nothing is invalid but something is not VALID (no anchor configured)', async () => {
    const child = spawnEntry('cli', ['verify-pdf', path.join(FIXTURES, 'dss__pdf-signed-original.pdf'), '--json'], env);
    const { code } = await exitOf(child, 90_000);
    const out = child.output();
    const [report] = JSON.parse(out.slice(out.indexOf('[')));
    expect(report.signatures[0].verdict).not.toBe('VALID');
    expect(code).toBe(2);
  });
});
