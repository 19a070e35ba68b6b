/**
 * THE permission matrix of the archive — the one place that says who may do what. README.md
 * ("Security") shows the same table; `permissions.spec.ts` keeps the two from drifting apart.
 *
 * Three dimensions:
 *  - role → permissions (below);
 *  - agency scope: SUBMITTER, ARCHIVIST and APPROVER act for one agency (cơ quan nộp lưu) only;
 *    AUDITOR and ADMIN are archive-wide; a citizen (công dân, no token) has no agency but sees
 *    public records of every agency;
 *  - access mode (chế độ sử dụng) of the record: `01` public, `02` restricted (hạn chế sử dụng),
 *    `03` secret (mật) — per role, the modes whose records the role may see at all.
 */
export const ROLES = ['SUBMITTER', 'ARCHIVIST', 'APPROVER', 'AUDITOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];
/** The pseudo-role of a request without a token. */
export type RoleOrPublic = Role | 'PUBLIC';

export const PERMISSIONS = [
  'metadata.read', // xem thông tin mô tả: case-file/document metadata, search
  'content.read', // xem nội dung: read a document online (rendered / copy for reading)
  'original.download', // tải bản gốc: the original signed bytes and the AIP package
  'copy.order', // yêu cầu bản sao / bản sao chứng thực
  'access-request.decide', // approve or reject citizens' requests (mode 01/02)
  'access-request.decide-restricted', // approve requests touching restricted (02/03) records
  'transfer.create', // nộp lưu
  'transfer.read', // follow a transfer, read its receipt
  'schedule.manage', // bảng thời hạn bảo quản
  'hold.manage', // legal holds
  'destruction.propose', // lập danh mục tài liệu hết giá trị, review decisions
  'destruction.approve', // phê duyệt tiêu hủy (a different person than the proposer)
  'audit.read', // nhật ký: read, export, verify
  'keys.manage', // API keys
  'agency.read',
  'agency.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ACCESS_MODES = ['01', '02', '03'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

export type AgencyScope = 'own' | 'all';

export interface RolePolicy {
  permissions: readonly Permission[];
  /** Records of which agencies the role reaches. */
  agencies: AgencyScope;
  /** Access modes of the records the role may see at all (metadata included). */
  modes: readonly AccessMode[];
}

export const PERMISSION_MATRIX: Readonly<Record<RoleOrPublic, RolePolicy>> = {
  PUBLIC: {
    permissions: ['metadata.read', 'copy.order'],
    agencies: 'all',
    modes: ['01'],
  },
  SUBMITTER: {
    permissions: ['metadata.read', 'transfer.create', 'transfer.read', 'agency.read'],
    agencies: 'own',
    modes: ['01', '02'],
  },
  ARCHIVIST: {
    permissions: [
      'metadata.read',
      'content.read',
      'original.download',
      'copy.order',
      'access-request.decide',
      'transfer.create',
      'transfer.read',
      'schedule.manage',
      'hold.manage',
      'destruction.propose',
      'agency.read',
    ],
    agencies: 'own',
    modes: ['01', '02'],
  },
  APPROVER: {
    permissions: [
      'metadata.read',
      'content.read',
      'original.download',
      'copy.order',
      'access-request.decide',
      'access-request.decide-restricted',
      'transfer.read',
      'hold.manage',
      'destruction.approve',
      'agency.read',
    ],
    agencies: 'own',
    modes: ['01', '02', '03'],
  },
  // Auditors see everything that happened, but not the records' content (tách bạch nhiệm vụ).
  AUDITOR: {
    permissions: ['metadata.read', 'transfer.read', 'audit.read', 'agency.read'],
    agencies: 'all',
    modes: ['01', '02', '03'],
  },
  // Administrators run the system; they neither read records nor the audit trail of what they did.
  ADMIN: {
    permissions: ['keys.manage', 'agency.read', 'agency.manage'],
    agencies: 'all',
    modes: [],
  },
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isAccessMode(value: unknown): value is AccessMode {
  return typeof value === 'string' && (ACCESS_MODES as readonly string[]).includes(value);
}

/** Roles whose principals must carry an agency (machine keys and staff of one agency). */
export function isAgencyScopedRole(role: Role): boolean {
  return PERMISSION_MATRIX[role].agencies === 'own';
}
