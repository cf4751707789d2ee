/**
 * An answer given before the request body has arrived: a 413 on Content-Length, a 415, a 401, a 404, a body
 * error part way. Most of these close the connection (fastify does after any body error, the server does while
 * draining), and closing a socket with unread data makes the kernel reset the connection: a client still
 * writing gets EPIPE or ECONNRESET and never reads the answer, which is the common case for a plain
 * `http.request(...).end(body)` or `requests.post`. So the rest of the body is read and dropped first, as
 * nginx's lingering close does, within bounds: past them the answer goes at once and the connection closes.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { continueRefused } from './socket-answers';

export interface UnreadBodyOptions {
  readonly bodyLimitBytes: number;
  /** Longest wait for the rest of the body before answering anyway. */
  readonly drainMs: number;
}

/**
 * Most bytes read and dropped after an early answer, as a multiple of the body limit: a client whose body is
 * too large usually overshoots by a little (a batch a few rows too big), and dropping bytes costs next to
 * nothing; a body many times the limit is not worth reading.
 */
export const DRAIN_LIMIT_FACTOR = 4;

/**
 * Reads and drops the rest of `req`'s body, up to `maxBytes` and `drainMs`. Resolves `true` when the body
 * ended, `false` when a bound stopped it first (the connection must then close: its framing is unfinished).
 */
export function drainBody(req: IncomingMessage, maxBytes: number, drainMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = 0;
    const settle = (ended: boolean): void => {
      clearTimeout(timer);
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('close', onClose);
      req.removeListener('error', onClose);
      // Still flowing with no listener: what arrives until the socket closes is dropped, not buffered.
      resolve(ended);
    };
    const onData = (chunk: Buffer | string): void => {
      seen += chunk.length;
      if (seen > maxBytes) settle(false);
    };
    const onEnd = (): void => settle(true);
    const onClose = (): void => settle(req.complete);
    const timer = setTimeout(settle, drainMs, false);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    req.once('error', onClose);
    // A body reader that stopped part way may have left the stream paused.
    req.resume();
  });
}

/**
 * Holds every answer given before its request's body was read until the rest of the body is read and dropped,
 * within bounds (see the module comment). Answers after a complete body, the usual case, pass at once.
 */
export function drainUnreadBodies(app: FastifyInstance, options: UnreadBodyOptions): void {
  const maxBytes = DRAIN_LIMIT_FACTOR * options.bodyLimitBytes;
  app.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw;
    // `complete` is Node's parser's word; a request made in memory (fastify's `inject`) only ends its stream.
    if (raw.complete || raw.readableEnded) {
      done(null, payload);
      return;
    }
    // No body is coming, or too much of it: answer now, and end the connection rather than read on.
    if (
      continueRefused(raw, options.bodyLimitBytes) ||
      Number(raw.headers['content-length']) > maxBytes ||
      raw.destroyed
    ) {
      reply.header('connection', 'close');
      done(null, payload);
      return;
    }
    drainBody(raw, maxBytes, options.drainMs).then((ended) => {
      if (!ended) reply.header('connection', 'close');
      done(null, payload);
    });
  });
}
