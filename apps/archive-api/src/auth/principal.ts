import type { Role } from './permissions';

/** How the caller proved who they are. */
export type PrincipalKind = 'public' | 'api-key' | 'jwt' | 'admin-token';

/**
 * The authenticated caller of one request. `actor` is what the audit trail records
 * (`api-key:<id>`, `jwt:<sub>`, `public`); it never contains a secret.
 */
export interface Principal {
  kind: PrincipalKind;
  actor: string;
  name: string;
  roles: Role[];
  /** Mã định danh of the caller's agency; null for archive-wide roles and citizens. */
  agencyId: string | null;
}

export const PUBLIC_PRINCIPAL: Principal = Object.freeze({
  kind: 'public',
  actor: 'public',
  name: 'Công dân (anonymous)',
  roles: [],
  agencyId: null,
}) as Principal;

export function isPublic(p: Principal): boolean {
  return p.kind === 'public';
}

/** The role written to the audit trail: the roles joined, or PUBLIC. */
export function auditRole(p: Principal): string {
  return p.roles.length ? p.roles.join(',') : 'PUBLIC';
}
