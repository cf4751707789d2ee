import type { BundleMetadata } from './types';

/** One field of a prediction object, as documented by the metadata routes (native and Open Inference V2). */
export interface OutputField {
  readonly name: 'label' | 'probability' | 'probabilities' | 'value' | 'explanation';
  readonly type: 'category' | 'number' | 'object';
  readonly description: string;
  /** `label` only: the values it takes. */
  readonly categories?: readonly string[];
}

/** The fields a model's predictions carry, derived from its task (the shapes of `Prediction` in types.ts). */
export function describeOutputs(metadata: BundleMetadata): OutputField[] {
  const labels = metadata.classLabels ?? [];
  const explanation: OutputField = {
    name: 'explanation',
    type: 'object',
    description:
      'Exact SHAP explanation in margin space (only when explanations are asked for): baseValue + sum(contributions) = margin',
  };
  switch (metadata.task) {
    case 'binary_classification':
      return [
        { name: 'label', type: 'category', categories: labels, description: 'Predicted class label' },
        {
          name: 'probability',
          type: 'number',
          description: `Probability of "${labels[1] ?? 'the positive class'}"`,
        },
        { name: 'probabilities', type: 'object', description: 'Probability per class label' },
        explanation,
      ];
    case 'multiclass_classification':
      return [
        { name: 'label', type: 'category', categories: labels, description: 'Predicted class label' },
        { name: 'probabilities', type: 'object', description: 'Probability per class label' },
        explanation,
      ];
    case 'regression':
      return [{ name: 'value', type: 'number', description: 'Predicted value' }, explanation];
  }
}
