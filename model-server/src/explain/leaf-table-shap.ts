import type { Forest } from '../models/xgboost/forest';

/**
 * Path-dependent TreeSHAP with per-leaf tables precomputed at load (after the idea of Fast TreeSHAP v2,
 * Yang 2021, arXiv:2109.09847).
 *
 * A leaf's share of the SHAP values depends on the instance only through which features of its unique
 * path (the distinct features split on from the root to the leaf) the instance "follows": feature k is
 * hot when x takes every edge on k along that path. With d path features, zero fractions z_k (product of
 * the cover fractions of the edges on k) and leaf value v, Shapley's formula for path-dependent TreeSHAP
 * is, for hot set H,
 *
 *   phi_i = v (1{i ∈ H} - z_i) sum_{S ⊆ H\{i}} w(|S|) prod_{k ∉ S, k ≠ i} z_k,   w(s) = s! (d-s-1)! / d!.
 *
 * With F(T) = v sum_{S ⊆ T} w(|S|) prod_{k ∉ S} z_k this is
 *   phi_i = -F(H)                          for i ∉ H,
 *   phi_i = (1 / z_i - 1) * F(H \ {i})     for i ∈ H,
 * so a leaf needs one table of 2^d numbers, F over the subsets of its path. Explaining walks each tree
 * once carrying H as a bit mask and reads d + 1 entries of one small table per leaf: O(leaves x depth)
 * per tree, no divisions, the same values as Algorithm 2 (PathTreeShap) to float64 rounding.
 *
 * Which way x goes is data-dependent, so branches on it mispredict about half the time; the passes below
 * compute masks and contributions with bit arithmetic instead of branches.
 *
 * Needs every zero fraction > 0 (a child with zero cover would divide by zero): TreeShap checks that per
 * tree with `canTable` and gives such trees to the recursion.
 */
export class LeafTableShap {
  private readonly forest: Forest;
  /** Per tree: its inner nodes and its leaves, as ranges of records in `innerData` and `leafData`. */
  private readonly innerStart: Int32Array;
  private readonly leafStart: Int32Array;
  /**
   * Inner nodes in depth-first preorder (parents before children), one record of INNER_FIELDS int32 each
   * (one contiguous stream for pass 1): feature, left child, right child, SET_BIT (the bit of the node's
   * feature on the unique path if the feature is new there, else 0), CLEAR_BIT (the bit if the feature was
   * split on higher up: x must take every edge on it, else 0), -default_left, the threshold's float32 order
   * key, the node.
   */
  private readonly innerData: Int32Array;
  /**
   * Per tabled leaf whose sibling is not a leaf, LEAF_FIELDS int32: node, path length d, table start, first
   * path feature (its index in `features` and `inverseZero`).
   */
  private readonly leafData: Int32Array;
  /** Per pair of sibling leaves, the two leaves' records one after the other (PAIR_FIELDS int32). */
  private readonly pairData: Int32Array;
  private readonly pairStart: Int32Array;
  /** Per path feature of each leaf: the feature, and 1 / z_k. */
  private readonly features: Int32Array;
  private readonly inverseZero: Float64Array;
  private readonly table: Float64Array;
  /** Scratch: the hot set (bit mask) each node is reached with during one addTree. */
  private readonly hotOf: Int32Array;
  /** The instance set by `setInstance`: float32 order key of each feature value, and -1 where missing. */
  private readonly valueKey: Int32Array;
  private readonly missing: Int32Array;

  /** Table entries tree t needs: the sum over its leaves of 2^d, d = distinct features on the leaf's path. */
  static tableSize(forest: Forest, t: number): number {
    let total = 0;
    const walk = (node: number, path: number[]): void => {
      const f = forest.feature[node]!;
      if (f < 0) {
        total += 2 ** path.length;
        return;
      }
      const next = path.includes(f) ? path : [...path, f];
      walk(forest.left[node]!, next);
      walk(forest.right[node]!, next);
    };
    walk(forest.treeRoot[t]!, []);
    return total;
  }

