import { codeKey, fold, foldedWords, highlight, parseQuery, toTsQuery } from './search-text';

describe('search text', () => {
  it('folds Vietnamese like vn_unaccent(lower(x)), đ/Đ included', () => {
    expect(fold('Quyết định BỔ NHIỆM Đống Đa')).toBe('quyet dinh bo nhiem dong da');
    expect(fold('Quyê\u0301t')).toBe('quyet'); // decomposed input (NFD) folds the same
    expect(foldedWords('Sở Nội vụ, tỉnh Bình Định (2024)')).toEqual(['so', 'noi', 'vu', 'tinh', 'binh', 'dinh', '2024']);
  });

  it('normalises numbers and notations to one key', () => {
    for (const s of ['15/QĐ-SNV', '15/QD-SNV', '15/qđ-snv', '15 / qd snv']) expect(codeKey(s)).toBe('15-qd-snv');
  });

  it('parses words, phrases, prefixes, codes and bare numbers', () => {
    const q = parseQuery('"cán bộ" bổ nhiệm* số 15/QĐ-SNV');
    expect(q.terms).toEqual([
      { words: ['can', 'bo'], prefix: false },
      { words: ['bo'], prefix: false },
      { words: ['nhiem'], prefix: true },
      { words: ['so'], prefix: false },
    ]);
    expect(q.codes).toEqual(['15-qd-snv']);
    expect(q.accented).toEqual(['cán', 'bộ', 'bổ', 'nhiệm', 'số']);
    expect(parseQuery('15').bareNumber).toBe('15');
    expect(parseQuery('quyet dinh').accented).toEqual([]);
    expect(toTsQuery(q.terms, 'AB')).toBe("('can':AB <-> 'bo':AB) & 'bo':AB & 'nhiem':*AB & 'so':AB");
  });

  it('never lets query syntax through to tsquery', () => {
    const q = parseQuery("a' | !b & (c) <-> d:* '\\");
    expect(toTsQuery(q.terms)).toBe("'a' & 'b' & 'c' & 'd':*"); // a trailing * is our prefix syntax
  });

  it('marks the accented original where the folded query matched, escaping the rest', () => {
    expect(highlight('Quyết định <bổ nhiệm> Đống Đa', ['quyet', 'dinh', 'dong', 'da'])).toBe(
      '<mark>Quyết</mark> <mark>định</mark> &lt;bổ nhiệm&gt; <mark>Đống</mark> <mark>Đa</mark>',
    );
    // Whole words only; a prefix term extends to the end of the word.
    expect(highlight('Đa dạng, đà', ['da'])).toBe('Đa dạng, <mark>đà</mark>'.replace('Đa', '<mark>Đa</mark>'));
    expect(highlight('nhiệm vụ', ['nhi*'])).toBe('<mark>nhiệm</mark> vụ');
    const long = `${'mở đầu '.repeat(60)}thôn Thạch Hãn ${'kết thúc '.repeat(60)}`;
    const snippet = highlight(long, ['thach', 'han'], 120) as string;
    expect(snippet).toContain('<mark>Thạch</mark> <mark>Hãn</mark>');
    expect(snippet.startsWith('…')).toBe(true);
    expect(highlight(long, ['khong'], 120)).toBeNull();
  });
});
