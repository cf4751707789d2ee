/**
 * JSON schemas of the native request and response bodies (also used by the SageMaker and Vertex routes, which
 * take the same body). They validate requests, speed up serialization and are the source of `/openapi.json`.
 */
import { ERROR_CATALOGUE } from '../../core/errors';

const numberMap = { type: 'object', additionalProperties: { type: 'number' } } as const;

// additionalProperties: true throughout the response schemas: fast-json-stringify drops undeclared fields, and
// a field the models add later must reach clients rather than vanish.
const outputExplanation = {
  type: 'object',
  additionalProperties: true,
  properties: {
    baseValue: { type: 'number', description: 'Expected margin over the training data (SHAP base value)' },
    margin: {
      type: 'number',
      description: 'The model margin for this instance: baseValue + sum(contributions)',
    },
    contributions: { ...numberMap, description: 'SHAP value per model feature (encoded column or token)' },
    fieldContributions: { ...numberMap, description: 'SHAP values summed back to each raw input field' },
  },
} as const;

export const explanationSchema = {
  type: 'object',
  description: 'Exact SHAP explanation in margin space',
  additionalProperties: true,
  properties: {
    ...outputExplanation.properties,
    outputSpace: { type: 'string', enum: ['log_odds', 'raw', 'softmax_logit'] },
    perClass: {
      type: 'object',
      description: 'Multiclass only: one explanation per class label',
      additionalProperties: outputExplanation,
    },
  },
} as const;

export const predictionSchema = {
  type: 'object',
  description: 'One prediction; its explanation (when asked for) sits inside it',
  properties: {
    label: { type: 'string', description: 'Classification: predicted label' },
    probability: { type: 'number', description: 'Binary classification: probability of the positive class' },
    probabilities: { ...numberMap, description: 'Classification: probability per label' },
    value: { type: 'number', description: 'Regression: predicted value' },
    explanation: explanationSchema,
  },
  additionalProperties: true,
} as const;

export const predictBodySchema = {
  type: 'object',
  required: ['instances'],
  additionalProperties: false,
  properties: {
    instances: {
      type: 'array',
      minItems: 1,
      description:
        'Raw instances: objects keyed by input field name, or (tabular models) arrays in input-field order. ' +
        'At most MAX_BATCH_SIZE per request.',
      items: { type: ['object', 'array'] },
    },
    parameters: {
      type: 'object',
      additionalProperties: false,
      properties: {
        explain: { type: 'boolean', description: 'Add an exact SHAP explanation to each prediction' },
      },
    },
  },
} as const;

export const predictResponseSchema = {
  type: 'object',
  required: ['predictions'],
  properties: { predictions: { type: 'array', items: predictionSchema } },
} as const;

export const explainQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    explain: {
      type: 'string',
      enum: ['true', 'false', '1', '0'],
      description: 'Add an exact SHAP explanation to each prediction',
    },
  },
} as const;

export const customAttributesHeaderSchema = {
  type: 'object',
  properties: {
    'x-amzn-sagemaker-custom-attributes': {
      type: 'string',
      description: 'SageMaker custom attributes; `explain=true` among them asks for explanations',
    },
  },
} as const;

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) },
        message: { type: 'string' },
        details: {
          type: 'array',
          description: 'The problems, at most 100 of them',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
        detailsTotal: {
          type: 'integer',
          description: 'How many problems there were, when there were more than details lists',
        },
      },
    },
  },
} as const;

export const errorResponses = { '4xx': errorSchema, '5xx': errorSchema } as const;

export const modelParamsSchema = {
  type: 'object',
  required: ['model'],
  properties: { model: { type: 'string', description: 'Model name (see GET /v1/models)' } },
} as const;

export const statusSchema = {
  type: 'object',
  properties: { status: { type: 'string' } },
} as const;
