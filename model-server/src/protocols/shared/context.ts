import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InFlightLimiter } from '../../core/concurrency';
import { ServingError } from '../../core/errors';
import type { Readiness } from '../../core/readiness';
import type { ModelRegistry } from '../../core/registry';
import { FIRST_SLICE, type ScoreResult, type Scorer } from '../../core/scoring';
import type { LoadedModel, Prediction } from '../../core/types';
import type { ServerMetrics } from '../../metrics/metrics';
import { openApiPath } from '../openapi';
import { bodyEncodingProblem } from './body-encoding';
import { setRequestIdHeader } from './request-id';

/** What one request did, for its log line, its metrics and its Server-Timing header. */
export interface ServingContext {
  readonly startedAt: number;
  /** The route pattern as documented (`/v1/models/{model}:predict`), or 'unmatched'. */
  readonly route: string;
  /** The route is a health probe: its successes are logged at debug. */
  readonly quietLog: boolean;
  model?: string;
  explain?: boolean;
  instances?: number;
  /** Receiving, parsing and validating the body (request start to handler start), ms. */
  decodeMs?: number;
  /** Scoring (and explaining), ms. */
  scoreMs?: number;
  /** Gives back the MAX_CONCURRENT_REQUESTS slot (idempotent). */
  release?: () => void;
  /**
   * Set when the client goes away while its batch is scored (scoring routes only). A plain flag: an
   * AbortController per request cost more than the rest of the hook, mostly in garbage collection.
   */
  cancel?: { aborted: boolean };
  /** The request is being scored: the slot is held until scoring stops. */
  scoring?: boolean;
  /** The client closed the connection before the answer was sent. */
  clientGone?: boolean;
  /** Counts and logs the request once, with this status (idempotent). */
  finish?: (status: number) => void;
  finished?: boolean;
}

/** The status an aborted request is counted and logged with (nginx's "client closed request"). */
export const CLIENT_CLOSED_STATUS = 499;

declare module 'fastify' {
  interface FastifyRequest {
    serving: ServingContext;
  }
  interface FastifyContextConfig {
    /** Which model the route serves, so requests failing before the handler still count for it. */
    model?: 'param' | 'default';
    /** The route scores: it takes a MAX_CONCURRENT_REQUESTS slot (health and metadata routes do not). */
    limited?: boolean;
    /** Health probes: logged at debug when they succeed, so probes every few seconds do not drown the log. */
    quietLog?: boolean;
  }
}

/** What every protocol adapter gets: the core, and the limits to name in messages. */
export interface ProtocolDeps {
  readonly registry: ModelRegistry;
  readonly readiness: Readiness;
  readonly scorer: Scorer;
  readonly bodyLimitBytes: number;
  readonly serverVersion: string;
}

const ms = (x: number): number => Math.round(x * 100) / 100;

/** fastify's logger is pino's, whose level check its FastifyBaseLogger type leaves out. */
type LevelAwareLogger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

/**
 * Request hooks shared by every protocol: the per-request context, the concurrency cap on scoring routes,
 * `Connection: close` while draining, and one log line plus metrics per request.
 */
