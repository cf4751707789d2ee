import { LeafTableShap } from '../../../model-server/src/explain/leaf-table-shap';
import { TreeShap } from '../../../model-server/src/explain/tree-shap';
import { parseBoosterJson } from '../../../model-server/src/models/xgboost/booster-json';
import { Forest } from '../../../model-server/src/models/xgboost/forest';
import { boosterJson, bruteForceShap, leaf, prng, randomTree, split, type TestNode } from './helpers/trees';

function forestOf(trees: TestNode[], numFeature: number, baseScore = '5E-1'): Forest {
  return new Forest(
    parseBoosterJson(boosterJson({ trees, numFeature, baseScore, objective: 'reg:squarederror' }), 'test'),
  );
}

/** SHAP values with leaf tables (default) and with the recursion only (tableBudget 0). */
function explainBoth(forest: Forest, x: number[]): { table: number[]; path: number[] } {
  const table = new TreeShap(forest);
  const path = new TreeShap(forest, { tableBudget: 0 });
  const a = new Float64Array(forest.numGroups * (forest.numFeatures + 1));
  const b = new Float64Array(a.length);
  const xv = Float64Array.from(x, (v) => Math.fround(v));
  table.explain(xv, a);
  path.explain(xv, b);
  return { table: [...a], path: [...b] };
}

describe('TreeSHAP on hand-computed trees', () => {
  // Root on f0 (cover 10): left leaf 1.0 (cover 4), right leaf -1.0 (cover 6). E[f] = (4 - 6) / 10 = -0.2.
  const stump = split(0, 0.5, leaf(1, 4), leaf(-1, 6));

  it('gives a stump its leaf minus the expected value', () => {
    const forest = forestOf([stump], 2, '0');
    for (const { table, path } of [explainBoth(forest, [0, 7])]) {
      for (const phi of [table, path]) {
        expect(phi[0]).toBeCloseTo(1.2, 12);
        expect(phi[1]).toBe(0);
        expect(phi[2]).toBeCloseTo(-0.2, 6);
      }
    }
  });

  it('follows default_left for a missing value (both directions)', () => {
    const right = forestOf([stump], 1, '0');
    expect(explainBoth(right, [Number.NaN]).table[0]).toBeCloseTo(-0.8, 12);
    const leftDefault = forestOf([split(0, 0.5, leaf(1, 4), leaf(-1, 6), true)], 1, '0');
    expect(explainBoth(leftDefault, [Number.NaN]).path[0]).toBeCloseTo(1.2, 12);
    expect(explainBoth(leftDefault, [Number.NaN]).table[0]).toBeCloseTo(1.2, 12);
  });

  it('sends a value equal to the threshold right, as XGBoost does (only x < threshold goes left)', () => {
    const leftDefault = split(0, 0.5, leaf(1, 4), leaf(-1, 6), true);
    for (const tree of [stump, leftDefault]) {
      const { table, path } = explainBoth(forestOf([tree], 1, '0'), [0.5]);
      expect(table[0]).toBeCloseTo(-0.8, 12);
      expect(path[0]).toBeCloseTo(-0.8, 12);
    }
  });

  it('compares -0 with a threshold of 0 as +0 (they are equal: right)', () => {
    const { table, path } = explainBoth(forestOf([split(0, 0, leaf(1, 4), leaf(-1, 6))], 1, '0'), [-0]);
    expect(table[0]).toBeCloseTo(-0.8, 12);
    expect(path[0]).toBeCloseTo(-0.8, 12);
  });

  it('splits a two-feature path equally as Shapley demands', () => {
    // f0 < 0 (cover 8): left = f1 < 0 (cover 4) -> leaves 4 (cover 1) / 0 (cover 3); right leaf -2 (cover 4).
    // v({}) = -0.5, v({0}) = 1, v({1}) = 0.5*4 + 0.5*(-2) = 1, v({0,1}) = 4 -> phi0 = phi1 = 2.25.
    const tree = split(0, 0, split(1, 0, leaf(4, 1), leaf(0, 3)), leaf(-2, 4));
    const { table, path } = explainBoth(forestOf([tree], 2, '0'), [-1, -1]);
    for (const phi of [table, path]) {
      expect(phi[0]).toBeCloseTo(2.25, 12);
      expect(phi[1]).toBeCloseTo(2.25, 12);
      expect(phi[2]).toBeCloseTo(-0.5, 12);
    }
  });

  it('merges a feature split twice on one path', () => {
    // f0 < 0 (10): leaf 1 (5) | f0 < 1 (5): leaf 2 (2) / leaf 3 (3). x0 = 0.5 reaches 2; E = 0.5 + 0.5*2.6 = 1.8.
    const tree = split(0, 0, leaf(1, 5), split(0, 1, leaf(2, 2), leaf(3, 3)));
    const { table, path } = explainBoth(forestOf([tree], 3, '0'), [0.5, 9, 9]);
    for (const phi of [table, path]) {
      expect(phi[0]).toBeCloseTo(0.2, 6);
      expect(phi[1]).toBe(0);
      expect(phi[2]).toBe(0);
    }
  });

  it('puts base_score into the base value of a regressor', () => {
    const { table } = explainBoth(forestOf([stump], 1, '1.5E0'), [0]);
    expect(table[1]).toBeCloseTo(1.3, 6);
  });
});

