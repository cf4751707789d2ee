import { parseBoosterJson } from '../../../model-server/src/models/xgboost/booster-json';
import { Forest } from '../../../model-server/src/models/xgboost/forest';
import { boosterJson, type LooseJson, leaf, split } from './helpers/trees';

// Every check of a saved booster, each with its whole message: the field it names and what it got.
// The stump's nodes: 0 splits f0 at 0.5 into leaves 1 and 2.

const stump = split(0, 0.5, leaf(1, 4), leaf(-1, 6));
const TREE = 's: learner.gradient_booster.model.trees[0]';

function edited(edit: (json: LooseJson) => void, objective = 'binary:logistic'): unknown {
  const json = boosterJson({ trees: [stump], numFeature: 2, objective });
  edit(json);
  return json;
}
const tree0 = (j: LooseJson): LooseJson => j.learner.gradient_booster.model.trees[0];
const params = (j: LooseJson): LooseJson => j.learner.learner_model_param;

const cases: [string, (json: LooseJson) => void, string][] = [
  [
    'not an object',
    (j) => (j.learner.objective = null),
    's: learner.objective: expected an object, got null',
  ],
  [
    'an array',
    (j) => (j.learner.objective = []),
    's: learner.objective: expected an object, got an array of 0',
  ],
  [
    'an unsupported objective, by type',
    (j) => (j.learner.objective.name = 5),
    's: learner.objective.name: number 5 is not supported; supported: binary:logistic, reg:logistic, binary:logitraw, reg:squarederror, reg:linear, multi:softprob, multi:softmax',
  ],
  [
    'a long string, cut at 40 characters',
    (j) => (j.learner.objective.name = 'x'.repeat(50)),
    `s: learner.objective.name: the string "${'x'.repeat(40)}" is not supported; supported: binary:logistic, reg:logistic, binary:logitraw, reg:squarederror, reg:linear, multi:softprob, multi:softmax`,
  ],
  [
    'no model params',
    (j) => delete j.learner.learner_model_param,
    's: learner.learner_model_param: expected an object, got nothing (the field is absent)',
  ],
  [
    'num_feature 0',
    (j) => (params(j).num_feature = '0'),
    's: learner.learner_model_param.num_feature: expected a positive integer, got the string "0"',
  ],
  [
    'num_feature an object',
    (j) => (params(j).num_feature = {}),
    's: learner.learner_model_param.num_feature: expected a positive integer, got an object',
  ],
  [
    'num_feature not an integer',
    (j) => (params(j).num_feature = 2.5),
    's: learner.learner_model_param.num_feature: expected a positive integer, got number 2.5',
  ],
  [
    'num_class empty',
    (j) => (params(j).num_class = ''),
    's: learner.learner_model_param.num_class: expected an integer >= 0, got the string ""',
  ],
  [
    'num_class negative',
    (j) => (params(j).num_class = '-1'),
    's: learner.learner_model_param.num_class: expected an integer >= 0, got the string "-1"',
  ],
  [
    'num_class not an integer',
    (j) => (params(j).num_class = '0.5'),
    's: learner.learner_model_param.num_class: expected an integer >= 0, got the string "0.5"',
  ],
  [
    'base_score null',
    (j) => (params(j).base_score = null),
    's: learner.learner_model_param.base_score: expected a number, got null',
  ],
  [
    'base_score an empty vector',
    (j) => (params(j).base_score = '[ ]'),
    's: learner.learner_model_param.base_score: expected 1 or 1 values (one per class), got 0 in the string "[ ]"',
  ],
  [
    'base_score with only a closing bracket',
    (j) => (params(j).base_score = '0.5]'),
    's: learner.learner_model_param.base_score: expected a number, got the string "0.5]"',
  ],
  [
    'base_score with only an opening bracket',
    (j) => (params(j).base_score = '[0.5'),
    's: learner.learner_model_param.base_score: expected a number, got the string "[0.5"',
  ],
  [
    'num_class blank',
    (j) => (params(j).num_class = '  '),
    's: learner.learner_model_param.num_class: expected an integer >= 0, got the string "  "',
  ],
  [
    'a logistic base_score of 1',
    (j) => (params(j).base_score = '1'),
    's: learner.learner_model_param.base_score: binary:logistic stores base_score as a probability in (0, 1), got 1',
  ],
  [
    'a logistic base_score of 0',
    (j) => (params(j).base_score = '0'),
    's: learner.learner_model_param.base_score: binary:logistic stores base_score as a probability in (0, 1), got 0',
  ],
  [
    'no gradient booster',
    (j) => delete j.learner.gradient_booster,
    's: learner.gradient_booster: expected an object, got nothing (the field is absent)',
  ],
  [
    'no model',
    (j) => delete j.learner.gradient_booster.model,
    's: learner.gradient_booster.model: expected an object, got nothing (the field is absent)',
  ],
  [
    'trees not an array',
    (j) => (j.learner.gradient_booster.model.trees = {}),
    's: learner.gradient_booster.model.trees: expected an array, got an object',
  ],
  [
    'tree_info of another length',
    (j) => (j.learner.gradient_booster.model.tree_info = []),
    's: learner.gradient_booster.model.tree_info: expected 1 entries (num_nodes), got 0',
  ],
  [
    'a tree of a class the booster lacks',
    (j) => (j.learner.gradient_booster.model.tree_info = [1]),
    's: learner.gradient_booster.model.tree_info[0]: expected a class index in 0..0, got number 1',
  ],
  [
    'a fractional class index',
    (j) => (j.learner.gradient_booster.model.tree_info = [0.5]),
    's: learner.gradient_booster.model.tree_info[0]: expected a class index in 0..0, got number 0.5',
  ],
  [
    'no tree_param',
    (j) => delete tree0(j).tree_param,
    `${TREE}.tree_param: expected an object, got nothing (the field is absent)`,
  ],
  [
    'num_nodes 0',
    (j) => (tree0(j).tree_param.num_nodes = '0'),
    `${TREE}.tree_param.num_nodes: expected a positive integer`,
  ],
  [
    'num_nodes not an integer',
    (j) => (tree0(j).tree_param.num_nodes = '1.5'),
    `${TREE}.tree_param.num_nodes: expected a positive integer`,
  ],
  ...[
    'left_children',
    'right_children',
    'split_indices',
    'split_conditions',
    'default_left',
    'sum_hessian',
    'split_type',
  ].map((key): [string, (json: LooseJson) => void, string] => [
    `${key} one short`,
    (j) => tree0(j)[key].pop(),
    `${TREE}.${key}: expected 3 entries (num_nodes), got 2`,
  ]),
  [
    'a split condition that is not a number',
    (j) => (tree0(j).split_conditions[1] = 'x'),
    `${TREE}.split_conditions[1]: expected a finite number, got the string "x"`,
  ],
  [
    'a child index that is not an integer',
    (j) => (tree0(j).left_children[0] = 1.5),
    `${TREE}.left_children[0]: expected an integer, got number 1.5`,
  ],
  [
    'a default_left of 2',
    (j) => (tree0(j).default_left[0] = 2),
    `${TREE}.default_left[0]: expected 0 or 1, got number 2`,
  ],
  [
    'a categorical split',
    (j) => (tree0(j).split_type[0] = 1),
    `${TREE}.split_type[0]: categorical splits are not supported; one-hot encode the category in the bundle metadata instead`,
  ],
  ['one child', (j) => (tree0(j).right_children[0] = -1), `${TREE} node 0: has exactly one child`],
  [
    'a child past the last node',
    (j) => (tree0(j).left_children[0] = 3),
    `${TREE} node 0: child 3 is not a node of the tree`,
  ],
  [
    'a negative child',
    (j) => (tree0(j).left_children[0] = -2),
    `${TREE} node 0: child -2 is not a node of the tree`,
  ],
  [
    'a node its own child',
    (j) => (tree0(j).left_children[0] = 0),
    `${TREE} node 0: child 0 is not a node of the tree`,
  ],
  [
    'a split on a feature past num_feature',
    (j) => (tree0(j).split_indices[0] = 2),
    `${TREE}.split_indices[0]: feature 2 is outside 0..1 (num_feature 2)`,
  ],
  [
    'a split on a negative feature',
    (j) => (tree0(j).split_indices[0] = -1),
    `${TREE}.split_indices[0]: feature -1 is outside 0..1 (num_feature 2)`,
  ],
  [
    'an inner node without cover',
    (j) => (tree0(j).sum_hessian[0] = 0),
    `${TREE}.sum_hessian[0]: an inner node needs a positive cover`,
  ],
  [
    'feature_names that are not all strings',
    (j) => (j.learner.feature_names = ['a', 3]),
    's: learner.feature_names: expected 2 strings (num_feature), got an array of 2',
  ],
  [
    'a categorical first feature',
    (j) => (j.learner.feature_types = ['c', 'q']),
    's: learner.feature_types[0]: categorical features ("c") are not supported; one-hot encode them in the bundle metadata instead',
  ],
];

