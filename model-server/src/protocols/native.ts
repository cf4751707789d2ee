import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoadedModel, Prediction } from '../core/types';
import { type ProtocolDeps, scoreForRequest } from './shared/context';
import { makeErrorHandler, renderNativeError } from './shared/errors';
import { CUSTOM_ATTRIBUTES_HEADER, explainRequested } from './shared/explain-flag';
import { modelInfo, modelInfoSchema } from './shared/model-info';
import { assertReady } from './shared/readiness';
import {
  customAttributesHeaderSchema,
  errorResponses,
  explainQuerySchema,
  modelParamsSchema,
  predictBodySchema,
  predictResponseSchema,
  statusSchema,
} from './shared/schemas';

/** The native request body (validated by `predictBodySchema`). */
export interface PredictBody {
  readonly instances: unknown[];
  readonly parameters?: { readonly explain?: boolean };
}

export interface PredictRoute {
  Body: PredictBody;
  Querystring: { explain?: string };
  Params: { model: string };
}

/** Route path with a literal colon after a parameter: find-my-way needs the regex and `::` to tell them apart. */
const MODEL_VERB = (verb: string) => `/v1/models/:model(^[^:/]+)::${verb}`;

const predictSchema = (summary: string, withParams: boolean) => ({
  summary,
  tags: ['native'],
  ...(withParams ? { params: modelParamsSchema } : {}),
  querystring: explainQuerySchema,
  headers: customAttributesHeaderSchema,
  body: predictBodySchema,
  response: { 200: predictResponseSchema, ...errorResponses },
});

/**
 * Scores a native request body for a model: the native, SageMaker (JSON) and Vertex routes all take it.
 * `forceExplain` is the `:explain` verb. Returns the answer itself for a batch scored at once, so the route
 * handler (not async) answers in the same turn; a promise for a batch scored in slices.
 */
export function predictNative(
  deps: ProtocolDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  model: LoadedModel,
  body: PredictBody,
  forceExplain = false,
): { predictions: Prediction[] } | Promise<{ predictions: Prediction[] }> {
  const explain =
    forceExplain ||
    explainRequested({
      query: (request.query as { explain?: string } | undefined)?.explain,
      parameter: body.parameters?.explain,
      customAttributes: request.headers[CUSTOM_ATTRIBUTES_HEADER],
    });
  const predictions = scoreForRequest(deps.scorer, request, reply, model, body.instances, explain);
  return Array.isArray(predictions) ? { predictions } : predictions.then((p) => ({ predictions: p }));
}

/**
 * The native API: health, model listing and metadata, predict and explain. Errors render as
 * `{"error": {"code", "message", "details"}}`.
 */
export async function nativeProtocol(app: FastifyInstance, deps: ProtocolDeps): Promise<void> {
  const { registry, readiness } = deps;
  app.setErrorHandler(makeErrorHandler(deps.bodyLimitBytes, renderNativeError));

  app.get(
    '/health/live',
    {
      schema: {
        summary: 'Liveness: 200 while the process serves',
        tags: ['health'],
        response: { 200: statusSchema },
      },
      config: { quietLog: true },
    },
    async () => ({ status: 'live' }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        summary: 'Readiness: 200 once every model is loaded and self-tested; 503 before and while draining',
        tags: ['health'],
        response: { 200: statusSchema, ...errorResponses },
      },
      config: { quietLog: true },
    },
    async () => {
      assertReady(readiness);
      return { status: 'ready' };
    },
  );

  app.get(
    '/v1/models',
    {
      schema: {
        summary: 'The loaded models',
        tags: ['native'],
        response: {
          200: {
            type: 'object',
            properties: {
              defaultModel: { type: 'string' },
              models: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    version: { type: 'string' },
                    task: { type: 'string' },
                    default: { type: 'boolean' },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async () => {
      const defaultModel = registry.getDefault().name;
      return {
        defaultModel,
        models: registry.list().map((m) => ({
          name: m.name,
          version: m.version,
          task: m.metadata.task,
          default: m.name === defaultModel,
        })),
      };
    },
  );

  app.get<{ Params: { model: string } }>(
    // No colon in the name: `GET /v1/models/m:predict` is the predict route with the wrong method (405).
    '/v1/models/:model(^[^:/]+)',
    {
      schema: {
        summary: "One model's metadata: inputs, outputs, version",
        tags: ['native'],
        params: modelParamsSchema,
        response: { 200: modelInfoSchema, ...errorResponses },
      },
    },
    async (request) => {
      const model = registry.get(request.params.model);
      return modelInfo(model, model.name === registry.defaultModelName);
    },
  );

  app.post<PredictRoute>(
    MODEL_VERB('predict'),
    {
      schema: predictSchema(
        'Predict; explanations when asked for (?explain=true or parameters.explain)',
        true,
      ),
      config: { model: 'param', limited: true },
    },
    // Not async: fastify sends a returned object at once and awaits a returned promise. A thrown error
    // reaches the error handler either way.
    (request, reply) => predictNative(deps, request, reply, registry.get(request.params.model), request.body),
  );

  app.post<PredictRoute>(
    MODEL_VERB('explain'),
    {
      schema: predictSchema('Predict with an exact SHAP explanation inside each prediction', true),
      config: { model: 'param', limited: true },
    },
    // Not async: fastify sends a returned object at once and awaits a returned promise. A thrown error
    // reaches the error handler either way.
    (request, reply) =>
      predictNative(deps, request, reply, registry.get(request.params.model), request.body, true),
  );

  app.post<Omit<PredictRoute, 'Params'>>(
    '/predict',
    {
      schema: predictSchema('Predict with the default model', false),
      config: { model: 'default', limited: true },
    },
    (request, reply) => predictNative(deps, request, reply, registry.getDefault(), request.body),
  );
}