describe('TreeSHAP against brute-force Shapley values', () => {
  // Random trees with repeated features, missing values and both default directions; every coalition
  // enumerated. 4 features keep the enumeration cheap; depth 6 gives paths with repeats.
  const rand = prng(20240611);
  const numFeature = 4;
  const cases = Array.from({ length: 40 }, (_, i) => {
    const tree = randomTree(rand, 2 + (i % 5), numFeature);
    const x = Array.from({ length: numFeature }, () =>
      rand() < 0.2 ? Number.NaN : Math.fround(rand() * 2 - 1),
    );
    return { i, tree, x };
  });

  it.each(cases)('random tree $i', ({ tree, x }) => {
    const forest = forestOf([tree], numFeature, '0');
    const expected = bruteForceShap(tree, x, numFeature);
    const { table, path } = explainBoth(forest, x);
    for (let j = 0; j <= numFeature; j++) {
      // The base value is XGBoost's float32 mean; the brute force computes it in float64.
      const digits = j === numFeature ? 5 : 10;
      expect(table[j]).toBeCloseTo(expected[j]!, digits);
      expect(path[j]).toBeCloseTo(expected[j]!, digits);
    }
  });

  it('adds up over several trees and groups (multiclass)', () => {
    const trees = Array.from({ length: 6 }, () => randomTree(rand, 4, numFeature));
    const booster = boosterJson({
      trees,
      numFeature,
      objective: 'multi:softprob',
      numClass: 3,
      treeInfo: [0, 1, 2, 0, 1, 2],
    });
    const forest = new Forest(parseBoosterJson(booster, 'test'));
    const x = [0.1, Number.NaN, -0.3, 0.7];
    const { table } = explainBoth(forest, x);
    const margins = new Float64Array(3);
    forest.margins(Float64Array.from(x, Math.fround), margins);
    for (let g = 0; g < 3; g++) {
      const row = table.slice(g * 5, g * 5 + 5);
      const expected = [0, 0, 0, 0, 0];
      trees.forEach((t, k) => {
        if (k % 3 !== g) return;
        bruteForceShap(t, x, numFeature).forEach((v, j) => {
          expected[j]! += v;
        });
      });
      for (let j = 0; j < numFeature; j++) expect(row[j]).toBeCloseTo(expected[j]!, 10);
      // multi:softprob keeps base_score 0.5 as the margin of every class.
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(margins[g]!, 5);
    }
  });

  it('uses the recursion for a tree with a zero-cover child (a table would divide by zero)', () => {
    // Left leaf has cover 0: E = 2; going left gives phi0 = 1 - 2 = -1.
    const tree = split(0, 0, leaf(1, 0), split(1, 0, leaf(2, 2), leaf(2, 3)));
    const forest = forestOf([tree], 2, '0');
    const shap = new TreeShap(forest);
    expect(shap.tabledTrees).toBe(0);
    for (const x of [
      [-1, 0],
      [1, -1],
    ]) {
      const expected = bruteForceShap(tree, x, 2);
      const { table } = explainBoth(forest, x);
      for (let j = 0; j <= 2; j++) expect(table[j]).toBeCloseTo(expected[j]!, 10);
    }
    expect(explainBoth(forest, [-1, 0]).table[0]).toBeCloseTo(-1, 12);
  });

  it('falls back to the recursion for trees beyond the table budget', () => {
    const deep = (seed: number) =>
      split(seed % 4, 0, randomTree(rand, 4, numFeature), randomTree(rand, 4, numFeature));
    const forest = forestOf([deep(0), deep(1), deep(2)], numFeature, '0');
    const first = LeafTableShap.tableSize(forest, 0);
    expect(LeafTableShap.tableSize(forest, 1)).toBeGreaterThan(0);
    expect(LeafTableShap.tableSize(forest, 2)).toBeGreaterThan(0);
    // Room for the first tree's tables only.
    const partial = new TreeShap(forest, { tableBudget: first });
    expect(partial.tabledTrees).toBe(1);
    const x = Float64Array.from([0.2, -0.4, Number.NaN, 0.9], Math.fround);
    const a = new Float64Array(numFeature + 1);
    const b = new Float64Array(numFeature + 1);
    partial.explain(x, a);
    new TreeShap(forest, { tableBudget: 0 }).explain(x, b);
    for (let j = 0; j <= numFeature; j++) expect(a[j]).toBeCloseTo(b[j]!, 12);
  });
});
