import { Module } from '@nestjs/common';
import { Clock } from './common/clock';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { StorageWithBootstrapModule } from './storage/storage.module';

@Module({
  imports: [ConfigModule, LoggingModule, DatabaseModule, StorageWithBootstrapModule, JobsModule, MetricsModule, HealthModule],
  providers: [Clock],
})
export class AppModule {}
