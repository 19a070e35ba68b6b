import { Controller, Get, Headers, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { CurrentActor, RequestActor, RequirePermission } from '../auth/auth.decorators';
import { TransferAcceptedDto, TransferDto } from './transfer.dto';
import { ReceiptService } from './receipt.service';
import { TransferIntakeService } from './transfer-intake.service';
import { TransferProcessorService } from './transfer-processor.service';
import { TransfersService } from './transfers.service';

/** Nộp lưu: e-office systems and archivists transfer closed case files to the archive. */
@ApiTags('Transfers')
@Controller('transfers')
export class TransfersController {
  constructor(
    private readonly intake: TransferIntakeService,
    private readonly transfers: TransfersService,
    private readonly receipts: ReceiptService,
    private readonly processor: TransferProcessorService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @RequirePermission('transfer.create')
  @ApiOperation({
    summary: 'Transfer case files (nộp lưu)',
    description:
      'multipart/form-data: a `manifest` part (JSON) and one part per document named by its `path`; or application/zip: ' +
      '`manifest.json` at the root with the documents beside it, or an E-ARK SIP_hoso / AIP_hoso (TT 05/2025). ' +
      'The body is streamed to staging; processing continues as a job. The same Idempotency-Key with the same request, or the same content, answers the original transfer; a key reused for another request is 422.',
  })
  @ApiConsumes('multipart/form-data', 'application/zip')
  @ApiBody({ schema: { type: 'object', properties: { manifest: { type: 'string', description: 'JSON manifest (API.md)' } }, additionalProperties: { type: 'string', format: 'binary' } } })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiAcceptedResponse({ type: TransferAcceptedDto })
  async create(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<TransferAcceptedDto> {
    const r = await this.intake.receive(req, actor, idempotencyKey);
    res.setHeader('Location', `/api/v1/transfers/${r.id}`);
    if (r.replay) res.setHeader('Idempotency-Replayed', 'true');
    // The job is committed: start it now rather than at the next poll.
    else this.processor.kick();
    return { id: r.id, status: r.status };
  }

  @Get(':id')
  @RequirePermission('transfer.read')
  @ApiOkResponse({ type: TransferDto })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: RequestActor): Promise<TransferDto> {
    return this.transfers.get(id, actor);
  }

  @Get(':id/receipt')
  @RequirePermission('transfer.read')
  @ApiOperation({ summary: 'The signed receipt (biên bản giao nhận, NĐ 30/2020 Phụ lục V) once processing has ended; 409 before.' })
  async receipt(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: RequestActor, @Res() res: Response): Promise<void> {
    const r = await this.receipts.receipt(id, actor);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Length', String(r.size));
    res.setHeader('ETag', `"${r.sha256}"`);
    res.setHeader('Content-Disposition', `attachment; filename="${r.fileName}"`);
    await pipeline(await r.open(), res).catch(() => res.destroy());
  }
}
