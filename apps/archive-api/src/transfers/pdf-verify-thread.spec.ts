import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { verifyPdfFile } from '@archive/signature';
import { getTestPki, makePdf, signAs } from '../../../../libs/signature/test/pki';
import { verifyPdfFileOffThread } from './pdf-verify-thread';

describe('verifyPdfFileOffThread', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-thread-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** How many 2 ms timer ticks the main thread ran while `work` was pending (0 when it blocked throughout). */
  async function ticksDuring<T>(work: () => Promise<T>): Promise<{ result: T; ticks: number }> {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    try {
      const result = await work();
      return { result, ticks };
    } finally {
      clearInterval(timer);
    }
  }

  it('gives the report of verifyPdfFile and leaves the event loop free meanwhile', async () => {
    const pki = getTestPki();
    const signed = await signAs(await signAs(await makePdf({ pages: 1, padBytes: 20_000_000 }), pki.signer), pki.seal);
    const file = path.join(dir, 'scan.pdf');
    fs.writeFileSync(file, signed);
    const options = { trustAnchors: [pki.root.der], crls: pki.crls, validationTime: new Date() };

    const inThread = await ticksDuring(() => verifyPdfFile(file, options));
    const offThread = await ticksDuring(() => verifyPdfFileOffThread(file, options));
    expect(offThread.result).toEqual(inThread.result);
    expect(offThread.result.summary).toBe('VALID');
    // the verifier is synchronous: in thread, no timer runs until it is done; off thread, they keep running
    expect(inThread.ticks).toBe(0);
    expect(offThread.ticks).toBeGreaterThan(3);
  });

  it('passes a failure of the thread on (a file that vanished), rather than hanging', async () => {
    await expect(verifyPdfFileOffThread(path.join(dir, 'missing.pdf'), { trustAnchors: [] })).rejects.toThrow(/ENOENT/);
  });
});
