import * as fs from 'node:fs';
import * as path from 'node:path';
import { PERMISSION_MATRIX, PERMISSIONS, RoleOrPublic } from './permissions';

const COLUMNS: RoleOrPublic[] = ['PUBLIC', 'SUBMITTER', 'ARCHIVIST', 'APPROVER', 'AUDITOR', 'ADMIN'];

/** The README table, as it must read for the current PERMISSION_MATRIX. */
export function renderMatrixTable(): string {
  const lines = [`| permission | ${COLUMNS.join(' | ')} |`, `|---|${COLUMNS.map(() => ':-:').join('|')}|`];
  for (const p of PERMISSIONS) lines.push(`| \`${p}\` | ${COLUMNS.map((c) => (PERMISSION_MATRIX[c].permissions.includes(p) ? '✔' : '·')).join(' | ')} |`);
  lines.push(`| agencies reached | ${COLUMNS.map((c) => PERMISSION_MATRIX[c].agencies).join(' | ')} |`);
  lines.push(`| access modes seen | ${COLUMNS.map((c) => PERMISSION_MATRIX[c].modes.join(', ') || '—').join(' | ')} |`);
  return lines.join('\n');
}

describe('PERMISSION_MATRIX', () => {
  it('is the table written in README.md (Security)', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../../../../README.md'), 'utf8');
    const m = /<!-- permission-matrix:start -->\n([\s\S]*?)\n<!-- permission-matrix:end -->/.exec(readme);
    expect(m).not.toBeNull();
    expect((m as RegExpExecArray)[1].trim()).toBe(renderMatrixTable());
  });

  it('grants every permission to someone and only known permissions', () => {
    const granted = new Set(Object.values(PERMISSION_MATRIX).flatMap((r) => r.permissions));
    expect([...granted].sort()).toEqual([...PERMISSIONS].sort());
  });

  it('keeps the separation of duties', () => {
    const has = (r: RoleOrPublic, p: (typeof PERMISSIONS)[number]) => PERMISSION_MATRIX[r].permissions.includes(p);
    expect(COLUMNS.filter((r) => has(r, 'destruction.propose') && has(r, 'destruction.approve'))).toEqual([]);
    expect(COLUMNS.filter((r) => has(r, 'keys.manage') && (has(r, 'audit.read') || has(r, 'content.read')))).toEqual([]);
    expect(PERMISSION_MATRIX.PUBLIC.modes).toEqual(['01']);
  });
});