  /** Whether tree t can be tabled: every node's cover is positive, and paths hold at most 30 features. */
  static canTable(forest: Forest, t: number): boolean {
    let ok = true;
    const walk = (node: number, seen: readonly number[]): void => {
      if (!(forest.coverFraction[node]! > 0) || seen.length > 30) ok = false;
      const f = forest.feature[node]!;
      if (f < 0 || !ok) return;
      const next = seen.includes(f) ? seen : [...seen, f];
      walk(forest.left[node]!, next);
      walk(forest.right[node]!, next);
    };
    walk(forest.treeRoot[t]!, []);
    return ok;
  }

  /** Builds tables for `trees` (indices into the forest); other trees are not handled by this instance. */
  constructor(forest: Forest, trees: readonly number[]) {
    this.forest = forest;
    const nodes = forest.feature.length;
    const setBit = new Int32Array(nodes);
    const clearBit = new Int32Array(nodes);
    this.hotOf = new Int32Array(nodes);
    this.valueKey = new Int32Array(forest.numFeatures);
    this.missing = new Int32Array(forest.numFeatures);
    this.innerStart = new Int32Array(forest.numTrees + 1);
    this.leafStart = new Int32Array(forest.numTrees + 1);
    this.pairStart = new Int32Array(forest.numTrees + 1);
    this.table = new Float64Array(trees.reduce((sum, t) => sum + LeafTableShap.tableSize(forest, t), 0));
    const inner: number[] = [];
    const leaves: number[] = [];
    const pairs: number[] = [];
    const features: number[] = [];
    const inverseZero: number[] = [];
    let next = 0;

    // A leaf's record: node, d, its table, its features; `into` is `leaves`, or `pairs` for sibling leaves.
    const addLeaf = (
      node: number,
      path: readonly number[],
      zero: readonly number[],
      into: number[],
    ): void => {
      into.push(node, path.length, next, features.length);
      features.push(...path);
      inverseZero.push(...zero.map((z) => 1 / z));
      fillLeafTable(this.table, next, forest.value[node]!, zero);
      next += 2 ** path.length;
    };
    const build = (node: number, path: readonly number[], zero: readonly number[]): void => {
      const f = forest.feature[node]!;
      if (f < 0) {
        addLeaf(node, path, zero, leaves);
        return;
      }
      inner.push(node);
      const seen = path.indexOf(f);
      const k = seen < 0 ? path.length : seen;
      if (seen < 0) setBit[node] = 1 << k;
      else clearBit[node] = 1 << k;
      const childPath = seen < 0 ? [...path, f] : path;
      const children = [forest.left[node]!, forest.right[node]!];
      const zeroOf = (child: number): number[] => {
        const childZero = [...zero];
        childZero[k] = (seen < 0 ? 1 : zero[k]!) * forest.coverFraction[child]!;
        return childZero;
      };
      if (children.every((child) => forest.feature[child]! < 0)) {
        // Sibling leaves share their path features: one record, so explaining reads each feature and
        // updates each phi entry once for both.
        for (const child of children) addLeaf(child, childPath, zeroOf(child), pairs);
        return;
      }
      for (const child of children) build(child, childPath, zeroOf(child));
    };
    const tabled = new Set(trees);
    for (let t = 0; t < forest.numTrees; t++) {
      this.innerStart[t] = inner.length;
      this.leafStart[t] = leaves.length / LEAF_FIELDS;
      this.pairStart[t] = pairs.length / PAIR_FIELDS;
      if (tabled.has(t)) build(forest.treeRoot[t]!, [], []);
    }
    this.innerStart[forest.numTrees] = inner.length;
    this.leafStart[forest.numTrees] = leaves.length / LEAF_FIELDS;
    this.pairStart[forest.numTrees] = pairs.length / PAIR_FIELDS;
    this.innerData = new Int32Array(inner.length * INNER_FIELDS);
    inner.forEach((node, i) => {
      const at = i * INNER_FIELDS;
      this.innerData[at + FEATURE] = forest.feature[node]!;
      this.innerData[at + LEFT] = forest.left[node]!;
      this.innerData[at + RIGHT] = forest.right[node]!;
      this.innerData[at + SET_BIT] = setBit[node]!;
      this.innerData[at + CLEAR_BIT] = clearBit[node]!;
      this.innerData[at + DEFAULT_LEFT] = -forest.defaultLeft[node]!;
      this.innerData[at + THRESHOLD_KEY] = float32Key(forest.threshold[node]!);
      this.innerData[at + NODE] = node;
    });
    this.leafData = Int32Array.from(leaves);
    this.pairData = Int32Array.from(pairs);
    this.features = Int32Array.from(features);
    this.inverseZero = Float64Array.from(inverseZero);
  }

