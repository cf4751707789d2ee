/**
 * Answers the HTTP layer gives before any route runs: a request Node's parser rejects (broken HTTP, headers
 * too large, headers or the whole request too slow) and an `Expect` other than `100-continue`. Each is
 * answered once, in the error catalogue's JSON shape, with an `x-request-id` that is also in its one log line
 * (at info: these are client faults, logged as a route's rejected request is), and counted once in
 * `http_socket_errors_total` by status.
 */
import { randomUUID } from 'node:crypto';
import {
  type IncomingMessage,
  maxHeaderSize,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { ServingError } from '../../core/errors';
import type { ServerMetrics } from '../../metrics/metrics';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id';

export interface SocketAnswerOptions {
  readonly metrics: ServerMetrics;
  /** The app's logger (a function: the handlers are made before the app that owns it). */
  readonly log: () => FastifyBaseLogger;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/** A request the HTTP parser rejected before any route saw it, as a catalogue error. */
export function socketError(
  err: NodeJS.ErrnoException,
  headersTimeoutMs: number,
  requestTimeoutMs: number,
): ServingError {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ServingError(
        'REQUEST_TIMEOUT',
        `the request did not arrive in time (headers within ${headersTimeoutMs / 1000} s, all within ${requestTimeoutMs / 1000} s)`,
      );
    case 'HPE_HEADER_OVERFLOW':
      return new ServingError(
        'HEADERS_TOO_LARGE',
        `the request headers are larger than ${maxHeaderSize / 1024} KiB; send fewer or shorter headers`,
      );
    default:
      return new ServingError('BAD_REQUEST', 'the request is not valid HTTP');
  }
}

function logAnswer(log: FastifyBaseLogger, id: string, served: ServingError): void {
  log.info(
    { reqId: id, status: served.status, error: { code: served.code, message: served.message } },
    'request rejected',
  );
}

/**
 * fastify's `clientErrorHandler`: answers a request the parser rejected. The id is always a fresh UUID: the
 * request's headers were never parsed, so the client's `x-request-id` is not known.
 *
 * One answer per socket: after it the socket is ended, and when the client then closes its side, Node's
 * parser reports the request it never finished as a second error (a 408 would be followed by a 400). A
 * socket whose writable side is ended has had its answer, so that second error is dropped.
 */
export function makeClientErrorHandler(options: SocketAnswerOptions): (err: Error, socket: Duplex) => void {
  return (err, socket) => {
    if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') return;
    afterAnswersInProgress(socket, () => answerClientError(err, socket, options));
  };
}

/**
 * Runs `then` once no answer to an earlier request is being written on `socket`. A keep-alive client may
 * pipeline: the broken request can follow one whose answer is still being computed, and a raw answer written now would come first
 * and be taken for that request's (then cut off by the close). The answer in progress is Node's
 * `socket._httpMessage`, the same field its own client-error handler checks; when it finishes, Node hands the
 * socket to the next queued answer, if any, so the check repeats.
 */
function afterAnswersInProgress(socket: Duplex, then: () => void): void {
  const inProgress = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  // Only an answer to a request received whole: when that request is itself the broken or slow one (a
  // timeout while its body trickles in), its answer is this one, and waiting would wait for ever.
  if (inProgress && !inProgress.writableFinished && inProgress.req?.complete) {
    // 'close' too: an answer whose client went away never finishes.
    let waited = false;
    const next = (): void => {
      if (waited) return;
      waited = true;
      afterAnswersInProgress(socket, then);
    };
    inProgress.once('finish', next);
    inProgress.once('close', next);
    return;
  }
  then();
}

function answerClientError(err: Error, socket: Duplex, options: SocketAnswerOptions): void {
  if (socket.destroyed || socket.writableEnded) return;
  const served = socketError(
    err as NodeJS.ErrnoException,
    options.headersTimeoutMs,
    options.requestTimeoutMs,
  );
  const id = randomUUID();
  options.metrics.countSocketError(served.status);
  logAnswer(options.log(), id, served);
  const body = JSON.stringify(served.toJSON());
  socket.end(
    `HTTP/1.1 ${served.status} ${STATUS_CODES[served.status]}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `${REQUEST_ID_HEADER}: ${id}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The request asked `Expect: 100-continue` and got no 100: its Content-Length is over the limit. Such a client
 * waits for the answer and sends no body (or sends it after a timeout of its own), so nothing is read for it.
 */
export function continueRefused(req: IncomingMessage, bodyLimitBytes: number): boolean {
  return CONTINUE.test(req.headers.expect ?? '') && Number(req.headers['content-length']) > bodyLimitBytes;
}

/** Node's own test for a `100-continue` expectation (`continueExpression` in `_http_server.js`). */
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;

/**
 * `Expect` on the serving port. Node answers `100-continue` by itself before any route runs, which invites a
 * client to send a body the server will refuse: here a Content-Length over the body limit gets no 100 and
 * goes straight to the route, which answers 413 without reading the body. Any other expectation gets a 417
 * JSON error (Node's own 417 has no body), counted and logged as the parser's rejections are; its headers
 * were parsed, so the request id follows the same rule as a route's.
 */
export function answerExpect(server: Server, bodyLimitBytes: number, options: SocketAnswerOptions): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!continueRefused(req, bodyLimitBytes)) res.writeContinue();
    server.emit('request', req, res);
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const served = new ServingError(
      'EXPECTATION_FAILED',
      `Expect "${String(req.headers.expect).slice(0, 40)}" is not supported; only 100-continue is`,
    );
    const id = requestIdOf(req);
    options.metrics.countSocketError(served.status);
    logAnswer(options.log(), id, served);
    const body = JSON.stringify(served.toJSON());
    res.writeHead(served.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      [REQUEST_ID_HEADER]: id,
      connection: 'close',
    });
    res.end(body);
    req.resume();
  });
}
