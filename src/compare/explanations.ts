/**
 * The cross-platform correctness check: the same instance must get the same SHAP contributions from every
 * target as from the local server. Every target runs the same server code on the same model, and the
 * computation is deterministic IEEE-754 double arithmetic, so the tolerance is only for a JSON round trip.
 */
export const RELATIVE_TOLERANCE = 1e-9;
export const ABSOLUTE_TOLERANCE = 1e-12;

/** The explanation inside one prediction object, when there is one. */
export interface Explanation {
  readonly baseValue?: number;
  readonly contributions: Readonly<Record<string, number>>;
}

export function explanationOf(prediction: unknown): Explanation | undefined {
  if (typeof prediction !== 'object' || prediction === null) return undefined;
  const explanation = (prediction as { explanation?: unknown }).explanation;
  if (typeof explanation !== 'object' || explanation === null) return undefined;
  const contributions = (explanation as { contributions?: unknown }).contributions;
  if (typeof contributions !== 'object' || contributions === null) return undefined;
  return explanation as Explanation;
}

const close = (a: number, b: number) =>
  Math.abs(a - b) <= Math.max(ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b)));

/** `undefined` when they agree, else the first difference in words. */
export function explanationDifference(got: Explanation, want: Explanation): string | undefined {
  const names = new Set([...Object.keys(got.contributions), ...Object.keys(want.contributions)]);
  for (const name of names) {
    const a = got.contributions[name];
    const b = want.contributions[name];
    if (typeof a !== 'number' || typeof b !== 'number') return `contribution ${name}: got ${a}, local ${b}`;
    if (!close(a, b)) return `contribution ${name}: got ${a}, local ${b}`;
  }
  if (
    want.baseValue !== undefined &&
    (got.baseValue === undefined || !close(got.baseValue, want.baseValue))
  ) {
    return `baseValue: got ${got.baseValue}, local ${want.baseValue}`;
  }
  return undefined;
}
