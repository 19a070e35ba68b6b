/**
 * Safe XML reading (untrusted METS/EAD/PREMIS) and small helpers to write XML.
 *
 * Safety: no DTD at all (a DOCTYPE is rejected before parsing, so neither external entities nor
 * entity expansion can happen), bounded size and nesting depth. Namespace prefixes are dropped
 * (`mets:file` and `file` are the same element; `csip:OAISPACKAGETYPE` becomes `OAISPACKAGETYPE`)
 * because producers disagree on prefixes and we only read the METS/CSIP/EAD vocabularies.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { EarkFailure, earkError } from './errors';
import { EarkLimits } from './limits';

export interface XNode {
  /** Local name (namespace prefix removed). */
  name: string;
  /** Attributes by local name. */
  attrs: Record<string, string>;
  children: XNode[];
  /** Concatenated, trimmed character data directly inside this element. */
  text: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseXml(data: Buffer, path: string, limits: Pick<EarkLimits, 'maxXmlBytes' | 'maxXmlDepth'>): XNode {
  if (data.length > limits.maxXmlBytes) {
    throw new EarkFailure(
      earkError('XML_TOO_LARGE', path, `Tệp XML vượt quá ${limits.maxXmlBytes} byte`, `XML file exceeds ${limits.maxXmlBytes} bytes`),
    );
  }
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    throw new EarkFailure(earkError('XML_MALFORMED', path, 'Tệp XML không phải UTF-8 hợp lệ', 'XML file is not valid UTF-8'));
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new EarkFailure(
      earkError('XML_DTD_FORBIDDEN', path, 'Không chấp nhận DTD/khai báo thực thể trong XML', 'DTD and entity declarations are not accepted in XML'),
    );
  }
  const depth = maxDepth(text);
  if (depth > limits.maxXmlDepth) {
    throw new EarkFailure(
      earkError('XML_TOO_DEEP', path, `XML lồng quá ${limits.maxXmlDepth} cấp`, `XML nesting exceeds ${limits.maxXmlDepth} levels`),
    );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new EarkFailure(
      earkError('XML_MALFORMED', path, `XML sai cú pháp (dòng ${line}, cột ${col}): ${msg}`, `Malformed XML (line ${line}, column ${col}): ${msg}`),
    );
  }
  let parsed: unknown[];
  try {
    const parser = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      processEntities: true,
      htmlEntities: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: limits.maxXmlDepth + 1,
    });
    parsed = parser.parse(text) as unknown[];
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new EarkFailure(earkError('XML_MALFORMED', path, `XML sai cú pháp: ${detail}`, `Malformed XML: ${detail}`));
  }
  const roots = convert(parsed);
  if (roots.length !== 1) {
    throw new EarkFailure(earkError('XML_MALFORMED', path, 'XML phải có đúng một phần tử gốc', 'XML must have exactly one root element'));
  }
  return roots[0];
}

/** Nesting depth by a linear scan, before handing the text to a parser (keeps recursion bounded). */
function maxDepth(text: string): number {
  let depth = 0;
  let max = 0;
  const re = /<(\/?)([^\s>/!?]+)[^>]*?(\/?)>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[2] === undefined) continue;
    if (m[1] === '/') depth--;
    else if (m[3] !== '/') {
      depth++;
      if (depth > max) max = depth;
    }
  }
  return max;
}

function convert(items: unknown[]): XNode[] {
  const out: XNode[] = [];
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const rec = item as Record<string, unknown>;
    for (const key of Object.keys(rec)) {
      if (key === ':@' || key === '#text') continue;
      const kids = Array.isArray(rec[key]) ? (rec[key] as unknown[]) : [];
      const attrsRaw = (rec[':@'] ?? {}) as Record<string, unknown>;
      const attrs: Record<string, string> = {};
      for (const [k, v] of Object.entries(attrsRaw)) attrs[k] = String(v);
      const texts: string[] = [];
      for (const k of kids) {
        if (k && typeof k === 'object' && '#text' in (k as object)) texts.push(String((k as Record<string, unknown>)['#text']));
      }
      out.push({ name: key, attrs, children: convert(kids), text: texts.join('').trim() });
    }
  }
  return out;
}

export function child(node: XNode | undefined, name: string): XNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function childrenNamed(node: XNode | undefined, name: string): XNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** All descendants named `name`, document order. Iterative: depth is already bounded but stay cheap. */
export function descendants(node: XNode, name: string): XNode[] {
  const out: XNode[] = [];
  const stack: XNode[] = [...node.children].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (n.name === name) out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

// ---------------------------------------------------------------- writing

export function esc(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 forbids most control characters; drop them rather than emit an unreadable file.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

export function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');
}

/** `<name attrs>text</name>` with escaping; omitted when text is undefined. */
export function el(name: string, text: string | number | undefined, a: Record<string, string | number | undefined> = {}): string {
  if (text === undefined) return '';
  return `<${name}${attrs(a)}>${esc(String(text))}</${name}>`;
}
