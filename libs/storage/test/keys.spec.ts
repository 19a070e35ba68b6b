import { assertValidKey, assertValidPrefix, InvalidKeyError, InvalidMetadataError, RetentionShortenError } from '@archive/storage';

import { decodeMetaValue, encodeMetaValue, normalizeMetadata } from '../src/keys';
import { assertRetentionChangeAllowed } from '../src/retention';

describe('object keys', () => {
  it('accepts archive-style keys', () => {
    for (const key of ['agency/2024/HS-001/docs/x.pdf', 'a', 'Quyết định/Đơn 01.pdf', 'a/b c/d+e@f.pdf', 'x'.repeat(240)]) {
      expect(() => assertValidKey(key)).not.toThrow();
    }
  });

  it.each([
    ['empty', ''],
    ['absolute', '/abs/x'],
    ['dot segment', 'a/../b'],
    ['dot segment', '..'],
    ['dot segment', 'a/./b'],
    ['empty segment', 'a//b'],
    ['trailing slash', 'a/'],
    ['backslash', 'a\\b'],
    ['NUL', 'a\0b'],
    ['control', 'a\tb'],
    ['drive', 'C:/x'],
    ['hidden', '.meta'],
    ['temp name', 'a/.tmp-123'],
    ['long segment', 'x'.repeat(241)],
    ['over 1024 bytes', `${'a/'.repeat(600)}b`],
    ['not NFC', 'Quye\u0301t'],
  ])('rejects %s', (_label, key) => {
    expect(() => assertValidKey(key)).toThrow(InvalidKeyError);
  });

  it('accepts list prefixes ending in / or mid-segment', () => {
    for (const p of ['', 'agency/', 'agency/20', 'a/b/']) expect(() => assertValidPrefix(p)).not.toThrow();
    for (const p of ['/', '../', 'a//', '/a']) expect(() => assertValidPrefix(p)).toThrow(InvalidKeyError);
  });
});

describe('metadata', () => {
  it('lower-cases keys and refuses reserved or malformed ones', () => {
    expect(normalizeMetadata({ 'Doc-Id': '1' })).toEqual({ 'doc-id': '1' });
    expect(() => normalizeMetadata({ sha256: 'x' })).toThrow(InvalidMetadataError);
    expect(() => normalizeMetadata({ 'content-type': 'x' })).toThrow(InvalidMetadataError);
    expect(() => normalizeMetadata({ 'bad key': 'x' })).toThrow(InvalidMetadataError);
    expect(() => normalizeMetadata({ a: 'x', A: 'y' })).toThrow(InvalidMetadataError);
    expect(() => normalizeMetadata({ big: 'x'.repeat(5000) })).toThrow(InvalidMetadataError);
  });

  it('round-trips non-ASCII values through header-safe encoding', () => {
    for (const v of ['plain', 'Nguyễn Văn A', ' padded ', '=?UTF-8?B?abc?=', '']) {
      const enc = encodeMetaValue(v);
      expect(enc).toMatch(/^[\x20-\x7e]*$/);
      expect(decodeMetaValue(enc)).toBe(v);
    }
  });
});

describe('retention changes', () => {
  const now = Date.now();
  const at = (s: number) => new Date(now + s * 1000);
  const ok = (cur: Parameters<typeof assertRetentionChangeAllowed>[1], req: Parameters<typeof assertRetentionChangeAllowed>[2], bypass = false) =>
    () => assertRetentionChangeAllowed('k', cur, req, bypass, now);

  it('allows extending and raising, refuses shortening and weakening', () => {
    expect(ok(null, { mode: 'COMPLIANCE', until: at(10) })).not.toThrow();
    expect(ok({ mode: 'COMPLIANCE', until: at(10) }, { mode: 'COMPLIANCE', until: at(20) })).not.toThrow();
    expect(ok({ mode: 'GOVERNANCE', until: at(10) }, { mode: 'COMPLIANCE', until: at(10) })).not.toThrow();
    expect(ok({ mode: 'COMPLIANCE', until: at(10) }, { mode: 'COMPLIANCE', until: at(5) })).toThrow(RetentionShortenError);
    expect(ok({ mode: 'COMPLIANCE', until: at(10) }, { mode: 'GOVERNANCE', until: at(50) })).toThrow(RetentionShortenError);
    expect(ok({ mode: 'COMPLIANCE', until: at(10) }, { mode: 'COMPLIANCE', until: at(5) }, true)).toThrow(RetentionShortenError);
    expect(ok({ mode: 'GOVERNANCE', until: at(10) }, { mode: 'GOVERNANCE', until: at(5) })).toThrow(RetentionShortenError);
    expect(ok({ mode: 'GOVERNANCE', until: at(10) }, { mode: 'GOVERNANCE', until: at(5) }, true)).not.toThrow();
    // an expired retention no longer constrains anything
    expect(ok({ mode: 'COMPLIANCE', until: at(-1) }, { mode: 'GOVERNANCE', until: at(5) })).not.toThrow();
  });
});
