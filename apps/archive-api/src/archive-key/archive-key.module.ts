import { Global, Module } from '@nestjs/common';
import { ArchiveKeyService } from './archive-key.service';

/** The archive's signing key, for every feature that signs (audit checkpoints, receipts, copies). */
@Global()
@Module({ providers: [ArchiveKeyService], exports: [ArchiveKeyService] })
export class ArchiveKeyModule {}
