import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, RequestActor, RequirePermission } from '../auth/auth.decorators';
import { SearchQueryDto, SearchResultDto } from './search.dto';
import { SearchService } from './search.service';

@ApiTags('Search')
@Controller('search')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get()
  @RequirePermission('metadata.read')
  @ApiOperation({
    summary: 'Full-text search of the catalogue (with or without diacritics), filters, facets',
    description:
      'Without a token only public (mode 01) records and their public fields; staff see their agency (or all, per role), destroyed records as flagged tombstones. Totals and facets count only what the caller may see.',
  })
  @ApiOkResponse({ type: SearchResultDto })
  @ApiBadRequestResponse({ description: 'Invalid parameter (details list each field).' })
  find(@Query() q: SearchQueryDto, @CurrentActor() actor: RequestActor): Promise<SearchResultDto> {
    return this.search.search(q, actor);
  }
}
