/**
 * Hand-written boosters in XGBoost's saved-JSON schema, and a brute-force Shapley reference to check
 * TreeSHAP against: the exponential definition, independent of any path bookkeeping.
 */

/** Parsed JSON that tests patch at arbitrary paths to make it invalid. */
// biome-ignore lint/suspicious/noExplicitAny: the point is to write any field, valid or not
export type LooseJson = any;

export interface TestLeaf {
  readonly leaf: number;
  readonly cover: number;
}

export interface TestSplit {
  readonly feature: number;
  readonly threshold: number;
  readonly defaultLeft: boolean;
  readonly cover: number;
  readonly left: TestNode;
  readonly right: TestNode;
}

/** A node of a test tree: a split or a leaf, with its cover. */
export type TestNode = TestSplit | TestLeaf;

export interface TestBoosterOptions {
  readonly trees: readonly TestNode[];
  readonly numFeature: number;
  /** @default 'binary:logistic' */
  readonly objective?: string;
  /** @default '5E-1' */
  readonly baseScore?: string | number;
  /** @default 0 */
  readonly numClass?: number;
  /** Class of each tree. @default all 0 */
  readonly treeInfo?: readonly number[];
  readonly featureNames?: readonly string[];
}

function isLeaf(node: TestNode): node is TestLeaf {
  return 'leaf' in node;
}

/** One tree in XGBoost's JSON form, nodes numbered breadth-first as XGBoost numbers them. */
export function treeJson(root: TestNode, id: number): Record<string, unknown> {
  const nodes: TestNode[] = [root];
  const left: number[] = [];
  const right: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (isLeaf(n)) {
      left.push(-1);
      right.push(-1);
    } else {
      left.push(nodes.push(n.left) - 1);
      right.push(nodes.push(n.right) - 1);
    }
  }
  const parents = nodes.map(() => 2147483647);
  left.forEach((c, p) => {
    if (c >= 0) {
      parents[c] = p;
      parents[right[p]!] = p;
    }
  });
  return {
    base_weights: nodes.map((n) => (isLeaf(n) ? n.leaf : 0)),
    categories: [],
    categories_nodes: [],
    categories_segments: [],
    categories_sizes: [],
    default_left: nodes.map((n) => (!isLeaf(n) && n.defaultLeft ? 1 : 0)),
    id,
    left_children: left,
    loss_changes: nodes.map(() => 0),
    parents,
    right_children: right,
    split_conditions: nodes.map((n) => (isLeaf(n) ? n.leaf : n.threshold)),
    split_indices: nodes.map((n) => (isLeaf(n) ? 0 : n.feature)),
    split_type: nodes.map(() => 0),
    sum_hessian: nodes.map((n) => n.cover),
    tree_param: {
      num_deleted: '0',
      num_feature: '0',
      num_nodes: String(nodes.length),
      size_leaf_vector: '0',
    },
  };
}

/** A whole saved booster (`Booster.save_model('model.json')` layout of XGBoost 1.7). */
export function boosterJson(o: TestBoosterOptions): Record<string, unknown> {
  return {
    learner: {
      attributes: {},
      feature_names: o.featureNames ?? [],
      feature_types: [],
      gradient_booster: {
        model: {
          gbtree_model_param: {
            num_parallel_tree: '1',
            num_trees: String(o.trees.length),
            size_leaf_vector: '0',
          },
          tree_info: o.treeInfo ?? o.trees.map(() => 0),
          trees: o.trees.map((t, i) => treeJson(t, i)),
        },
        name: 'gbtree',
      },
      learner_model_param: {
        base_score: o.baseScore ?? '5E-1',
        boost_from_average: '1',
        num_class: String(o.numClass ?? 0),
        num_feature: String(o.numFeature),
        num_target: '1',
      },
      objective: { name: o.objective ?? 'binary:logistic', reg_loss_param: { scale_pos_weight: '1' } },
    },
    version: [1, 7, 4],
  };
}

export const leaf = (value: number, cover: number): TestNode => ({ leaf: value, cover });
export const split = (
  feature: number,
  threshold: number,
  left: TestNode,
  right: TestNode,
  defaultLeft = false,
): TestNode => ({
  feature,
  threshold,
  defaultLeft,
  // Covers are float32 in a saved booster; keep the reference on the same numbers.
  cover: Math.fround(left.cover + right.cover),
  left,
  right,
});

/** E[f(x) | x_S] as path-dependent TreeSHAP defines it: unknown features follow both children by cover. */
function conditionalValue(node: TestNode, x: readonly number[], known: ReadonlySet<number>): number {
  if (isLeaf(node)) return node.leaf;
  if (known.has(node.feature)) {
    const v = Math.fround(x[node.feature]!);
    const goLeft = Number.isNaN(v) ? node.defaultLeft : v < node.threshold;
    return conditionalValue(goLeft ? node.left : node.right, x, known);
  }
  return (
    (node.left.cover * conditionalValue(node.left, x, known) +
      node.right.cover * conditionalValue(node.right, x, known)) /
    node.cover
  );
}

/** Shapley values of one tree by enumerating every coalition: [phi_0 .. phi_{n-1}, expected value]. */
export function bruteForceShap(tree: TestNode, x: readonly number[], numFeature: number): number[] {
  const factorial = [1];
  for (let i = 1; i <= numFeature; i++) factorial.push(factorial[i - 1]! * i);
  const phi = new Array<number>(numFeature + 1).fill(0);
  for (let i = 0; i < numFeature; i++) {
    for (let mask = 0; mask < 1 << numFeature; mask++) {
      if (mask & (1 << i)) continue;
      const s = new Set<number>();
      for (let k = 0; k < numFeature; k++) if (mask & (1 << k)) s.add(k);
      const weight = (factorial[s.size]! * factorial[numFeature - s.size - 1]!) / factorial[numFeature]!;
      const without = conditionalValue(tree, x, s);
      s.add(i);
      phi[i]! += weight * (conditionalValue(tree, x, s) - without);
    }
  }
  phi[numFeature] = conditionalValue(tree, x, new Set());
  return phi;
}

/** A small deterministic PRNG (mulberry32) so random trees are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random tree of the given depth over `numFeature` features (features repeat along paths). */
export function randomTree(rand: () => number, depth: number, numFeature: number): TestNode {
  if (depth === 0 || rand() < 0.15) return leaf(Math.fround(rand() * 4 - 2), Math.fround(1 + rand() * 20));
  const l = randomTree(rand, depth - 1, numFeature);
  const r = randomTree(rand, depth - 1, numFeature);
  const node = split(Math.floor(rand() * numFeature), Math.fround(rand() * 2 - 1), l, r, rand() < 0.5);
  return node;
}
