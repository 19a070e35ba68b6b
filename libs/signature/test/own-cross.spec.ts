/**
 * Signer × verifier cross-check on third-party signed PDFs: appending our agency seal (an
 * incremental update that only adds a signature) must leave every earlier verdict unchanged, and
 * our signature must come out VALID.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyPdf } from '@archive/signature';
import { getTestPki, signAs } from './pki';

const dir = path.resolve(__dirname, '../../../../shared/fixtures/external-signed-pdfs');
const manifest = fs.existsSync(path.join(dir, 'MANIFEST.tsv'))
  ? fs.readFileSync(path.join(dir, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'))
  : [];
// Their ByteRange already reaches past their own %%EOF: appending bytes changes what it covers.
const BROKEN_BYTERANGE = new Set(['dss__pdf-eof.pdf', 'dss__pdf-signed-out-of-byteRange.pdf']);

(manifest.length ? describe : describe.skip)('our seal appended to third-party signed PDFs', () => {
  it('keeps every earlier verdict; ours is VALID; certified P=1 documents are refused', async () => {
    const pki = getTestPki();
    const problems: string[] = [];
    let checked = 0;
    for (const row of manifest) {
      const [file, , , , , , , , , anchorCol] = row;
      if (BROKEN_BYTERANGE.has(file)) continue;
      const anchors = anchorCol && anchorCol !== 'none' ? anchorCol.split(' + ').map((a) => new Uint8Array(fs.readFileSync(path.join(dir, a.trim())))) : [];
      const input = new Uint8Array(fs.readFileSync(path.join(dir, file)));
      const before = (await verifyPdf(input, { trustAnchors: anchors })).signatures.map((s) => s.verdict);
      let signed: Uint8Array;
      try {
        signed = await signAs(input, pki.seal);
      } catch (e) {
        if (!/DocMDP P=1/.test(String(e))) problems.push(`${file}: signing threw ${String(e)}`);
        continue;
      }
      const after = (await verifyPdf(signed, { trustAnchors: [...anchors, ...pki.trustAnchors], crls: pki.crls })).signatures.map((s) => s.verdict);
      if (JSON.stringify(after) !== JSON.stringify([...before, 'VALID'])) problems.push(`${file}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
      checked++;
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });
});
