import { Module } from '@nestjs/common';
import { RecordsController } from './records.controller';
import { ReadAuditWriter } from './read-audit';
import { RecordsService } from './records.service';

/** The catalogue of case files and documents (owns `case_files`, `documents`). */
@Module({
  controllers: [RecordsController],
  providers: [RecordsService, ReadAuditWriter],
  exports: [RecordsService],
})
export class RecordsModule {}
