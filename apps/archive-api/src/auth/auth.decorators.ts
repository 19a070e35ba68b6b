import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Permission } from './permissions';
import { Principal, PUBLIC_PRINCIPAL } from './principal';

export const ACCESS_METADATA = 'archive:access';

/** What a handler declares; a handler declaring nothing is refused (deny by default). */
export type AccessRequirement = { kind: 'public' } | { kind: 'permissions'; permissions: Permission[] };

/**
 * The caller needs every permission listed (PERMISSION_MATRIX). Citizens pass when the PUBLIC row
 * grants it (e.g. `metadata.read`); record-level agency and mode rules are then applied by the
 * service through `AccessPolicy`.
 */
export function RequirePermission(...permissions: Permission[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ACCESS_METADATA, { kind: 'permissions', permissions } satisfies AccessRequirement),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked token.' }),
    ApiForbiddenResponse({ description: 'The caller’s role does not grant ' + permissions.join(', ') + '.' }),
    ApiTooManyRequestsResponse({ description: 'Rate limit exceeded.' }),
  );
}

/** Open to anyone (still rate-limited; a token, when sent, must be valid). */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ACCESS_METADATA, { kind: 'public' } satisfies AccessRequirement), ApiTooManyRequestsResponse({ description: 'Rate limit exceeded.' }));
}

/** Who is calling and from where: what services pass on to `AccessPolicy` and `AuditService`. */
export interface RequestActor {
  principal: Principal;
  ip: string | null;
  requestId: string | null;
}

export type AuthenticatedRequest = Request & { principal?: Principal; id?: string };

export function actorOf(req: AuthenticatedRequest): RequestActor {
  return {
    principal: req.principal ?? PUBLIC_PRINCIPAL,
    ip: typeof req.ip === 'string' ? req.ip : null,
    requestId: typeof req.id === 'string' ? req.id : null,
  };
}

/** `@CurrentActor() actor: RequestActor` in a controller handler. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestActor => actorOf(ctx.switchToHttp().getRequest<AuthenticatedRequest>()));

/** `@CurrentPrincipal() principal: Principal`. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal ?? PUBLIC_PRINCIPAL,
);
