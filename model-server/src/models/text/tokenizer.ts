/**
 * scikit-learn's default word analyzer (`CountVectorizer(token_pattern=r"(?u)\b\w\w+\b")`) on Unicode
 * text, as Python runs it:
 *
 * - Python's `\w` on str matches a character for which `str.isalnum()` is true (Unicode categories L*,
 *   Nd, Nl, No) or `_`. It does NOT match combining marks (Mn, Mc, Me): "e\u0301" splits after the "e".
 *   `[\p{L}\p{N}_]` is that set exactly: compared over every code point, it agrees with Python 3.11's `re`
 *   on all characters assigned in Unicode 14.0 (Python 3.11's database); it differs only on characters
 *   assigned later, which Python 3.11 does not know and treats as non-word.
 * - `\b\w\w+\b` finds maximal runs of two or more word characters, which is what the global regex below
 *   matches (greedy, so each match is a whole run).
 * - Lowercasing: JavaScript's toLowerCase and Python's str.lower both apply Unicode's full lowercase
 *   mapping with the Final_Sigma rule ("ΟΔΥΣΣΕΥΣ" -> "οδυσσευς", "İ" -> "i\u0307", which then splits
 *   at the combining dot); they agree on every code point assigned in Unicode 14.0.
 * - n-grams: sklearn's `_word_ngrams`, tokens joined by one space, unigrams first.
 */

const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

/** The tokens of `text`, lowercased first when `lowercase` is set (sklearn's preprocessor). */
export function tokenize(text: string, lowercase: boolean): string[] {
  const source = lowercase ? text.toLowerCase() : text;
  return source.match(TOKEN) ?? [];
}

/** Word n-grams for n in [minN, maxN], in sklearn's order (all n-grams of size minN first, then minN+1 …). */
export function wordNgrams(tokens: readonly string[], minN: number, maxN: number): string[] {
  if (maxN === 1) return minN === 1 ? [...tokens] : [];
  const out: string[] = [];
  let from = minN;
  if (minN === 1) {
    // A loop, not push(...tokens): spreading a client-sized list overflows the stack past ~100k entries.
    for (const token of tokens) out.push(token);
    from = 2;
  }
  const upto = Math.min(maxN, tokens.length);
  for (let n = from; n <= upto; n++) {
    for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(' '));
  }
  return out;
}

/** The analyzer of a vectorizer: text -> the terms it counts (before the vocabulary filter). */
export function analyze(text: string, lowercase: boolean, ngramRange: readonly [number, number]): string[] {
  return wordNgrams(tokenize(text, lowercase), ngramRange[0], ngramRange[1]);
}
