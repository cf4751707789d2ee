/**
 * The linear text model artifact (`"format": "tfidf-logreg/v1"`): a scikit-learn TfidfVectorizer followed
 * by a binary LogisticRegression, exported by the training script as plain JSON.
 */

export const TEXT_FORMAT = 'tfidf-logreg/v1';
/** sklearn's default token_pattern, the only one the tokenizer implements. */
export const DEFAULT_TOKEN_PATTERN = '(?u)\\b\\w\\w+\\b';
const NORMS = ['l2', 'l1', null] as const;

export interface TfidfLogreg {
  readonly lowercase: boolean;
  readonly ngramRange: readonly [number, number];
  readonly norm: 'l2' | 'l1' | null;
  readonly useIdf: boolean;
  readonly sublinearTf: boolean;
  /** Term -> column. */
  readonly vocabulary: ReadonlyMap<string, number>;
  /** Column -> term. */
  readonly terms: readonly string[];
  readonly idf: Float64Array;
  readonly coef: Float64Array;
  readonly intercept: number;
  /** Training mean of each TF-IDF column: the background of the linear SHAP values. */
  readonly featureMean: Float64Array;
  readonly classes: readonly [string, string];
}

function finiteArray(value: unknown, field: string, length: number, problems: string[]): Float64Array {
  if (!Array.isArray(value) || value.length !== length) {
    problems.push(`${field}: expected an array of ${length} numbers (one per vocabulary term)`);
    return new Float64Array(length);
  }
  const bad = value.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0)
    problems.push(`${field}[${bad}]: expected a finite number, got ${JSON.stringify(value[bad])}`);
  return Float64Array.from(value as number[]);
}

/** Checks a parsed artifact; every problem is listed in one Error prefixed with `source` (the file). */
export function parseTfidfLogreg(json: unknown, source: string): TfidfLogreg {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${source}: expected a JSON object in the ${TEXT_FORMAT} format`);
  }
  const a = json as Record<string, unknown>;
  const problems: string[] = [];
  if (a.format !== TEXT_FORMAT)
    problems.push(`format: expected "${TEXT_FORMAT}", got ${JSON.stringify(a.format)}`);
  const lowercase = a.lowercase ?? true;
  if (typeof lowercase !== 'boolean') problems.push('lowercase: expected true or false');
  const pattern = a.token_pattern ?? DEFAULT_TOKEN_PATTERN;
  if (pattern !== DEFAULT_TOKEN_PATTERN) {
    problems.push(
      `token_pattern: only sklearn's default ${JSON.stringify(DEFAULT_TOKEN_PATTERN)} is supported`,
    );
  }
  const range = a.ngram_range ?? [1, 1];
  const rangeOk =
    Array.isArray(range) &&
    range.length === 2 &&
    range.every((n) => Number.isInteger(n)) &&
    range[0] >= 1 &&
    range[0] <= range[1];
  if (!rangeOk) problems.push(`ngram_range: expected [min_n, max_n] with 1 <= min_n <= max_n`);
  const norm = a.norm === undefined ? 'l2' : a.norm;
  if (!NORMS.includes(norm as (typeof NORMS)[number])) problems.push('norm: expected "l2", "l1" or null');
  const useIdf = a.use_idf ?? true;
  const sublinearTf = a.sublinear_tf ?? false;
  if (typeof useIdf !== 'boolean') problems.push('use_idf: expected true or false');
  if (typeof sublinearTf !== 'boolean') problems.push('sublinear_tf: expected true or false');

  const vocabulary = new Map<string, number>();
  let terms: string[] = [];
  if (typeof a.vocabulary !== 'object' || a.vocabulary === null || Array.isArray(a.vocabulary)) {
    problems.push('vocabulary: expected an object mapping each term to its column');
  } else {
    const entries = Object.entries(a.vocabulary as Record<string, unknown>);
    terms = new Array(entries.length);
    for (const [term, index] of entries) {
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= entries.length) {
        problems.push(`vocabulary[${JSON.stringify(term)}]: expected a column in 0..${entries.length - 1}`);
      } else if (terms[index] !== undefined) {
        problems.push(
          `vocabulary: column ${index} is used by ${JSON.stringify(terms[index])} and ${JSON.stringify(term)}`,
        );
      } else {
        terms[index] = term;
        vocabulary.set(term, index);
      }
    }
    if (entries.length === 0) problems.push('vocabulary: is empty');
  }
  const n = terms.length;
  const idf = useIdf === false ? new Float64Array(n).fill(1) : finiteArray(a.idf, 'idf', n, problems);
  const coef = finiteArray(a.coef, 'coef', n, problems);
  const featureMean = finiteArray(a.feature_mean, 'feature_mean', n, problems);
  if (typeof a.intercept !== 'number' || !Number.isFinite(a.intercept)) {
    problems.push(`intercept: expected a finite number, got ${JSON.stringify(a.intercept)}`);
  }
  const classes = a.classes;
  if (!Array.isArray(classes) || classes.length !== 2 || !classes.every((c) => typeof c === 'string')) {
    problems.push('classes: expected the 2 class labels of the binary classifier, in sklearn classes_ order');
  }
  if (problems.length > 0)
    throw new Error(`${source}: invalid ${TEXT_FORMAT} artifact: ${problems.join('; ')}`);
  return {
    lowercase: lowercase as boolean,
    ngramRange: range as [number, number],
    norm: norm as TfidfLogreg['norm'],
    useIdf: useIdf as boolean,
    sublinearTf: sublinearTf as boolean,
    vocabulary,
    terms,
    idf,
    coef,
    intercept: a.intercept as number,
    featureMean,
    classes: classes as [string, string],
  };
}
