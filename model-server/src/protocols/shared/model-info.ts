import { describeOutputs } from '../../core/outputs';
import type { LoadedModel } from '../../core/types';

/** The native description of one model (`GET /v1/models/{m}`). */
export function modelInfo(model: LoadedModel, isDefault: boolean) {
  const m = model.metadata;
  return {
    name: model.name,
    version: model.version,
    kind: m.kind,
    task: m.task,
    ...(m.description !== undefined ? { description: m.description } : {}),
    default: isDefault,
    ...(m.classLabels !== undefined ? { classLabels: m.classLabels } : {}),
    inputs: m.inputs,
    outputs: describeOutputs(m),
    example: m.example,
  };
}

export const modelInfoSchema = {
  type: 'object',
  required: ['name', 'version', 'task', 'inputs', 'outputs'],
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    kind: { type: 'string', enum: ['xgboost', 'linear-text'] },
    task: { type: 'string', enum: ['binary_classification', 'multiclass_classification', 'regression'] },
    description: { type: 'string' },
    default: {
      type: 'boolean',
      description: 'This model answers /predict, /invocations and the Vertex route',
    },
    classLabels: { type: 'array', items: { type: 'string' } },
    inputs: {
      type: 'array',
      description: 'Raw input fields: name, type (number, category, string) and constraints',
      items: { type: 'object', additionalProperties: true },
    },
    outputs: {
      type: 'array',
      description: 'Fields of each prediction',
      items: { type: 'object', additionalProperties: true },
    },
    example: { type: 'object', additionalProperties: true, description: 'One valid instance' },
  },
} as const;
