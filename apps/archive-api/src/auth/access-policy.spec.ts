import { ForbiddenException, NotFoundException } from '@nestjs/common';
import { AccessPolicy } from './access-policy';
import { ACCESS_MODES, AccessMode, Permission, PERMISSION_MATRIX, Role, ROLES } from './permissions';
import { Principal, PUBLIC_PRINCIPAL } from './principal';

/**
 * The record-level matrix: role × permission × access mode × own/other agency, decided by the one
 * AccessPolicy every feature uses. Table-driven from the expectations below (not from the matrix
 * itself), so a change to PERMISSION_MATRIX that alters who sees what fails here.
 */
const OWN = '000.00.12.H05';
const OTHER = '000.00.34.H40';

function principal(role: Role | 'PUBLIC'): Principal {
  if (role === 'PUBLIC') return PUBLIC_PRINCIPAL;
  const scoped = role === 'SUBMITTER' || role === 'ARCHIVIST' || role === 'APPROVER';
  return { kind: 'api-key', actor: `api-key:${role}`, name: role, roles: [role], agencyId: scoped ? OWN : null };
}

type Expect = 'allow' | 'hidden' | 'forbidden';
/** [role, permission, mode, own agency?, expected] */
const CASES: [Role | 'PUBLIC', Permission, AccessMode, boolean, Expect][] = [];
const visible: Record<Role | 'PUBLIC', { modes: AccessMode[]; other: boolean }> = {
  PUBLIC: { modes: ['01'], other: true },
  SUBMITTER: { modes: ['01', '02'], other: false },
  ARCHIVIST: { modes: ['01', '02'], other: false },
  APPROVER: { modes: ['01', '02', '03'], other: false },
  AUDITOR: { modes: ['01', '02', '03'], other: true },
  ADMIN: { modes: [], other: true },
};
const grants: Record<Role | 'PUBLIC', Permission[]> = {
  PUBLIC: ['metadata.read', 'copy.order'],
  SUBMITTER: ['metadata.read', 'transfer.create', 'transfer.read'],
  ARCHIVIST: ['metadata.read', 'content.read', 'original.download', 'copy.order', 'access-request.decide', 'transfer.create', 'transfer.read', 'schedule.manage', 'hold.manage', 'destruction.propose'],
  APPROVER: ['metadata.read', 'content.read', 'original.download', 'copy.order', 'access-request.decide', 'access-request.decide-restricted', 'transfer.read', 'hold.manage', 'destruction.approve'],
  AUDITOR: ['metadata.read', 'transfer.read'],
  ADMIN: [],
};
const RECORD_PERMISSIONS: Permission[] = ['metadata.read', 'content.read', 'original.download', 'copy.order', 'hold.manage', 'destruction.propose', 'destruction.approve', 'access-request.decide-restricted'];
for (const role of ['PUBLIC', ...ROLES] as const) {
  for (const permission of RECORD_PERMISSIONS) {
    for (const mode of ACCESS_MODES) {
      for (const own of [true, false]) {
        const sees = visible[role].modes.includes(mode) && (own || visible[role].other);
        const expected: Expect = !sees ? 'hidden' : grants[role].includes(permission) ? 'allow' : 'forbidden';
        CASES.push([role, permission, mode, own, expected]);
      }
    }
  }
}

describe('AccessPolicy: role × permission × mode × own/other agency', () => {
  const policy = new AccessPolicy();

  it.each(CASES)('%s %s on a mode %s record (own agency: %s) → %s', (role, permission, mode, own, expected) => {
    const resource = { agencyId: own ? OWN : OTHER, mode };
    expect(policy.decide(principal(role), permission, resource)).toBe(expected);
    const run = () => policy.enforce(principal(role), permission, resource);
    if (expected === 'allow') expect(run).not.toThrow();
    if (expected === 'hidden') expect(run).toThrow(NotFoundException);
    if (expected === 'forbidden') expect(run).toThrow(ForbiddenException);
  });

  it('agrees with PERMISSION_MATRIX on the record permissions it lists', () => {
    for (const role of ['PUBLIC', ...ROLES] as const) {
      for (const p of RECORD_PERMISSIONS) expect([role, p, PERMISSION_MATRIX[role].permissions.includes(p)]).toEqual([role, p, grants[role].includes(p)]);
    }
  });

  it('scopes queries: agency list and modes, nothing for a scoped role without agency', () => {
    expect(policy.scopeFor(PUBLIC_PRINCIPAL)).toEqual({ none: false, agencyIds: null, modes: ['01'] });
    expect(policy.scopeFor(principal('ARCHIVIST'))).toEqual({ none: false, agencyIds: [OWN], modes: ['01', '02'] });
    expect(policy.scopeFor(principal('APPROVER'), 'destruction.approve')).toEqual({ none: false, agencyIds: [OWN], modes: ['01', '02', '03'] });
    expect(policy.scopeFor(principal('AUDITOR'))).toEqual({ none: false, agencyIds: null, modes: ['01', '02', '03'] });
    expect(policy.scopeFor(principal('ADMIN'), 'metadata.read').none).toBe(true);
    expect(policy.scopeFor({ ...principal('ARCHIVIST'), agencyId: null }).none).toBe(true);
    // An authenticated caller with no known role is not a citizen: it gets nothing.
    expect(policy.scopeFor({ kind: 'jwt', actor: 'jwt:x', name: 'x', roles: [], agencyId: OWN }).none).toBe(true);
  });

  it('builds query scopes with unique parameters and refuses everything for an empty scope', () => {
    const calls: [string, Record<string, unknown> | undefined][] = [];
    const qb = { andWhere: (sql: string, params?: Record<string, unknown>) => (calls.push([sql, params]), qb) } as never;
    policy.applyScope(qb, principal('ARCHIVIST'), 'metadata.read', { agencyColumn: 'f.agency_id', modeColumn: 'f.mode' });
    expect(calls).toEqual([
      ['f.agency_id IN (:...scopeAgencies_f_agency_id)', { scopeAgencies_f_agency_id: [OWN] }],
      ['f.mode IN (:...scopeModes_f_agency_id)', { scopeModes_f_agency_id: ['01', '02'] }],
    ]);
    calls.length = 0;
    policy.applyScope(qb, principal('ADMIN'), 'metadata.read', { agencyColumn: 'f.agency_id' });
    expect(calls).toEqual([['1 = 0', undefined]]);
  });
});
