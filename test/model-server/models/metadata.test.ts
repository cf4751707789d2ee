import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedModel, Prediction } from '../../../model-server/src/core/types';
import { BUNDLED_MODELS_DIR } from '../../../model-server/src/models/loader';
import { parseBundleMetadata } from '../../../model-server/src/models/metadata';
import { selfTestModel } from '../../../model-server/src/models/self-test';
import type { LooseJson } from './helpers/trees';

const bankchurn = JSON.parse(readFileSync(join(BUNDLED_MODELS_DIR, 'bankchurn', 'metadata.json'), 'utf8'));

function withPatch(patch: (m: LooseJson) => void): unknown {
  const copy = structuredClone(bankchurn);
  patch(copy);
  return copy;
}

describe('parseBundleMetadata', () => {
  it('reads the bundled metadata unchanged', () => {
    expect(parseBundleMetadata(bankchurn, 'metadata.json')).toEqual(bankchurn);
  });

  it('ignores keys it does not know (training scripts may record more)', () => {
    expect(() => parseBundleMetadata({ ...bankchurn, metrics: { auc: 0.8 } }, 'm.json')).not.toThrow();
  });

  it.each([
    [
      'kind',
      (m: LooseJson) => (m.kind = 'onnx'),
      'kind: expected one of "xgboost", "linear-text", got "onnx"',
    ],
    [
      'task',
      (m: LooseJson) => (m.task = 'ranking'),
      'task: expected one of "binary_classification", "multiclass_classification", "regression", got "ranking"',
    ],
    ['version', (m: LooseJson) => delete m.version, 'version: expected a non-empty string, got nothing'],
    [
      'artifact path',
      (m: LooseJson) => (m.artifact = '../model.json'),
      'artifact: expected a file name inside the bundle directory, got "../model.json"',
    ],
    [
      'binary labels',
      (m: LooseJson) => (m.classLabels = ['a', 'b', 'c']),
      'classLabels: a binary classifier has 2 class labels, got 3',
    ],
    [
      'input type',
      (m: LooseJson) => (m.inputs[1].type = 'enum'),
      'inputs[1].type: expected one of "number", "category", "string", got "enum"',
    ],
    [
      'input bounds',
      (m: LooseJson) => (m.inputs[0].minimum = 1000),
      'inputs[0]: minimum 1000 is greater than maximum 900',
    ],
    [
      'duplicate inputs',
      (m: LooseJson) => (m.inputs[2].name = 'Geography'),
      'inputs[2].name: "Geography" appears more than once',
    ],
    [
      'categories',
      (m: LooseJson) => (m.inputs[1].categories = []),
      'inputs[1].categories: expected a non-empty array of strings',
    ],
    [
      'feature source',
      (m: LooseJson) => (m.features[0].source = 'Score'),
      'features[0].source: "Score" is not an input; inputs: "CreditScore", "Geography"',
    ],
    [
      'one-hot value',
      (m: LooseJson) => (m.features[1].value = 'Italy'),
      'features[1].value: "Italy" is not a category of Geography: "France", "Spain", "Germany"',
    ],
    [
      'identity of a category',
      (m: LooseJson) => (m.features[1] = { name: 'G', source: 'Geography', transform: 'identity' }),
      'features[1]: identity needs a number input, but "Geography" is a category',
    ],
    [
      'missing features',
      (m: LooseJson) => delete m.features,
      'features: an xgboost bundle needs features (how each booster column is computed from the inputs)',
    ],
    [
      'example',
      (m: LooseJson) => (m.example = [1, 2]),
      'example: expected one valid instance as an object keyed by input name',
    ],
  ])('rejects a bad %s, naming the file and field', (_what, patch, message) => {
    expect(() => parseBundleMetadata(withPatch(patch), '/b/metadata.json')).toThrow(message);
    expect(() => parseBundleMetadata(withPatch(patch), '/b/metadata.json')).toThrow(
      /^\/b\/metadata\.json: invalid bundle metadata: /,
    );
  });

  it('lists every problem at once', () => {
    const bad = withPatch((m) => {
      m.kind = 'onnx';
      m.inputs[0].type = 'int';
      delete m.example;
    });
    expect(() => parseBundleMetadata(bad, 'm.json')).toThrow(
      /kind: expected one of .*; inputs\[0\]\.type: expected one of .*; .*example: expected one valid instance/,
    );
  });
});

describe('selfTestModel', () => {
  /** A model returning a fixed prediction for its example. */
  function fake(prediction: Prediction): LoadedModel {
    return {
      name: 'fake',
      version: '1',
      metadata: {
        name: 'fake',
        version: '1',
        kind: 'xgboost',
        task: 'regression',
        artifact: 'model.json',
        inputs: [{ name: 'x', type: 'number' }],
        example: { x: 1 },
      },
      predict: () => [prediction],
      selfTest() {},
    };
  }
  const explanation = {
    baseValue: 1,
    margin: 3,
    contributions: { x: 2 },
    fieldContributions: { x: 2 },
    outputSpace: 'raw' as const,
  };

  it('passes an additive, finite explanation', () => {
    expect(() => selfTestModel(fake({ value: 3, explanation }))).not.toThrow();
  });

  it('fails an explanation that does not add up to the margin', () => {
    expect(() => selfTestModel(fake({ value: 3, explanation: { ...explanation, margin: 4 } }))).toThrow(
      "Model 'fake' failed its self-test on metadata.example: explanation: baseValue 1 + sum of contributions 2 " +
        'differs from margin 4 by 1',
    );
  });

  it('fails a value that is not finite', () => {
    expect(() => selfTestModel(fake({ value: Number.NaN, explanation }))).toThrow(
      /the prediction is not a finite number/,
    );
    expect(() =>
      selfTestModel(
        fake({ value: 3, explanation: { ...explanation, contributions: { x: Number.POSITIVE_INFINITY } } }),
      ),
    ).toThrow(/explanation: the explanation has a value that is not a finite number/);
  });

  it('fails field contributions that do not sum to the feature contributions', () => {
    expect(() =>
      selfTestModel(fake({ value: 3, explanation: { ...explanation, fieldContributions: { x: 1 } } })),
    ).toThrow(/explanation: field contributions sum to 1, feature contributions to 2/);
  });

  it('fails a model that returns no explanation', () => {
    expect(() => selfTestModel(fake({ value: 3 }))).toThrow(/no explanation returned/);
  });
});
