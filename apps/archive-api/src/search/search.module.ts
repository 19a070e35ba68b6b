import { Module } from '@nestjs/common';
import { SearchController } from './search.controller';
import { SearchIndexer } from './search-indexer.service';
import { SearchService } from './search.service';

/** Search (issue 7): GET /search, the index maintenance (triggers live in the migration) and PDF text extraction. */
@Module({
  controllers: [SearchController],
  providers: [SearchService, SearchIndexer],
  exports: [SearchService, SearchIndexer],
})
export class SearchModule {}
