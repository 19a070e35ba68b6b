/**
 * Dates of the model. JSON uses ISO 8601 (`2024-03-01`); the EAD XML of TT 05/2025 uses `DD/MM/YYYY`, and
 * AIP_hoso also `MM/YYYY` and `YYYY` (§2.3). Partial dates are kept partial — never invent a day.
 */
export interface PartialDate {
  year: number;
  month?: number; // 1..12
  day?: number; // 1..31, only with month
}

const ISO_FULL = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_MONTH = /^(\d{4})-(\d{2})$/;
const ISO_YEAR = /^(\d{4})$/;

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function build(year: number, month?: number, day?: number): PartialDate | null {
  if (year < 1 || year > 9999) return null;
  if (month === undefined) return { year };
  if (month < 1 || month > 12) return null;
  if (day === undefined) return { year, month };
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/** Strict ISO calendar date `YYYY-MM-DD` (real calendar day, e.g. no 2023-02-29). */
export function parseIsoDate(s: unknown): PartialDate | null {
  if (typeof s !== 'string') return null;
  const m = ISO_FULL.exec(s);
  return m ? build(+m[1], +m[2], +m[3]) : null;
}

/** ISO `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. */
export function parsePartialIsoDate(s: unknown): PartialDate | null {
  if (typeof s !== 'string') return null;
  let m = ISO_FULL.exec(s);
  if (m) return build(+m[1], +m[2], +m[3]);
  m = ISO_MONTH.exec(s);
  if (m) return build(+m[1], +m[2]);
  m = ISO_YEAR.exec(s);
  return m ? build(+m[1]) : null;
}

/** EAD (TT 05) date: `DD/MM/YYYY`, or `MM/YYYY` / `YYYY` (AIP). Also accepts `D/M/YYYY` and `-` or `.` separators. */
export function parseEadDate(s: unknown): PartialDate | null {
  if (typeof s !== 'string') return null;
  const t = s.trim();
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  if (m) return build(+m[3], +m[2], +m[1]);
  m = /^(\d{1,2})[/.-](\d{4})$/.exec(t);
  if (m) return build(+m[2], +m[1]);
  m = /^(\d{4})$/.exec(t);
  return m ? build(+m[1]) : null;
}

/** Any accepted notation: ISO first, then EAD. */
export function parseAnyDate(s: unknown): PartialDate | null {
  return parsePartialIsoDate(s) ?? parseEadDate(s);
}

const p2 = (n: number) => String(n).padStart(2, '0');
const p4 = (n: number) => String(n).padStart(4, '0');

export function formatIsoDate(d: PartialDate): string {
  if (d.month === undefined) return p4(d.year);
  if (d.day === undefined) return `${p4(d.year)}-${p2(d.month)}`;
  return `${p4(d.year)}-${p2(d.month)}-${p2(d.day)}`;
}

export function formatEadDate(d: PartialDate): string {
  if (d.month === undefined) return p4(d.year);
  if (d.day === undefined) return `${p2(d.month)}/${p4(d.year)}`;
  return `${p2(d.day)}/${p2(d.month)}/${p4(d.year)}`;
}

/** Earliest calendar day covered by a (partial) date, as a comparable number YYYYMMDD. */
export function lowerBound(d: PartialDate): number {
  return d.year * 10000 + (d.month ?? 1) * 100 + (d.day ?? 1);
}

/** Latest calendar day covered by a (partial) date, as YYYYMMDD. */
export function upperBound(d: PartialDate): number {
  const month = d.month ?? 12;
  const day = d.day ?? daysInMonth(d.year, month);
  return d.year * 10000 + month * 100 + day;
}
