import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The header that carries the request id both ways (fastify's `requestIdHeader` reads it in). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Sets the request id on a reply: the one in every log line of the request. */
export function setRequestIdHeader(request: FastifyRequest, reply: FastifyReply): void {
  reply.header(REQUEST_ID_HEADER, request.id);
}

/**
 * Echoes the request id on every response, set first thing so error replies (401, 404, 413, 503) carry it
 * too: a client can quote it and an operator find the request's log line.
 */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    setRequestIdHeader(request, reply);
    done();
  });
}
