import type { FastifyInstance } from 'fastify';
import { type PredictBody, predictNative } from './native';
import type { ProtocolDeps } from './shared/context';
import { makeErrorHandler, renderNativeError } from './shared/errors';
import { assertReady } from './shared/readiness';
import {
  errorResponses,
  explainQuerySchema,
  predictBodySchema,
  predictResponseSchema,
  statusSchema,
} from './shared/schemas';

export interface VertexRoutes {
  /** `AIP_HEALTH_ROUTE`, e.g. `/v1/endpoints/123/deployedModels/456`. */
  readonly healthRoute: string;
  /** `AIP_PREDICT_ROUTE`, e.g. `/v1/endpoints/123/deployedModels/456:predict`. */
  readonly predictRoute: string;
}

/** A literal path for find-my-way, where `:` starts a parameter unless doubled. */
export const literalRoute = (path: string): string => path.replace(/:/g, '::');

/**
 * Vertex AI's custom-container contract (when `AIP_MODE=PREDICTION`): the health route and the predict route
 * Vertex names in its environment; `{"instances", "parameters"}` in, `{"predictions"}` out, for the default
 * model. Vertex passes only `predictions` through to callers, so each explanation sits inside its prediction.
 */
export async function vertexProtocol(
  app: FastifyInstance,
  options: ProtocolDeps & { readonly routes: VertexRoutes },
): Promise<void> {
  const { registry, readiness, routes } = options;
  app.setErrorHandler(makeErrorHandler(options.bodyLimitBytes, renderNativeError));

  // A route Vertex names that the native API already serves (e.g. /predict) is served by the native route.
  if (!app.hasRoute({ method: 'GET', url: literalRoute(routes.healthRoute) })) {
    app.get(
      literalRoute(routes.healthRoute),
      {
        schema: {
          summary: 'Vertex AI health route (AIP_HEALTH_ROUTE): 200 once ready',
          tags: ['vertex'],
          response: { 200: statusSchema, ...errorResponses },
        },
        config: { quietLog: true },
      },
      async () => {
        assertReady(readiness);
        return { status: 'ready' };
      },
    );
  }

  if (!app.hasRoute({ method: 'POST', url: literalRoute(routes.predictRoute) })) {
    app.post<{ Body: PredictBody }>(
      literalRoute(routes.predictRoute),
      {
        schema: {
          summary: 'Vertex AI predict route (AIP_PREDICT_ROUTE) for the default model',
          tags: ['vertex'],
          querystring: explainQuerySchema,
          body: predictBodySchema,
          response: { 200: predictResponseSchema, ...errorResponses },
        },
        config: { model: 'default', limited: true },
      },
      async (request, reply) => predictNative(options, request, reply, registry.getDefault(), request.body),
    );
  }
}
