/** CLI helpers: exit code and a readable table of reports. */
import { VERDICT_LABEL_VI } from './messages';
import { DocumentReport } from './report';

/** 0 when every document is VALID, 1 when any is INVALID or CORRUPT, 2 otherwise. */
export function exitCodeFor(reports: DocumentReport[]): 0 | 1 | 2 {
  if (reports.some((r) => r.summary === 'INVALID' || r.summary === 'CORRUPT')) return 1;
  if (reports.length > 0 && reports.every((r) => r.summary === 'VALID')) return 0;
  return 2;
}

const pad = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));

/** One block per file: the summary line, then one row per signature (verdict in English and Vietnamese). */
export function formatReportTable(reports: { file: string; report: DocumentReport }[]): string {
  const lines: string[] = [];
  for (const { file, report } of reports) {
    lines.push(`${file}: ${report.summary} (${report.signatureCount} signature(s), sha256 ${report.sha256.slice(0, 16)}…)`);
    if (report.signatures.length) {
      lines.push(`  ${pad('#', 3)} ${pad('kind', 9)} ${pad('field', 18)} ${pad('verdict', 44)} ${pad('signer', 28)} ${pad('time', 25)} note`);
    }
    for (const s of report.signatures) {
      const kind = s.kind === 'DOCUMENT_TIMESTAMP' ? 'doc-ts' : 'signature';
      const time = s.timestampTime ?? s.claimedSigningTime ?? '';
      // The verdict's reason first; for a valid signature, any warning (e.g. revocation unknown).
      const shown = s.verdict === 'VALID' ? s.messages.find((m) => !['COVERAGE_PARTIAL', 'VALID', 'PERMITTED_CHANGES', 'TIMESTAMP_POE'].includes(m.code)) ?? s.messages.find((m) => m.code === 'VALID') : s.messages[0];
      const note = shown ? shown.vi : '';
      lines.push(
        `  ${pad(String(s.index + 1), 3)} ${pad(kind, 9)} ${pad(s.fieldName ?? '', 18)} ${pad(`${s.verdict} (${VERDICT_LABEL_VI[s.verdict]})`, 44)} ${pad(s.signer?.name ?? '', 28)} ${pad(time, 25)} ${note}`,
      );
    }
    for (const m of report.messages) lines.push(`  ! ${m.vi} / ${m.en}`);
  }
  return lines.join('\n');
}