  /**
   * Sets the instance the next addTree calls explain: `x` float32-rounded, NaN = missing. Comparisons then
   * run on integer order keys, which (unlike float comparisons) compile without branches.
   */
  setInstance(x: Float64Array): void {
    const valueKey = this.valueKey;
    const missing = this.missing;
    for (let f = 0; f < valueKey.length; f++) {
      const v = x[f]!;
      const isMissing = Number.isNaN(v);
      missing[f] = isMissing ? -1 : 0;
      valueKey[f] = isMissing ? 0 : float32Key(v);
    }
  }

  /** Adds tree t's SHAP values for the instance of `setInstance` to phi[offset + feature]. */
  addTree(t: number, phi: Float64Array, offset: number): void {
    const data = this.innerData;
    const valueKey = this.valueKey;
    const missing = this.missing;
    const hotOf = this.hotOf;

    // Pass 1, inner nodes in preorder: the hot set each child is reached with. With g = -1 when x goes
    // left and 0 when it goes right, a new feature is hot in the child x takes; a repeated one stays hot
    // only there. x goes left when its key is below the threshold's (floor of the difference scaled into
    // (-0.5, 0.5) is -1 or 0), or when it is missing and default_left is set.
    hotOf[this.forest.treeRoot[t]!] = 0;
    const innerEnd = this.innerStart[t + 1]! * INNER_FIELDS;
    for (let at = this.innerStart[t]! * INNER_FIELDS; at < innerEnd; at += INNER_FIELDS) {
      const f = data[at + FEATURE]!;
      const miss = missing[f]!;
      const below = Math.floor((valueKey[f]! - data[at + THRESHOLD_KEY]!) * KEY_SCALE) | 0;
      const g = (below & ~miss) | (data[at + DEFAULT_LEFT]! & miss);
      const hot = hotOf[data[at + NODE]!]!;
      const set = data[at + SET_BIT]!;
      const clear = data[at + CLEAR_BIT]!;
      hotOf[data[at + LEFT]!] = (hot | (set & g)) & ~(clear & ~g);
      hotOf[data[at + RIGHT]!] = (hot | (set & ~g)) & ~(clear & g);
    }

    // Pass 2, leaves: phi_k += (1{k ∈ H} / z_k - 1) * F(H minus k if k ∈ H), without branching on H.
    const leafData = this.leafData;
    const features = this.features;
    const inverseZero = this.inverseZero;
    const table = this.table;
    const leafEnd = this.leafStart[t + 1]! * LEAF_FIELDS;
    for (let at = this.leafStart[t]! * LEAF_FIELDS; at < leafEnd; at += LEAF_FIELDS) {
      const hot = hotOf[leafData[at]!]!;
      const d = leafData[at + 1]!;
      const start = leafData[at + 2]!;
      const first = leafData[at + 3]!;
      for (let k = 0; k < d; k++) {
        const inHot = (hot >> k) & 1;
        const share = table[start + (hot ^ (inHot << k))]!;
        phi[offset + features[first + k]!]! += (inHot * inverseZero[first + k]! - 1) * share;
      }
    }
    // The same for sibling leaves, two at a time: they have the same path features (d and features), their
    // own tables and zero fractions.
    const pairData = this.pairData;
    const pairEnd = this.pairStart[t + 1]! * PAIR_FIELDS;
    for (let at = this.pairStart[t]! * PAIR_FIELDS; at < pairEnd; at += PAIR_FIELDS) {
      const hotA = hotOf[pairData[at]!]!;
      const d = pairData[at + 1]!;
      const startA = pairData[at + 2]!;
      const firstA = pairData[at + 3]!;
      const hotB = hotOf[pairData[at + LEAF_FIELDS]!]!;
      const startB = pairData[at + LEAF_FIELDS + 2]!;
      const firstB = pairData[at + LEAF_FIELDS + 3]!;
      for (let k = 0; k < d; k++) {
        const inA = (hotA >> k) & 1;
        const inB = (hotB >> k) & 1;
        const shareA = table[startA + (hotA ^ (inA << k))]!;
        const shareB = table[startB + (hotB ^ (inB << k))]!;
        phi[offset + features[firstA + k]!]! +=
          (inA * inverseZero[firstA + k]! - 1) * shareA + (inB * inverseZero[firstB + k]! - 1) * shareB;
      }
    }
  }
}

