/** Package-internal path handling shared by the reader and the writer. */
import * as posix from 'node:path/posix';

/**
 * Resolves a METS href against the folder of the METS file that contains it. Returns null when the
 * href cannot denote a file inside the package (absolute URL/path, escapes the package root).
 * Accepted deviations: percent-encoding (`%20`), a leading `./`, a `file:` scheme without host.
 */
export function resolveHref(baseDir: string, href: string, decode = true): string | null {
  let h = href.trim();
  if (h.startsWith('file:')) {
    h = h.replace(/^file:(\/\/)?/, '');
    if (h.startsWith('/')) return null;
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(h)) return null; // http:, urn:, C:
  if (h.startsWith('/') || h.includes('\\') || h.includes('\u0000')) return null;
  if (decode) {
    try {
      h = decodeURIComponent(h);
    } catch {
      /* a literal `%` in a name: use the href as written */
    }
  }
  if (h.includes('\\') || h.includes('\u0000')) return null;
  const joined = posix.normalize(posix.join(baseDir || '.', h));
  if (joined === '.' || joined.startsWith('../') || joined === '..' || posix.isAbsolute(joined)) return null;
  return joined.normalize('NFC');
}

export function dirOf(path: string): string {
  const d = posix.dirname(path);
  return d === '.' ? '' : d;
}

/** Characters allowed in names we generate; anything else becomes `_` (keeps names portable). */
export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
}
