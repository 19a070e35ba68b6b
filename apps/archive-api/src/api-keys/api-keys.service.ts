import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { HttpStatus, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgenciesService } from '../agencies/agencies.service';
import type { RequestActor } from '../auth/auth.decorators';
import { isAgencyScopedRole, Role } from '../auth/permissions';
import { AuditService } from '../audit/audit.service';
import { ApiError } from '../common/api-error';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-key.dto';
import { ApiKeyEntity } from './api-key.entity';
import { VerifiedKeyCache } from './verified-key-cache';

/** `ak_<12 hex: public prefix>_<43 base64url: 256 random bits>` */
const TOKEN_SHAPE = /^ak_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
export const BOOTSTRAP_KEY_ID = '00000000-0000-4000-8000-00000000a0a0';
const BOOTSTRAP_PREFIX = 'bootstrap';
/** last_used_at is written at most this often per key: no write on every request. */
const LAST_USED_RESOLUTION_SECONDS = 60;
/**
 * How long a verified key is accepted from memory: how late another instance may still accept a key
 * revoked elsewhere (this instance forgets it at once). Documented in README.md, "Security".
 */
export const KEY_CACHE_TTL_MS = 5000;
const KEY_CACHE_MAX_ENTRIES = 10_000;

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

type VerifiedKey = Pick<ApiKeyEntity, 'id' | 'name' | 'role' | 'agencyId' | 'prefix'>;

