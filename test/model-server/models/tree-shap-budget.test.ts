import { LeafTableShap } from '../../../model-server/src/explain/leaf-table-shap';
import { DEFAULT_TABLE_BUDGET, TreeShap } from '../../../model-server/src/explain/tree-shap';
import { parseBoosterJson } from '../../../model-server/src/models/xgboost/booster-json';
import { Forest } from '../../../model-server/src/models/xgboost/forest';
import { boosterJson, leaf, prng, randomTree, split, type TestNode } from './helpers/trees';

// Which trees TreeShap gives leaf tables (the memory budget), and the layout and reuse of `phi`.

function forestOf(trees: TestNode[], numFeature: number, extra: { numClass?: number } = {}): Forest {
  const json = boosterJson({
    trees,
    numFeature,
    baseScore: '0',
    objective: extra.numClass ? 'multi:softprob' : 'reg:squarederror',
    ...(extra.numClass
      ? { numClass: extra.numClass, treeInfo: trees.map((_, i) => i % extra.numClass!) }
      : {}),
  });
  return new Forest(parseBoosterJson(json, 'test'));
}

const stump = split(0, 0.5, leaf(1, 4), leaf(-1, 6));
const rand = prng(7);
const deep = (): TestNode => split(0, 0, randomTree(rand, 5, 4), randomTree(rand, 5, 4));

describe('TreeShap table budget', () => {
  it('defaults to 2 Mi table entries, enough for every small tree', () => {
    expect(DEFAULT_TABLE_BUDGET).toBe(2 * 1024 * 1024);
    const forest = forestOf([stump, deep(), stump], 4);
    expect(new TreeShap(forest).tabledTrees).toBe(3);
    expect(new TreeShap(forest, { tableBudget: 0 }).tabledTrees).toBe(0);
  });

  it('skips a tree that does not fit and still tables a later one that does', () => {
    const big = deep();
    const forest = forestOf([big, stump], 4);
    const small = LeafTableShap.tableSize(forest, 1);
    expect(LeafTableShap.tableSize(forest, 0)).toBeGreaterThan(small);
    expect(new TreeShap(forest, { tableBudget: small }).tabledTrees).toBe(1);
    expect(new TreeShap(forest, { tableBudget: small - 1 }).tabledTrees).toBe(0);
  });

  it('explains a tree tabled after a skipped one as the recursion does', () => {
    const forest = forestOf([deep(), stump], 4);
    const mixed = new TreeShap(forest, { tableBudget: LeafTableShap.tableSize(forest, 1) });
    const recursion = new TreeShap(forest, { tableBudget: 0 });
    const x = Float64Array.from([0.25, -1, 2, Number.NaN], (v) => Math.fround(v));
    const a = new Float64Array(forest.numFeatures + 1);
    const b = new Float64Array(forest.numFeatures + 1);
    mixed.explain(x, a);
    recursion.explain(x, b);
    expect(mixed.tabledTrees).toBe(1);
    for (const [i, v] of a.entries()) expect(v).toBeCloseTo(b[i]!, 9);
  });

  it('tables a path of up to 30 distinct features, not 31 (its subsets index a 32-bit mask)', () => {
    // f0 < 0 ? leaf : (f1 < 0 ? leaf : …): one path through `depth` distinct features.
    const chain = (depth: number): TestNode => {
      let node = leaf(1, 1);
      for (let f = depth - 1; f >= 0; f--) node = split(f, 0, leaf(0, 1), node);
      return node;
    };
    expect(LeafTableShap.canTable(forestOf([chain(30)], 31), 0)).toBe(true);
    expect(LeafTableShap.canTable(forestOf([chain(31)], 31), 0)).toBe(false);
  });

  it('counts what each tabled tree takes from the budget', () => {
    const forest = forestOf([stump, stump, stump], 4);
    const one = LeafTableShap.tableSize(forest, 0);
    expect(new TreeShap(forest, { tableBudget: 2 * one }).tabledTrees).toBe(2);
    expect(new TreeShap(forest, { tableBudget: 3 * one - 1 }).tabledTrees).toBe(2);
  });
});

describe('TreeShap phi layout', () => {
  it('is numFeatures + 1 wide: the features, then the base value', () => {
    const forest = forestOf([stump], 3);
    const shap = new TreeShap(forest);
    expect(shap.width).toBe(4);
    const phi = new Float64Array(4);
    shap.explain(Float64Array.of(0, 0, 0), phi);
    // E[f] = (4·1 - 6·1) / 10 = -0.2; x0 = 0 goes left (leaf 1): phi0 = 1.2.
    expect(phi[0]).toBeCloseTo(1.2, 6);
    expect(phi[1]).toBe(0);
    expect(phi[2]).toBe(0);
    expect(phi[3]).toBe(forest.expectedValue[0]);
    expect(phi[3]).toBeCloseTo(-0.2, 6);
  });

  it('overwrites what phi held before, with tables and with the recursion', () => {
    const forest = forestOf([stump, deep()], 4);
    const x = Float64Array.from([0.3, -0.2, Number.NaN, 0.6], Math.fround);
    for (const tableBudget of [DEFAULT_TABLE_BUDGET, 0]) {
      const shap = new TreeShap(forest, { tableBudget });
      const fresh = new Float64Array(5);
      shap.explain(x, fresh);
      const reused = new Float64Array(5).fill(7);
      shap.explain(x, reused);
      expect([...reused]).toEqual([...fresh]);
      shap.explain(x, reused);
      expect([...reused]).toEqual([...fresh]);
    }
  });

  it('writes each group its own row, each ending in that group base value', () => {
    const trees = [stump, split(1, 0.5, leaf(2, 5), leaf(0, 5)), stump];
    const forest = forestOf(trees, 2, { numClass: 3 });
    const phi = new Float64Array(3 * 3).fill(9);
    new TreeShap(forest).explain(Float64Array.of(0, 0), phi);
    for (let g = 0; g < 3; g++) expect(phi[g * 3 + 2]).toBe(forest.expectedValue[g]);
    // Group 1's tree splits on f1 only; groups 0 and 2 on f0 only.
    expect(phi[0]).toBeCloseTo(1.2, 6);
    expect(phi[1]).toBe(0);
    expect(phi[3]).toBe(0);
    expect(phi[4]).toBeCloseTo(1, 6);
    expect(phi[6]).toBeCloseTo(1.2, 6);
  });

  it('writes numGroups rows and nothing past them', () => {
    const forest = forestOf([stump, stump], 2, { numClass: 2 });
    // Room for a third row: a caller may hand a buffer longer than numGroups × width.
    const phi = new Float64Array(3 * 3).fill(9);
    new TreeShap(forest).explain(Float64Array.of(0, 0), phi);
    expect([...phi.subarray(6)]).toEqual([9, 9, 9]);
  });
});
