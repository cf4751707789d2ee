import type { Forest } from '../models/xgboost/forest';
import { LeafTableShap } from './leaf-table-shap';
import { PathTreeShap } from './path-tree-shap';

/**
 * Default budget for leaf tables: 2 Mi numbers (16 MiB) per model. A depth-6 tree needs at most
 * 64 leaves x 2^6 = 4,096 entries (512 such trees fit), a depth-8 tree 65,536 (32 fit); trees beyond the
 * budget use the recursion.
 */
export const DEFAULT_TABLE_BUDGET = 2 * 1024 * 1024;

export interface TreeShapOptions {
  /**
   * How many precomputed table entries (float64) the model may hold; trees are tabled in order while they
   * fit. 0 turns tables off (every tree uses the recursion).
   * @default DEFAULT_TABLE_BUDGET
   */
  readonly tableBudget?: number;
}

/**
 * Exact path-dependent TreeSHAP over a forest, weighted by node cover (sum_hessian), as XGBoost's
 * `predict(pred_contribs=True)`: per group, one value per feature plus the bias (the expected margin), and
 * each group's values add up to its margin.
 *
 * The strategy is chosen per tree at load: a precomputed leaf table (LeafTableShap, fast) while the
 * memory budget allows, else the recursive Algorithm 2 (PathTreeShap). Both run in float64 on the float32
 * values XGBoost uses, so results agree with XGBoost's float32 ones to float32 rounding. explain()
 * allocates nothing; an instance is not re-entrant (scoring is synchronous).
 */
export class TreeShap {
  private readonly forest: Forest;
  private readonly tables: LeafTableShap;
  private readonly paths: PathTreeShap;
  /** 1 where tree t has a leaf table. */
  private readonly tabled: Uint8Array;
  readonly tabledTrees: number;

  constructor(forest: Forest, options: TreeShapOptions = {}) {
    this.forest = forest;
    let budget = options.tableBudget ?? DEFAULT_TABLE_BUDGET;
    const chosen: number[] = [];
    this.tabled = new Uint8Array(forest.numTrees);
    for (let t = 0; t < forest.numTrees; t++) {
      if (!LeafTableShap.canTable(forest, t)) continue;
      const size = LeafTableShap.tableSize(forest, t);
      if (size <= budget) {
        chosen.push(t);
        this.tabled[t] = 1;
        budget -= size;
      }
    }
    this.tabledTrees = chosen.length;
    this.tables = new LeafTableShap(forest, chosen);
    this.paths = new PathTreeShap(forest);
  }

  /** Row width of `phi`: one column per feature plus the bias last. */
  get width(): number {
    return this.forest.numFeatures + 1;
  }

  /**
   * Writes the SHAP values of feature vector `x` (float32-rounded, NaN = missing) into `phi`: numGroups
   * rows of `width` (the features, then the base value).
   */
  explain(x: Float64Array, phi: Float64Array): void {
    const forest = this.forest;
    const width = this.width;
    phi.fill(0, 0, forest.numGroups * width);
    if (this.tabledTrees > 0) this.tables.setInstance(x);
    for (let t = 0; t < forest.numTrees; t++) {
      const offset = forest.treeGroup[t]! * width;
      if (this.tabled[t]) this.tables.addTree(t, phi, offset);
      else this.paths.addTree(t, x, phi, offset);
    }
    for (let g = 0; g < forest.numGroups; g++) phi[g * width + width - 1] = forest.expectedValue[g]!;
  }
}
