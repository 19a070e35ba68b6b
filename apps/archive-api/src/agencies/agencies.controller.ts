import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, RequestActor, RequirePermission } from '../auth/auth.decorators';
import { AgencyDto, AgencyListDto, CreateAgencyDto } from './agency.dto';
import { AgenciesService } from './agencies.service';

@ApiTags('agencies')
@Controller('agencies')
export class AgenciesController {
  constructor(private readonly agencies: AgenciesService) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @RequirePermission('agency.manage')
  @ApiOperation({ summary: 'Register an agency (cơ quan nộp lưu) by its mã định danh' })
  @ApiCreatedResponse({ type: AgencyDto })
  @ApiConflictResponse({ description: 'An agency with this id exists.' })
  create(@Body() dto: CreateAgencyDto, @CurrentActor() actor: RequestActor): Promise<AgencyDto> {
    return this.agencies.create(dto, actor);
  }

  @Get()
  @RequirePermission('agency.read')
  @ApiOperation({ summary: 'Agencies visible to the caller (its own one for agency-scoped roles)' })
  @ApiOkResponse({ type: AgencyListDto })
  list(@CurrentActor() actor: RequestActor): Promise<AgencyListDto> {
    return this.agencies.list(actor);
  }
}
