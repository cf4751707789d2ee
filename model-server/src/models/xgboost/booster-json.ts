/**
 * Reads an XGBoost booster saved by `Booster.save_model('model.json')` (the JSON schema of XGBoost 1.x-3.x:
 * doc/model.schema in the XGBoost repository) into plain arrays, checking every field the server relies on.
 * Anything the prediction core does not implement (gblinear, dart, categorical splits, vector leaves,
 * other objectives) is rejected here with an error naming the field, so a model never serves wrong numbers.
 */

/** How the summed margin becomes the model's output; also how base_score maps to a base margin. */
export type Link = 'logistic' | 'identity' | 'softmax';

/** Objectives the server scores exactly, with their link. */
export const SUPPORTED_OBJECTIVES: Readonly<Record<string, Link>> = {
  'binary:logistic': 'logistic',
  'reg:logistic': 'logistic',
  // Outputs the margin itself; base_score is still a probability (XGBoost's LogisticRaw keeps the logit link).
  'binary:logitraw': 'logistic',
  'reg:squarederror': 'identity',
  'reg:linear': 'identity',
  'multi:softprob': 'softmax',
  'multi:softmax': 'softmax',
};

/** One tree as stored (node ids are XGBoost's; -1 = no child). */
export interface BoosterTree {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly splitIndex: Int32Array;
  /** Threshold at inner nodes, leaf value at leaves (both float32 values). */
  readonly splitCondition: Float64Array;
  readonly defaultLeft: Uint8Array;
  /** Node cover (sum of hessians), the weights of path-dependent TreeSHAP. */
  readonly cover: Float64Array;
  /** Output group (class) the tree adds to. */
  readonly group: number;
}

export interface BoosterModel {
  readonly objective: string;
  readonly link: Link;
  /** Number of output groups: num_class for multiclass objectives, else 1. */
  readonly numGroups: number;
  readonly numFeatures: number;
  /** learner.feature_names, when the booster was trained with names. */
  readonly featureNames?: readonly string[];
  /** learner.feature_types ('float', 'int', 'i', 'q', 'c'), when present. */
  readonly featureTypes?: readonly string[];
  /** base_score as written (output space: a probability for logistic objectives), one per group. */
  readonly baseScore: readonly number[];
  /** The base margin per group: base_score through the inverse link, in float32 as XGBoost holds it. */
  readonly baseMargin: Float64Array;
  readonly trees: readonly BoosterTree[];
  /** XGBoost version that wrote the file, e.g. [1, 7, 4], when recorded. */
  readonly version?: readonly number[];
}

type Json = Record<string, unknown>;

class BoosterFormatError extends Error {
  constructor(source: string, field: string, problem: string) {
    super(`${source}: ${field}: ${problem}`);
    this.name = 'BoosterFormatError';
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === undefined) return 'nothing (the field is absent)';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * XGBoost writes its parameters as strings ("5E-1", "3"); newer versions sometimes as numbers.
 * Number() parses both the C++ exponent form and plain decimals, ignores surrounding whitespace and
 * rejects trailing garbage; it reads a blank string as 0, hence the check.
 */
function parseNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return Number.NaN;
  return Number(value);
}

/**
 * base_score in all the forms XGBoost has written: 1.7 `"5E-1"`, 2.x `"4.0123E-1"` (estimated from the
 * data), 3.1+ a bracketed vector `"[5E-1]"` or `"[a,b,c]"` (one entry per class), or a bare JSON number.
 */
export function parseBaseScore(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (typeof value !== 'string') return [Number.NaN];
  const text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1).trim();
    if (inner === '') return [];
    return inner.split(',').map(parseNumber);
  }
  return [parseNumber(text)];
}

/** XGBoost's ProbToMargin for the logistic link, in float32: -logf(1/p - 1). */
export function logitFloat32(p: number): number {
  const f = Math.fround(p);
  const margin = Math.fround(-Math.log(Math.fround(Math.fround(1 / f) - 1)));
  // -log(1) is -0; report a base margin of 0 for the default 0.5.
  return margin === 0 ? 0 : margin;
}

function obj(value: unknown, source: string, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BoosterFormatError(source, field, `expected an object, got ${describe(value)}`);
  }
  return value as Json;
}

