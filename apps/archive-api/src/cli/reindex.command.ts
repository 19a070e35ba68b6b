import { Command, CommandRunner, Option } from 'nest-commander';
import { DatabaseServer } from '../database/database-server';
import { withDataSource } from '../database/data-source-options';
import { progressLine, reindexSearch } from '../search/search-reindex';

interface ReindexOptions {
  batch?: number;
  restart?: boolean;
}

/**
 * `npm run cli -- reindex [--batch 1000] [--restart]`: rebuilds the search index from the catalogue.
 * Resumable: an interrupted run continues from its saved cursor (use --restart to begin again).
 * Progress goes to stderr, the summary to stdout.
 */
@Command({ name: 'reindex', description: 'Rebuild the search index in batches (resumable)' })
export class ReindexCommand extends CommandRunner {
  constructor(private readonly server: DatabaseServer) {
    super();
  }

  async run(_args: string[], options: ReindexOptions): Promise<void> {
    const tty = process.stderr.isTTY === true;
    const started = Date.now();
    let startDone = -1;
    let lastPrinted = -1;
    await withDataSource(await this.server.url(), async (ds) => {
      const result = await reindexSearch(ds, {
        batchSize: options.batch ?? 1000,
        restart: options.restart,
        onProgress: (p) => {
          if (startDone < 0) {
            startDone = p.done;
            if (p.resumed) process.stderr.write(`resuming after ${p.done} documents\n`);
          }
          const line = progressLine(p, started, startDone);
          if (tty) process.stderr.write(`\r${line}${p.finished ? '\n' : ''}`);
          else {
            // Not a terminal (a log file): one line per 10 %.
            const step = p.total > 0 ? Math.floor((p.done / p.total) * 10) : 10;
            if (step !== lastPrinted || p.finished) process.stderr.write(`${line}\n`);
            lastPrinted = step;
          }
        },
      });
      process.stdout.write(`reindexed ${result.done} documents in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    });
  }

  @Option({ flags: '--batch <n>', description: 'documents per batch (default 1000)' })
  parseBatch(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error('--batch must be an integer 1-100000');
    return n;
  }

  @Option({ flags: '--restart', description: 'ignore a saved cursor and rebuild from the start' })
  parseRestart(): boolean {
    return true;
  }
}
