import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServingError } from '../core/errors';
import type { LoadedModel } from '../core/types';
import {
  DATATYPES,
  inputMetadata,
  outputMetadata,
  predictionsToTensors,
  tensorsToInstances,
  type V2Tensor,
} from './open-inference-tensors';
import { type ProtocolDeps, scoreForRequest } from './shared/context';
import { allowedMethods, makeErrorHandler } from './shared/errors';
import { explainRequested } from './shared/explain-flag';
import { assertReady } from './shared/readiness';
import { explainQuerySchema } from './shared/schemas';

interface InferBody {
  readonly id?: string;
  readonly parameters?: Readonly<Record<string, unknown>> & { readonly explain?: boolean };
  readonly inputs: readonly V2Tensor[];
  readonly outputs?: readonly { readonly name: string }[];
}

type ModelParams = { model: string; version?: string };

/** Problems folded into a V2 error message at most. */
const V2_DETAILS = 10;

/**
 * V2 renders every error as `{"error": "message"}`; field paths are folded into the message, except those the
 * message already states (schema errors spell their path and problem in the message itself).
 */
export function renderV2Error(e: ServingError): { error: string } {
  const details = e.details
    .filter((d) => !e.message.includes(`${d.path}: ${d.message}`))
    .slice(0, V2_DETAILS)
    .map((d) => `${d.path.replace(/^instances\[(\d+)\]\.(.+)$/, '$2[$1]')}: ${d.message}`);
  return { error: details.length > 0 ? `${e.message} (${details.join('; ')})` : e.message };
}

const v2ErrorSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' } },
} as const;
const v2Errors = { '4xx': v2ErrorSchema, '5xx': v2ErrorSchema } as const;
const parameterValue = { type: ['boolean', 'number', 'string'] } as const;

const tensorMetadataSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      datatype: { type: 'string' },
      shape: { type: 'array', items: { type: 'integer' } },
    },
  },
} as const;

const modelParamsSchema = {
  type: 'object',
  required: ['model'],
  properties: { model: { type: 'string' }, version: { type: 'string' } },
} as const;

const inferBodySchema = {
  type: 'object',
  required: ['inputs'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'Echoed in the response' },
    parameters: {
      type: 'object',
      description: 'Request parameters; `explain: true` adds the `explanation` output',
      properties: { explain: { type: 'boolean' } },
      additionalProperties: parameterValue,
    },
    inputs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype', 'data'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'integer', minimum: 0 } },
          datatype: { type: 'string', enum: DATATYPES },
          parameters: { type: 'object', additionalProperties: parameterValue },
          data: { type: 'array' },
        },
      },
    },
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          parameters: { type: 'object', additionalProperties: parameterValue },
        },
      },
    },
  },
} as const;

const inferResponseSchema = {
  type: 'object',
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    id: { type: 'string' },
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', items: { type: 'integer' } },
          datatype: { type: 'string' },
          parameters: { type: 'object', additionalProperties: parameterValue },
          data: { type: 'array', items: { type: ['string', 'number', 'null'] } },
        },
      },
    },
  },
} as const;

/**
 * The Open Inference Protocol (KServe V2) REST API under `/v2`. Errors: `{"error": "…"}` with 400, 404, 413,
 * 415 or 503. Health answers 200 when true and 503 when not (the spec allows any 4xx/5xx).
 */