export type KeyCheck =
  | { ok: true; key: VerifiedKey }
  | { ok: false; reason: string; notable: boolean; keyId?: string };

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('ApiKeys');
  private readonly verified = new VerifiedKeyCache<VerifiedKey>(KEY_CACHE_TTL_MS, KEY_CACHE_MAX_ENTRIES);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agencies: AgenciesService,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateApiKeyDto, actor: RequestActor): Promise<CreatedApiKeyDto> {
    if (isAgencyScopedRole(dto.role) && !dto.agencyId) {
      throw new ApiError(HttpStatus.BAD_REQUEST, `A ${dto.role} key must be bound to an agency`, [
        { path: 'agencyId', code: 'required', message: `agencyId is required for role ${dto.role}` },
      ]);
    }
    if (!isAgencyScopedRole(dto.role) && dto.agencyId) {
      throw new ApiError(HttpStatus.BAD_REQUEST, `A ${dto.role} key is archive-wide and takes no agency`, [
        { path: 'agencyId', code: 'not_allowed', message: `agencyId must be absent for role ${dto.role}` },
      ]);
    }
    const prefix = randomBytes(6).toString('hex');
    const token = `ak_${prefix}_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    return this.dataSource.transaction(async (m) => {
      if (dto.agencyId && !(await this.agencies.exists(dto.agencyId, m))) {
        throw new ApiError(HttpStatus.BAD_REQUEST, `Unknown agency ${dto.agencyId}`, [
          { path: 'agencyId', code: 'unknown_agency', message: 'no agency with this id; create it first (POST /agencies)' },
        ]);
      }
      await m.insert(ApiKeyEntity, {
        id,
        name: dto.name,
        prefix,
        tokenHash: sha256Hex(token),
        role: dto.role,
        agencyId: dto.agencyId ?? null,
        createdBy: actor.principal.actor,
      });
      const key = await m.findOneByOrFail(ApiKeyEntity, { id });
      await this.audit.record(m, {
        actor,
        action: 'api-key.create',
        target: `api-key:${id}`,
        details: { name: key.name, role: key.role, agencyId: key.agencyId, prefix },
      });
      return { ...toDto(key), token };
    });
  }

  async list(): Promise<ApiKeyListDto> {
    const [rows, total] = await this.dataSource.getRepository(ApiKeyEntity).findAndCount({ order: { createdAt: 'ASC', id: 'ASC' } });
    return { total, items: rows.map(toDto) };
  }

  async revoke(id: string, actor: RequestActor): Promise<ApiKeyDto> {
    try {
      return await this.revokeInTransaction(id, actor);
    } finally {
      // After the commit (or a failure, harmlessly): this instance stops accepting the key at once.
      this.verified.evict(id);
    }
  }

  private revokeInTransaction(id: string, actor: RequestActor): Promise<ApiKeyDto> {
    return this.dataSource.transaction(async (m) => {
      const key = await m.findOne(ApiKeyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw new NotFoundException('API key not found');
      if (key.revokedAt) return toDto(key); // idempotent: revoking twice is not an error
      await m.update(ApiKeyEntity, { id }, { revokedAt: () => 'now()', revokedBy: actor.principal.actor });
      const revoked = await m.findOneByOrFail(ApiKeyEntity, { id });
      await this.audit.record(m, { actor, action: 'api-key.revoke', target: `api-key:${id}`, details: { name: key.name, role: key.role, agencyId: key.agencyId } });
      return toDto(revoked);
    });
  }

  /**
   * Checks a bearer token that looks like one of our keys, or the bootstrap admin token. A key verified
   * in the last KEY_CACHE_TTL_MS is answered from memory (see VerifiedKeyCache for revocation).
   */
  async check(token: string): Promise<KeyCheck> {
    const given = sha256Hex(token);
    // A Map lookup by the token's SHA-256: its timing says nothing usable about a secret.
    const cached = this.verified.get(given);
    if (cached) return { ok: true, key: cached };
    const generation = this.verified.generation;
    const shaped = TOKEN_SHAPE.exec(token);
    const prefix = shaped ? shaped[1] : BOOTSTRAP_PREFIX;
    // One round trip: the row by its public prefix and, when the token is right and the key live,
    // last_used_at moved forward if older than the resolution (no write on every request).
    const [key] = (await this.dataSource.query(
      `WITH k AS (SELECT id, name, prefix, token_hash, role, agency_id, revoked_at FROM api_keys WHERE prefix = $1),
       used AS (
         UPDATE api_keys a SET last_used_at = now() FROM k
         WHERE a.id = k.id AND k.token_hash = $2 AND k.revoked_at IS NULL
           AND (a.last_used_at IS NULL OR a.last_used_at < now() - make_interval(secs => $3))
       )
       SELECT id, name, prefix, token_hash, role, agency_id, revoked_at FROM k`,
      [prefix, given, LAST_USED_RESOLUTION_SECONDS],
    )) as { id: string; name: string; prefix: string; token_hash: string; role: Role; agency_id: string | null; revoked_at: Date | null }[];
    if (!key) {
      // Burn the same comparison either way: response time does not say whether a prefix exists.
      sameHash(given, given);
      return { ok: false, reason: shaped ? 'unknown API key' : 'unrecognised token', notable: false };
    }
    if (!sameHash(given, key.token_hash)) {
      // Right prefix, wrong secret: someone holds part of a real key — worth an audit event.
      return { ok: false, reason: shaped ? 'API key secret does not match' : 'unrecognised token', notable: shaped !== null, keyId: shaped ? key.id : undefined };
    }
    if (key.revoked_at) return { ok: false, reason: 'API key revoked', notable: true, keyId: key.id };
    const verified = { id: key.id, name: key.name, role: key.role, agencyId: key.agency_id, prefix: key.prefix };
    this.verified.set(given, verified, generation);
    return { ok: true, key: verified };
  }

  /**
   * ARCHIVE_ADMIN_TOKEN becomes an ADMIN key row holding its hash (never the token). A changed
   * token replaces the hash and lifts an earlier revocation; an unchanged one keeps it revoked if an
   * administrator revoked it; an unset one is revoked. Safe when several instances start together.
   */
  async syncBootstrapKey(adminToken: string | null): Promise<void> {
    try {
      await this.syncBootstrapKeyInTransaction(adminToken);
    } finally {
      this.verified.evict(BOOTSTRAP_KEY_ID);
    }
  }

  private async syncBootstrapKeyInTransaction(adminToken: string | null): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const existing = await m.findOne(ApiKeyEntity, { where: { id: BOOTSTRAP_KEY_ID }, select: { id: true, tokenHash: true, revokedAt: true }, lock: { mode: 'pessimistic_write' } });
      const actor = { system: 'bootstrap' };
      if (adminToken === null) {
        if (existing && !existing.revokedAt) {
          await m.update(ApiKeyEntity, { id: BOOTSTRAP_KEY_ID }, { revokedAt: () => 'now()', revokedBy: 'system:bootstrap' });
          await this.audit.record(m, { actor, action: 'api-key.revoke', target: `api-key:${BOOTSTRAP_KEY_ID}`, details: { reason: 'ARCHIVE_ADMIN_TOKEN unset' } });
        }
        return;
      }
      const hash = sha256Hex(adminToken);
      if (existing && sameHash(existing.tokenHash, hash)) return;
      if (existing) {
        await m.update(ApiKeyEntity, { id: BOOTSTRAP_KEY_ID }, { tokenHash: hash, revokedAt: null, revokedBy: null });
      } else {
        await m
          .createQueryBuilder()
          .insert()
          .into(ApiKeyEntity)
          .values({ id: BOOTSTRAP_KEY_ID, name: 'ARCHIVE_ADMIN_TOKEN (bootstrap)', prefix: BOOTSTRAP_PREFIX, tokenHash: hash, role: 'ADMIN' as Role, agencyId: null, createdBy: 'system:bootstrap' })
          .orIgnore()
          .execute();
      }
      await this.audit.record(m, { actor, action: 'api-key.bootstrap', target: `api-key:${BOOTSTRAP_KEY_ID}`, details: { role: 'ADMIN', replaced: existing !== null } });
      this.logger.log('ARCHIVE_ADMIN_TOKEN accepted as the bootstrap ADMIN key (stored as a hash)');
    });
  }
}

function toDto(k: ApiKeyEntity): ApiKeyDto {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    role: k.role,
    agencyId: k.agencyId,
    createdAt: k.createdAt.toISOString(),
    createdBy: k.createdBy,
    lastUsedAt: k.lastUsedAt ? k.lastUsedAt.toISOString() : null,
    revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
  };
}
