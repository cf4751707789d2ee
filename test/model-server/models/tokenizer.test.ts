import { analyze, tokenize, wordNgrams } from '../../../model-server/src/models/text/tokenizer';
import { readGolden, type TextGolden } from './helpers/golden';

describe("tokenize: sklearn's default token_pattern (?u)\\b\\w\\w+\\b after str.lower()", () => {
  it.each([
    ['precomposed accents stay in the word', 'Crème Brûlée', ['crème', 'brûlée']],
    // U+0301 COMBINING ACUTE ACCENT is category Mn: not \w in Python, so the word splits around it.
    ['combining marks are not word characters', 'cafe\u0301 nai\u0308ve', ['cafe', 'nai', 've']],
    // क ् ष म ा: the virama (Mn) and the vowel sign ा (Mc) are marks; "क" alone is too short.
    ['spacing combining marks (Mc) split too', 'क्षमा', ['षम']],
    ['CJK runs are one token', '日本のカフェ最高 東京', ['日本のカフェ最高', '東京']],
    ['Hangul', '정말 좋아요', ['정말', '좋아요']],
    ['digits of other scripts are \\w (Nd)', '٣٤ १२ x٣', ['٣٤', '१२', 'x٣']],
    ['letter-like numbers are \\w (No, Nl)', '½ ²³ Ⅻ Ⅻx', ['²³', 'ⅻx']],
    ['underscore is \\w, other connector punctuation is not', 'a_b ‿x __ a‿b', ['a_b', '__']],
    ['astral-plane letters count as one character each', '𝐠𝐫𝐞𝐚𝐭 𝐠', ['𝐠𝐫𝐞𝐚𝐭']],
    ['emoji and symbols separate words', 'good👍great ✓ok', ['good', 'great', 'ok']],
    ['apostrophes split and drop one-letter pieces', "don't it's", ['don', 'it']],
  ])('%s', (_what, text, expected) => {
    expect(tokenize(text, true)).toEqual(expected);
  });

  it("lowercases like Python's str.lower", () => {
    // İ -> i + U+0307 (a combining mark, so the word splits); ẞ -> ß; final Σ -> ς, medial -> σ.
    expect(tokenize('İstanbul', true)).toEqual(['stanbul']);
    expect(tokenize('GROẞE', true)).toEqual(['große']);
    expect(tokenize('ΟΔΟΣ ΣΟΦΟΣ', true)).toEqual(['οδος', 'σοφος']);
    expect(tokenize('ǅemal', true)).toEqual(['ǆemal']);
  });

  it('keeps case when lowercase is off', () => {
    expect(tokenize('Hello WORLD', false)).toEqual(['Hello', 'WORLD']);
  });

  it('finds nothing in empty, blank or one-letter text', () => {
    expect(tokenize('', true)).toEqual([]);
    expect(tokenize(' \t\n', true)).toEqual([]);
    expect(tokenize('a b c', true)).toEqual([]);
  });
});

describe('wordNgrams, in sklearn _word_ngrams order', () => {
  const tokens = ['aa', 'bb', 'cc'];
  it.each([
    [1, 1, ['aa', 'bb', 'cc']],
    [1, 2, ['aa', 'bb', 'cc', 'aa bb', 'bb cc']],
    [2, 3, ['aa bb', 'bb cc', 'aa bb cc']],
    [1, 3, ['aa', 'bb', 'cc', 'aa bb', 'bb cc', 'aa bb cc']],
    [2, 2, ['aa bb', 'bb cc']],
  ] as const)('ngram_range (%i, %i)', (min, max, expected) => {
    expect(wordNgrams(tokens, min, max)).toEqual(expected);
  });

  it('takes any number of tokens: no spread of the token list onto the stack', () => {
    const many = Array.from({ length: 300_000 }, (_, i) => `t${i}`);
    const grams = wordNgrams(many, 1, 2);
    expect(grams).toHaveLength(300_000 + 299_999);
    expect(grams[299_999]).toBe('t299999');
    expect(grams[300_000]).toBe('t0 t1');
  });

  it('gives no n-grams longer than the text', () => {
    expect(wordNgrams(['aa'], 2, 3)).toEqual([]);
    expect(analyze('Aa bb', true, [1, 4])).toEqual(['aa', 'bb', 'aa bb']);
  });
});

describe('tokens of the nlpinsight golden rows (scikit-learn 1.2.1 on Python 3.11)', () => {
  const golden = readGolden<TextGolden>('nlpinsight');

  it('has non-ASCII rows to check', () => {
    expect(golden.rows.filter((r) => /[^\p{ASCII}]/u.test(r.instance.text)).length).toBeGreaterThan(10);
  });

  it.each(golden.rows.map((r, i) => [i, r.note, r] as const))('row %i: %s', (_i, _note, row) => {
    expect(tokenize(row.instance.text, true)).toEqual(row.tokens);
  });
});
