import { bareBoosterMetadata } from '../../../model-server/src/models/xgboost/bare-booster';
import { parseBoosterJson } from '../../../model-server/src/models/xgboost/booster-json';
import { boosterJson, leaf, split } from './helpers/trees';

const stump = split(0, 0.5, leaf(1, 4), leaf(-1, 6));

function booster(objective: string, extra: { numClass?: number; featureNames?: string[] } = {}) {
  const trees = extra.numClass ? Array.from({ length: extra.numClass }, () => stump) : [stump];
  const json = boosterJson({
    trees,
    numFeature: 2,
    objective,
    ...(extra.numClass ? { numClass: extra.numClass, treeInfo: trees.map((_, i) => i) } : {}),
    ...(extra.featureNames ? { featureNames: extra.featureNames } : {}),
  });
  return parseBoosterJson(json, 'test');
}

describe('bareBoosterMetadata', () => {
  it('serves a binary classifier with class labels 0 and 1, numeric nullable inputs and a zero example', () => {
    const meta = bareBoosterMetadata(
      'sensors',
      'model.json',
      booster('binary:logistic', { featureNames: ['a', 'b'] }),
    );
    expect(meta).toEqual({
      name: 'sensors',
      version: '0',
      kind: 'xgboost',
      task: 'binary_classification',
      artifact: 'model.json',
      classLabels: ['0', '1'],
      inputs: [
        { name: 'a', type: 'number', nullable: true },
        { name: 'b', type: 'number', nullable: true },
      ],
      features: [
        { name: 'a', source: 'a', transform: 'identity' },
        { name: 'b', source: 'b', transform: 'identity' },
      ],
      description: 'Bare XGBoost 1.7.4 booster (binary:logistic, 1 trees) without bundle metadata',
      example: { a: 0, b: 0 },
    });
  });

  it('names unnamed features f0, f1, …', () => {
    const meta = bareBoosterMetadata('m', 'model.json', booster('reg:squarederror'));
    expect(meta.inputs.map((f) => f.name)).toEqual(['f0', 'f1']);
  });

  it('serves a regressor without class labels', () => {
    const meta = bareBoosterMetadata('m', 'model.json', booster('reg:squarederror'));
    expect(meta.task).toBe('regression');
    expect(meta).not.toHaveProperty('classLabels');
  });

  it('labels a multiclass booster 0 … num_class - 1', () => {
    const meta = bareBoosterMetadata('m', 'model.json', booster('multi:softprob', { numClass: 3 }));
    expect(meta.task).toBe('multiclass_classification');
    expect(meta.classLabels).toEqual(['0', '1', '2']);
    expect(meta.description).toBe(
      'Bare XGBoost 1.7.4 booster (multi:softprob, 3 trees) without bundle metadata',
    );
  });

  it('says "unknown" for a booster that does not record its XGBoost version', () => {
    const b = booster('binary:logistic');
    const meta = bareBoosterMetadata('m', 'model.json', { ...b, version: undefined });
    expect(meta.description).toBe(
      'Bare XGBoost unknown booster (binary:logistic, 1 trees) without bundle metadata',
    );
  });
});
