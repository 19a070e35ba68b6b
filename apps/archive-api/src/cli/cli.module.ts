import { Module } from '@nestjs/common';
import { AuditVerifyCommand } from '../audit/audit-verify.command';
import { ConfigModule } from '../config/config.module';
import { DatabaseServerModule } from '../database/database.module';
import { StorageModule } from '../storage/storage.module';
import { HealthCommand } from './health.command';
import { ImportCommand } from './import.command';
import { MigrateCommand } from './migrate.command';
import { ReindexCommand } from './reindex.command';
import { VerifyPdfCommand } from './verify-pdf.command';

/**
 * Operators' commands. Nothing here connects at start-up: each command opens the database or the
 * store only if it needs them (verify-pdf needs neither).
 */
@Module({
  imports: [ConfigModule, DatabaseServerModule, StorageModule],
  providers: [MigrateCommand, HealthCommand, VerifyPdfCommand, AuditVerifyCommand, ImportCommand, ReindexCommand],
})
export class CliModule {}
