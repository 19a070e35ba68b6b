import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccessPolicy } from '../auth/access-policy';
import type { RequestActor } from '../auth/auth.decorators';
import { AuditService } from '../audit/audit.service';
import { AgencyDto, AgencyListDto, CreateAgencyDto } from './agency.dto';
import { AgencyEntity } from './agency.entity';

@Injectable()
export class AgenciesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly policy: AccessPolicy,
  ) {}

  async create(dto: CreateAgencyDto, actor: RequestActor): Promise<AgencyDto> {
    return this.dataSource.transaction(async (m) => {
      const inserted = (await m
        .createQueryBuilder()
        .insert()
        .into(AgencyEntity)
        .values({ id: dto.id, name: dto.name, archiveCode: dto.archiveCode ?? null, createdBy: actor.principal.actor })
        .orIgnore()
        .returning('*')
        .execute()) as { raw: unknown[] };
      if (inserted.raw.length === 0) throw new ConflictException(`Agency ${dto.id} already exists`);
      const agency = await m.findOneByOrFail(AgencyEntity, { id: dto.id });
      await this.audit.record(m, { actor, action: 'agency.create', target: `agency:${agency.id}`, details: { name: agency.name, archiveCode: agency.archiveCode } });
      return toDto(agency);
    });
  }

  /** The agencies the caller may see: all for archive-wide roles, its own for agency staff and keys. */
  async list(actor: RequestActor): Promise<AgencyListDto> {
    const qb = this.dataSource.getRepository(AgencyEntity).createQueryBuilder('a').orderBy('a.id');
    this.policy.applyScope(qb, actor.principal, 'agency.read', { agencyColumn: 'a.id' });
    const [rows, total] = await qb.getManyAndCount();
    return { total, items: rows.map(toDto) };
  }

  /** For other modules (API keys, transfers) inside their own transactions. */
  async exists(id: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    return manager.existsBy(AgencyEntity, { id });
  }
}

function toDto(a: AgencyEntity): AgencyDto {
  return { id: a.id, name: a.name, archiveCode: a.archiveCode, createdAt: a.createdAt.toISOString() };
}
