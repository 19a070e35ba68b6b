import { Controller, Get, Headers, HttpStatus, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { CurrentActor, RequestActor, RequirePermission } from '../auth/auth.decorators';
import { ApiError } from '../common/api-error';
import { CaseFileDto, CaseFileListDto, DocumentDto, ListFilesQueryDto } from './records.dto';
import { DocumentContent, RecordsService } from './records.service';

/** Catalogue reads: case files (hồ sơ), documents and their original bytes. */
@ApiTags('Catalogue')
@Controller()
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  @Get('files')
  @RequirePermission('metadata.read')
  @ApiOperation({ summary: 'Case files (hồ sơ) the caller may see' })
  @ApiOkResponse({ type: CaseFileListDto })
  listFiles(@Query() q: ListFilesQueryDto, @CurrentActor() actor: RequestActor): Promise<CaseFileListDto> {
    return this.records.listFiles(q, actor);
  }

  @Get('files/:id')
  @RequirePermission('metadata.read')
  @ApiOkResponse({ type: CaseFileDto })
  getFile(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: RequestActor): Promise<CaseFileDto> {
    return this.records.getFile(id, actor);
  }

  @Get('documents/:id')
  @RequirePermission('metadata.read')
  @ApiOkResponse({ type: DocumentDto })
  getDocument(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: RequestActor): Promise<DocumentDto> {
    return this.records.getDocument(id, actor);
  }

  @Get('documents/:id/signatures')
  @RequirePermission('metadata.read')
  @ApiOperation({ summary: 'The stored signature validation report (format of verify-pdf --json)' })
  getSignatures(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: RequestActor): Promise<Record<string, unknown>> {
    return this.records.getSignatures(id, actor);
  }

  @Get('files/:id/package')
  @RequirePermission('original.download')
  @ApiOperation({
    summary: 'The archival information package (E-ARK AIP_hoso ZIP) of the case file. Range → 206; ETag = "sha256". ' +
      '409 PACKAGE_PENDING with Retry-After while a deferred AIP is still being written.',
  })
  @ApiConflictResponse({ description: 'PACKAGE_PENDING: the deferred AIP job is queued or running; retry after `Retry-After` seconds' })
  async package(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Headers('range') rangeHeader: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentActor() actor: RequestActor,
    @Res() res: Response,
  ): Promise<void> {
    await this.send(await this.records.package(id, actor), rangeHeader, ifNoneMatch, res);
  }

  @Get('files/:id/export')
  @RequirePermission('original.download')
  @ApiOperation({
    summary: 'NĐ 30/2020 Phụ lục VI export: a ZIP of the case file\'s original PDFs in time order (issuedDate, docOrdinal) plus an XML describing them',
  })
  @ApiProduces('application/zip')
  async export(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: RequestActor, @Res() res: Response): Promise<void> {
    const x = await this.records.exportFile(id, actor);
    const { stream, size } = x.open();
    res.status(HttpStatus.OK);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', contentDisposition(x.fileName));
    res.setHeader('Cache-Control', 'private, no-transform');
    res.setHeader('X-Document-Count', String(x.documentCount));
    // Every entry is stored with a known size, so yazl knows the total before the first byte.
    const total = await size;
    if (total >= 0) res.setHeader('Content-Length', String(total));
    await pipeline(stream, res).catch(() => res.destroy());
  }

  @Get('documents/:id/content')
  @RequirePermission('original.download')
  @ApiOperation({ summary: 'The original bytes, exactly as received. Range (one range) → 206; ETag = "sha256".' })
  async content(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Headers('range') rangeHeader: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentActor() actor: RequestActor,
    @Res() res: Response,
  ): Promise<void> {
    await this.send(await this.records.content(id, actor), rangeHeader, ifNoneMatch, res);
  }

  /**
   * Streams stored bytes with ETag, conditional GET and a single Range. No header is set before the
   * read is audited and the object opened: a refusal then goes out as plain JSON.
   */
  private async send(c: DocumentContent, rangeHeader: string | undefined, ifNoneMatch: string | undefined, res: Response): Promise<void> {
    const etag = `"${c.sha256}"`;
    const representation = () => {
      res.setHeader('ETag', etag);
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('Cache-Control', 'private, no-transform');
    };
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag)) {
      await c.audited;
      representation();
      res.status(HttpStatus.NOT_MODIFIED).end();
      return;
    }
    const range = parseRange(rangeHeader, c.size);
    if (range === 'unsatisfiable') {
      await c.audited;
      res.setHeader('Content-Range', `bytes */${c.size}`);
      throw new ApiError(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, `Range not satisfiable for ${c.size} bytes`);
    }
    const stream = await c.open(range ?? undefined);
    representation();
    res.setHeader('Content-Type', c.mimeType);
    res.setHeader('Content-Disposition', contentDisposition(c.fileName));
    if (range) {
      res.status(HttpStatus.PARTIAL_CONTENT);
      res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${c.size}`);
      res.setHeader('Content-Length', String(range.end - range.start + 1));
    } else {
      res.status(HttpStatus.OK);
      res.setHeader('Content-Length', String(c.size));
    }
    await pipeline(stream, res).catch(() => res.destroy());
  }
}

/** `attachment` with an ASCII fallback and the exact (possibly Vietnamese) name per RFC 5987/6266. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** One `bytes=` range (suffix and open-ended forms too); several ranges or junk → the whole body (RFC 9110 allows ignoring). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (size === 0) return 'unsatisfiable';
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
}
