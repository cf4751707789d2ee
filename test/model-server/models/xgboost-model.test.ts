import type { BundleMetadata, FeatureSpec, InputField } from '../../../model-server/src/core/types';
import { parseBoosterJson } from '../../../model-server/src/models/xgboost/booster-json';
import { XGBoostModel } from '../../../model-server/src/models/xgboost/xgboost-model';
import { boosterJson, leaf, split, type TestNode } from './helpers/trees';

// What XGBoostModel makes of margins (labels, probabilities, explanations) on hand-made boosters whose
// margins are known; xgboost-parity checks the margins themselves against XGBoost.

const inputs: InputField[] = [
  { name: 'a', type: 'number', nullable: true },
  { name: 'unused', type: 'number', nullable: true },
  { name: 'c', type: 'number', nullable: true },
];
const features: FeatureSpec[] = [
  { name: 'a', source: 'a', transform: 'identity' },
  { name: 'c', source: 'c', transform: 'identity' },
];

function model(
  task: BundleMetadata['task'],
  trees: TestNode[],
  extra: { objective: string; numClass?: number; classLabels?: string[]; features?: FeatureSpec[] },
): XGBoostModel {
  const json = boosterJson({
    trees,
    numFeature: 2,
    baseScore: '5E-1',
    objective: extra.objective,
    ...(extra.numClass
      ? { numClass: extra.numClass, treeInfo: trees.map((_, i) => i % extra.numClass!) }
      : {}),
  });
  const metadata: BundleMetadata = {
    name: 'm',
    version: '1',
    kind: 'xgboost',
    task,
    artifact: 'model.json',
    inputs,
    features: extra.features ?? features,
    example: { a: 0, unused: 0, c: 0 },
    ...(extra.classLabels ? { classLabels: extra.classLabels } : {}),
  };
  return new XGBoostModel('m', metadata, parseBoosterJson(json, 'test'), 'bundles/m');
}

/** f0 < 0.5: left leaf `low`, right leaf `high` (cover 5 each). */
const stump = (low: number, high: number): TestNode => split(0, 0.5, leaf(low, 5), leaf(high, 5));
const sigmoid = (m: number): number => Math.fround(1 / (1 + Math.exp(-m)));

describe('XGBoostModel, binary (logistic)', () => {
  const binary = (classLabels?: string[]) =>
    model('binary_classification', [stump(2, -1)], {
      objective: 'binary:logistic',
      ...(classLabels ? { classLabels } : {}),
    });

  it('gives the sigmoid of the margin as the positive class probability, and the rest to the other', () => {
    const [p] = binary(['no', 'yes']).predict([{ a: 0, unused: 9, c: 0 }], { explain: false });
    expect(p).toEqual({
      label: 'yes',
      probability: sigmoid(2),
      probabilities: { no: 1 - sigmoid(2), yes: sigmoid(2) },
    });
    const [q] = binary(['no', 'yes']).predict([{ a: 1, unused: 9, c: 0 }], { explain: false });
    expect(q).toEqual({
      label: 'no',
      probability: sigmoid(-1),
      probabilities: { no: 1 - sigmoid(-1), yes: sigmoid(-1) },
    });
  });

  it('keeps the negative class at exactly 0.5, as XGBClassifier.predict', () => {
    const even = model('binary_classification', [stump(0, 0)], { objective: 'binary:logistic' });
    expect(even.predict([{ a: 0, unused: 0, c: 0 }], { explain: false })[0]).toMatchObject({
      label: '0',
      probability: 0.5,
    });
  });

  it('names the classes 0 and 1 without classLabels', () => {
    expect(binary().predict([{ a: 0, unused: 0, c: 0 }], { explain: false })[0]!.probabilities).toEqual({
      '0': 1 - sigmoid(2),
      '1': sigmoid(2),
    });
  });

  it('explains in log odds, per feature and per input field (fields that feed no feature left out)', () => {
    const [p] = binary(['no', 'yes']).predict([{ a: 0, unused: 9, c: 3 }], { explain: true });
    // E[f] = (2 - 1) / 2 = 0.5: phi_a = 2 - 0.5; c is split on by no tree.
    expect(p!.explanation).toEqual({
      outputSpace: 'log_odds',
      baseValue: 0.5,
      margin: 2,
      contributions: { a: 1.5, c: 0 },
      fieldContributions: { a: 1.5, c: 0 },
    });
  });

  it('sums the contributions of the features of one field into that field', () => {
    const twoFromA: FeatureSpec[] = [
      { name: 'a1', source: 'a', transform: 'identity' },
      { name: 'a2', source: 'a', transform: 'identity' },
    ];
    const m = model('binary_classification', [stump(2, -1), split(1, 0.5, leaf(1, 5), leaf(0, 5))], {
      objective: 'binary:logistic',
      features: twoFromA,
    });
    const [p] = m.predict([{ a: 0, unused: 0, c: 0 }], { explain: true });
    expect(p!.explanation!.contributions).toEqual({ a1: 1.5, a2: 0.5 });
    expect(p!.explanation!.fieldContributions).toEqual({ a: 2 });
  });
});

