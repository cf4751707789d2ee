import type { Forest } from '../models/xgboost/forest';

/**
 * Path-dependent TreeSHAP by recursion over one tree (Lundberg, Erion & Lee 2018, "Consistent
 * Individualized Feature Attribution for Tree Ensembles", Algorithm 2), as XGBoost's
 * `predict(pred_contribs=True)` runs it: O(leaves x depth^2) per tree and call, no precomputation beyond
 * the cover fractions. TreeShap uses it for trees beyond the leaf-table budget and for trees with a
 * zero-cover node (which leaf tables cannot hold).
 *
 * Runs in float64 on XGBoost's float32 inputs. One instance owns its path buffers; addTree allocates
 * nothing.
 */
export class PathTreeShap {
  private readonly forest: Forest;
  // The "unique path" of the paper as a struct of arrays, one slice per recursion depth.
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  // Ratios of the permutation weights, by (path depth d, position i): row d at d * stride.
  private readonly stride: number;
  private readonly up: Float64Array; // (i + 1) / (d + 1)
  private readonly down: Float64Array; // (d - i) / (d + 1)
  private readonly upInverse: Float64Array; // (d + 1) / (i + 1)
  private readonly downInverse: Float64Array; // (d + 1) / (d - i)
  // Per-call state, kept in fields so the recursion passes fewer arguments.
  private x: Float64Array = new Float64Array(0);
  private phi: Float64Array = new Float64Array(0);
  private phiOffset = 0;

  constructor(forest: Forest) {
    this.forest = forest;
    // Depth d needs d + 1 entries and each level copies its parent's, as in XGBoost: (D+2)(D+3)/2 in all.
    const levels = forest.maxDepth + 2;
    const size = (levels * (levels + 1)) / 2;
    this.pathFeature = new Int32Array(size);
    this.pathZero = new Float64Array(size);
    this.pathOne = new Float64Array(size);
    this.pathWeight = new Float64Array(size);
    // Divisions are the slow link of the recursion's dependency chains: look the ratios up instead.
    this.stride = levels;
    this.up = new Float64Array(levels * levels);
    this.down = new Float64Array(levels * levels);
    this.upInverse = new Float64Array(levels * levels);
    this.downInverse = new Float64Array(levels * levels);
    for (let d = 0; d < levels; d++) {
      for (let i = 0; i <= d; i++) {
        this.up[d * levels + i] = (i + 1) / (d + 1);
        this.down[d * levels + i] = (d - i) / (d + 1);
        this.upInverse[d * levels + i] = (d + 1) / (i + 1);
        this.downInverse[d * levels + i] = i < d ? (d + 1) / (d - i) : 0;
      }
    }
  }

  /** Adds tree t's SHAP values for `x` to phi[offset + feature]. */
  addTree(t: number, x: Float64Array, phi: Float64Array, offset: number): void {
    this.x = x;
    this.phi = phi;
    this.phiOffset = offset;
    this.recurse(this.forest.treeRoot[t]!, 0, 0, 1, 1, -1);
  }

  private recurse(
    node: number,
    depth: number,
    parentStart: number,
    zeroFraction: number,
    oneFraction: number,
    featureIndex: number,
  ): void {
    const forest = this.forest;
    const pf = this.pathFeature;
    const pz = this.pathZero;
    const po = this.pathOne;
    const pw = this.pathWeight;

    // This level's path starts after the parent's and begins as a copy of it.
    const start = parentStart + depth;
    for (let i = 0; i < depth; i++) {
      pf[start + i] = pf[parentStart + i]!;
      pz[start + i] = pz[parentStart + i]!;
      po[start + i] = po[parentStart + i]!;
      pw[start + i] = pw[parentStart + i]!;
    }
    this.extend(start, depth, zeroFraction, oneFraction, featureIndex);

    const split = forest.feature[node]!;
    if (split < 0) {
      const leaf = forest.value[node]!;
      const phi = this.phi;
      const offset = this.phiOffset;
      for (let i = 1; i <= depth; i++) {
        const w = this.unwoundSum(start, depth, i);
        phi[offset + pf[start + i]!]! += w * (po[start + i]! - pz[start + i]!) * leaf;
      }
      return;
    }

    const v = this.x[split]!;
    const thr = forest.threshold[node]!;
    const goLeft = v < thr || (!(v >= thr) && forest.defaultLeft[node] === 1);
    const hot = goLeft ? forest.left[node]! : forest.right[node]!;
    const cold = goLeft ? forest.right[node]! : forest.left[node]!;

    let incomingZero = 1;
    let incomingOne = 1;
    let d = depth;
    // A feature split on again higher up: undo that extension so this split accounts for both.
    for (let k = 1; k <= d; k++) {
      if (pf[start + k] === split) {
        incomingZero = pz[start + k]!;
        incomingOne = po[start + k]!;
        this.unwind(start, d, k);
        d -= 1;
        break;
      }
    }
    this.recurse(hot, d + 1, start, forest.coverFraction[hot]! * incomingZero, incomingOne, split);
    this.recurse(cold, d + 1, start, forest.coverFraction[cold]! * incomingZero, 0, split);
  }

  private extend(start: number, depth: number, zero: number, one: number, feature: number): void {
    const pw = this.pathWeight;
    this.pathFeature[start + depth] = feature;
    this.pathZero[start + depth] = zero;
    this.pathOne[start + depth] = one;
    pw[start + depth] = depth === 0 ? 1 : 0;
    const row = depth * this.stride;
    for (let i = depth - 1; i >= 0; i--) {
      pw[start + i + 1]! += one * pw[start + i]! * this.up[row + i]!;
      pw[start + i] = zero * pw[start + i]! * this.down[row + i]!;
    }
  }

  private unwind(start: number, depth: number, index: number): void {
    const pf = this.pathFeature;
    const pz = this.pathZero;
    const po = this.pathOne;
    const pw = this.pathWeight;
    const one = po[start + index]!;
    const zero = pz[start + index]!;
    const row = depth * this.stride;
    // One fractions are exactly 0 or 1 (a path either follows x or it does not), so no division by `one`.
    if (one !== 0) {
      let next = pw[start + depth]!;
      for (let i = depth - 1; i >= 0; i--) {
        const tmp = pw[start + i]!;
        pw[start + i] = next * this.upInverse[row + i]!;
        next = tmp - pw[start + i]! * zero * this.down[row + i]!;
      }
    } else {
      for (let i = depth - 1; i >= 0; i--)
        pw[start + i] = (pw[start + i]! * this.downInverse[row + i]!) / zero;
    }
    for (let i = index; i < depth; i++) {
      pf[start + i] = pf[start + i + 1]!;
      pz[start + i] = pz[start + i + 1]!;
      po[start + i] = po[start + i + 1]!;
    }
  }

  /** Total permutation weight if path element `index` were unwound (without modifying the path). */
  private unwoundSum(start: number, depth: number, index: number): number {
    const pw = this.pathWeight;
    const one = this.pathOne[start + index]!;
    const zero = this.pathZero[start + index]!;
    const row = depth * this.stride;
    let total = 0;
    if (one !== 0) {
      let next = pw[start + depth]!;
      for (let i = depth - 1; i >= 0; i--) {
        const tmp = next * this.upInverse[row + i]!;
        total += tmp;
        next = pw[start + i]! - tmp * zero * this.down[row + i]!;
      }
    } else if (zero !== 0) {
      for (let i = depth - 1; i >= 0; i--) total += pw[start + i]! * this.downInverse[row + i]!;
      total /= zero;
    }
    return total;
  }
}
