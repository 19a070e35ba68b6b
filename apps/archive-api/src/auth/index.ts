/**
 * What other features use from security (issue 5):
 *
 *   @RequirePermission('metadata.read')           on a handler: the guard checks PERMISSION_MATRIX
 *   @Public()                                     open to citizens (still rate-limited)
 *   @CurrentActor() actor: RequestActor           who calls, from where: pass it to services
 *   policy.enforce(actor.principal, 'content.read', { agencyId, mode })       one record: 404/403
 *   policy.applyScope(qb, actor.principal, 'metadata.read', { agencyColumn, modeColumn })  queries
 *   policy.scopeFor(actor.principal, 'metadata.read') → { none, agencyIds | null, modes }  raw SQL
 *   audit.record(manager, { actor, action, target, details })   inside the change's transaction
 */
export { AccessPolicy } from './access-policy';
export type { AccessScope, ScopedResource } from './access-policy';
export { CurrentActor, CurrentPrincipal, Public, RequirePermission } from './auth.decorators';
export type { RequestActor } from './auth.decorators';
export { ACCESS_MODES, PERMISSION_MATRIX, ROLES } from './permissions';
export type { AccessMode, Permission, Role } from './permissions';
export { PUBLIC_PRINCIPAL } from './principal';
export type { Principal } from './principal';
