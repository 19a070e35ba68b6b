import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ArchiveKeyService } from '../archive-key/archive-key.service';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { checkpointPayload } from './audit-verifier';

/** Advisory lock key of the checkpoint job (any constant shared by all instances). */
const CHECKPOINT_LOCK = 0x4175_6443; // "AudC"

export interface CheckpointResult {
  created: boolean;
  seq: number;
  headHash: string;
}

/**
 * Periodically signs the chain head with the archive key and stores it (mốc kiểm tra có ký số).
 * A signed checkpoint is what makes a wholesale rewrite of the chain by a database superuser
 * detectable: the rewritten hashes no longer match what the archive signed earlier. Safe with
 * several instances: each run takes a transaction-scoped advisory lock and skips if another holds it.
 */
@Injectable()
export class AuditCheckpointService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoint');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly key: ArchiveKeyService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.audit.checkpointIntervalSeconds;
    if (seconds <= 0) return;
    this.timer = setInterval(() => {
      this.checkpointNow().catch((err: unknown) => this.logger.error({ err }, 'audit checkpoint failed'));
    }, seconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Signs the current head unless it is already signed or another instance is doing it. */
  async checkpointNow(): Promise<CheckpointResult | null> {
    return this.dataSource.transaction(async (m) => {
      const [{ locked }] = (await m.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [CHECKPOINT_LOCK])) as { locked: boolean }[];
      if (!locked) return null;
      const [head] = (await m.query('SELECT seq, hash FROM audit_head WHERE id = 1')) as { seq: string; hash: string }[];
      const seq = Number(head.seq);
      const [last] = (await m.query('SELECT seq FROM audit_checkpoints ORDER BY id DESC LIMIT 1')) as { seq: string }[];
      if (last && Number(last.seq) === seq) return { created: false, seq, headHash: head.hash };
      const signed = this.key.sign(checkpointPayload(seq, head.hash));
      await m.query(
        `INSERT INTO audit_checkpoints (seq, head_hash, at, algorithm, key_fingerprint, public_key, signature)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [seq, head.hash, this.clock.now().toISOString(), signed.algorithm, signed.fingerprint, signed.publicKeyPem, signed.signature],
      );
      this.logger.log(`signed audit checkpoint at sequence ${seq}`);
      return { created: true, seq, headHash: head.hash };
    });
  }
}
