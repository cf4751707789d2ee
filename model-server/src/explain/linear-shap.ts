/**
 * Exact SHAP values of a linear model f(x) = intercept + coef·x against a background mean (features
 * treated as independent): phi_j = coef_j * (x_j - mean_j), base value = intercept + coef·mean. They add up
 * to f(x) by construction.
 *
 * Text features are sparse, so explanations name each present column and fold all absent columns
 * (x_j = 0, phi_j = -coef_j * mean_j) into one total, computed from a precomputed coef·mean so a request
 * costs O(present terms), not O(vocabulary).
 */
export class LinearShap {
  readonly baseValue: number;
  private readonly coef: Float64Array;
  private readonly mean: Float64Array;
  private readonly coefDotMean: number;

  constructor(coef: Float64Array, mean: Float64Array, intercept: number) {
    if (coef.length !== mean.length) throw new Error(`coef has ${coef.length} entries, mean ${mean.length}`);
    this.coef = coef;
    this.mean = mean;
    let dot = 0;
    for (let j = 0; j < coef.length; j++) dot += coef[j]! * mean[j]!;
    this.coefDotMean = dot;
    this.baseValue = intercept + dot;
  }

  /** phi of present column j with value x. */
  contribution(j: number, x: number): number {
    return this.coef[j]! * (x - this.mean[j]!);
  }

  /** Sum of phi over every column not in `present` (whose value is 0). */
  absentTotal(present: ArrayLike<number>): number {
    let presentDotMean = 0;
    for (let k = 0; k < present.length; k++) {
      const j = present[k]!;
      presentDotMean += this.coef[j]! * this.mean[j]!;
    }
    return -(this.coefDotMean - presentDotMean);
  }
}