/** Fields of an inner-node record in `innerData`. */
const FEATURE = 0;
const LEFT = 1;
const RIGHT = 2;
const SET_BIT = 3;
const CLEAR_BIT = 4;
const DEFAULT_LEFT = 5;
const THRESHOLD_KEY = 6;
const NODE = 7;
const INNER_FIELDS = 8;
const LEAF_FIELDS = 4;
const PAIR_FIELDS = 2 * LEAF_FIELDS;
/** 2^-33: maps the difference of two int32 keys, |d| < 2^32, into (-0.5, 0.5), so its floor is -1 or 0. */
const KEY_SCALE = 2 ** -33;

const keyFloat = new Float32Array(1);
const keyBits = new Int32Array(keyFloat.buffer);

/**
 * An int32 that orders as the float32 value v does (v float32-exact, not NaN): the float's bits, with the
 * magnitude bits flipped for negative numbers. -0 becomes +0 first, as the two compare equal.
 */
function float32Key(v: number): number {
  keyFloat[0] = v + 0;
  const bits = keyBits[0]!;
  return bits ^ ((bits >> 31) & 0x7fffffff);
}
/** Weights by path length d: every leaf of a model shares a handful of lengths (at most 30). */
const weightsByLength: Float64Array[] = [];

/** Shapley weight |S|! (d-|S|-1)! / d! of a coalition of size s among d players, for s = 0..d-1. */
function shapleyWeights(d: number): Float64Array {
  const cached = weightsByLength[d];
  if (cached !== undefined) return cached;
  const factorial = [1];
  for (let i = 1; i <= d; i++) factorial.push(factorial[i - 1]! * i);
  const w = new Float64Array(d);
  for (let s = 0; s < d; s++) w[s] = (factorial[s]! * factorial[d - s - 1]!) / factorial[d]!;
  weightsByLength[d] = w;
  return w;
}

/**
 * Writes F(T) = v sum_{S ⊆ T} w(|S|) prod_{k ∉ S} z_k for every subset T of the leaf's d path features
 * (bit mask T) at table[start + T]. The inner sum is prod_{k ∉ T} z_k * sum_s w(s) e_{|T|-s}(z_T), with
 * e_j the elementary symmetric polynomials of the z_k in T.
 */
function fillLeafTable(table: Float64Array, start: number, v: number, zero: readonly number[]): void {
  const d = zero.length;
  if (d === 0) return;
  const w = shapleyWeights(d);
  const e = new Float64Array(d + 1);
  for (let subset = 0; subset < 1 << d; subset++) {
    e.fill(0);
    e[0] = 1;
    let size = 0;
    let outside = 1;
    for (let k = 0; k < d; k++) {
      if ((subset >> k) & 1) {
        size += 1;
        for (let j = size; j >= 1; j--) e[j] = e[j]! + zero[k]! * e[j - 1]!;
      } else {
        outside *= zero[k]!;
      }
    }
    let sum = 0;
    // |S| ranges over 0..|T|, and |S| <= d - 1 always holds only when T is not the full path: the full set
    // T = P never occurs as H \ {i} and -F(P) is never read (i ∉ H is impossible when H = P).
    for (let s = 0; s <= Math.min(size, d - 1); s++) sum += w[s]! * e[size - s]!;
    table[start + subset] = v * outside * sum;
  }
}
