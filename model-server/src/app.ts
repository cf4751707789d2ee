import type { Server } from 'node:http';
import type { Writable } from 'node:stream';
import fastify, {
  type FastifyHttpOptions,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import { InFlightLimiter } from './core/concurrency';
import { ServingError } from './core/errors';
import type { Readiness } from './core/readiness';
import type { ModelRegistry } from './core/registry';
import { Scorer } from './core/scoring';
import { sharedStdoutLogDestination } from './lifecycle/log-destination';
import { isoTimestamp } from './lifecycle/log-time';
import type { ServerMetrics } from './metrics/metrics';
import { nativeProtocol } from './protocols/native';
import { openInferenceProtocol } from './protocols/open-inference';
import { buildOpenApi, RouteCatalog } from './protocols/openapi';
import { sagemakerProtocol } from './protocols/sagemaker';
import { requireApiKey } from './protocols/shared/api-key';
import { installRequestHooks, type ProtocolDeps } from './protocols/shared/context';
import {
  errorHeaders,
  logFailure,
  makeErrorHandler,
  notFoundOrNotAllowed,
  renderNativeError,
  toServingError,
} from './protocols/shared/errors';
import { useJsonBodyParser } from './protocols/shared/json-body';
import { requestIdOf, setRequestIdHeader } from './protocols/shared/request-id';
import {
  answerExpect,
  makeClientErrorHandler,
  type SocketAnswerOptions,
} from './protocols/shared/socket-answers';
import { drainUnreadBodies } from './protocols/shared/unread-body';
import { type VertexRoutes, vertexProtocol } from './protocols/vertex';

/** SageMaker's payload limit (6 MB); Vertex's shared endpoints take 1.5 MB. */
export const DEFAULT_BODY_LIMIT_BYTES = 6 * 1024 * 1024;

export interface AppOptions {
  readonly registry: ModelRegistry;
  readonly readiness: Readiness;
  readonly metrics: ServerMetrics;
  /** @default 1000 */
  readonly maxBatchSize?: number;
  /** Predictions in flight at once; more get 503 + Retry-After. @default 32 */
  readonly maxConcurrentRequests?: number;
  /** @default 6 MiB */
  readonly bodyLimitBytes?: number;
  /** Whole request (headers and body) must arrive within this. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Headers must arrive within this. @default 10000 */
  readonly headersTimeoutMs?: number;
  /** Idle keep-alive connections close after this; longer than a load balancer's idle timeout (ALB: 60 s). @default 65000 */
  readonly keepAliveTimeoutMs?: number;
  /** How often Node checks the request and headers timeouts (its default, 30 s, lets them overrun by that). @default 1000 */
  readonly connectionsCheckingIntervalMs?: number;
  /** Longest stretch of scoring between event-loop yields. @default 10 */
  readonly sliceBudgetMs?: number;
  /** Vertex AI routes (AIP_MODE=PREDICTION). @default - none */
  readonly vertex?: VertexRoutes;
  /** Serve `GET /metrics` on this port too (METRICS_PORT equals the serving port). @default false */
  readonly metricsOnServingPort?: boolean;
  /** @default 'info' */
  readonly logLevel?: string;
  /** Where log lines go. @default stdout */
  readonly logStream?: Writable;
  /** Reported by `GET /v2` and `/openapi.json`. @default '0.0.0' */
  readonly serverVersion?: string;
  /** Keys one of which every route but the health probes requires (`API_KEYS`). @default - no key needed */
  readonly apiKeys?: readonly string[];
  /**
   * Longest wait for the rest of a body the server answered before reading (a 413, a 415), so that a client
   * still writing reads the answer instead of a reset; nginx's lingering_timeout is the same 5 s.
   * @default 5000
   */
  readonly unreadBodyDrainMs?: number;
}

/**
 * Builds the serving app without listening (tests use `inject`; `startServer` listens). The core (registry,
 * readiness, scorer) is shared; each protocol is an encapsulated plugin with its own error handler.
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
  const socketAnswers: SocketAnswerOptions = {
    metrics: options.metrics,
    // Called only once the server answers a request, long after `app` exists.
    log: () => app.log,
    headersTimeoutMs: headersTimeout,
    requestTimeoutMs: requestTimeout,
  };
  const serverOptions: FastifyHttpOptions<Server> = {
    logger: {
      level: options.logLevel ?? 'info',
      stream: options.logStream ?? sharedStdoutLogDestination(),
      timestamp: isoTimestamp,
    },
    // Our onResponse hook writes the one line per request (with model and timings) instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Our own id rule: fastify's would take any client header, of any length.
    requestIdHeader: false,
    genReqId: requestIdOf,
    bodyLimit: bodyLimitBytes,
    requestTimeout,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 65_000,
    http: {
      // Node's own check answers a Host-less HTTP/1.1 request with a bare 400 (no JSON, no log line); the
      // request hooks reject it instead, in the error catalogue's shape.
      requireHostHeader: false,
      headersTimeout,
      connectionsCheckingInterval: options.connectionsCheckingIntervalMs ?? 1000,
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    ajv: {
      // Reject what does not match instead of silently fixing it: no coercion, no dropped unknown fields.
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        useDefaults: false,
        allErrors: false,
        allowUnionTypes: true,
        // The route schemas are constants checked by the tests; validating them against the JSON Schema
        // meta-schema first would compile that (~20 ms of cold start) for nothing.
        validateSchema: false,
      },
    },
    schemaErrorFormatter: (errors, dataVar) => {
      const details = errors.map((e) => {
        const where = `${dataVar}${e.instancePath.replace(/\//g, '.')}`;
        const extra = (e.params as { additionalProperty?: string }).additionalProperty;
        const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
        return extra !== undefined
          ? { path: `${where}.${extra}`, message: 'unknown field' }
          : {
              path: where,
              message: `${e.message ?? 'is invalid'}${allowed ? `: ${allowed.join(', ')}` : ''}`,
            };
      });
      return new ServingError(
        'BAD_REQUEST',
        details.map((d) => `${d.path}: ${d.message}`).join('; '),
        details,
      );
    },
    frameworkErrors: (error, request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const served = toServingError(error, request, bodyLimitBytes);
      logFailure(request, served, error);
      errorHeaders(reply, served);
      setRequestIdHeader(request, reply);
      reply.code(served.status).send(served.toJSON());
    },
    clientErrorHandler: makeClientErrorHandler(socketAnswers),
  };
  const app = fastify(serverOptions);

  answerExpect(app.server, bodyLimitBytes, socketAnswers);

  const limiter = new InFlightLimiter(options.maxConcurrentRequests ?? 32);
  options.metrics.trackInFlight(limiter);
  const scorer = new Scorer({
    maxBatchSize: options.maxBatchSize ?? 1000,
    sliceBudgetMs: options.sliceBudgetMs,
    onScored: (model, seconds, explain) => options.metrics.observeScore(model, seconds, explain),
  });
  const deps: ProtocolDeps = {
    registry: options.registry,
    readiness: options.readiness,
    scorer,
    bodyLimitBytes,
    serverVersion: options.serverVersion ?? '0.0.0',
  };

  const catalog = new RouteCatalog();
  catalog.attach(app);
  useJsonBodyParser(app, bodyLimitBytes);
  installRequestHooks(app, {
    registry: options.registry,
    readiness: options.readiness,
    limiter,
    metrics: options.metrics,
  });
  // After the request hooks' onSend, so it sees the Connection: close they set while draining.
  drainUnreadBodies(app, { bodyLimitBytes, drainMs: options.unreadBodyDrainMs ?? 5000 });
  if (options.apiKeys) {
    requireApiKey(app, {
      keys: options.apiKeys,
      openRoutes: options.vertex ? [options.vertex.healthRoute] : [],
    });
  }
  app.setErrorHandler(makeErrorHandler(bodyLimitBytes, renderNativeError));
  app.setNotFoundHandler((request, reply) => notFoundOrNotAllowed(app, request, reply));

  app.register(nativeProtocol, deps);
  app.register(sagemakerProtocol, deps);
  app.register(openInferenceProtocol, { ...deps, prefix: '/v2' });
  // Last: it skips a route Vertex names that another protocol already serves.
  if (options.vertex) app.register(vertexProtocol, { ...deps, routes: options.vertex });

  let openApi: unknown;
  app.get('/openapi.json', { config: { quietLog: true } }, async () => {
    // Cached once the models are loaded: the document only changes with them.
    if (openApi !== undefined) return openApi;
    const doc = buildOpenApi(catalog, options.registry, deps.serverVersion);
    if (options.registry.loaded) openApi = doc;
    return doc;
  });

  if (options.metricsOnServingPort) {
    app.get('/metrics', { config: { quietLog: true } }, async (_request, reply) => {
      reply.type(options.metrics.contentType);
      return options.metrics.render();
    });
  }
  return app;
}
