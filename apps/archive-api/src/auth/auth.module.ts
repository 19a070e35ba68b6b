import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { AccessPolicy } from './access-policy';
import { AuthBootstrap } from './auth.bootstrap';
import { AuthGuard } from './auth.guard';
import { AuthenticationService } from './authentication.service';
import { JwksClient } from './jwks.client';
import { JwtVerifier } from './jwt.verifier';
import { RateLimiter } from './rate-limiter';

/**
 * Authentication and authorization for the whole API: the global AuthGuard, and AccessPolicy
 * (global export) for features that scope queries or check one record.
 */
@Global()
@Module({
  imports: [ApiKeysModule],
  providers: [
    AccessPolicy,
    AuthenticationService,
    JwksClient,
    JwtVerifier,
    RateLimiter,
    AuthBootstrap,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AccessPolicy],
})
export class AuthModule {}
