/**
 * Object key layout of the archive (documented in README "Transfers"). Keys are derived from the
 * agency, the year of the case file and its fileCode, then the transfer that brought the bytes:
 *
 *   staging/<transferId>/<nnnnnn>                              a received part or the package ZIP, until processed
 *   aip/<agencyId>/<year>/<fileCode>/<transferId>/data/<docCode><ext>   the original, byte for byte
 *   aip/<agencyId>/<year>/<fileCode>/<transferId>/<package>.zip         the AIP_hoso (E-ARK, TT 05/2025)
 *   receipts/<agencyId>/<transferId>.pdf                        the signed biên bản giao nhận
 *
 * The transfer id in the archive keys makes every write of one transfer land on keys of its own: a
 * re-run after a crash finds (and reuses) what it wrote, and two transfers never write the same key —
 * which matters on an Object Lock bucket, where an overwritten version could never be deleted.
 */
import * as posix from 'node:path/posix';

export const STAGING_PREFIX = 'staging/';
export const ARCHIVE_PREFIX = 'aip/';
export const RECEIPT_PREFIX = 'receipts/';

/** One key segment from an identifier: `/` and `\` (allowed in a file notation) become `_`; NFC; no leading dot. */
export function keySegment(s: string): string {
  // eslint-disable-next-line no-control-regex
  const v = s.normalize('NFC').replace(/[/\\\u0000-\u001f\u007f]/g, '_').trim();
  return v === '' ? '_' : v.startsWith('.') ? `_${v}` : v;
}

export function stagingPrefix(transferId: string): string {
  return `${STAGING_PREFIX}${transferId}/`;
}

export function stagingKey(transferId: string, index: number | string): string {
  return `${stagingPrefix(transferId)}${typeof index === 'number' ? String(index).padStart(6, '0') : keySegment(index)}`;
}

export function caseFilePrefix(agencyId: string, year: number, fileCode: string, transferId: string): string {
  return `${ARCHIVE_PREFIX}${keySegment(agencyId)}/${year}/${keySegment(fileCode)}/${transferId}/`;
}

/** Extension kept from the name as received (lower case, letters/digits only), else from the MIME type. */
export function extensionFor(originalPath: string, mimeType?: string): string {
  const ext = posix.extname(originalPath).toLowerCase();
  if (/^\.[a-z0-9]{1,8}$/.test(ext)) return ext;
  return mimeType === 'application/pdf' ? '.pdf' : '.bin';
}

export function documentKey(prefix: string, docCode: string, originalPath: string, mimeType?: string): string {
  return `${prefix}data/${keySegment(docCode)}${extensionFor(originalPath, mimeType)}`;
}

export function receiptKey(agencyId: string, transferId: string): string {
  return `${RECEIPT_PREFIX}${keySegment(agencyId)}/${transferId}.pdf`;
}

/** The transfer id inside an archive or staging key (for the janitor), or null. */
export function transferIdOfKey(key: string): string | null {
  const uuid = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;
  if (key.startsWith(STAGING_PREFIX)) return uuid.exec(key.slice(STAGING_PREFIX.length).split('/')[0] ?? '')?.[1] ?? null;
  if (key.startsWith(ARCHIVE_PREFIX)) {
    const segs = key.split('/');
    for (const s of segs) if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s)) return s;
  }
  if (key.startsWith(RECEIPT_PREFIX)) return uuid.exec(key)?.[1] ?? null;
  return null;
}
