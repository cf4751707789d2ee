import type { FastifyInstance } from 'fastify';
import { ServingError } from '../core/errors';
import type { Prediction } from '../core/types';
import { type PredictBody, predictNative } from './native';
import { csvToInstances, negotiateAccept, parseCsv, predictionsToCsv } from './sagemaker-csv';
import { type ProtocolDeps, scoreForRequest } from './shared/context';
import { makeErrorHandler, renderNativeError } from './shared/errors';
import { CUSTOM_ATTRIBUTES_HEADER, explainRequested } from './shared/explain-flag';
import { assertReady } from './shared/readiness';
import {
  customAttributesHeaderSchema,
  errorResponses,
  explainQuerySchema,
  predictBodySchema,
  predictResponseSchema,
  statusSchema,
} from './shared/schemas';

const MEDIA_TYPES = 'application/json or text/csv';

/**
 * SageMaker's container contract: `GET /ping` and `POST /invocations` for the default model. JSON bodies are
 * the native body; `text/csv` bodies are rows in input-field order. The explain flag arrives as
 * `explain=true` in `X-Amzn-SageMaker-Custom-Attributes` (SageMaker forwards no query string).
 */
export async function sagemakerProtocol(app: FastifyInstance, deps: ProtocolDeps): Promise<void> {
  const { registry, readiness } = deps;
  app.setErrorHandler(makeErrorHandler(deps.bodyLimitBytes, renderNativeError, MEDIA_TYPES));
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: deps.bodyLimitBytes },
    (_req, body, done) => done(null, body),
  );

  app.get(
    '/ping',
    {
      schema: {
        summary: 'SageMaker health check: 200 once ready, 503 before and while draining',
        tags: ['sagemaker'],
        response: { 200: statusSchema, ...errorResponses },
      },
      config: { quietLog: true },
    },
    async () => {
      assertReady(readiness);
      return { status: 'ready' };
    },
  );

  app.post<{ Body: PredictBody | string; Querystring: { explain?: string } }>(
    '/invocations',
    {
      schema: {
        summary:
          'SageMaker inference with the default model: JSON (native body) or CSV rows; JSON or CSV back',
        tags: ['sagemaker'],
        querystring: explainQuerySchema,
        headers: customAttributesHeaderSchema,
        body: {
          content: {
            'application/json': { schema: predictBodySchema },
            'text/csv': {
              schema: {
                type: 'string',
                description: 'One row per instance in input-field order; header optional',
              },
            },
          },
        },
        response: { 200: predictResponseSchema, ...errorResponses },
      },
      config: { model: 'default', limited: true },
    },
    async (request, reply) => {
      const format = negotiateAccept(request.headers.accept);
      if (format === undefined) {
        throw new ServingError(
          'NOT_ACCEPTABLE',
          `Accept "${request.headers.accept}" is not supported; accept application/json or text/csv`,
        );
      }
      const model = registry.getDefault();
      // Without a Content-Type no body schema applies (they are per media type): an empty POST lands here.
      if (request.body === undefined || request.body === null) {
        throw new ServingError('BAD_REQUEST', `the request body is empty; send ${MEDIA_TYPES}`);
      }
      let predictions: Prediction[];
      if (typeof request.body === 'string') {
        const inputs = model.metadata.inputs;
        const maxRows = deps.scorer.maxBatchSize;
        const instances = csvToInstances(
          parseCsv(request.body, { maxRows, maxFields: inputs.length }),
          inputs,
          maxRows,
        );
        const explain = explainRequested({
          query: request.query.explain,
          customAttributes: request.headers[CUSTOM_ATTRIBUTES_HEADER],
        });
        predictions = await scoreForRequest(deps.scorer, request, reply, model, instances, explain);
      } else {
        predictions = (await predictNative(deps, request, reply, model, request.body)).predictions;
      }
      if (format.type === 'csv') {
        reply.type('text/csv; charset=utf-8');
        return predictionsToCsv(predictions, model.metadata, format.header);
      }
      return { predictions };
    },
  );
}
