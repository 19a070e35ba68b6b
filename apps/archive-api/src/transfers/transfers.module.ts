import { Module } from '@nestjs/common';
import { RecordsModule } from '../records/records.module';
import { ReceiptService } from './receipt.service';
import { TransferIntakeService } from './transfer-intake.service';
import { TransferJanitorService } from './transfer-janitor.service';
import { TransferProcessorService } from './transfer-processor.service';
import { TransfersController } from './transfers.controller';
import { TransfersService } from './transfers.service';
import { TrustStoreService } from './trust-store.service';
import { SearchModule } from '../search/search.module';

/** Transfers (nộp lưu), issue 6: intake, the processing job, the janitor, the receipt. */
@Module({
  imports: [RecordsModule, SearchModule],
  controllers: [TransfersController],
  providers: [TransferIntakeService, TransferProcessorService, TransfersService, TrustStoreService, TransferJanitorService, ReceiptService],
  exports: [TransferIntakeService, TransferProcessorService, TransferJanitorService],
})
export class TransfersModule {}
