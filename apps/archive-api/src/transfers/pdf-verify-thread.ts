import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { verifyPdfFile, type DocumentReport, type VerifyOptions } from '@archive/signature';

/**
 * `verifyPdfFile` on a worker thread. The verifier is synchronous: on a file of a gigabyte it hashes
 * and parses for seconds, and on the main thread that would stall every request of the instance
 * (health probes included) for as long. Used for the documents too large to verify in memory; each
 * call has its own short-lived thread (they are rare, and a thread costs milliseconds beside them).
 */
export function verifyPdfFileOffThread(file: string, options: VerifyOptions): Promise<DocumentReport> {
  // Compiled (dist/): this module is JavaScript. Under ts-node or jest it is TypeScript, which a worker
  // can only load through ts-node (a development dependency, absent in production images).
  const self = __filename;
  const code = self.endsWith('.ts')
    ? `require('ts-node').register({ transpileOnly: true }); require('tsconfig-paths/register'); require(${JSON.stringify(self)});`
    : `require(${JSON.stringify(self)});`;
  return new Promise<DocumentReport>((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { verifyPdfFile: { file, options } } });
    let settled = false;
    worker.once('message', (report: DocumentReport) => {
      settled = true;
      resolve(report);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`PDF verification thread exited with code ${code} before answering`));
    });
  });
}

// The thread's side: verify, answer, end.
if (!isMainThread && parentPort && (workerData as { verifyPdfFile?: unknown })?.verifyPdfFile) {
  const { file, options } = (workerData as { verifyPdfFile: { file: string; options: VerifyOptions } }).verifyPdfFile;
  const port = parentPort;
  void verifyPdfFile(file, options).then((report) => port.postMessage(report));
}
