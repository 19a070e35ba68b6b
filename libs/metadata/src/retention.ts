/**
 * Retention arithmetic (thời hạn lưu trữ / thời hạn bảo quản, §5).
 * - The period counts from the year the work ended (Luật Lưu trữ 2024 Đ15 k3; TT 10/2022), so the end is
 *   31 December of (year of endDate + N) — whatever the day and month of endDate.
 * - `null` years = permanent (vĩnh viễn): no end date.
 * - A case file takes the longest period of its documents (Luật 2024 Đ15 k4).
 * - A computation never shortens an assigned period: results are combined with `longestRetention`.
 */
import { MaintenanceCode, RetentionYears, ScheduleRow } from './model';
import { findCode, MAINTENANCE_OTHER } from './codes';
import { parseAnyDate } from './dates';

export const MAX_RETENTION_YEARS = 1000;

export function isValidRetentionYears(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_RETENTION_YEARS;
}

function yearOf(endDate: string | Date | number): number {
  if (typeof endDate === 'number') {
    if (!Number.isInteger(endDate)) throw new Error(`invalid year ${endDate}`);
    return endDate;
  }
  if (endDate instanceof Date) {
    if (Number.isNaN(endDate.getTime())) throw new Error('invalid date');
    // Vietnam time (UTC+7): a timestamp of 31/12 after 17:00 UTC is already the next year there.
    return new Date(endDate.getTime() + 7 * 3600_000).getUTCFullYear();
  }
  const d = parseAnyDate(endDate);
  if (!d) throw new Error(`invalid endDate ${endDate}`);
  return d.year;
}

/**
 * 31 December of (year of endDate + years), as ISO `YYYY-12-31`; null when permanent (years = null).
 * endDate: ISO (`2024-12-20`, `2024-12`, `2024`), EAD (`20/12/2024`), a Date, or a year number.
 */
export function retentionUntil(endDate: string | Date | number, years: RetentionYears): string | null {
  if (years === null) return null;
  if (!Number.isInteger(years) || years < 0) throw new Error(`invalid retention years ${years}`);
  const y = yearOf(endDate) + years;
  return `${String(y).padStart(4, '0')}-12-31`;
}

