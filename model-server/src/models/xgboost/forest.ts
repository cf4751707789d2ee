import type { BoosterModel } from './booster-json';

/**
 * All trees of a booster flattened into typed arrays at load, node by node in depth-first order (a left
 * child follows its parent), so scoring walks contiguous memory and allocates nothing.
 *
 * Arithmetic follows XGBoost's CPU predictor, which works in float32: a feature value is compared as the
 * float32 it becomes in a DMatrix (`fvalue < split_value` goes left, a missing value follows
 * default_left), and the margin starts at the float32 base margin and adds each tree's leaf in float32.
 * Callers pass feature vectors already rounded with Math.fround (NaN = missing), which makes the float64
 * comparison below exactly XGBoost's float32 one.
 */
export class Forest {
  readonly numFeatures: number;
  readonly numGroups: number;
  readonly numTrees: number;
  /** Split feature per node; -1 marks a leaf. */
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly defaultLeft: Uint8Array;
  /** Leaf value (0 at inner nodes). */
  readonly value: Float64Array;
  /** Cover of a node divided by its parent's cover (TreeSHAP's zero fraction); 1 at roots. */
  readonly coverFraction: Float64Array;
  readonly treeRoot: Int32Array;
  readonly treeGroup: Int32Array;
  /** Deepest root-to-leaf edge count over all trees (sizes TreeSHAP's path buffers). */
  readonly maxDepth: number;
  readonly baseMargin: Float64Array;
  /**
   * Expected margin per group over the training distribution (the SHAP base value): base margin plus each
   * tree's cover-weighted mean leaf value, computed in float32 as XGBoost's FillNodeMeanValues does.
   */
  readonly expectedValue: Float64Array;
  constructor(model: BoosterModel) {
    this.numFeatures = model.numFeatures;
    this.numGroups = model.numGroups;
    this.numTrees = model.trees.length;
    const total = model.trees.reduce((sum, t) => sum + t.left.length, 0);
    this.feature = new Int32Array(total);
    this.threshold = new Float64Array(total);
    this.left = new Int32Array(total);
    this.right = new Int32Array(total);
    this.defaultLeft = new Uint8Array(total);
    this.value = new Float64Array(total);
    this.coverFraction = new Float64Array(total);
    this.treeRoot = new Int32Array(this.numTrees);
    this.treeGroup = new Int32Array(this.numTrees);
    this.baseMargin = Float64Array.from(model.baseMargin);
    this.expectedValue = new Float64Array(this.numGroups);

    const cover = new Float64Array(total);
    const treeMean = new Float64Array(this.numGroups);
    let next = 0;
    let maxDepth = 0;
    model.trees.forEach((tree, t) => {
      const visited = new Uint8Array(tree.left.length);
      // Copies the subtree of XGBoost node `id` (depth `depth`) and returns its flat index.
      const copy = (id: number, depth: number): number => {
        if (visited[id]) throw new Error(`tree ${t}: node ${id} is reached twice; the tree is malformed`);
        visited[id] = 1;
        const at = next++;
        cover[at] = tree.cover[id]!;
        if (tree.left[id] === -1) {
          this.feature[at] = -1;
          this.value[at] = tree.splitCondition[id]!;
          if (depth > maxDepth) maxDepth = depth;
          return at;
        }
        this.feature[at] = tree.splitIndex[id]!;
        this.threshold[at] = tree.splitCondition[id]!;
        this.defaultLeft[at] = tree.defaultLeft[id]!;
        this.left[at] = copy(tree.left[id]!, depth + 1);
        this.right[at] = copy(tree.right[id]!, depth + 1);
        return at;
      };
      const root = copy(0, 0);
      this.treeRoot[t] = root;
      this.treeGroup[t] = tree.group;
      this.coverFraction[root] = 1;
      treeMean[tree.group] = Math.fround(treeMean[tree.group]! + this.meanValue(root, cover));
    });
    for (let n = 0; n < next; n++) {
      if (this.feature[n]! >= 0) {
        this.coverFraction[this.left[n]!] = cover[this.left[n]!]! / cover[n]!;
        this.coverFraction[this.right[n]!] = cover[this.right[n]!]! / cover[n]!;
      }
    }
    for (let g = 0; g < this.numGroups; g++) {
      this.expectedValue[g] = Math.fround(treeMean[g]! + this.baseMargin[g]!);
    }
    this.maxDepth = maxDepth;
    // Nodes XGBoost pruned but kept in its arrays are unreachable and were not copied.
    if (next < total) {
      this.feature = this.feature.slice(0, next);
      this.threshold = this.threshold.slice(0, next);
      this.left = this.left.slice(0, next);
      this.right = this.right.slice(0, next);
      this.defaultLeft = this.defaultLeft.slice(0, next);
      this.value = this.value.slice(0, next);
      this.coverFraction = this.coverFraction.slice(0, next);
    }
  }

  /** Cover-weighted mean leaf value below `node`, float32 step by step like XGBoost's FillNodeMeanValue. */
  private meanValue(node: number, cover: Float64Array): number {
    if (this.feature[node]! < 0) return this.value[node]!;
    const l = this.left[node]!;
    const r = this.right[node]!;
    let result = Math.fround(this.meanValue(l, cover) * cover[l]!);
    result = Math.fround(result + Math.fround(this.meanValue(r, cover) * cover[r]!));
    return Math.fround(result / cover[node]!);
  }

  /** The leaf `x` reaches in tree `t`. */
  leafOf(t: number, x: Float64Array): number {
    const feature = this.feature;
    const threshold = this.threshold;
    let n = this.treeRoot[t]!;
    let f = feature[n]!;
    while (f >= 0) {
      const v = x[f]!;
      const thr = threshold[n]!;
      // NaN fails both comparisons and takes the default branch.
      if (v < thr) n = this.left[n]!;
      else if (v >= thr) n = this.right[n]!;
      else n = this.defaultLeft[n] ? this.left[n]! : this.right[n]!;
      f = feature[n]!;
    }
    return n;
  }

  /** Writes the margin of each group for feature vector `x` into out[offset .. offset + numGroups). */
  margins(x: Float64Array, out: Float64Array, offset = 0): void {
    for (let g = 0; g < this.numGroups; g++) out[offset + g] = this.baseMargin[g]!;
    const value = this.value;
    const group = this.treeGroup;
    for (let t = 0; t < this.numTrees; t++) {
      const at = offset + group[t]!;
      out[at] = Math.fround(out[at]! + value[this.leafOf(t, x)]!);
    }
  }
}
