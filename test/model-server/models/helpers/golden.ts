import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
export const GOLDEN_DIR = join(REPO_ROOT, 'test', 'model-server', 'fixtures', 'golden');
export const FIXTURE_MODELS_DIR = join(REPO_ROOT, 'test', 'model-server', 'fixtures', 'models');

/** One row of an XGBoost golden file: XGBoost 1.7.4's own outputs for one instance. */
export interface XgbGoldenRow {
  readonly instance: Record<string, unknown>;
  /** The float32 values XGBoost scored (null = missing). */
  readonly features: readonly (number | null)[];
  /** Per class for multiclass. */
  readonly margin: number | number[];
  readonly prediction: number | number[];
  /** [...features, bias], per class for multiclass. */
  readonly contribs: number[] | number[][];
  readonly note: string;
}

export interface XgbGolden {
  readonly model_dir: string;
  readonly generator: string;
  readonly feature_names: readonly string[];
  readonly rows: readonly XgbGoldenRow[];
}

export interface TextGoldenRow {
  readonly instance: { text: string };
  readonly tokens: readonly string[];
  /** Vocabulary column (as a string) -> TF-IDF value, for the columns present. */
  readonly features: Readonly<Record<string, number>>;
  readonly decision: number;
  readonly proba: readonly [number, number];
  readonly note: string;
}

export interface TextGolden {
  readonly model_dir: string;
  readonly rows: readonly TextGoldenRow[];
}

export function readGolden<T = XgbGolden>(name: string): T {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, `${name}.json`), 'utf8')) as T;
}

export function asRows<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Feature vector of a golden row as the forest takes it (NaN = missing). */
export function featureVector(row: XgbGoldenRow): Float64Array {
  return Float64Array.from(row.features, (v) => (v === null ? Number.NaN : v));
}

/**
 * Collects comparisons that fail so one assertion reports all of them with context, and tracks the
 * largest relative error seen (reported by the tests).
 */
export class Comparison {
  readonly failures: string[] = [];
  maxRelative = 0;

  /** |actual - expected| <= rel * |expected| + abs. */
  close(what: string, actual: number, expected: number, rel: number, abs = 0): void {
    const diff = Math.abs(actual - expected);
    if (expected !== 0) this.maxRelative = Math.max(this.maxRelative, diff / Math.abs(expected));
    if (!(diff <= rel * Math.abs(expected) + abs)) {
      this.failures.push(`${what}: got ${actual}, expected ${expected} (diff ${diff.toExponential(2)})`);
    }
  }
}
