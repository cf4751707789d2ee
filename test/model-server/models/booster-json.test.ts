import {
  logitFloat32,
  parseBaseScore,
  parseBoosterJson,
} from '../../../model-server/src/models/xgboost/booster-json';
import { Forest } from '../../../model-server/src/models/xgboost/forest';
import { boosterJson, type LooseJson, leaf, split } from './helpers/trees';

const stump = split(0, 0.5, leaf(1, 4), leaf(-1, 6));

/** A booster with one stump, then `edit` applied to its JSON. */
function edited(edit: (json: LooseJson) => void, objective = 'binary:logistic'): unknown {
  const json = boosterJson({ trees: [stump], numFeature: 2, objective });
  edit(json);
  return json;
}

describe('base_score', () => {
  it.each([
    ['5E-1', [0.5]],
    ['3.326315E1', [33.26315]],
    ['[5E-1]', [0.5]],
    ['[-3.95E-2,1.97E-1,-1.57E-1]', [-0.0395, 0.197, -0.157]],
    [' 0.25 ', [0.25]],
    [0.5, [0.5]],
  ] as const)('parses %p', (text, expected) => {
    expect(parseBaseScore(text)).toEqual(expected);
  });

  it('turns a probability into a float32 logit for logistic objectives (0.5 -> 0)', () => {
    expect(logitFloat32(0.5)).toBe(0);
    expect(logitFloat32(0.3)).toBe(Math.fround(Math.log(0.3 / 0.7)));
    for (const objective of ['binary:logistic', 'reg:logistic', 'binary:logitraw']) {
      const model = parseBoosterJson(
        edited((j) => {
          j.learner.learner_model_param.base_score = '3E-1';
        }, objective),
        't',
      );
      expect(model.link).toBe('logistic');
      expect(model.baseMargin[0]).toBeCloseTo(-0.8472979, 6);
    }
  });

  it('uses it as the margin for squared error and softmax', () => {
    const reg = parseBoosterJson(
      edited((j) => {
        j.learner.learner_model_param.base_score = '3.326315E1';
      }, 'reg:squarederror'),
      't',
    );
    expect(reg.baseMargin[0]).toBe(Math.fround(33.26315));
    const multi = parseBoosterJson(
      boosterJson({
        trees: [stump, stump, stump],
        numFeature: 2,
        objective: 'multi:softprob',
        numClass: 3,
        treeInfo: [0, 1, 2],
        baseScore: '[1E-1,2E-1,3E-1]',
      }),
      't',
    );
    expect([...multi.baseMargin]).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    // One entry of a 3.1 vector applies to every class.
    const broadcast = parseBoosterJson(
      boosterJson({
        trees: [stump, stump],
        numFeature: 2,
        objective: 'multi:softmax',
        numClass: 2,
        treeInfo: [0, 1],
        baseScore: '[5E-1]',
      }),
      't',
    );
    expect([...broadcast.baseMargin]).toEqual([0.5, 0.5]);
  });

  it('starts the margin at the base margin', () => {
    const model = parseBoosterJson(
      edited((j) => {
        j.learner.learner_model_param.base_score = '[2.5E0]';
      }, 'reg:squarederror'),
      't',
    );
    const forest = new Forest(model);
    const out = new Float64Array(1);
    forest.margins(Float64Array.of(0, 0), out);
    expect(out[0]).toBe(3.5);
    forest.margins(Float64Array.of(Math.fround(0.5), 0), out);
    // 0.5 is not < 0.5: right leaf.
    expect(out[0]).toBe(1.5);
  });
});

