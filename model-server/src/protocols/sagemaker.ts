import type { FastifyInstance } from 'fastify';
import { ServingError } from '../core/errors';
import type { InputField, Prediction } from '../core/types';
import { type PredictBody, predictNative } from './native';
import { csvToInstances, maxFieldCharsOf, negotiateAccept, predictionsToCsv } from './sagemaker-csv';
import { CsvBody, readCsvBody } from './sagemaker-csv-body';
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
  const notAcceptable = (accept: string | undefined) =>
    new ServingError(
      'NOT_ACCEPTABLE',
      `Accept "${accept}" is not supported; accept application/json or text/csv`,
    );
  // CSV is parsed as it arrives (no whole-body string), so a hostile body costs one chunk per event-loop turn
  // and is turned away at the first broken limit.
  // Worked out once per model (the default model is only known once the models are loaded).
  const fieldChars = new WeakMap<readonly InputField[], number>();
  const fieldCharsOf = (inputs: readonly InputField[]): number => {
    let chars = fieldChars.get(inputs);
    if (chars === undefined) {
      chars = maxFieldCharsOf(inputs);
      fieldChars.set(inputs, chars);
    }
    return chars;
  };
  app.addContentTypeParser('text/csv', (request, payload, done) => {
    // A 406 would be the answer whatever the body holds: do not parse it.
    const refusal =
      negotiateAccept(request.headers.accept) === undefined
        ? notAcceptable(request.headers.accept)
        : undefined;
    let maxFields = Number.POSITIVE_INFINITY;
    let maxFieldChars = Number.POSITIVE_INFINITY;
    try {
      const inputs = registry.getDefault().metadata.inputs;
      maxFields = inputs.length;
      maxFieldChars = fieldCharsOf(inputs);
    } catch {
      // No model yet: the route answers that (503) once the body is read, bounded by the body limit.
    }
    readCsvBody(
      payload,
      request.headers['content-length'],
      deps.bodyLimitBytes,
      { maxRows: deps.scorer.maxBatchSize, maxFields, maxFieldChars },
      done,
      refusal,
    );
  });

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

  app.post<{ Body: PredictBody | CsvBody; Querystring: { explain?: string } }>(
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
              // No `type`: the body is CSV text, but what reaches validation is the rows it was parsed into.
              schema: {
                description: 'CSV text: one row per instance in input-field order; header optional',
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
      if (format === undefined) throw notAcceptable(request.headers.accept);
      const model = registry.getDefault();
      // Without a Content-Type no body schema applies (they are per media type): an empty POST lands here.
      if (request.body === undefined || request.body === null) {
        throw new ServingError('BAD_REQUEST', `the request body is empty; send ${MEDIA_TYPES}`);
      }
      let predictions: Prediction[];
      if (request.body instanceof CsvBody) {
        const instances = csvToInstances(request.body.rows, model.metadata.inputs, deps.scorer.maxBatchSize);
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
