import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthService, ReadinessReport } from './health.service';

/** Served at /health/* and, for clients that only know the API base, at /api/v1/health/*. */
@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get(['health/live', 'api/v1/health/live'])
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ description: 'The process is up.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get(['health/ready', 'api/v1/health/ready'])
  @ApiOkResponse({ description: 'Database and object store answer.' })
  @ApiServiceUnavailableResponse({ description: 'A dependency does not answer.' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessReport> {
    const report = await this.health.readiness();
    res.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
