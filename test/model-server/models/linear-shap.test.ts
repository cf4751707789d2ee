import { LinearShap } from '../../../model-server/src/explain/linear-shap';

// f(x) = 0.5 + 2·x0 - 3·x1 + 4·x2 against means (0.25, 0.5, 0.125): coef·mean = 0.5 - 1.5 + 0.5 = -0.5.
const coef = Float64Array.of(2, -3, 4);
const mean = Float64Array.of(0.25, 0.5, 0.125);

describe('LinearShap', () => {
  it('puts the intercept plus coef·mean into the base value', () => {
    expect(new LinearShap(coef, mean, 0.5).baseValue).toBe(0);
    expect(new LinearShap(coef, mean, 2).baseValue).toBe(1.5);
  });

  it('gives a present column coef × (x - mean)', () => {
    const shap = new LinearShap(coef, mean, 0.5);
    expect(shap.contribution(0, 1)).toBe(1.5);
    expect(shap.contribution(1, 2)).toBe(-4.5);
    expect(shap.contribution(2, 0.125)).toBe(0);
  });

  it('folds every absent column (value 0) into -coef·mean of those columns', () => {
    const shap = new LinearShap(coef, mean, 0.5);
    expect(shap.absentTotal([])).toBe(0.5);
    // Columns 1 and 2 absent: -(-3·0.5 + 4·0.125) = 1.
    expect(shap.absentTotal([0])).toBe(1);
    // Column 0 absent: -(2·0.25) = -0.5.
    expect(shap.absentTotal(Int32Array.of(1, 2))).toBe(-0.5);
    expect(shap.absentTotal([0, 1, 2])).toBeCloseTo(0, 12);
  });

  it('adds up to f(x): base value + present terms + absent total', () => {
    const shap = new LinearShap(coef, mean, 0.5);
    // x = (0, 2, 1): f = 0.5 - 6 + 4 = -1.5.
    const total =
      shap.baseValue + shap.contribution(1, 2) + shap.contribution(2, 1) + shap.absentTotal([1, 2]);
    expect(total).toBe(-1.5);
  });

  it('refuses coefficients and means of different lengths, naming both', () => {
    expect(() => new LinearShap(coef, Float64Array.of(0, 0), 0)).toThrow('coef has 3 entries, mean 2');
  });
});
