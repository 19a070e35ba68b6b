import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentActor, RequestActor, RequirePermission } from '../auth/auth.decorators';
import { AuditCheckpointDto, AuditPageDto, AuditQueryDto, AuditVerificationDto } from './audit.dto';
import { AuditQueryService, CSV_COLUMNS, csvLine, csvRow } from './audit-query.service';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('audit-events')
@RequirePermission('audit.read')
export class AuditController {
  constructor(
    private readonly query: AuditQueryService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Audit events (nhật ký), filtered; `format=ndjson|csv` exports all matching events' })
  @ApiProduces('application/json', 'application/x-ndjson', 'text/csv')
  @ApiOkResponse({ type: AuditPageDto })
  async list(@Query() q: AuditQueryDto, @CurrentActor() actor: RequestActor, @Res() res: Response): Promise<void> {
    // @Res() without passthrough: the exports stream, so this handler always answers itself.
    const format = q.format ?? 'json';
    if (format === 'json') {
      res.status(200).json(await this.query.list(q));
      return;
    }
    // An export is itself worth recording: who took a copy of the trail, with which filters.
    const { format: _f, page: _p, pageSize: _s, ...filters } = q;
    await this.audit.recordStandalone({ actor, action: 'audit.export', target: 'audit-events', details: { format, filters } });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.status(200);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="audit-events-${stamp}.${format === 'csv' ? 'csv' : 'ndjson'}"`);
    if (format === 'csv') res.write(csvLine([...CSV_COLUMNS]));
    for await (const e of this.query.exportAll(q)) {
      if (res.destroyed) return;
      const ok = res.write(format === 'csv' ? csvRow(e) : `${JSON.stringify(e)}\n`);
      if (!ok) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    }
    res.end();
  }

  @Get('checkpoints')
  @ApiOperation({ summary: 'The last 100 signed checkpoints of the chain head (newest first)' })
  @ApiOkResponse({ type: [AuditCheckpointDto] })
  checkpoints(): Promise<AuditCheckpointDto[]> {
    return this.query.checkpoints();
  }

  @Get('verify')
  @ApiOperation({ summary: 'Verify the whole hash chain, the head and the signed checkpoints' })
  @ApiOkResponse({ type: AuditVerificationDto })
  verify(): Promise<AuditVerificationDto> {
    return this.query.verify();
  }
}
