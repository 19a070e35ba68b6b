/** Helpers of the transfers e2e tests: an app with a trust store, an agency, keys, signed PDFs, manifests. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import * as yazl from 'yazl';
import { getTestPki, makeTinyPdf, signAs } from '../../libs/signature/test/pki';
import { JobQueue } from '../../apps/archive-api/src/jobs/job-queue.service';
import { createTestApp, TestApp } from '../support/app';

export const AGENCY = { id: '000.00.12.H05', name: 'Sở Nội vụ tỉnh Bình Định' };
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface World {
  t: TestApp;
  http: ReturnType<typeof request>;
  submitter: string;
  archivist: string;
  trustDir: string;
  drain(): Promise<number>;
  close(): Promise<void>;
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A ZIP of these entries in memory (`compress: false` stores them as they are). */
export function zipOf(entries: { name: string; content: Buffer }[], opts: { compress?: boolean } = {}): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(e.content, e.name, { compress: opts.compress ?? true });
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

/** supertest `.parse(binary)`: the body as the exact bytes received (`res` is supertest's response stream). */
export const binary = (res: any, cb: (e: Error | null, b: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

/** Test PKI anchors/CRLs written to a directory, as an operator would configure them. */
export function writeTrustStore(): string {
  const pki = getTestPki();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-trust-'));
  fs.mkdirSync(path.join(dir, 'anchors'));
  fs.mkdirSync(path.join(dir, 'crls'));
  pki.trustAnchors.forEach((a, i) => fs.writeFileSync(path.join(dir, 'anchors', `anchor-${i}.der`), a));
  pki.crls.forEach((c, i) => fs.writeFileSync(path.join(dir, 'crls', `crl-${i}.crl`), c));
  return dir;
}

export async function createWorld(env: Record<string, string> = {}): Promise<World> {
  const trustDir = writeTrustStore();
  const t = await createTestApp({
    ARCHIVE_ADMIN_TOKEN: ADMIN_TOKEN,
    JOBS_POLL_MS: '0',
    TRUST_ANCHORS_DIR: path.join(trustDir, 'anchors'),
    TRUST_CRL_DIR: path.join(trustDir, 'crls'),
    ...env,
  });
  const http = request(t.app.getHttpServer());
  const admin = `Bearer ${ADMIN_TOKEN}`;
  await request(t.app.getHttpServer()).post('/api/v1/agencies').set('Authorization', admin).send(AGENCY).expect(201);
  const key = async (role: string): Promise<string> => {
    const r = await request(t.app.getHttpServer()).post('/api/v1/api-keys').set('Authorization', admin).send({ name: `${role} test`, role, agencyId: AGENCY.id }).expect(201);
    return r.body.token as string;
  };
  const submitter = await key('SUBMITTER');
  const archivist = await key('ARCHIVIST');
  const jobs = t.app.get(JobQueue);
  return {
    t,
    http,
    submitter,
    archivist,
    trustDir,
    drain: () => jobs.drain(),
    close: async () => {
      await t.close();
      fs.rmSync(trustDir, { recursive: true, force: true });
    },
  };
}

/** A PDF signed by the person and sealed by the agency (NĐ 30: both signatures). */
export async function signedPdf(text: string, opts: { seal?: boolean; signer?: 'signer' | 'revoked' | 'expired' } = {}): Promise<Buffer> {
  const pki = getTestPki();
  const pdf = await makeTinyPdf(text);
  const signed = await signAs(pdf, pki[opts.signer ?? 'signer']);
  return Buffer.from(opts.seal === false ? signed : await signAs(signed, pki.seal));
}

export interface DocSpec {
  path: string;
  bytes: Buffer;
  /** override the manifest's sha256 */
  sha256?: string;
}

let seq = 0;
/** A case file of the manifest (API.md example) for the given documents. */
export function caseFile(docs: DocSpec[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const n = String(++seq).padStart(2, '0');
  const fileCode = (overrides.fileCode as string) ?? `${AGENCY.id}.2024.${n}.TCCB${process.pid % 1000}`;
  return {
    fileCode,
    title: `Hồ sơ bổ nhiệm cán bộ số ${n}`,
    maintenance: '06',
    retentionYears: null,
    mode: '01',
    language: '01',
    startDate: '2024-01-05',
    endDate: '2024-12-20',
    totalDoc: docs.length,
    numberOfPage: docs.length,
    keyword: 'bổ nhiệm',
    confidenceLevel: '01',
    creator: 'Trần Thị B',
    description: '',
    documents: docs.map((d, i) => ({
      docOrdinal: i + 1,
      typeName: '02',
      codeNumber: String(15 + i),
      codeNotation: 'QĐ-SNV',
      issuedDate: '2024-03-01',
      organName: AGENCY.name,
      subject: `Quyết định bổ nhiệm ông Nguyễn Văn A số ${i + 1}`,
      language: '01',
      numberOfPage: 1,
      mode: '01',
      process: true,
      signerPosition: 'Giám đốc',
      signerFullName: 'Nguyễn Văn An',
      path: d.path,
      sha256: d.sha256 ?? sha256(d.bytes),
    })),
    ...overrides,
  };
}

export function manifest(files: Record<string, unknown>[]): Record<string, unknown> {
  return { agency: AGENCY, files };
}

/** POST /transfers as multipart. */
export function postMultipart(w: World, m: unknown, docs: DocSpec[], opts: { token?: string; idempotencyKey?: string } = {}): request.Test {
  let r = w.http.post('/api/v1/transfers').set('Authorization', `Bearer ${opts.token ?? w.submitter}`);
  if (opts.idempotencyKey) r = r.set('Idempotency-Key', opts.idempotencyKey);
  r = r.field('manifest', JSON.stringify(m));
  for (const d of docs) r = r.attach(d.path, d.bytes, { filename: path.posix.basename(d.path), contentType: 'application/pdf' });
  return r;
}

export async function getTransfer(w: World, id: string): Promise<any> {
  const r = await w.http.get(`/api/v1/transfers/${id}`).set('Authorization', `Bearer ${w.submitter}`).expect(200);
  return r.body;
}
