import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModels } from '../../../model-server/src/models/loader';
import { ABSENT_TERMS, TextModel } from '../../../model-server/src/models/text/text-model';
import { parseTfidfLogreg } from '../../../model-server/src/models/text/tfidf-artifact';
import { Comparison, REPO_ROOT, readGolden, type TextGolden } from './helpers/golden';

const golden = readGolden<TextGolden>('nlpinsight');
const bundleDir = join(REPO_ROOT, golden.model_dir);
const artifact = JSON.parse(readFileSync(join(bundleDir, 'model.json'), 'utf8'));
let model: TextModel;

beforeAll(async () => {
  const [loaded] = await loadModels({ dir: bundleDir });
  expect(loaded).toBeInstanceOf(TextModel);
  model = loaded as TextModel;
});

describe('nlpinsight bundle as written by npm run train', () => {
  it('has weights rounded to 6 decimals, so retraining on another CPU (BLAS) writes the same bytes', () => {
    // nlpinsight.py WEIGHT_DECIMALS: digits past it are solver noise that differs between machines.
    const weights: number[] = [...artifact.coef, artifact.intercept];
    expect(weights.filter((w) => Math.round(w * 1e6) / 1e6 !== w)).toEqual([]);
    expect(weights.filter((w) => w !== 0).length).toBeGreaterThan(1000);
  });
});

describe('nlpinsight against scikit-learn 1.2.1', () => {
  it('computes the same TF-IDF vectors (columns and values)', () => {
    const c = new Comparison();
    golden.rows.forEach((row, i) => {
      const v = model.vectorize(row.instance.text);
      const expectedColumns = Object.keys(row.features)
        .map(Number)
        .sort((a, b) => a - b);
      expect([...v.columns]).toEqual(expectedColumns);
      for (const [k, j] of v.columns.entries()) {
        c.close(`row ${i} column ${j}`, v.values[k]!, row.features[String(j)]!, 1e-12);
      }
    });
    expect(c.failures).toEqual([]);
  });

  it('predicts the same decision, probabilities and label', () => {
    const predictions = model.predict(
      golden.rows.map((r) => r.instance),
      { explain: false },
    );
    const c = new Comparison();
    golden.rows.forEach((row, i) => {
      const p = predictions[i]!;
      c.close(`row ${i} P(negative)`, p.probabilities!.negative!, row.proba[0], 1e-6, 1e-15);
      c.close(`row ${i} P(positive)`, p.probability!, row.proba[1], 1e-6);
      expect(p.label).toBe(row.decision > 0 ? 'positive' : 'negative');
      c.close(
        `row ${i} decision`,
        model.decision(model.vectorize(row.instance.text)),
        row.decision,
        1e-9,
        1e-12,
      );
    });
    expect(c.failures).toEqual([]);
    expect(c.maxRelative).toBeLessThan(1e-9);
  });

  it('explains with exact linear SHAP: per present term, absent terms summed, additive to the decision', () => {
    const coef: number[] = artifact.coef;
    const mean: number[] = artifact.feature_mean;
    const terms = Object.entries(artifact.vocabulary as Record<string, number>);
    const term = new Map(terms.map(([t, j]) => [j, t]));
    const baseValue = artifact.intercept + coef.reduce((s, c, j) => s + c * mean[j]!, 0);
    const predictions = model.predict(
      golden.rows.map((r) => r.instance),
      { explain: true },
    );
    const c = new Comparison();
    golden.rows.forEach((row, i) => {
      const e = predictions[i]!.explanation!;
      expect(e.outputSpace).toBe('log_odds');
      c.close(`row ${i} baseValue`, e.baseValue, baseValue, 1e-12);
      c.close(`row ${i} margin`, e.margin, row.decision, 1e-9, 1e-12);
      const present = Object.keys(row.features).map(Number);
      expect(Object.keys(e.contributions).sort()).toEqual(
        [...present.map((j) => term.get(j)!), ABSENT_TERMS].sort(),
      );
      for (const j of present) {
        const expected = coef[j]! * (row.features[String(j)]! - mean[j]!);
        c.close(`row ${i} ${term.get(j)}`, e.contributions[term.get(j)!]!, expected, 1e-9, 1e-15);
      }
      // Every column the text lacks has x = 0: phi = -coef * mean, summed by brute force here.
      const absent = coef.reduce((s, cj, j) => (present.includes(j) ? s : s - cj * mean[j]!), 0);
      c.close(`row ${i} absent`, e.contributions[ABSENT_TERMS]!, absent, 1e-9, 1e-12);
      const sum = Object.values(e.contributions).reduce((a, b) => a + b, 0);
      c.close(`row ${i} additivity`, e.baseValue + sum, e.margin, 0, 1e-12);
      expect(Object.keys(e.fieldContributions)).toEqual(['text']);
      c.close(`row ${i} field`, e.fieldContributions.text!, sum, 0, 1e-12);
    });
    expect(c.failures).toEqual([]);
  });

  it('scores a text without vocabulary terms at the intercept, with all weight on absent terms', () => {
    const [p] = model.predict([{ text: 'zzqx qqqq' }], { explain: true });
    expect(p!.explanation!.margin).toBe(artifact.intercept);
    expect(Object.keys(p!.explanation!.contributions)).toEqual([ABSENT_TERMS]);
  });

  it('passes its self-test and rejects a text over maxLength', () => {
    expect(() => model.selfTest()).not.toThrow();
    expect(() => model.predict([{ text: 'x'.repeat(5001) }], { explain: false })).toThrow(
      /instances\[0\]\.text is 5001 characters long; at most 5000 are allowed/,
    );
    expect(() => model.predict([{ text: 5 }], { explain: false })).toThrow(
      /instances\[0\]\.text expected a string of at most 5000 characters, got the number 5/,
    );
  });
});

