import type { FastifyInstance, FastifyRequest } from 'fastify';
import { scan } from 'secure-json-parse';
import { ServingError } from '../../core/errors';
import { MAX_OBJECT_KEYS, wideObjectAt } from './json-width';

/** Syntax error messages can quote the input: keep them to one short line. */
const MAX_MESSAGE = 160;

/**
 * Parses a JSON body, naming the problem when it is not JSON (fastify's own parser only says "not valid
 * JSON"). An object with more than MAX_OBJECT_KEYS keys is refused before parsing (see json-width.ts). A leading UTF-8 BOM is ignored (RFC 8259 allows a parser to), as on CSV. Rejects `__proto__` keys,
 * as fastify's parser does, so a body can never carry a prototype: secure-json-parse's scan walks the parsed
 * value with a queue, not recursion, so no nesting depth can overflow the stack. It runs only when the text
 * could spell such a key (literally or with `\\u` escapes).
 */
export function parseJsonBody(text: string): unknown {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json.trim().length === 0)
    throw new ServingError('BAD_JSON', 'the request body is empty; send a JSON object');
  const wide = wideObjectAt(json);
  if (wide >= 0) {
    throw new ServingError(
      'BAD_REQUEST',
      `an object in the request body (at character ${wide}) has more than ${MAX_OBJECT_KEYS} keys; an instance has one per model input`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    const reason = (e as Error).message.replace(/\s+/g, ' ');
    throw new ServingError(
      'BAD_JSON',
      `the request body is not valid JSON: ${reason.length > MAX_MESSAGE ? `${reason.slice(0, MAX_MESSAGE)}…` : reason}`,
    );
  }
  if (typeof value === 'object' && value !== null && (json.includes('__proto__') || json.includes('\\u'))) {
    try {
      scan(value, { protoAction: 'error', constructorAction: 'ignore' });
    } catch {
      throw new ServingError('BAD_REQUEST', 'the request body has a "__proto__" field');
    }
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
