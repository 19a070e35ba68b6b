import fc from 'fast-check';
import {
  applyComputedRetention, caseFileRetention, caseFileRetentionUntil, checkScheduleRow, compareRetention,
  findScheduleRow, isRetentionExpired, longestRetention, maintenanceToYears, retentionUntil, SAMPLE_SCHEDULE,
  yearsToMaintenance,
} from '@archive/metadata';

describe('retentionUntil', () => {
  it('is 31 December of (year of endDate + N), whatever the day', () => {
    expect(retentionUntil('2024-12-20', 10)).toBe('2034-12-31');
    expect(retentionUntil('2024-01-01', 10)).toBe('2034-12-31');
    expect(retentionUntil('2024-02-29', 5)).toBe('2029-12-31');
    expect(retentionUntil('2024', 20)).toBe('2044-12-31');
    expect(retentionUntil('2024-06', 70)).toBe('2094-12-31');
    expect(retentionUntil('20/12/2024', 10)).toBe('2034-12-31'); // EAD notation
    expect(retentionUntil(2024, 2)).toBe('2026-12-31');
  });
  it('is null for permanent', () => {
    expect(retentionUntil('2024-12-20', null)).toBeNull();
  });
  it('reads a Date in Vietnam time (UTC+7)', () => {
    expect(retentionUntil(new Date('2024-12-31T18:00:00Z'), 10)).toBe('2035-12-31'); // 01/01/2025 01:00 in Hà Nội
    expect(retentionUntil(new Date('2024-12-31T16:00:00Z'), 10)).toBe('2034-12-31');
  });
  it('rejects bad input', () => {
    expect(() => retentionUntil('2024-13-01', 10)).toThrow();
    expect(() => retentionUntil('không rõ', 10)).toThrow();
    expect(() => retentionUntil('2024-01-01', -1)).toThrow();
    expect(() => retentionUntil('2024-01-01', 1.5)).toThrow();
  });
  it('expiry is the day after', () => {
    expect(isRetentionExpired('2034-12-31', '2034-12-31')).toBe(false);
    expect(isRetentionExpired('2034-12-31', '2035-01-01')).toBe(true);
    expect(isRetentionExpired(null, '2999-01-01')).toBe(false);
  });
});

describe('maintenance codes ↔ years', () => {
  it('maps the TT 05 codes', () => {
    expect(maintenanceToYears('01')).toBeNull();
    expect(maintenanceToYears('02')).toBe(70);
    expect(maintenanceToYears('03')).toBe(50);
    expect(maintenanceToYears('04')).toBe(30);
    expect(maintenanceToYears('05')).toBe(20);
    expect(maintenanceToYears('06')).toBe(10);
    expect(maintenanceToYears('07', 5)).toBe(5);
  });
  it('07 needs retentionYears; unknown codes throw', () => {
    expect(() => maintenanceToYears('07')).toThrow();
    expect(() => maintenanceToYears('07', 0)).toThrow();
    expect(() => maintenanceToYears('08')).toThrow();
  });
  it('years → code prefers the fixed codes', () => {
    expect(yearsToMaintenance(null)).toEqual({ maintenance: '01', retentionYears: null });
    expect(yearsToMaintenance(10)).toEqual({ maintenance: '06', retentionYears: null });
    expect(yearsToMaintenance(5)).toEqual({ maintenance: '07', retentionYears: 5 });
  });
});

describe('longest period wins; assigned never shortened', () => {
  it('permanent beats any number', () => {
    expect(longestRetention(10, null, 70)).toBeNull();
    expect(longestRetention(10, 5, 20)).toBe(20);
    expect(longestRetention(undefined, 5)).toBe(5);
    expect(longestRetention()).toBeUndefined();
  });
  it('a computation never shortens an assigned period', () => {
    expect(applyComputedRetention(20, 10)).toBe(20);
    expect(applyComputedRetention(10, 20)).toBe(20);
    expect(applyComputedRetention(null, 10)).toBeNull();
    expect(applyComputedRetention(undefined, 10)).toBe(10);
  });
  it('a case file takes the longest of its documents', () => {
    const file = { maintenance: '06', endDate: '2024-12-20', documents: [{ maintenance: '06' }, { maintenance: '04' }, {}] };
    expect(caseFileRetention(file)).toBe(30);
    expect(caseFileRetentionUntil(file)).toBe('2054-12-31');
    expect(caseFileRetention({ maintenance: '05', documents: [{ maintenance: '01' }] })).toBeNull();
    expect(caseFileRetention({ maintenance: '07', retentionYears: 5, documents: [{ maintenance: '07', retentionYears: 2 }] })).toBe(5);
    expect(caseFileRetentionUntil({ endDate: '2024', documents: [] })).toBeUndefined();
  });
});

describe('schedules', () => {
  it('the sample rows cite TT 10/2022 and are consistent', () => {
    expect(SAMPLE_SCHEDULE.length).toBeGreaterThan(3);
    for (const row of SAMPLE_SCHEDULE) {
      expect(row.legalBasis).toMatch(/10\/2022\/TT-BNV/);
      expect(checkScheduleRow(row)).toEqual([]);
    }
    expect(findScheduleRow('TT10-DT-02')).toMatchObject({ maintenance: '07', retentionYears: 5 });
  });
  it('flags inconsistent rows', () => {
    const row = { code: 'X', title: 'T', maintenance: '06', retentionYears: 20, legalBasis: 'TT 10/2022', version: '1' };
    expect(checkScheduleRow(row)).toHaveLength(1);
    expect(checkScheduleRow({ ...row, maintenance: '07', retentionYears: null })).toHaveLength(1);
    expect(checkScheduleRow({ ...row, maintenance: '99', legalBasis: '' })).toHaveLength(2);
  });
});

describe('retention arithmetic (property)', () => {
  const isoDate = fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('8999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const years = fc.integer({ min: 0, max: 1000 });
  const period = fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null });

  it('always ends on 31 December, N years after the end year, and never before the end date', () => {
    fc.assert(fc.property(isoDate, years, (end, n) => {
      const u = retentionUntil(end, n)!;
      expect(u).toMatch(/^\d{4}-12-31$/);
      expect(+u.slice(0, 4)).toBe(+end.slice(0, 4) + n);
      expect(u >= end).toBe(true);
    }));
  });
  it('is monotonic in N', () => {
    fc.assert(fc.property(isoDate, years, years, (end, a, b) => {
      const ua = retentionUntil(end, a)!, ub = retentionUntil(end, b)!;
      expect(Math.sign(ua.localeCompare(ub))).toBe(Math.sign(a - b));
    }));
  });
  it('longest is an upper bound, a member, and order-independent', () => {
    fc.assert(fc.property(fc.array(period, { minLength: 1, maxLength: 8 }), (ps) => {
      const l = longestRetention(...ps)!;
      expect(ps).toContain(l);
      for (const p of ps) expect(compareRetention(l, p)).toBeGreaterThanOrEqual(0);
      expect(longestRetention(...[...ps].reverse())).toBe(l);
    }));
  });
  it('applying a computation never shortens', () => {
    fc.assert(fc.property(period, period, (assigned, computed) => {
      expect(compareRetention(applyComputedRetention(assigned, computed)!, assigned)).toBeGreaterThanOrEqual(0);
    }));
  });
  it('years ↔ maintenance round trip', () => {
    fc.assert(fc.property(period, (p) => {
      const m = yearsToMaintenance(p);
      expect(maintenanceToYears(m.maintenance, m.retentionYears)).toBe(p);
    }));
  });
});
