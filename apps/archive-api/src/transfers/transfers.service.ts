import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessPolicy } from '../auth/access-policy';
import type { RequestActor } from '../auth/auth.decorators';
import { TransferDto } from './transfer.dto';
import { receiptAvailable } from './transfer.types';

/** Reads of transfers, scoped to the caller's agency. */
@Injectable()
export class TransfersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly policy: AccessPolicy,
  ) {}

  async get(id: string, actor: RequestActor): Promise<TransferDto> {
    const t = await this.row(id, actor);
    return {
      id: t.id,
      status: t.status,
      agencyId: t.agency_id,
      kind: t.body_kind,
      receivedAt: new Date(t.received_at).toISOString(),
      completedAt: t.completed_at ? new Date(t.completed_at).toISOString() : null,
      errors: t.issues,
      files: t.files,
      documents: t.documents.map(({ fileCode, ...d }: any) => ({ ...d, fileCode })),
      receiptAvailable: receiptAvailable(t.status),
    };
  }

  /** The row, after the access check (another agency's transfer is answered 404). */
  async row(id: string, actor: RequestActor): Promise<any> {
    const t = (await this.db.query('SELECT * FROM transfers WHERE id = $1', [id]))[0];
    if (!t) throw new NotFoundException('Transfer not found');
    this.policy.enforce(actor.principal, 'transfer.read', { agencyId: t.agency_id ?? t.submitter_scope }, 'Transfer');
    return t;
  }
}
