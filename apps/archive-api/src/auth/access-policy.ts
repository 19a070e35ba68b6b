import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AccessMode, isAccessMode, Permission, PERMISSION_MATRIX, RoleOrPublic } from './permissions';
import { Principal } from './principal';

/**
 * What a principal reaches for one permission: `agencyIds` null means every agency; `modes` the
 * access modes (01/02/03) of the records it may see. An empty answer (`none`) means nothing at all.
 */
export interface AccessScope {
  none: boolean;
  agencyIds: string[] | null;
  modes: AccessMode[];
}

/** A record as the policy needs to see it: whose it is and how open it is. */
export interface ScopedResource {
  agencyId: string;
  /** Chế độ sử dụng; records without one (transfers, agencies) are judged on agency only. */
  mode?: string | null;
}

export type AccessDecision = 'allow' | 'hidden' | 'forbidden';

/**
 * The one injectable every feature asks "may this principal do X to that record?" and "which
 * records may it see?". Checks are never written by hand in services: use `enforce()` for one
 * record and `applyScope()` / `scopeFor()` for queries, so lists, totals and facets are computed over
 * what the caller may see and nothing leaks through them.
 *
 * Records of another agency (or of a mode the caller may not see) are *hidden* — answered 404 as if
 * they did not exist — while a visible record the caller may not act on is *forbidden* (403).
 */
@Injectable()
export class AccessPolicy {
  /** The matrix rows that apply: a citizen is PUBLIC; an authenticated caller is its roles. */
  rolesOf(p: Principal): RoleOrPublic[] {
    return p.kind === 'public' ? ['PUBLIC'] : p.roles;
  }

  can(p: Principal, permission: Permission): boolean {
    return this.rolesOf(p).some((r) => PERMISSION_MATRIX[r].permissions.includes(permission));
  }

  scopeFor(p: Principal, permission: Permission = 'metadata.read'): AccessScope {
    const roles = this.rolesOf(p).filter((r) => PERMISSION_MATRIX[r].permissions.includes(permission));
    if (roles.length === 0) return { none: true, agencyIds: [], modes: [] };
    const allAgencies = roles.some((r) => PERMISSION_MATRIX[r].agencies === 'all');
    const modes = new Set<AccessMode>();
    for (const r of roles) for (const m of PERMISSION_MATRIX[r].modes) modes.add(m);
    if (!allAgencies && !p.agencyId) return { none: true, agencyIds: [], modes: [] };
    return { none: false, agencyIds: allAgencies ? null : [p.agencyId as string], modes: [...modes].sort() };
  }

  /** Whether the resource lies inside the scope (agency and, when it has one, mode). */
  inScope(scope: AccessScope, resource: ScopedResource): boolean {
    if (scope.none) return false;
    if (scope.agencyIds !== null && !scope.agencyIds.includes(resource.agencyId)) return false;
    if (resource.mode === undefined || resource.mode === null) return true;
    return isAccessMode(resource.mode) && scope.modes.includes(resource.mode);
  }

  decide(p: Principal, permission: Permission, resource: ScopedResource): AccessDecision {
    if (!this.inScope(this.scopeFor(p, 'metadata.read'), resource) && !this.inScope(this.scopeFor(p, permission), resource)) return 'hidden';
    return this.inScope(this.scopeFor(p, permission), resource) ? 'allow' : 'forbidden';
  }

  /** Throws 404 for hidden records (no existence leak) and 403 for visible but forbidden ones. */
  enforce(p: Principal, permission: Permission, resource: ScopedResource, what = 'Resource'): void {
    const d = this.decide(p, permission, resource);
    if (d === 'hidden') throw new NotFoundException(`${what} not found`);
    if (d === 'forbidden') throw new ForbiddenException(`Not allowed: ${permission}`);
  }

  /**
   * Narrows a query to what the principal may see: `agencyColumn IN (...)` and `modeColumn IN (...)`.
   * Use it for the list AND for its count/facets (same builder), e.g.
   * `policy.applyScope(qb, principal, 'metadata.read', { agencyColumn: 'f.agency_id', modeColumn: 'f.mode' })`.
   */
  applyScope<T extends ObjectLiteral>(
    qb: SelectQueryBuilder<T>,
    p: Principal,
    permission: Permission,
    columns: { agencyColumn: string; modeColumn?: string },
  ): SelectQueryBuilder<T> {
    const scope = this.scopeFor(p, permission);
    if (scope.none) return qb.andWhere('1 = 0');
    // Unique parameter names: a query may be scoped on several joined tables.
    const tag = columns.agencyColumn.replace(/[^a-zA-Z0-9]/g, '_');
    if (scope.agencyIds !== null) qb.andWhere(`${columns.agencyColumn} IN (:...scopeAgencies_${tag})`, { [`scopeAgencies_${tag}`]: scope.agencyIds });
    if (columns.modeColumn) {
      if (scope.modes.length === 0) return qb.andWhere('1 = 0');
      qb.andWhere(`${columns.modeColumn} IN (:...scopeModes_${tag})`, { [`scopeModes_${tag}`]: scope.modes });
    }
    return qb;
  }
}