function arr(value: unknown, source: string, field: string, length?: number): unknown[] {
  if (!Array.isArray(value)) {
    throw new BoosterFormatError(source, field, `expected an array, got ${describe(value)}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new BoosterFormatError(
      source,
      field,
      `expected ${length} entries (num_nodes), got ${value.length}`,
    );
  }
  return value;
}

function numbers(value: unknown, source: string, field: string, length: number): Float64Array {
  const a = arr(value, source, field, length);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new BoosterFormatError(source, `${field}[${i}]`, `expected a finite number, got ${describe(v)}`);
    }
    // Values are float32 in XGBoost; rounding makes a value written with extra digits exact again.
    out[i] = Math.fround(v);
  }
  return out;
}

function ints(value: unknown, source: string, field: string, length: number): Int32Array {
  const a = arr(value, source, field, length);
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new BoosterFormatError(source, `${field}[${i}]`, `expected an integer, got ${describe(v)}`);
    }
    out[i] = v;
  }
  return out;
}

function flags(value: unknown, source: string, field: string, length: number): Uint8Array {
  const a = arr(value, source, field, length);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const v = a[i];
    // 1.x/2.x write 0/1, UBJSON-converted files booleans.
    if (v === 1 || v === true) out[i] = 1;
    else if (v !== 0 && v !== false) {
      throw new BoosterFormatError(source, `${field}[${i}]`, `expected 0 or 1, got ${describe(v)}`);
    }
  }
  return out;
}

function parseTree(
  value: unknown,
  source: string,
  t: number,
  group: number,
  numFeatures: number,
): BoosterTree {
  const field = `learner.gradient_booster.model.trees[${t}]`;
  const tree = obj(value, source, field);
  const param = obj(tree.tree_param, source, `${field}.tree_param`);
  const numNodes = parseNumber(param.num_nodes);
  if (!Number.isInteger(numNodes) || numNodes < 1) {
    throw new BoosterFormatError(source, `${field}.tree_param.num_nodes`, `expected a positive integer`);
  }
  const leafVector = parseNumber(param.size_leaf_vector ?? '0');
  if (leafVector > 1) {
    throw new BoosterFormatError(
      source,
      `${field}.tree_param.size_leaf_vector`,
      `vector-leaf (multi-output) trees are not supported, got ${leafVector}`,
    );
  }
  const left = ints(tree.left_children, source, `${field}.left_children`, numNodes);
  const right = ints(tree.right_children, source, `${field}.right_children`, numNodes);
  const splitIndex = ints(tree.split_indices, source, `${field}.split_indices`, numNodes);
  const splitCondition = numbers(tree.split_conditions, source, `${field}.split_conditions`, numNodes);
  const defaultLeft = flags(tree.default_left, source, `${field}.default_left`, numNodes);
  const cover = numbers(tree.sum_hessian, source, `${field}.sum_hessian`, numNodes);
  if (tree.split_type !== undefined) {
    const types = ints(tree.split_type, source, `${field}.split_type`, numNodes);
    const cat = types.findIndex((v, i) => v !== 0 && left[i] !== -1);
    if (cat >= 0) {
      throw new BoosterFormatError(
        source,
        `${field}.split_type[${cat}]`,
        'categorical splits are not supported; one-hot encode the category in the bundle metadata instead',
      );
    }
  }
  for (let n = 0; n < numNodes; n++) {
    const isLeaf = left[n] === -1;
    if (isLeaf !== (right[n] === -1)) {
      throw new BoosterFormatError(source, `${field} node ${n}`, 'has exactly one child');
    }
    if (isLeaf) continue;
    for (const child of [left[n]!, right[n]!]) {
      if (child < 0 || child >= numNodes || child === n) {
        throw new BoosterFormatError(
          source,
          `${field} node ${n}`,
          `child ${child} is not a node of the tree`,
        );
      }
      // A cycle back to the root: said here, in the booster's own terms, rather than later by the Forest.
      if (child === 0) {
        throw new BoosterFormatError(
          source,
          `${field} node ${n}`,
          "child 0 is the root, which is no node's child",
        );
      }
    }
    if (splitIndex[n]! < 0 || splitIndex[n]! >= numFeatures) {
      throw new BoosterFormatError(
        source,
        `${field}.split_indices[${n}]`,
        `feature ${splitIndex[n]} is outside 0..${numFeatures - 1} (num_feature ${numFeatures})`,
      );
    }
    if (!(cover[n]! > 0)) {
      throw new BoosterFormatError(
        source,
        `${field}.sum_hessian[${n}]`,
        'an inner node needs a positive cover',
      );
    }
  }
  return { left, right, splitIndex, splitCondition, defaultLeft, cover, group };
}

/** Parses and checks a saved XGBoost JSON model; `source` (a file path) prefixes every error message. */
export function parseBoosterJson(json: unknown, source: string): BoosterModel {
  const root = obj(json, source, '(top level)');
  const learner = obj(root.learner, source, 'learner');
  const objective = obj(learner.objective, source, 'learner.objective');
  const objectiveName = objective.name;
  if (typeof objectiveName !== 'string' || !Object.hasOwn(SUPPORTED_OBJECTIVES, objectiveName)) {
    throw new BoosterFormatError(
      source,
      'learner.objective.name',
      `${describe(objectiveName)} is not supported; supported: ${Object.keys(SUPPORTED_OBJECTIVES).join(', ')}`,
    );
  }
  const link = SUPPORTED_OBJECTIVES[objectiveName]!;

  const modelParam = obj(learner.learner_model_param, source, 'learner.learner_model_param');
  const numFeatures = parseNumber(modelParam.num_feature);
  if (!Number.isInteger(numFeatures) || numFeatures < 1) {
    throw new BoosterFormatError(
      source,
      'learner.learner_model_param.num_feature',
      `expected a positive integer, got ${describe(modelParam.num_feature)}`,
    );
  }
  const numClass = parseNumber(modelParam.num_class ?? '0');
  if (!Number.isInteger(numClass) || numClass < 0) {
    throw new BoosterFormatError(
      source,
      'learner.learner_model_param.num_class',
      `expected an integer >= 0, got ${describe(modelParam.num_class)}`,
    );
  }
  if (link === 'softmax' && numClass < 2) {
    throw new BoosterFormatError(
      source,
      'learner.learner_model_param.num_class',
      `${objectiveName} needs num_class >= 2, got ${numClass}`,
    );
  }
  const numTarget = parseNumber(modelParam.num_target ?? '1');
  if (numTarget > 1) {
    throw new BoosterFormatError(
      source,
      'learner.learner_model_param.num_target',
      `multi-target models are not supported, got ${numTarget}`,
    );
  }
  const numGroups = link === 'softmax' ? numClass : 1;

  const baseScore = parseBaseScore(modelParam.base_score);
  const baseField = 'learner.learner_model_param.base_score';
  if (baseScore.length !== 1 && baseScore.length !== numGroups) {
    throw new BoosterFormatError(
      source,
      baseField,
      `expected 1 or ${numGroups} values (one per class), got ${baseScore.length} in ${describe(modelParam.base_score)}`,
    );
  }
  const baseMargin = new Float64Array(numGroups);
  for (let g = 0; g < numGroups; g++) {
    const b = baseScore.length === 1 ? baseScore[0]! : baseScore[g]!;
    if (!Number.isFinite(b)) {
      throw new BoosterFormatError(
        source,
        baseField,
        `expected a number, got ${describe(modelParam.base_score)}`,
      );
    }
    if (link === 'logistic') {
      if (!(b > 0 && b < 1)) {
        throw new BoosterFormatError(
          source,
          baseField,
          `${objectiveName} stores base_score as a probability in (0, 1), got ${b}`,
        );
      }
      baseMargin[g] = logitFloat32(b);
    } else {
      // Squared error and softmax use base_score as the margin itself.
      baseMargin[g] = Math.fround(b);
    }
  }

  const booster = obj(learner.gradient_booster, source, 'learner.gradient_booster');
  if (booster.name !== 'gbtree') {
    throw new BoosterFormatError(
      source,
      'learner.gradient_booster.name',
      `only gbtree boosters are supported, got ${describe(booster.name)}`,
    );
  }
  const model = obj(booster.model, source, 'learner.gradient_booster.model');
  const rawTrees = arr(model.trees, source, 'learner.gradient_booster.model.trees');
  if (rawTrees.length === 0) {
    throw new BoosterFormatError(source, 'learner.gradient_booster.model.trees', 'the booster has no trees');
  }
  const treeInfo = arr(model.tree_info, source, 'learner.gradient_booster.model.tree_info', rawTrees.length);
  const trees = rawTrees.map((tree, t) => {
    const group = treeInfo[t];
    if (typeof group !== 'number' || !Number.isInteger(group) || group < 0 || group >= numGroups) {
      throw new BoosterFormatError(
        source,
        `learner.gradient_booster.model.tree_info[${t}]`,
        `expected a class index in 0..${numGroups - 1}, got ${describe(group)}`,
      );
    }
    return parseTree(tree, source, t, group, numFeatures);
  });

  let featureNames: string[] | undefined;
  if (Array.isArray(learner.feature_names) && learner.feature_names.length > 0) {
    const names = learner.feature_names;
    if (names.length !== numFeatures || !names.every((n) => typeof n === 'string')) {
      throw new BoosterFormatError(
        source,
        'learner.feature_names',
        `expected ${numFeatures} strings (num_feature), got ${describe(names)}`,
      );
    }
    featureNames = names as string[];
  }
  let featureTypes: string[] | undefined;
  if (Array.isArray(learner.feature_types) && learner.feature_types.length > 0) {
    featureTypes = learner.feature_types.map(String);
    const cat = featureTypes.indexOf('c');
    if (cat >= 0) {
      throw new BoosterFormatError(
        source,
        `learner.feature_types[${cat}]`,
        'categorical features ("c") are not supported; one-hot encode them in the bundle metadata instead',
      );
    }
  }
  const version = Array.isArray(root.version) ? root.version.filter((v) => typeof v === 'number') : undefined;

  return {
    objective: objectiveName,
    link,
    numGroups,
    numFeatures,
    ...(featureNames ? { featureNames } : {}),
    ...(featureTypes ? { featureTypes } : {}),
    baseScore,
    baseMargin,
    trees,
    ...(version ? { version } : {}),
  };
}
