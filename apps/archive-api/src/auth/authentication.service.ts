import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { JwtError, JwtVerifier } from './jwt.verifier';
import { isAgencyScopedRole } from './permissions';
import { Principal, PUBLIC_PRINCIPAL } from './principal';

const MAX_TOKEN_LENGTH = 8192;

/** Why a credential was refused. The client only ever hears "invalid credentials". */
export class AuthenticationFailure extends Error {
  constructor(
    readonly reason: string,
    /** Worth an audit event: a real key or a correctly shaped, signed token was involved. */
    readonly notable: boolean,
    readonly subject?: string,
  ) {
    super(reason);
  }
}

/**
 * Turns an Authorization header into a Principal: none → the citizen (PUBLIC); `ak_…` → an API key;
 * three dot-separated parts → a JWT; anything else → the bootstrap admin token or nothing.
 */
@Injectable()
export class AuthenticationService {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly jwt: JwtVerifier,
  ) {}

  async authenticate(authorization: string | string[] | undefined): Promise<Principal> {
    if (authorization === undefined) return PUBLIC_PRINCIPAL;
    if (Array.isArray(authorization) || authorization.length > MAX_TOKEN_LENGTH) throw new AuthenticationFailure('malformed Authorization header', false);
    const m = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(authorization);
    if (!m) throw new AuthenticationFailure('malformed Authorization header', false);
    const token = m[1];

    if (!token.startsWith('ak_') && token.split('.').length === 3) {
      if (!this.jwt.enabled) throw new AuthenticationFailure('JWT authentication is not configured', false);
      try {
        const id = await this.jwt.verify(token);
        const unscoped = id.roles.filter((r) => isAgencyScopedRole(r));
        if (unscoped.length > 0 && !id.agencyId) throw new AuthenticationFailure(`token grants ${unscoped.join(',')} without an agencyId claim`, true, `jwt:${id.sub}`);
        return { kind: 'jwt', actor: `jwt:${id.sub}`, name: id.name, roles: id.roles, agencyId: id.agencyId };
      } catch (err) {
        if (err instanceof JwtError) throw new AuthenticationFailure(`JWT refused: ${err.message}`, err.notable);
        throw err;
      }
    }

    const check = await this.keys.check(token);
    if (!check.ok) throw new AuthenticationFailure(check.reason, check.notable, check.keyId ? `api-key:${check.keyId}` : undefined);
    const k = check.key;
    return {
      kind: k.prefix === 'bootstrap' ? 'admin-token' : 'api-key',
      actor: `api-key:${k.id}`,
      name: k.name,
      roles: [k.role],
      agencyId: k.agencyId,
    };
  }
}
