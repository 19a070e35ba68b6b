import * as fs from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DocumentReport, exitCodeFor, formatReportTable, verifyPdfFile } from '@archive/signature';
import { readCrls, readTrustAnchors, TrustMaterialError } from '../signatures/trust-material';

interface VerifyPdfOptions {
  trust: string[];
  crl: string[];
  at?: Date;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * `verify-pdf <file...> --trust <dir|pem>... [--crl <file>...] [--at <ISO time>] [--json]`.
 * Needs neither the database nor the object store. Exit 0 when every file is VALID, 1 when any is
 * INVALID or CORRUPT, 2 otherwise (including bad arguments).
 */
@Command({
  name: 'verify-pdf',
  arguments: '<files...>',
  description: 'Verify every signature of PDF files against the given trust anchors',
})
export class VerifyPdfCommand extends CommandRunner {
  async run(files: string[], options: VerifyPdfOptions): Promise<void> {
    let anchors: Uint8Array[];
    let crls: Uint8Array[];
    try {
      anchors = readTrustAnchors(options.trust ?? []);
      crls = readCrls(options.crl ?? []);
    } catch (err) {
      if (err instanceof TrustMaterialError) {
        process.stderr.write(`verify-pdf: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      throw err;
    }
    const results: { file: string; report: DocumentReport }[] = [];
    for (const file of files) {
      try {
        fs.accessSync(file, fs.constants.R_OK);
      } catch {
        process.stderr.write(`verify-pdf: cannot read ${file}\n`);
        process.exitCode = 2;
        return;
      }
      // Random access to the file: a 200 MB scan verifies without being loaded whole.
      const report = await verifyPdfFile(file, { trustAnchors: anchors, crls, validationTime: options.at });
      results.push({ file, report });
    }
    process.stdout.write(
      options.json ? `${JSON.stringify(results.map(({ file, report }) => ({ file, ...report })), null, 2)}\n` : `${formatReportTable(results)}\n`,
    );
    process.exitCode = exitCodeFor(results.map((r) => r.report));
  }

  @Option({ flags: '--trust <dir|pem>', description: 'trust anchor certificate file or directory (repeatable)' })
  parseTrust(value: string, previous: string[]): string[] {
    return collect(value, previous);
  }

  @Option({ flags: '--crl <file>', description: 'CRL file or directory (repeatable)' })
  parseCrl(value: string, previous: string[]): string[] {
    return collect(value, previous);
  }

  @Option({ flags: '--at <iso-time>', description: 'judge validity at this time instead of now' })
  parseAt(value: string): Date {
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) throw new Error(`--at: not an ISO time: ${value}`);
    return d;
  }

  @Option({ flags: '--json', description: 'print a JSON array, one report per file' })
  parseJson(): boolean {
    return true;
  }
}
