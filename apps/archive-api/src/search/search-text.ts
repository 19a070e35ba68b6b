/**
 * Text handling shared by the query builder and the highlighter. It mirrors the SQL side exactly:
 * `search_fold(x)` = vn_unaccent(lower(x)) with runs of non-alphanumerics turned into one space, and
 * `search_code_key(number, notation)` = the same fold with separators turned into '-'. A query folded
 * here therefore finds what the database folded, with or without diacritics, đ ↔ d included.
 */

const COMBINING = /\p{M}/gu;

/** One character (code point) folded: lower case, diacritics stripped, đ → d. May be empty (a lone mark). */
export function foldChar(ch: string): string {
  const lower = ch.toLowerCase();
  if (lower === 'đ') return 'd';
  return lower.normalize('NFD').replace(COMBINING, '');
}

export function fold(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) out += foldChar(ch);
  return out;
}

/** Words as the database sees them: alphanumeric runs of the folded text. */
export function foldedWords(text: string): string[] {
  return fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Lower-cased (accents kept) words: what the exact-accent boost compares with `subject_words`. */
export function accentedWords(text: string): string[] {
  return text.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

export function hasDiacritics(text: string): boolean {
  const t = text.normalize('NFC').toLowerCase();
  return fold(t) !== t;
}

/** `15/QĐ-SNV`, `15/qd snv` → `15-qd-snv` (the `code_key` column). */
export function codeKey(text: string): string {
  return fold(text).replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
}

/** A term of the full-text query: one word, or a quoted phrase (consecutive words), optionally a prefix. */
export interface QueryTerm {
  words: string[];
  prefix: boolean;
}

export interface ParsedQuery {
  /** Words and phrases that must all match the tsvector. */
  terms: QueryTerm[];
  /** Number/notation references (`15/QĐ-SNV`, `15/QĐ`) as code keys: matched exactly or by prefix. */
  codes: string[];
  /** A bare number (`15`): matches a document number OR the text. */
  bareNumber: string | null;
  /** The accented words of the query (only when it has diacritics), for the exact-accent boost. */
  accented: string[];
  /** The folded query, for trigram near misses. */
  folded: string;
}

// A number followed by a slash: the way Vietnamese documents are cited ("số 15/QĐ-SNV", "15/2024/NĐ-CP").
const CODE_TOKEN = /^\d+[\p{L}\p{N}]*\/[\p{L}\p{N}./\-_]*$/u;

export function parseQuery(raw: string): ParsedQuery {
  const q = raw.normalize('NFC').trim();
  const terms: QueryTerm[] = [];
  const codes: string[] = [];
  let bareNumber: string | null = null;
  const plain: string[] = [];
  // Quoted phrases first; the rest is split on whitespace.
  const rest = q.replace(/"([^"]*)"/g, (_m, phrase: string) => {
    const words = foldedWords(phrase);
    if (words.length) terms.push({ words, prefix: false });
    plain.push(phrase);
    return ' ';
  });
  const chunks = rest.split(/\s+/).filter(Boolean);
  if (chunks.length === 1 && /^\d+$/.test(chunks[0]) && terms.length === 0) bareNumber = chunks[0];
  for (const chunk of chunks) {
    const cleaned = chunk.replace(/^[("'“”‘’,;]+|[)"'“”‘’,;.]+$/g, '');
    if (CODE_TOKEN.test(cleaned)) {
      const key = codeKey(cleaned);
      if (key) codes.push(key);
      continue;
    }
    plain.push(chunk);
    const prefix = chunk.endsWith('*');
    const words = foldedWords(chunk);
    words.forEach((w, i) => terms.push({ words: [w], prefix: prefix && i === words.length - 1 }));
  }
  const plainText = plain.join(' ');
  return {
    terms,
    codes,
    bareNumber,
    accented: hasDiacritics(plainText) ? accentedWords(plainText) : [],
    folded: foldedWords(plainText).join(' '),
  };
}

/**
 * The tsquery text for `to_tsquery('simple', …)`. Words are [\p{L}\p{N}]+ after folding, so nothing in
 * them can be tsquery syntax. `weights` ('AB') restricts matches to those weights — callers without
 * `content.read` must not find documents through their body text.
 */
export function toTsQuery(terms: QueryTerm[], weights = ''): string {
  const lexeme = (w: string, prefix: boolean) => `'${w}'${prefix || weights ? ':' : ''}${prefix ? '*' : ''}${weights}`;
  return terms
    .map((t) => (t.words.length === 1 ? lexeme(t.words[0], t.prefix) : `(${t.words.map((w) => lexeme(w, false)).join(' <-> ')})`))
    .join(' & ');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * Marks the query's words in the ORIGINAL (accented) text: the text is folded character by character
 * with a map back to the original offsets, the folded words are found there at word boundaries, and
 * the original spans are wrapped in <mark>. The rest is HTML-escaped. `window` > 0 cuts a snippet
 * around the first match (null when nothing matches).
 */
export function highlight(text: string, words: string[], window = 0): string | null {
  const original = text.normalize('NFC');
  const chars = Array.from(original);
  let folded = '';
  const origStart: number[] = []; // folded index → index into chars
  chars.forEach((ch, i) => {
    const f = foldChar(ch);
    for (let k = 0; k < f.length; k++) origStart.push(i);
    folded += f;
  });
  const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
  const spans: [number, number][] = [];
  const wanted = [...new Set(words.filter(Boolean))].sort((a, b) => b.length - a.length);
  for (const w of wanted) {
    const prefix = w.endsWith('*');
    const needle = prefix ? w.slice(0, -1) : w;
    if (!needle) continue;
    let from = 0;
    for (;;) {
      const at = folded.indexOf(needle, from);
      if (at < 0) break;
      from = at + 1;
      const end = at + needle.length;
      if (isWordChar(folded[at - 1])) continue;
      if (!prefix && isWordChar(folded[end])) continue;
      let stop = end;
      if (prefix) while (isWordChar(folded[stop])) stop++;
      const s = origStart[at];
      const e = origStart[stop - 1] + 1;
      if (!spans.some(([a, b]) => s < b && e > a)) spans.push([s, e]);
    }
  }
  if (spans.length === 0) return window > 0 ? null : escapeHtml(original);
  spans.sort((a, b) => a[0] - b[0]);
  let lo = 0;
  let hi = chars.length;
  if (window > 0 && chars.length > window) {
    lo = Math.max(0, spans[0][0] - Math.floor(window / 3));
    hi = Math.min(chars.length, lo + window);
    // Do not cut words in half.
    while (lo > 0 && isWordChar(chars[lo - 1])) lo--;
    while (hi < chars.length && isWordChar(chars[hi])) hi++;
  }
  let out = lo > 0 ? '…' : '';
  let pos = lo;
  for (const [s, e] of spans) {
    if (s < lo || e > hi) continue;
    out += escapeHtml(chars.slice(pos, s).join('')) + '<mark>' + escapeHtml(chars.slice(s, e).join('')) + '</mark>';
    pos = e;
  }
  out += escapeHtml(chars.slice(pos, hi).join('')) + (hi < chars.length ? '…' : '');
  return out;
}
