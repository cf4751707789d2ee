import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServingError } from '../../../model-server/src/core/errors';
import { errorHeaders, logFailure, toServingError } from '../../../model-server/src/protocols/shared/errors';

const request = (contentType?: string) =>
  ({
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  }) as unknown as FastifyRequest;

/** An error as fastify makes them: a code and a status, nothing we named. */
const fastifyError = (statusCode: number, message = 'something about the request') =>
  Object.assign(new Error(message), { code: 'FST_ERR_SOMETHING_NEW', statusCode });

describe('toServingError', () => {
  it.each([
    [400, 'BAD_REQUEST', 400],
    [404, 'ROUTE_NOT_FOUND', 404],
    [405, 'METHOD_NOT_ALLOWED', 405],
    [406, 'NOT_ACCEPTABLE', 406],
    [408, 'REQUEST_TIMEOUT', 408],
    [413, 'BODY_TOO_LARGE', 413],
    [415, 'UNSUPPORTED_MEDIA_TYPE', 415],
    [422, 'BAD_REQUEST', 400],
    [499, 'BAD_REQUEST', 400],
  ])(
    'an unnamed fastify error with status %d becomes %s (%d), keeping its message',
    (status, code, served) => {
      const e = toServingError(fastifyError(status), request(), 1024);
      expect(e.code).toBe(code);
      expect(e.status).toBe(served);
      expect(e.message).toBe('something about the request');
    },
  );

  it('an unnamed 4xx without a message says "bad request"', () => {
    const e = toServingError({ statusCode: 400 }, request(), 1024);
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toBe('bad request');
  });

  it('an unnamed 503 becomes NOT_READY; anything else (also 5xx and no status) INTERNAL with no detail', () => {
    expect(toServingError(fastifyError(503), request(), 1024)).toMatchObject({
      code: 'NOT_READY',
      status: 503,
      message: 'the server is not ready',
    });
    for (const err of [fastifyError(500, 'secret'), fastifyError(502, 'secret'), new Error('secret'), 'x']) {
      expect(toServingError(err, request(), 1024)).toMatchObject({
        code: 'INTERNAL',
        status: 500,
        message: 'internal error',
      });
    }
    expect(toServingError(fastifyError(399, 'secret'), request(), 1024).code).toBe('INTERNAL');
  });

  it('names the limit and the media types', () => {
    const big = toServingError(
      { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 },
      request(),
      6 * 1024 * 1024,
    );
    expect(big).toMatchObject({ code: 'BODY_TOO_LARGE', message: 'the request body is larger than 6 MiB' });
    const media = toServingError(
      { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 },
      request('text/plain'),
      1024,
      'application/json or text/csv',
    );
    expect(media.message).toBe(
      'Content-Type "text/plain" is not supported here; send application/json or text/csv',
    );
  });

  it('passes a ServingError through unchanged', () => {
    const own = new ServingError('OVERLOADED', 'busy');
    expect(toServingError(own, request(), 1024)).toBe(own);
  });
});

describe('errorHeaders', () => {
  const headersFor = (served: ServingError) => {
    const headers: Record<string, string> = {};
    const reply = {
      header: (name: string, value: string) => {
        headers[name] = value;
        return reply;
      },
    };
    errorHeaders(reply as unknown as FastifyReply, served);
    return headers;
  };

  it('sends Retry-After on the 503s only', () => {
    expect(headersFor(new ServingError('OVERLOADED', 'busy'))).toEqual({ 'retry-after': '1' });
    expect(headersFor(new ServingError('NOT_READY', 'loading'))).toEqual({ 'retry-after': '1' });
    for (const code of ['BAD_REQUEST', 'INTERNAL', 'BODY_TOO_LARGE', 'CLIENT_CLOSED'] as const)
      expect(headersFor(new ServingError(code, 'x'))).toEqual({});
  });
});

describe('logFailure', () => {
  const levelOf = (served: ServingError) => {
    const calls: string[] = [];
    const log = Object.fromEntries(
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((level) => [level, () => calls.push(level)]),
    );
    logFailure({ log } as unknown as FastifyRequest, served, served);
    return calls;
  };

  it('logs client errors at info, overload and not-ready at warn, the rest at error', () => {
    expect(levelOf(new ServingError('BAD_REQUEST', 'x'))).toEqual(['info']);
    expect(levelOf(new ServingError('OVERLOADED', 'x'))).toEqual(['warn']);
    expect(levelOf(new ServingError('NOT_READY', 'x'))).toEqual(['warn']);
    expect(levelOf(new ServingError('INTERNAL', 'x'))).toEqual(['error']);
  });
});