/** True when the period has ended by `asOf` (ISO date or Date): the day after retentionUntil. */
export function isRetentionExpired(until: string | null, asOf: string | Date = new Date()): boolean {
  if (until === null) return false;
  const asOfIso = typeof asOf === 'string' ? asOf.slice(0, 10) : new Date(asOf.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
  return asOfIso > until;
}

/**
 * Years of a maintenance code (null = permanent). Code `07` (Khác) takes `retentionYears`.
 * Throws on an unknown code or a missing/invalid retentionYears for `07`.
 */
export function maintenanceToYears(code: MaintenanceCode, retentionYears?: number | null, codeListVersion?: string): RetentionYears {
  const entry = findCode('maintenance', code, codeListVersion);
  if (!entry) throw new Error(`unknown maintenance code ${code}`);
  if (code === MAINTENANCE_OTHER) {
    if (!isValidRetentionYears(retentionYears)) throw new Error('maintenance 07 requires retentionYears');
    return retentionYears;
  }
  if (entry.years === undefined) throw new Error(`maintenance code ${code} has no years`);
  return entry.years;
}

/** Code for a period: the fixed code when one exists (10 → 06, null → 01), else `07`. */
export function yearsToMaintenance(years: RetentionYears, codeListVersion?: string): { maintenance: MaintenanceCode; retentionYears: number | null } {
  if (years !== null && !isValidRetentionYears(years)) throw new Error(`invalid retention years ${years}`);
  for (const code of ['01', '02', '03', '04', '05', '06']) {
    const e = findCode('maintenance', code, codeListVersion);
    if (e && e.years === years) return { maintenance: code, retentionYears: null };
  }
  return { maintenance: MAINTENANCE_OTHER, retentionYears: years };
}

/** Compares periods: permanent (null) is longer than any number. Returns <0, 0, >0. */
export function compareRetention(a: RetentionYears, b: RetentionYears): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

/** The longest of the given periods (null = permanent wins); undefined entries are ignored. */
export function longestRetention(...periods: Array<RetentionYears | undefined>): RetentionYears | undefined {
  let best: RetentionYears | undefined;
  for (const p of periods) {
    if (p === undefined) continue;
    if (best === undefined || compareRetention(p, best) > 0) best = p;
  }
  return best;
}

/**
 * An assigned period is never shortened by a computation: the result is the longer of the two.
 * (Shortening is a human appraisal decision — `EXTEND`/`DESTROY` in the review workflow — not arithmetic.)
 */
export function applyComputedRetention(assigned: RetentionYears | undefined, computed: RetentionYears | undefined): RetentionYears | undefined {
  return longestRetention(assigned, computed);
}

interface RetentionSource {
  maintenance?: MaintenanceCode;
  retentionYears?: number | null;
}

/** Period of a document or case file from its maintenance code; undefined when absent or unusable. */
export function periodOf(x: RetentionSource, codeListVersion?: string): RetentionYears | undefined {
  if (!x.maintenance) return undefined;
  try {
    return maintenanceToYears(x.maintenance, x.retentionYears, codeListVersion);
  } catch {
    return undefined;
  }
}

/**
 * Effective period of a case file: the longest of its own period and its documents' periods
 * (a document without its own maintenance inherits the file's).
 */
export function caseFileRetention(
  file: RetentionSource & { documents?: RetentionSource[] },
  codeListVersion?: string,
): RetentionYears | undefined {
  const own = periodOf(file, codeListVersion);
  const docs = (file.documents ?? []).map((d) => periodOf(d, codeListVersion));
  return longestRetention(own, ...docs);
}

/** retentionUntil of a case file from its endDate and effective period; undefined if it has no period. */
export function caseFileRetentionUntil(
  file: RetentionSource & { endDate: string; documents?: RetentionSource[] },
  codeListVersion?: string,
): string | null | undefined {
  const p = caseFileRetention(file, codeListVersion);
  return p === undefined ? undefined : retentionUntil(file.endDate, p);
}

// ---------------------------------------------------------------------------------------------------
// Schedules (bảng thời hạn lưu trữ): versioned rows each citing its legal basis.
// ---------------------------------------------------------------------------------------------------

/** Checks a row: maintenance and retentionYears must agree (07 carries the free value). Returns problems. */
export function checkScheduleRow(row: ScheduleRow, codeListVersion?: string): string[] {
  const problems: string[] = [];
  if (!row.code) problems.push('code is required');
  if (!row.title) problems.push('title is required');
  if (!row.legalBasis) problems.push('legalBasis is required');
  if (!row.version) problems.push('version is required');
  const entry = findCode('maintenance', row.maintenance, codeListVersion);
  if (!entry) problems.push(`unknown maintenance ${row.maintenance}`);
  else if (row.maintenance === MAINTENANCE_OTHER) {
    if (!isValidRetentionYears(row.retentionYears)) problems.push('maintenance 07 requires retentionYears');
  } else if (entry.years !== row.retentionYears) {
    problems.push(`retentionYears ${row.retentionYears} disagrees with maintenance ${row.maintenance}`);
  }
  return problems;
}

export const SAMPLE_SCHEDULE_VERSION = 'TT10-2022.sample-1';
const TT10 = 'Thông tư 10/2022/TT-BNV, Phụ lục I';

/**
 * Small built-in sample of TT 10/2022 rows, only those the reference quotes (§5.2, tagged [S]: read in
 * summaries, not the official table — verify the row numbers before legal use). Codes are local
 * identifiers (TT10-<group>-<n>), not the circular's row numbers, which were not read.
 */
export const SAMPLE_SCHEDULE: readonly ScheduleRow[] = Object.freeze([
  { code: 'TT10-QH-01', title: 'Công văn trao đổi về công tác quy hoạch', maintenance: '07', retentionYears: 5, legalBasis: TT10, version: SAMPLE_SCHEDULE_VERSION },
  { code: 'TT10-TCCB-01', title: 'Hồ sơ quy hoạch cán bộ, công chức, viên chức: phiếu tín nhiệm', maintenance: '07', retentionYears: 5, legalBasis: `${TT10}, nhóm 3`, version: SAMPLE_SCHEDULE_VERSION },
  { code: 'TT10-TCCB-02', title: 'Hồ sơ quy hoạch cán bộ, công chức, viên chức (các thành phần khác)', maintenance: '06', retentionYears: 10, legalBasis: `${TT10}, nhóm 3`, version: SAMPLE_SCHEDULE_VERSION },
  { code: 'TT10-TCCB-03', title: 'Hồ sơ xây dựng, ban hành Điều lệ tổ chức và hoạt động; Quy chế làm việc, quy định, hướng dẫn công tác tổ chức', maintenance: '05', retentionYears: 20, legalBasis: `${TT10}, mục 3`, version: SAMPLE_SCHEDULE_VERSION },
  { code: 'TT10-DT-01', title: 'Hồ sơ đấu thầu mua sắm thường xuyên: mời thầu, đấu thầu, phê duyệt kết quả, hồ sơ dự thầu trúng thầu', maintenance: '05', retentionYears: 20, legalBasis: TT10, version: SAMPLE_SCHEDULE_VERSION },
  { code: 'TT10-DT-02', title: 'Hồ sơ dự thầu không trúng thầu', maintenance: '07', retentionYears: 5, legalBasis: TT10, version: SAMPLE_SCHEDULE_VERSION },
]) as readonly ScheduleRow[];

export function findScheduleRow(code: string, schedule: readonly ScheduleRow[] = SAMPLE_SCHEDULE): ScheduleRow | undefined {
  return schedule.find((r) => r.code === code);
}
