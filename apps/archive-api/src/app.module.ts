import { Module } from '@nestjs/common';
import { AgenciesModule } from './agencies/agencies.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { ArchiveKeyModule } from './archive-key/archive-key.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ClockModule } from './common/clock';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { SearchModule } from './search/search.module';
import { StorageWithBootstrapModule } from './storage/storage.module';
import { TransfersModule } from './transfers/transfers.module';

@Module({
  imports: [ConfigModule, ClockModule, LoggingModule, DatabaseModule, StorageWithBootstrapModule, JobsModule, MetricsModule, HealthModule,
    // Security (issue 5): the global AuthGuard + AccessPolicy, the audit trail, the archive key.
    ArchiveKeyModule, AuditModule, AuthModule, AgenciesModule, ApiKeysModule,
    // Transfers (issue 6): nộp lưu and the catalogue reads (RecordsModule comes with it).
    TransfersModule,
    // Search (issue 7): GET /search, index triggers' companion jobs (PDF text).
    SearchModule],
})
export class AppModule {}