describe('what the reader rejects, naming the field', () => {
  const cases: [string, (j: LooseJson) => void, RegExp][] = [
    ...['constructor', '__proto__', 'toString', 'hasOwnProperty'].map(
      (name): [string, (j: LooseJson) => void, RegExp] => [
        `an objective named like an Object property (${name})`,
        (j) => {
          j.learner.objective.name = name;
        },
        new RegExp(
          `learner\\.objective\\.name: the string "${name}" is not supported; supported: binary:logistic`,
        ),
      ],
    ),
    [
      'an objective it cannot score',
      (j) => {
        j.learner.objective.name = 'count:poisson';
      },
      /learner\.objective\.name: the string "count:poisson" is not supported; supported: binary:logistic/,
    ],
    [
      'a linear booster',
      (j) => {
        j.learner.gradient_booster.name = 'gblinear';
      },
      /learner\.gradient_booster\.name: only gbtree boosters are supported, got the string "gblinear"/,
    ],
    [
      'a probability base_score outside (0, 1)',
      (j) => {
        j.learner.learner_model_param.base_score = '1.5E0';
      },
      /base_score: binary:logistic stores base_score as a probability in \(0, 1\), got 1.5/,
    ],
    [
      'an unparsable base_score',
      (j) => {
        j.learner.learner_model_param.base_score = 'half';
      },
      /base_score: expected a number, got the string "half"/,
    ],
    [
      'a base_score vector of the wrong length',
      (j) => {
        j.learner.learner_model_param.base_score = '[5E-1,5E-1]';
      },
      /base_score: expected 1 or 1 values \(one per class\), got 2/,
    ],
    [
      'categorical splits',
      (j) => {
        j.learner.gradient_booster.model.trees[0].split_type[0] = 1;
      },
      /trees\[0\]\.split_type\[0\]: categorical splits are not supported/,
    ],
    [
      'categorical feature types',
      (j) => {
        j.learner.feature_types = ['q', 'c'];
      },
      /learner\.feature_types\[1\]: categorical features \("c"\) are not supported/,
    ],
    [
      'a split on a feature the booster does not have',
      (j) => {
        j.learner.gradient_booster.model.trees[0].split_indices[0] = 7;
      },
      /trees\[0\]\.split_indices\[0\]: feature 7 is outside 0\.\.1 \(num_feature 2\)/,
    ],
    [
      'arrays shorter than num_nodes',
      (j) => {
        j.learner.gradient_booster.model.trees[0].sum_hessian = [10, 4];
      },
      /trees\[0\]\.sum_hessian: expected 3 entries \(num_nodes\), got 2/,
    ],
    [
      'a tree assigned to a class that does not exist',
      (j) => {
        j.learner.gradient_booster.model.tree_info = [1];
      },
      /tree_info\[0\]: expected a class index in 0\.\.0, got number 1/,
    ],
    [
      'vector leaves',
      (j) => {
        j.learner.gradient_booster.model.trees[0].tree_param.size_leaf_vector = '2';
      },
      /size_leaf_vector: vector-leaf \(multi-output\) trees are not supported, got 2/,
    ],
    [
      'multi-target models',
      (j) => {
        j.learner.learner_model_param.num_target = '2';
      },
      /num_target: multi-target models are not supported, got 2/,
    ],
    [
      'a booster without trees',
      (j) => {
        j.learner.gradient_booster.model.trees = [];
        j.learner.gradient_booster.model.tree_info = [];
      },
      /learner\.gradient_booster\.model\.trees: the booster has no trees/,
    ],
    [
      'feature_names of the wrong length',
      (j) => {
        j.learner.feature_names = ['only_one'];
      },
      /learner\.feature_names: expected 2 strings \(num_feature\), got an array of 1/,
    ],
    [
      'something that is not a saved booster',
      (j) => {
        delete j.learner;
      },
      /learner: expected an object, got nothing \(the field is absent\)$/,
    ],
  ];

  it.each(cases)('%s', (_what, edit, message) => {
    expect(() => parseBoosterJson(edited(edit), '/models/x/model.json')).toThrow(message);
    expect(() => parseBoosterJson(edited(edit), '/models/x/model.json')).toThrow(
      /^\/models\/x\/model\.json: /,
    );
  });

  it('multiclass objectives need num_class', () => {
    expect(() =>
      parseBoosterJson(
        edited(() => {}, 'multi:softprob'),
        'm.json',
      ),
    ).toThrow(/num_class: multi:softprob needs num_class >= 2, got 0/);
  });

  it('accepts booleans in default_left (UBJSON converted to JSON)', () => {
    const model = parseBoosterJson(
      edited((j) => {
        j.learner.gradient_booster.model.trees[0].default_left = [true, false, false];
      }),
      't',
    );
    expect(model.trees[0]!.defaultLeft[0]).toBe(1);
  });
});
