import type { BundleMetadata, Task } from '../../core/types';
import type { BoosterModel } from './booster-json';

const TASK: Record<BoosterModel['link'], Task> = {
  logistic: 'binary_classification',
  identity: 'regression',
  softmax: 'multiclass_classification',
};

/**
 * The metadata a bare booster (a directory with only model.json) serves under: its inputs are the
 * booster's feature_names (f0, f1, … when absent), numeric and nullable (null or absent = missing, as in
 * XGBoost), each its own column; the example is all zeros; class labels are the class indices.
 */
export function bareBoosterMetadata(name: string, artifact: string, booster: BoosterModel): BundleMetadata {
  const names = booster.featureNames ?? Array.from({ length: booster.numFeatures }, (_, i) => `f${i}`);
  const task = TASK[booster.link];
  const classes = task === 'multiclass_classification' ? booster.numGroups : 2;
  const version = booster.version?.join('.') ?? 'unknown';
  return {
    name,
    version: '0',
    kind: 'xgboost',
    task,
    artifact,
    ...(task === 'regression' ? {} : { classLabels: Array.from({ length: classes }, (_, i) => String(i)) }),
    inputs: names.map((n) => ({ name: n, type: 'number', nullable: true })),
    features: names.map((n) => ({ name: n, source: n, transform: 'identity' })),
    description: `Bare XGBoost ${version} booster (${booster.objective}, ${booster.trees.length} trees) without bundle metadata`,
    example: Object.fromEntries(names.map((n) => [n, 0])),
  };
}
