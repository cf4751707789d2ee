import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The header that carries the request id both ways. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What a client's id may be to be kept: visible ASCII without spaces, at most 128 characters (a UUID, a
 * W3C trace id, an AWS or Google request id all fit). The id is echoed on the response and written into
 * every log line of the request, so a longer one (Node allows 16 KB of headers) would multiply into the
 * logs; a client's id that does not fit is replaced, not refused: the request itself is fine.
 */
const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The request's id (fastify's `genReqId`): the client's `x-request-id` when it is a usable id, otherwise a
 * random UUID, unique across restarts, replicas and worker processes, which a counter is not.
 */
export function requestIdOf(request: IncomingMessage): string {
  const fromClient = request.headers[REQUEST_ID_HEADER];
  return typeof fromClient === 'string' && CLIENT_REQUEST_ID.test(fromClient) ? fromClient : randomUUID();
}

/** Sets the request id on a reply: the one in every log line of the request. */
export function setRequestIdHeader(request: FastifyRequest, reply: FastifyReply): void {
  reply.header(REQUEST_ID_HEADER, request.id);
}