describe('XGBoostModel, regression (identity)', () => {
  const regression = model('regression', [stump(3, -1)], { objective: 'reg:squarederror' });

  it('returns the margin as the value, and a raw explanation only when asked', () => {
    const [plain] = regression.predict([{ a: 0, unused: 0, c: 0 }], { explain: false });
    expect(plain).toEqual({ value: 3.5 });
    const [explained] = regression.predict([{ a: 1, unused: 0, c: 0 }], { explain: true });
    expect(explained).toEqual({
      value: -0.5,
      explanation: {
        outputSpace: 'raw',
        baseValue: 1.5,
        margin: -0.5,
        contributions: { a: -2, c: 0 },
        fieldContributions: { a: -2, c: 0 },
      },
    });
  });

  it('scores each instance of a batch on its own', () => {
    const rows = regression.predict(
      [
        { a: 0, unused: 0, c: 0 },
        { a: 1, unused: 0, c: 0 },
      ],
      { explain: false },
    );
    expect(rows).toEqual([{ value: 3.5 }, { value: -0.5 }]);
  });
});

describe('XGBoostModel, multiclass (softmax)', () => {
  // One tree per class: class 1's leaf is the largest on the left, class 2's on the right.
  const trees = [stump(0, 0), stump(2, 1), stump(1, 3)];
  const multiclass = model('multiclass_classification', trees, {
    objective: 'multi:softprob',
    numClass: 3,
    classLabels: ['x', 'y', 'z'],
  });
  const softmax = (leaves: number[]): number[] => {
    const max = Math.max(...leaves);
    const sum = leaves.reduce((s, l) => s + Math.exp(l - max), 0);
    return leaves.map((l) => Math.fround(Math.exp(l - max) / sum));
  };

  it('picks the class of the largest margin and gives the softmax of the margins', () => {
    const [left, right] = multiclass.predict(
      [
        { a: 0, unused: 0, c: 0 },
        { a: 1, unused: 0, c: 0 },
      ],
      { explain: false },
    );
    const [px, py, pz] = softmax([0, 2, 1]);
    expect(left).toEqual({ label: 'y', probabilities: { x: px, y: py, z: pz } });
    const [qx, qy, qz] = softmax([0, 1, 3]);
    expect(right).toEqual({ label: 'z', probabilities: { x: qx, y: qy, z: qz } });
  });

  it('gives a tie to the first class', () => {
    const tied = model('multiclass_classification', [stump(1, 0), stump(1, 0), stump(0, 0)], {
      objective: 'multi:softprob',
      numClass: 3,
      classLabels: ['x', 'y', 'z'],
    });
    expect(tied.predict([{ a: 0, unused: 0, c: 0 }], { explain: false })[0]!.label).toBe('x');
  });

  it('explains every class, and the predicted one at the top level', () => {
    const [p] = multiclass.predict([{ a: 1, unused: 0, c: 0 }], { explain: true });
    const explanation = p!.explanation!;
    expect(Object.keys(explanation.perClass!)).toEqual(['x', 'y', 'z']);
    expect(explanation.perClass!.y!.contributions.a).toBeCloseTo(-0.5, 12);
    expect(explanation).toMatchObject({ ...explanation.perClass!.z, outputSpace: 'softmax_logit' });
    expect(explanation.contributions.a).toBeCloseTo(1, 12);
    expect(explanation.perClass!.z).not.toHaveProperty('outputSpace');
  });
});

describe('XGBoostModel.encode', () => {
  it("gives the booster's float32 feature vector of one raw instance, NaN for a missing value", () => {
    const m = model('regression', [stump(3, -1)], { objective: 'reg:squarederror' });
    expect([...m.encode({ a: 0.1, unused: 5, c: null })]).toEqual([Math.fround(0.1), Number.NaN]);
  });
});

describe('XGBoostModel, a bundle that does not match its booster', () => {
  it('needs features in the metadata', () => {
    const json = boosterJson({ trees: [stump(0, 0)], numFeature: 2, objective: 'reg:squarederror' });
    const metadata: BundleMetadata = {
      name: 'm',
      version: '1',
      kind: 'xgboost',
      task: 'regression',
      artifact: 'model.json',
      inputs,
      example: {},
    };
    expect(() => new XGBoostModel('m', metadata, parseBoosterJson(json, 't'), 'bundles/m')).toThrow(
      'bundles/m: metadata has no features',
    );
  });

  it('names the feature count and the class count that differ', () => {
    expect(() =>
      model('multiclass_classification', [stump(0, 0), stump(0, 0), stump(0, 0)], {
        objective: 'multi:softprob',
        numClass: 3,
        classLabels: ['x', 'y'],
        features: [features[0]!],
      }),
    ).toThrow(
      'bundles/m: bundle does not match its booster: metadata lists 1 features but the booster has 2; ' +
        'classLabels has 2 labels but the booster has num_class 3',
    );
  });
});
