import { CanActivate, ExecutionContext, ForbiddenException, HttpStatus, Injectable, Logger, Type, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { ApiError } from '../common/api-error';
import { AuditService } from '../audit/audit.service';
import { HealthController } from '../health/health.controller';
import { MetricsController } from '../metrics/metrics.controller';
import { AccessPolicy } from './access-policy';
import { ACCESS_METADATA, AccessRequirement, actorOf, AuthenticatedRequest } from './auth.decorators';
import { AuthenticationFailure, AuthenticationService } from './authentication.service';
import { PUBLIC_PRINCIPAL } from './principal';
import { RateLimiter } from './rate-limiter';

/**
 * Operations endpoints polled by orchestrators and Prometheus: no token, no rate limit. Everything
 * else must declare `@Public()` or `@RequirePermission(...)` — an undeclared handler is refused, so
 * a forgotten decorator fails closed instead of exposing records.
 */
const INFRASTRUCTURE_CONTROLLERS: Type<unknown>[] = [HealthController, MetricsController];

/**
 * The global guard (APP_GUARD): authenticates every request, rate-limits anonymous callers and
 * failed authentications per IP, and checks the handler's permissions against PERMISSION_MATRIX.
 * Record-level rules (agency, access mode) are the services' job through AccessPolicy.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('AuthGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AuthenticationService,
    private readonly policy: AccessPolicy,
    private readonly limiter: RateLimiter,
    private readonly audit: AuditService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    if (INFRASTRUCTURE_CONTROLLERS.includes(ctx.getClass())) return true;
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const requirement = this.reflector.getAllAndOverride<AccessRequirement | undefined>(ACCESS_METADATA, [ctx.getHandler(), ctx.getClass()]);
    if (!requirement) {
      this.logger.error(`${ctx.getClass().name}.${ctx.getHandler().name} declares no access policy (@Public or @RequirePermission): refused`);
      throw new ForbiddenException('Forbidden');
    }
    const ip = req.ip ?? 'unknown';
    const authorization = req.headers.authorization;

    if (authorization !== undefined) {
      const wait = this.limiter.blocked('authFailure', ip);
      if (wait) this.tooMany(wait, 'Too many failed authentication attempts');
    }
    let principal = PUBLIC_PRINCIPAL;
    try {
      principal = await this.authentication.authenticate(authorization);
    } catch (err) {
      if (!(err instanceof AuthenticationFailure)) throw err;
      this.limiter.hit('authFailure', ip);
      if (err.notable) {
        await this.audit.recordStandalone({
          actor: { principal: { ...PUBLIC_PRINCIPAL, actor: 'unauthenticated' }, ip, requestId: null },
          action: 'auth.failed',
          target: err.subject ?? null,
          outcome: 'DENIED',
          details: { reason: err.reason, method: req.method, path: req.path },
        });
      }
      res.setHeader('WWW-Authenticate', 'Bearer realm="archive", error="invalid_token"');
      throw new UnauthorizedException('Invalid or expired credentials');
    }
    if (principal.kind === 'public') {
      const wait = this.limiter.hit('public', ip);
      if (wait) this.tooMany(wait, 'Too many requests');
    }
    req.principal = principal;

    if (requirement.kind === 'public') return true;
    const missing = requirement.permissions.filter((p) => !this.policy.can(principal, p));
    if (missing.length === 0) return true;
    if (principal.kind === 'public') {
      res.setHeader('WWW-Authenticate', 'Bearer realm="archive"');
      throw new UnauthorizedException('Authentication required');
    }
    await this.audit.recordStandalone({
      actor: actorOf(req),
      action: 'access.denied',
      target: `${req.method} ${req.path}`.slice(0, 300),
      outcome: 'DENIED',
      details: { missing },
    });
    throw new ForbiddenException(`Your role does not allow this (${missing.join(', ')})`);
  }

  private tooMany(retryAfter: number, message: string): never {
    throw new ApiError(HttpStatus.TOO_MANY_REQUESTS, message, undefined, retryAfter);
  }
}
