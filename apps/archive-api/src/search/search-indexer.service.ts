import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { ObjectNotFoundError, ObjectStore } from '@archive/storage';
import { AppConfig } from '../config/app-config';
import { Job, JobQueue } from '../jobs/job-queue.service';
import { InjectObjectStore } from '../storage/storage.module';
import { extractPdfText } from './pdf-text';

export const TEXT_EXTRACTION_QUEUE = 'search.extract-text';

interface ExtractPayload {
  documentId: string;
}

class TooLarge extends Error {}

/**
 * Keeps the body text of the index fed. The metadata part of the index needs nothing from here: the
 * triggers of the search migration update it in the catalogue's own transaction. Text extraction is
 * slow and optional, so it is a job; its result lands in `document_texts`, whose trigger re-indexes the
 * document. A periodic sweep picks up any document without a text row, so ingest paths that do not
 * call `enqueueTextExtraction` are still covered.
 */
@Injectable()
export class SearchIndexer implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SearchIndexer');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectObjectStore() private readonly store: ObjectStore,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register<ExtractPayload>(TEXT_EXTRACTION_QUEUE, (job) => this.handle(job));
  }

  onApplicationBootstrap(): void {
    // Only instances that run jobs sweep; an API-only node (JOBS_POLL_MS=0) leaves it to them.
    const every = this.config.search.textSweepSeconds;
    if (this.config.jobs.pollMs <= 0 || every <= 0) return;
    const tick = () => {
      this.sweep().catch((err) => this.logger.warn({ err }, 'text extraction sweep failed'));
      this.timer = setTimeout(tick, every * 1000);
      this.timer.unref();
    };
    // First sweep after one interval, not at boot: a restart storm should not re-scan the catalogue.
    this.timer = setTimeout(tick, every * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** For the transfer pipeline: call inside the catalogue transaction, so the job exists iff the document does. */
  async enqueueTextExtraction(manager: EntityManager | null, documentIds: string[]): Promise<void> {
    await this.jobs.enqueueMany(manager, TEXT_EXTRACTION_QUEUE, documentIds.map((documentId) => ({ payload: { documentId }, dedupeKey: documentId })), { maxAttempts: 3 });
  }

  /** Enqueues extraction for live documents that have no text row yet; returns how many were found. */
  async sweep(limit = 1000): Promise<number> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT d.id FROM documents d
       WHERE d.destroyed_at IS NULL AND NOT EXISTS (SELECT 1 FROM document_texts t WHERE t.document_id = d.id)
       ORDER BY d.created_at LIMIT $1`,
      [limit],
    );
    await this.enqueueTextExtraction(null, rows.map((r) => r.id));
    return rows.length;
  }

  private async handle(job: Job<ExtractPayload>): Promise<void> {
    const id = job.payload?.documentId;
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) return; // nothing to do for a malformed payload
    const [doc]: { object_key: string; object_version_id: string | null; mime_type: string; size: string; destroyed_at: Date | null }[] = await this.db.query(
      'SELECT object_key, object_version_id, mime_type, size, destroyed_at FROM documents WHERE id = $1',
      [id],
    );
    if (!doc) return;
    const limits = this.config.search;
    if (doc.destroyed_at) return this.save(id, 'SKIPPED', null, null, 'destroyed');
    if (!/pdf/i.test(doc.mime_type)) return this.save(id, 'SKIPPED', null, null, `not a PDF (${doc.mime_type})`);
    if (Number(doc.size) > limits.textMaxBytes) return this.save(id, 'SKIPPED', null, null, `larger than ${limits.textMaxBytes} bytes`);
    let data: Buffer;
    try {
      data = await readAll(await this.store.get(doc.object_key, { versionId: doc.object_version_id ?? undefined }), limits.textMaxBytes);
    } catch (err) {
      if (err instanceof TooLarge) return this.save(id, 'SKIPPED', null, null, err.message);
      if (err instanceof ObjectNotFoundError) return this.save(id, 'SKIPPED', null, null, 'object not found');
      throw err; // the store is unreachable: a transient fault, retried by the queue
    }
    const started = Date.now();
    const r = await extractPdfText(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
      maxPages: limits.textMaxPages,
      maxChars: limits.textMaxChars,
      timeoutMs: limits.textTimeoutMs,
    });
    this.logger.debug({ documentId: id, status: r.status, pages: r.pages, chars: r.text.length, ms: Date.now() - started }, 'text extracted');
    await this.save(id, r.status, r.status === 'EXTRACTED' ? r.text : null, r.pages, r.detail ?? null);
  }

  private async save(id: string, status: string, body: string | null, pages: number | null, detail: string | null): Promise<void> {
    await this.db.query(
      `INSERT INTO document_texts (document_id, status, body, pages, chars, detail, extracted_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (document_id) DO UPDATE SET status = EXCLUDED.status, body = EXCLUDED.body, pages = EXCLUDED.pages,
         chars = EXCLUDED.chars, detail = EXCLUDED.detail, extracted_at = EXCLUDED.extracted_at`,
      [id, status, body, pages, body?.length ?? 0, detail],
    );
  }
}

async function readAll(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += chunk.length;
    if (n > max) {
      stream.destroy();
      throw new TooLarge(`larger than ${max} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
