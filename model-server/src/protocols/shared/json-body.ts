import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServingError } from '../../core/errors';

/** Syntax error messages can quote the input: keep them to one short line. */
const MAX_MESSAGE = 160;

/**
 * Parses a JSON body, naming the problem when it is not JSON (fastify's own parser only says "not valid
 * JSON"). Rejects `__proto__` keys, as fastify's parser does, so a body can never carry a prototype.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim().length === 0)
    throw new ServingError('BAD_JSON', 'the request body is empty; send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const reason = (e as Error).message.replace(/\s+/g, ' ');
    throw new ServingError(
      'BAD_JSON',
      `the request body is not valid JSON: ${reason.length > MAX_MESSAGE ? `${reason.slice(0, MAX_MESSAGE)}…` : reason}`,
    );
  }
  if (text.includes('"__proto__"')) {
    JSON.parse(text, (key, v) => {
      if (key === '__proto__')
        throw new ServingError('BAD_REQUEST', 'the request body has a "__proto__" field');
      return v;
    });
  }
  return value;
}

/** Replaces fastify's JSON parser (for every route of `app`) and drops its text/plain parser (415 instead). */
export function useJsonBodyParser(app: FastifyInstance, bodyLimitBytes: number): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: bodyLimitBytes },
    (_request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
      try {
        done(null, parseJsonBody(typeof body === 'string' ? body : body.toString('utf8')));
      } catch (e) {
        done(e as Error);
      }
    },
  );
}
