import { createHmac } from 'node:crypto';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';

/** Shared by the security suites: an app with the admin token, two agencies and a key per role. */
export const ADMIN_TOKEN = 'admin-bootstrap-token-for-tests-0123456789';
export const JWT_SECRET = 'jwt-shared-secret-for-tests-0123456789abcdef';

export const AGENCY_A = { id: '000.00.12.H05', name: 'Sở Nội vụ tỉnh Bình Định', archiveCode: 'LT-BĐ' };
export const AGENCY_B = { id: '000.00.34.H40', name: 'Sở Tư pháp tỉnh Nghệ An — bí mật phân biệt' };

export type Caller =
  | 'public'
  | 'admin'
  | 'auditor'
  | 'submitterA'
  | 'archivistA'
  | 'approverA'
  | 'archivistB'
  | 'jwtArchivistA'
  | 'jwtAuditor'
  | 'jwtNoRoles'
  | 'revokedKey'
  | 'garbage';

export const CALLERS: Caller[] = [
  'public',
  'admin',
  'auditor',
  'submitterA',
  'archivistA',
  'approverA',
  'archivistB',
  'jwtArchivistA',
  'jwtAuditor',
  'jwtNoRoles',
  'revokedKey',
  'garbage',
];

/** The agency each caller acts for (null: archive-wide or none). */
export const AGENCY_OF: Record<Caller, string | null> = {
  public: null,
  admin: null,
  auditor: null,
  submitterA: AGENCY_A.id,
  archivistA: AGENCY_A.id,
  approverA: AGENCY_A.id,
  archivistB: AGENCY_B.id,
  jwtArchivistA: AGENCY_A.id,
  jwtAuditor: null,
  jwtNoRoles: AGENCY_A.id,
  revokedKey: AGENCY_A.id,
  garbage: null,
};

export function hs256(claims: Record<string, unknown>, secret = JWT_SECRET, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${enc(header)}.${enc({ exp: Math.floor(Date.now() / 1000) + 600, ...claims })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

export interface SecurityWorld {
  t: TestApp;
  tokens: Record<Caller, string | null>;
  /** Every secret handed out: must never appear in any response body. */
  secrets: string[];
  http: () => ReturnType<typeof request>;
  as: (caller: Caller) => (req: request.Test) => request.Test;
}

export function bearer(token: string | null): (req: request.Test) => request.Test {
  return (req) => (token === null ? req : req.set('Authorization', `Bearer ${token}`));
}

export async function createKey(t: TestApp, role: string, agencyId?: string, name = `${role} ${agencyId ?? 'archive'}`): Promise<{ id: string; token: string }> {
  const res = await request(t.app.getHttpServer()).post('/api/v1/api-keys').set('Authorization', `Bearer ${ADMIN_TOKEN}`).send({ name, role, agencyId });
  if (res.status !== 201) throw new Error(`could not create a ${role} key: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, token: res.body.token };
}

export async function createSecurityWorld(env: Record<string, string> = {}): Promise<SecurityWorld> {
  const t = await createTestApp({
    ARCHIVE_ADMIN_TOKEN: ADMIN_TOKEN,
    AUTH_JWT_SECRET: JWT_SECRET,
    RATE_LIMIT_PUBLIC: '0',
    RATE_LIMIT_AUTH_FAILURES: '0',
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
    ...env,
  });
  const http = () => request(t.app.getHttpServer());
  for (const a of [AGENCY_A, AGENCY_B]) {
    const res = await http().post('/api/v1/agencies').set('Authorization', `Bearer ${ADMIN_TOKEN}`).send(a);
    if (res.status !== 201) throw new Error(`could not create agency: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const auditor = await createKey(t, 'AUDITOR');
  const submitterA = await createKey(t, 'SUBMITTER', AGENCY_A.id);
  const archivistA = await createKey(t, 'ARCHIVIST', AGENCY_A.id);
  const approverA = await createKey(t, 'APPROVER', AGENCY_A.id);
  const archivistB = await createKey(t, 'ARCHIVIST', AGENCY_B.id);
  const revoked = await createKey(t, 'ARCHIVIST', AGENCY_A.id, 'to be revoked');
  await http().delete(`/api/v1/api-keys/${revoked.id}`).set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
  const tokens: Record<Caller, string | null> = {
    public: null,
    admin: ADMIN_TOKEN,
    auditor: auditor.token,
    submitterA: submitterA.token,
    archivistA: archivistA.token,
    approverA: approverA.token,
    archivistB: archivistB.token,
    jwtArchivistA: hs256({ sub: 'nguyen.van.a', name: 'Nguyễn Văn A', roles: ['ARCHIVIST'], agencyId: AGENCY_A.id }),
    jwtAuditor: hs256({ sub: 'tran.thi.b', name: 'Trần Thị B', roles: ['AUDITOR'] }),
    jwtNoRoles: hs256({ sub: 'le.van.c', name: 'Lê Văn C', roles: ['SUPERUSER'], agencyId: AGENCY_A.id }),
    revokedKey: revoked.token,
    garbage: 'ak_0123456789ab_' + 'x'.repeat(43),
  };
  const secrets = [ADMIN_TOKEN, JWT_SECRET, ...Object.values(tokens).filter((x): x is string => x !== null && x !== tokens.garbage)];
  return { t, tokens, secrets, http, as: (c) => bearer(tokens[c]) };
}
