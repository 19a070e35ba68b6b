import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, RequestActor, RequirePermission } from '../auth/auth.decorators';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-key.dto';
import { ApiKeysService } from './api-keys.service';

@ApiTags('auth')
@Controller('api-keys')
@RequirePermission('keys.manage')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Issue an API key bound to a role (and an agency); the token is shown once' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(@Body() dto: CreateApiKeyDto, @CurrentActor() actor: RequestActor): Promise<CreatedApiKeyDto> {
    return this.keys.create(dto, actor);
  }

  @Get()
  @ApiOperation({ summary: 'All API keys (never their tokens)' })
  @ApiOkResponse({ type: ApiKeyListDto })
  list(): Promise<ApiKeyListDto> {
    return this.keys.list();
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API key (idempotent); it stops working at once' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse()
  revoke(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string, @CurrentActor() actor: RequestActor): Promise<ApiKeyDto> {
    return this.keys.revoke(id, actor);
  }
}
