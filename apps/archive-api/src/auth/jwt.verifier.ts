import { createHmac, KeyObject, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { AGENCY_ID_PATTERN } from '../agencies/agency.dto';
import { JwksClient } from './jwks.client';
import { isRole, Role } from './permissions';

export interface JwtIdentity {
  sub: string;
  name: string;
  roles: Role[];
  agencyId: string | null;
}

/** Why a token was refused; `notable` failures (a real signature problem) are audited. */
export class JwtError extends Error {
  constructor(
    message: string,
    readonly notable: boolean,
  ) {
    super(message);
  }
}

const MAX_CLAIM = 256;

function b64json(part: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new JwtError('malformed token', false);
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('malformed token', false);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new JwtError('malformed token', false);
  return v as Record<string, unknown>;
}

/**
 * JWTs of the organisation's identity provider: HS256 with AUTH_JWT_SECRET, or RS256/ES256 with
 * keys from AUTH_JWKS_URL. The algorithm is never taken on the token's word alone: HS256 is only
 * accepted when a secret is configured, asymmetric algorithms only with a JWKS key of the right type
 * (no `alg: none`, no HS256-signed-with-the-public-key confusion).
 */
@Injectable()
export class JwtVerifier {
  constructor(
    private readonly config: AppConfig,
    private readonly jwks: JwksClient,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.config.auth.jwtSecret !== null || this.jwks.enabled;
  }

  async verify(token: string): Promise<JwtIdentity> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new JwtError('malformed token', false);
    const header = b64json(parts[0]);
    const payload = b64json(parts[1]);
    if (!/^[A-Za-z0-9_-]+$/.test(parts[2])) throw new JwtError('malformed token', false);
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2], 'base64url');
    const alg = header.alg;
    const kid = typeof header.kid === 'string' && header.kid.length <= MAX_CLAIM ? header.kid : undefined;

    if (alg === 'HS256') {
      const secret = this.config.auth.jwtSecret;
      if (!secret) throw new JwtError('HS256 tokens are not accepted', false);
      const expected = createHmac('sha256', secret).update(signed).digest();
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw new JwtError('bad signature', true);
    } else if (alg === 'RS256' || alg === 'ES256') {
      const found = await this.jwks.getKey(kid);
      if (!found) throw new JwtError('unknown signing key', true);
      if (found.alg && found.alg !== alg) throw new JwtError('algorithm does not match the key', true);
      if (!this.verifyAsymmetric(alg, found.key, signed, signature)) throw new JwtError('bad signature', true);
    } else {
      throw new JwtError('unsupported algorithm', false);
    }

    const now = Math.floor(this.clock.now().getTime() / 1000);
    const skew = this.config.auth.clockSkewSeconds;
    if (typeof payload.exp !== 'number') throw new JwtError('token has no expiry', true);
    if (payload.exp + skew < now) throw new JwtError('token expired', true);
    if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf - skew > now)) throw new JwtError('token not yet valid', true);
    if (this.config.auth.jwtIssuer && payload.iss !== this.config.auth.jwtIssuer) throw new JwtError('wrong issuer', true);
    const aud = this.config.auth.jwtAudience;
    if (aud && !(payload.aud === aud || (Array.isArray(payload.aud) && payload.aud.includes(aud)))) throw new JwtError('wrong audience', true);

    const sub = payload.sub;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_CLAIM) throw new JwtError('token has no valid sub', true);
    const roles = Array.isArray(payload.roles) ? [...new Set(payload.roles.filter(isRole))] : [];
    // Only a well-formed mã định danh scopes anything; anything else is no agency (scoped roles are then refused).
    const agencyId = typeof payload.agencyId === 'string' && AGENCY_ID_PATTERN.test(payload.agencyId) ? payload.agencyId : null;
    const name = typeof payload.name === 'string' ? payload.name.slice(0, MAX_CLAIM) : sub;
    return { sub, name, roles, agencyId };
  }

  private verifyAsymmetric(alg: 'RS256' | 'ES256', key: KeyObject, data: Buffer, signature: Buffer): boolean {
    try {
      if (alg === 'RS256') return key.asymmetricKeyType === 'rsa' && verifySignature('sha256', data, key, signature);
      return (
        key.asymmetricKeyType === 'ec' &&
        key.asymmetricKeyDetails?.namedCurve === 'prime256v1' &&
        verifySignature('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
      );
    } catch {
      return false;
    }
  }
}