export function installRequestHooks(
  app: FastifyInstance,
  deps: {
    readonly registry: ModelRegistry;
    readonly readiness: Readiness;
    readonly limiter: InFlightLimiter;
    readonly metrics: ServerMetrics;
  },
): void {
  const { registry, readiness, limiter, metrics } = deps;
  // Route patterns as documented (`/v1/models/{model}:predict`), computed once per route.
  const labels = new Map<string, string>();
  const routeLabel = (url: string | undefined): string => {
    if (url === undefined) return 'unmatched';
    let label = labels.get(url);
    if (label === undefined) {
      label = openApiPath(url);
      labels.set(url, label);
    }
    return label;
  };
  app.decorateRequest('serving', null as unknown as ServingContext);

  // Callback-style hooks: an async hook costs a promise and a microtask turn per hook per request. One
  // onRequest hook for everything (each hook costs a turn of fastify's hook runner).
  app.addHook('onRequest', (request, reply, done) => {
    // First thing, so error replies (401, 404, 413, 503) carry the id too.
    setRequestIdHeader(request, reply);
    // `routeOptions` builds a new object on every read: read it once per request.
    const { url, config } = request.routeOptions;
    const s: ServingContext = {
      startedAt: performance.now(),
      route: routeLabel(url),
      quietLog: config.quietLog === true,
    };
    request.serving = s;
    if (request.headers.host === undefined && request.raw.httpVersion === '1.1') {
      done(new ServingError('BAD_REQUEST', 'the Host header is required in HTTP/1.1 requests'));
      return;
    }
    const encodingProblem = bodyEncodingProblem(request.headers);
    if (encodingProblem !== undefined) {
      done(encodingProblem);
      return;
    }
    if (config.model !== undefined) {
      const name =
        config.model === 'default' ? registry.defaultModelName : (request.params as { model?: string }).model;
      if (name !== undefined && registry.find(name) !== undefined) s.model = name;
    }
    if (config.limited) {
      const release = limiter.tryAcquire();
      if (release === undefined) {
        done(
          new ServingError(
            'OVERLOADED',
            `${limiter.max} predictions are in flight (MAX_CONCURRENT_REQUESTS); retry later`,
          ),
        );
        return;
      }
      // The slot follows the scoring, not the socket: released when the response is done, or when the
      // client went away and scoring has stopped (scoring stops before its next slice once the client is gone).
      s.release = release;
      const cancel = { aborted: false };
      s.cancel = cancel;
      reply.raw.on('close', () => {
        if (reply.raw.writableFinished) {
          release();
          return;
        }
        s.clientGone = true;
        if (s.scoring) cancel.aborted = true;
        else {
          release();
          s.finish?.(CLIENT_CLOSED_STATUS);
        }
      });
    }
    s.finish = (status) => finish(request, status);
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    // Keep-alive clients must reconnect (to another replica) while this one drains.
    if (readiness.isDraining) reply.header('connection', 'close');
    const s = request.serving;
    if (s?.scoreMs !== undefined) {
      reply.header('server-timing', `decode;dur=${ms(s.decodeMs ?? 0)}, score;dur=${ms(s.scoreMs)}`);
    }
    done(null, payload);
  });

  // One count and one log line per request, whether it was answered or the client went away first.
  const finish = (request: FastifyRequest, status: number): void => {
    const s = request.serving;
    if (s === null || s === undefined || s.finished) return;
    s.finished = true;
    s.release?.();
    if (s.model !== undefined) metrics.countRequest(s.model, s.route, status);
    const quiet = s.quietLog && status < 400;
    const log = request.log as LevelAwareLogger;
    // The line is built only when it will be written (production logs at info, benchmarks at warn).
    if (log.isLevelEnabled(quiet ? 'debug' : 'info')) {
      const line = {
        method: request.method,
        url: request.url,
        route: s.route,
        status,
        model: s.model,
        explain: s.explain,
        instances: s.instances,
        ...(status === CLIENT_CLOSED_STATUS ? { clientClosed: true } : {}),
        timings: {
          decodeMs: s.decodeMs === undefined ? undefined : ms(s.decodeMs),
          scoreMs: s.scoreMs === undefined ? undefined : ms(s.scoreMs),
          totalMs: ms(performance.now() - s.startedAt),
        },
      };
      if (quiet) log.debug(line, 'request');
      else log.info(line, 'request');
    }
  };

  app.addHook('onResponse', (request, reply, done) => {
    finish(request, request.serving?.clientGone ? CLIENT_CLOSED_STATUS : reply.statusCode);
    done();
  });
}

/**
 * Scores instances for a request through the core and records what happened on the request's context.
 * Adapters call this after decoding; it is the only way they reach the model. A batch that fits one slice is
 * scored at once and its predictions returned as they are (no promise: the route can answer in the same
 * turn); a larger one is scored in slices and returns a promise.
 */
export function scoreForRequest(
  scorer: Scorer,
  request: FastifyRequest,
  reply: FastifyReply,
  model: LoadedModel,
  instances: readonly unknown[],
  explain: boolean,
): Prediction[] | Promise<Prediction[]> {
  const s = request.serving;
  s.model = model.name;
  s.explain = explain;
  s.instances = instances.length;
  s.decodeMs = performance.now() - s.startedAt;
  if (instances.length <= FIRST_SLICE) {
    return scored(s, reply, model, scorer.scoreAtOnce(model, instances, { explain }));
  }
  return scoreSliced(scorer, s, reply, model, instances, explain);
}

/** Records a finished score on the request and names the model in the answer's headers. */
function scored(
  s: ServingContext,
  reply: FastifyReply,
  model: LoadedModel,
  result: ScoreResult,
): Prediction[] {
  s.scoreMs = result.scoreMs;
  reply.header('x-model-name', model.name).header('x-model-version', model.version);
  return result.predictions;
}

async function scoreSliced(
  scorer: Scorer,
  s: ServingContext,
  reply: FastifyReply,
  model: LoadedModel,
  instances: readonly unknown[],
  explain: boolean,
): Promise<Prediction[]> {
  s.scoring = true;
  let result: ScoreResult;
  try {
    result = await scorer.score(model, instances, { explain }, s.cancel);
  } finally {
    s.scoring = false;
    if (s.clientGone) {
      // Scoring has stopped: now the slot is free, and the request is counted as the client left it.
      s.release?.();
      s.finish?.(CLIENT_CLOSED_STATUS);
    }
  }
  return scored(s, reply, model, result);
}