describe('tfidf-logreg/v1 artifact checks', () => {
  it.each([
    ['format', { format: 'tfidf/v0' }, /format: expected "tfidf-logreg\/v1", got "tfidf\/v0"/],
    ['token_pattern', { token_pattern: '\\S+' }, /token_pattern: only sklearn's default/],
    [
      'ngram_range',
      { ngram_range: [2, 1] },
      /ngram_range: expected \[min_n, max_n\] with 1 <= min_n <= max_n/,
    ],
    ['norm', { norm: 'max' }, /norm: expected "l2", "l1" or null/],
    ['coef length', { coef: [1, 2] }, /coef: expected an array of 1762 numbers/],
    ['intercept', { intercept: 'x' }, /intercept: expected a finite number, got "x"/],
    ['classes', { classes: ['a'] }, /classes: expected the 2 class labels/],
    ['vocabulary', { vocabulary: { a: 0, b: 0 } }, /vocabulary: column 0 is used by "a" and "b"/],
  ])('rejects a bad %s', (_what, patch, message) => {
    expect(() => parseTfidfLogreg({ ...artifact, ...patch }, 'text.json')).toThrow(message);
    expect(() => parseTfidfLogreg({ ...artifact, ...patch }, 'text.json')).toThrow(/^text\.json: invalid/);
  });

  it('supports n-grams, sublinear tf and l1 norm', () => {
    const tiny = parseTfidfLogreg(
      {
        format: 'tfidf-logreg/v1',
        ngram_range: [1, 2],
        norm: 'l1',
        sublinear_tf: true,
        vocabulary: { good: 0, 'not good': 1, not: 2 },
        idf: [1, 2, 1.5],
        coef: [1, -3, -0.5],
        intercept: 0.25,
        feature_mean: [0.1, 0.1, 0.1],
        classes: ['neg', 'pos'],
      },
      'tiny',
    );
    const textModel = new TextModel(
      'tiny',
      {
        name: 'tiny',
        version: '1',
        kind: 'linear-text',
        task: 'binary_classification',
        artifact: 'm.json',
        inputs: [{ name: 'review', type: 'string' }],
        example: { review: 'good' },
      },
      tiny,
      'tiny',
    );
    // "Not good, not good" -> not: 2, good: 2, "not good": 2; sublinear tf = 1 + ln 2 for each.
    const v = textModel.vectorize('Not good, not good');
    const tf = 1 + Math.log(2);
    const raw = [tf * 1, tf * 2, tf * 1.5];
    const l1 = raw.reduce((a, b) => a + b, 0);
    expect([...v.columns]).toEqual([0, 1, 2]);
    for (const [k, r] of raw.entries()) expect(v.values[k]).toBeCloseTo(r / l1, 14);
    const [p] = textModel.predict([{ review: 'Not good, not good' }], { explain: true });
    // The one field's contribution is the sum of its terms' (absent terms included), never NaN.
    const terms = Object.values(p!.explanation!.contributions).reduce((a, b) => a + b, 0);
    expect(Object.keys(p!.explanation!.fieldContributions)).toEqual(['review']);
    expect(Number.isFinite(p!.explanation!.fieldContributions.review)).toBe(true);
    expect(p!.explanation!.fieldContributions.review).toBeCloseTo(terms, 12);
    expect(p!.explanation!.contributions['not good']).toBeCloseTo(-3 * (raw[1]! / l1 - 0.1), 14);
  });
});
