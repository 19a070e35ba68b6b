import { resolveHref, safeName } from './paths';
import { unsafeNameReason } from './zip-reader';

describe('resolveHref', () => {
  it.each([
    ['representations/rep1', 'data/a.pdf', 'representations/rep1/data/a.pdf'],
    ['representations/rep1', './data/a.pdf', 'representations/rep1/data/a.pdf'],
    ['representations/rep1', 'data/T%C3%A0i%20li%E1%BB%87u.pdf', 'representations/rep1/data/Tài liệu.pdf'],
    ['representations/rep1', 'data/100%.pdf', 'representations/rep1/data/100%.pdf'],
    ['representations/rep1', 'file:data/a.pdf', 'representations/rep1/data/a.pdf'],
    ['representations/rep1', '../../METS.xml', 'METS.xml'],
    ['', 'metadata/descriptive/EAD.xml', 'metadata/descriptive/EAD.xml'],
  ])('%s + %s → %s', (base, href, expected) => {
    expect(resolveHref(base, href)).toBe(expected);
  });

  it.each([
    ['representations/rep1', '../../../etc/passwd'],
    ['', '/etc/passwd'],
    ['', 'http://example.org/a.pdf'],
    ['', 'C:/a.pdf'],
    ['', 'file:///etc/passwd'],
    ['', 'data\\a.pdf'],
    ['', 'data/%2e%2e/%2e%2e/x'],
    ['', '.'],
  ])('%s + %s is refused', (base, href) => {
    expect(resolveHref(base, href)).toBeNull();
  });

  it('keeps generated names portable', () => {
    expect(safeName('000.00.12.H05.2024.01/TCCB')).toBe('000.00.12.H05.2024.01_TCCB');
    expect(safeName('..hidden')).toBe('_hidden');
  });

  it('unsafeNameReason accepts ordinary names and refuses the rest', () => {
    expect(unsafeNameReason('representations/rep1/data/a.pdf')).toBeNull();
    expect(unsafeNameReason('dir/')).toBeNull();
    expect(unsafeNameReason('a//b')).not.toBeNull();
    expect(unsafeNameReason('./a')).not.toBeNull();
    expect(unsafeNameReason('a\u0000b')).not.toBeNull();
  });
});
