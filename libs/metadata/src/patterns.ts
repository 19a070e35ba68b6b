/**
 * Regular expressions shared by the validator and the published JSON Schema, so the two agree.
 * Written as source strings (JSON Schema `pattern`, evaluated with the `u` flag by Ajv) and compiled here.
 */

/** Real Gregorian `YYYY-MM-DD`, years 1000–9999, leap years included (no 2023-02-29, no 2024-04-31). */
export const ISO_DATE_SOURCE =
  '(?:[1-9]\\d{3}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))' +
  '|(?:[1-9]\\d(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)-02-29)';
export const DATE_PATTERN_SOURCE = `^${ISO_DATE_SOURCE}$`;
/** Case-file spans: full date, `YYYY-MM` or `YYYY` (AIP_hoso accepts MM/YYYY and YYYY). */
export const PARTIAL_DATE_PATTERN_SOURCE = `^(?:${ISO_DATE_SOURCE}|[1-9]\\d{3}-(?:0[1-9]|1[0-2])|[1-9]\\d{3})$`;

export const SHA256_PATTERN_SOURCE = '^[0-9a-fA-F]{64}$';

/**
 * Characters never allowed in a document path: backslash, ASCII/C1 controls, Windows-reserved `:*?"<>|`,
 * look-alikes that NFKC folds to `.`, `/`, `\`, `:` or `%` (e.g. U+FF0E `．`, U+2025 `‥`, U+FF0F `／`),
 * other slash look-alikes (U+2215 `∕`, U+2044 `⁄`, U+29F5 `⧵`), and invisible / bidi controls that make a
 * name display differently from what it is.
 */
const PATH_FORBIDDEN =
  '\\\\\\u0000-\\u001f\\u007f-\\u009f:*?"<>|' +
  '\\u2024-\\u2026\\u2100\\u2101\\u2105\\u2106\\u2488-\\u249b\\u2a74\\u33c2\\u33c7\\u33d8' +
  '\\ufe13\\ufe19\\ufe30\\ufe52\\ufe55\\ufe68\\ufe6a\\uff05\\uff0e\\uff0f\\uff1a\\uff3c' +
  '\\u2215\\u2216\\u2044\\u29f5\\u29f8\\u29f9' +
  '\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';
const SEG = `[^/${PATH_FORBIDDEN}]+`;

/**
 * Safe relative path: `/`-separated non-empty segments; not absolute; no drive letter; no `.` or `..`
 * segment; no segment ending in `.` or space (Windows strips them, so two names would collide); no
 * percent-encoded `.`, `/`, `\` or NUL (a later decoding step must not create a traversal).
 */
export const SAFE_PATH_PATTERN_SOURCE =
  '^(?!(?:[^/]*/)*\\.{1,2}(?:/|$))(?!.*[. ](?:/|$))(?!.*%(?:2[eEfF]|5[cC]|00))' + `${SEG}(?:/${SEG})*$`;
export const PATH_MAX = 1024;

export const SHA256_RE = new RegExp(SHA256_PATTERN_SOURCE, 'u');
export const SAFE_PATH_RE = new RegExp(SAFE_PATH_PATTERN_SOURCE, 'u');

export function isSha256(s: unknown): s is string {
  return typeof s === 'string' && SHA256_RE.test(s);
}