describe('parseBoosterJson refuses, naming the field', () => {
  it.each(cases)('%s', (_what, edit, message) => {
    let error: unknown;
    try {
      parseBoosterJson(edited(edit), 's');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(message);
    expect((error as Error).name).toBe('BoosterFormatError');
  });

  it('refuses a top level that is not an object', () => {
    expect(() => parseBoosterJson(null, 's')).toThrow(/^s: \(top level\): expected an object, got null$/);
  });
});

describe('parseBoosterJson accepts', () => {
  const parse = (edit: (json: LooseJson) => void, objective?: string) =>
    parseBoosterJson(edited(edit, objective), 's');

  it('parameters written as strings with spaces, and absent num_class and num_target', () => {
    const model = parse((j) => {
      params(j).num_feature = ' 2 ';
      delete params(j).num_class;
      delete params(j).num_target;
    });
    expect(model.numFeatures).toBe(2);
    expect(model.numGroups).toBe(1);
    expect(parse((j) => (params(j).base_score = ' [3E-1] ')).baseScore).toEqual([0.3]);
  });

  it('a size_leaf_vector of 1 (a scalar leaf), and trees without split_type', () => {
    const model = parse((j) => {
      tree0(j).tree_param.size_leaf_vector = '1';
      delete tree0(j).split_type;
    });
    expect(model.trees).toHaveLength(1);
  });

  it('a split_type set on a leaf (only inner nodes split)', () => {
    expect(parse((j) => (tree0(j).split_type[1] = 1)).trees).toHaveLength(1);
  });

  it('false in default_left, and numeric feature types, kept', () => {
    const model = parse((j) => {
      tree0(j).default_left = [false, 0, false];
      j.learner.feature_types = ['q', 'float'];
    });
    expect([...model.trees[0]!.defaultLeft]).toEqual([0, 0, 0]);
    expect(model.featureTypes).toEqual(['q', 'float']);
  });

  it('no feature types when the list is empty, and only the numbers of the version', () => {
    const model = parse((j) => {
      j.learner.feature_types = [];
      j.version = [2, 'x', 1];
    });
    expect(model).not.toHaveProperty('featureTypes');
    expect(model.version).toEqual([2, 1]);
    expect(parse((j) => delete j.version)).not.toHaveProperty('version');
  });
});

describe('Forest, from a parsed booster', () => {
  it('refuses a tree whose two branches share a node', () => {
    const json = edited((j) => (tree0(j).right_children[0] = 1));
    expect(() => new Forest(parseBoosterJson(json, 's'))).toThrow(
      'tree 0: node 1 is reached twice; the tree is malformed',
    );
  });

  it('keeps no slot of a pruned node in any of its arrays', () => {
    const json = edited((j) => {
      const t = tree0(j);
      t.tree_param.num_nodes = '4';
      for (const key of ['left_children', 'right_children']) t[key].push(-1);
      for (const key of ['split_indices', 'default_left', 'split_type']) t[key].push(0);
      t.split_conditions.push(123);
      t.sum_hessian.push(1);
    });
    const forest = new Forest(parseBoosterJson(json, 's'));
    for (const a of [forest.feature, forest.threshold, forest.left, forest.right, forest.defaultLeft]) {
      expect(a).toHaveLength(3);
    }
    expect(forest.value).toHaveLength(3);
    expect(forest.coverFraction).toHaveLength(3);
  });

  it('sends a value equal to the threshold right, and a missing one the default way', () => {
    const json = edited((j) => (tree0(j).default_left = [1, 0, 0]), 'reg:squarederror');
    const forest = new Forest(parseBoosterJson(json, 's'));
    const out = new Float64Array(1);
    forest.margins(Float64Array.from([0.5, 0]), out);
    expect(out[0]).toBe(Math.fround(-1 + 0.5));
    forest.margins(Float64Array.from([Number.NaN, 0]), out);
    expect(out[0]).toBe(Math.fround(1 + 0.5));
  });
});

it('refuses a node whose child is the root (a cycle), naming the node', () => {
  const json = boosterJson({
    trees: [split(0, 0.5, split(1, 0.5, leaf(1, 2), leaf(2, 2)), leaf(3, 4))],
    numFeature: 2,
  }) as LooseJson;
  const tree = tree0(json);
  const inner = (tree.left_children as number[]).findIndex((c, n) => n > 0 && c !== -1);
  expect(inner).toBeGreaterThan(0);
  tree.left_children[inner] = 0;
  expect(() => parseBoosterJson(json, 's')).toThrow(
    `${TREE} node ${inner}: child 0 is the root, which is no node's child`,
  );
});