export async function openInferenceProtocol(app: FastifyInstance, deps: ProtocolDeps): Promise<void> {
  const { registry, readiness } = deps;
  app.setErrorHandler(makeErrorHandler(deps.bodyLimitBytes, renderV2Error));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = allowedMethods(app, path);
    if (allowed.length > 0) {
      reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send({ error: `${request.method} is not allowed on ${path}; use ${allowed.join(' or ')}` });
      return;
    }
    reply.code(404).send({ error: `no Open Inference route ${request.method} ${path}` });
  });

  const modelFor = (params: ModelParams): LoadedModel => {
    const model = registry.get(params.model);
    if (params.version !== undefined && params.version !== model.version) {
      throw new ServingError(
        'MODEL_NOT_FOUND',
        `model "${model.name}" has no version "${params.version}"; loaded: ${model.version}`,
      );
    }
    return model;
  };

  app.get(
    '/health/live',
    {
      schema: {
        tags: ['open-inference'],
        response: { 200: { type: 'object', properties: { live: { type: 'boolean' } } } },
      },
      config: { quietLog: true },
    },
    async () => ({ live: true }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['open-inference'],
        response: { 200: { type: 'object', properties: { ready: { type: 'boolean' } } }, ...v2Errors },
      },
      config: { quietLog: true },
    },
    async () => {
      assertReady(readiness);
      return { ready: true };
    },
  );

  app.get(
    '/',
    {
      schema: {
        summary: 'Server metadata',
        tags: ['open-inference'],
        response: {
          200: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              version: { type: 'string' },
              extensions: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    async () => ({ name: 'model-server', version: deps.serverVersion, extensions: [] }),
  );

  const metadataHandler = async (request: FastifyRequest<{ Params: ModelParams }>) => {
    const model = modelFor(request.params);
    return {
      name: model.name,
      versions: [model.version],
      platform: model.metadata.kind,
      inputs: inputMetadata(model.metadata),
      outputs: outputMetadata(model.metadata),
    };
  };
  const metadataOptions = {
    schema: {
      summary: 'Model metadata: inputs and outputs with name, datatype and shape',
      tags: ['open-inference'],
      params: modelParamsSchema,
      response: {
        200: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            versions: { type: 'array', items: { type: 'string' } },
            platform: { type: 'string' },
            inputs: tensorMetadataSchema,
            outputs: tensorMetadataSchema,
          },
        },
        ...v2Errors,
      },
    },
  };
  app.get('/models/:model', metadataOptions, metadataHandler);
  app.get('/models/:model/versions/:version', metadataOptions, metadataHandler);

  const readyHandler = async (request: FastifyRequest<{ Params: ModelParams }>) => {
    const model = modelFor(request.params);
    assertReady(readiness);
    return { name: model.name, ready: true };
  };
  const readyOptions = {
    schema: {
      summary: 'Model readiness',
      tags: ['open-inference'],
      params: modelParamsSchema,
      response: {
        200: { type: 'object', properties: { name: { type: 'string' }, ready: { type: 'boolean' } } },
        ...v2Errors,
      },
    },
    config: { quietLog: true },
  };
  app.get('/models/:model/ready', readyOptions, readyHandler);
  app.get('/models/:model/versions/:version/ready', readyOptions, readyHandler);

  const inferHandler = async (
    request: FastifyRequest<{ Params: ModelParams; Body: InferBody }>,
    reply: FastifyReply,
  ) => {
    const model = modelFor(request.params);
    const body = request.body;
    const available = outputMetadata(model.metadata).map((o) => o.name);
    const requested = body.outputs?.map((o) => o.name);
    const unknown = requested?.filter((name) => !available.includes(name)) ?? [];
    if (unknown.length > 0) {
      // The client chose how many names it sent: list a few, and the count.
      const listed = unknown.slice(0, V2_DETAILS).map((name) => name.slice(0, 64));
      const more = unknown.length > listed.length ? ` and ${unknown.length - listed.length} more` : '';
      throw new ServingError(
        'BAD_REQUEST',
        `unknown output(s) ${listed.join(', ')}${more}; the model's outputs are: ${available.join(', ')}`,
      );
    }
    const instances = tensorsToInstances(body.inputs, model.metadata, deps.scorer.maxBatchSize);
    const explain =
      requested?.includes('explanation') === true ||
      explainRequested({
        parameter: body.parameters?.explain,
        query: (request.query as { explain?: string }).explain,
      });
    const predictions = await scoreForRequest(deps.scorer, request, reply, model, instances, explain);
    return {
      model_name: model.name,
      model_version: model.version,
      ...(body.id !== undefined ? { id: body.id } : {}),
      outputs: predictionsToTensors(predictions, model.metadata, requested),
    };
  };
  const inferOptions = {
    schema: {
      summary: 'Inference: one named tensor per input field',
      tags: ['open-inference'],
      params: modelParamsSchema,
      querystring: explainQuerySchema,
      body: inferBodySchema,
      response: { 200: inferResponseSchema, ...v2Errors },
    },
    config: { model: 'param' as const, limited: true },
  };
  app.post('/models/:model/infer', inferOptions, inferHandler);
  app.post('/models/:model/versions/:version/infer', inferOptions, inferHandler);
}
