import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, isServingError, ServingError } from '../../core/errors';

/** Bytes as a short human figure for messages ("6 MiB"). */
export function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

const BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  503: 'NOT_READY',
};

/**
 * Maps anything thrown while serving a request onto the catalogue. Fastify's own errors (body limit, media
 * type, schema validation) get messages that say what to change (JSON syntax errors never come from fastify:
 * parseJsonBody replaces its parser and names them itself); anything unknown becomes INTERNAL with a
 * generic message, so no internal detail (or stack) reaches the client.
 */
export function toServingError(
  err: unknown,
  request: FastifyRequest,
  bodyLimitBytes: number,
  mediaTypes = 'application/json',
): ServingError {
  if (isServingError(err)) return err;
  const e = err as Partial<FastifyError>;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ServingError(
        'BODY_TOO_LARGE',
        `the request body is larger than ${formatBytes(bodyLimitBytes)}`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ServingError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type "${request.headers['content-type'] ?? '(none)'}" is not supported here; send ${mediaTypes}`,
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ServingError('BAD_REQUEST', 'the request body size does not match Content-Length');
    case 'FST_ERR_BAD_URL':
      return new ServingError('BAD_REQUEST', 'the request URL is malformed');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ServingError('ROUTE_NOT_FOUND', 'a path segment of the request URL is too long');
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    return new ServingError(
      BY_STATUS[status] ?? 'BAD_REQUEST',
      typeof e.message === 'string' ? e.message : 'bad request',
    );
  }
  if (status === 503) return new ServingError('NOT_READY', 'the server is not ready');
  return new ServingError('INTERNAL', 'internal error');
}

/**
 * Logs a failed request: client errors at info without a stack (bad traffic must not flood the logs with
 * traces), server errors at error with the original error.
 */
export function logFailure(request: FastifyRequest, served: ServingError, original: unknown): void {
  if (served.status < 500) {
    request.log.info({ error: { code: served.code, message: served.message } }, 'request rejected');
  } else if (served.code === 'NOT_READY' || served.code === 'OVERLOADED') {
    request.log.warn({ error: { code: served.code, message: served.message } }, 'request turned away');
  } else {
    request.log.error({ err: original }, 'request failed');
  }
}

/** Headers that go with some errors: when to retry after a 503. */
export function errorHeaders(reply: FastifyReply, served: ServingError): void {
  if (served.code === 'OVERLOADED' || served.code === 'NOT_READY') reply.header('retry-after', '1');
}

/**
 * An error handler for one protocol adapter: maps the error onto the catalogue, logs it, and renders it with
 * the adapter's `render` (its own error shape).
 */
export function makeErrorHandler(
  bodyLimitBytes: number,
  render: (e: ServingError) => unknown,
  mediaTypes = 'application/json',
): (err: unknown, request: FastifyRequest, reply: FastifyReply) => void {
  return (err, request, reply) => {
    const served = toServingError(err, request, bodyLimitBytes, mediaTypes);
    logFailure(request, served, err);
    errorHeaders(reply, served);
    reply.code(served.status).type('application/json; charset=utf-8').send(render(served));
  };
}

/** The native shape (native, SageMaker and Vertex routes): `{"error": {"code", "message", "details"}}`. */
export const renderNativeError = (e: ServingError): unknown => e.toJSON();

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/**
 * The methods some route serves at `path` (a request path, not a pattern): a request that matched no route
 * but whose path one of these serves gets 405 with `Allow`, not 404.
 */
export function allowedMethods(app: FastifyInstance, path: string): string[] {
  return METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
}

/** 405 for a known path or 404, in the native shape; both logged as rejected requests. */
export function notFoundOrNotAllowed(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const path = request.url.split('?')[0]!;
  const allowed = allowedMethods(app, path);
  const served =
    allowed.length > 0
      ? new ServingError(
          'METHOD_NOT_ALLOWED',
          `${request.method} is not allowed on ${path}; use ${allowed.join(' or ')}`,
        )
      : new ServingError('ROUTE_NOT_FOUND', `no route ${request.method} ${path}`);
  logFailure(request, served, served);
  if (allowed.length > 0) reply.header('allow', allowed.join(', '));
  reply.code(served.status).send(served.toJSON());
}
