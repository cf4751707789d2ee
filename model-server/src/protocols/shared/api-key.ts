import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ServingError } from '../../core/errors';

/** Where a client puts its key: `Authorization: Bearer <key>`, or `x-api-key: <key>`. */
export const API_KEY_HEADERS = ['authorization', 'x-api-key'] as const;

/** Probe routes that stay open: the kubelet, SageMaker and load balancer health checks carry no key. */
export const OPEN_ROUTES = ['/health/live', '/health/ready', '/v2/health/live', '/v2/health/ready', '/ping'];

/** Shortest key accepted: the stacks generate 40 characters; anything short is guessable. */
export const MIN_API_KEY_LENGTH = 16;

export interface ApiKeyOptions {
  /** Keys that are valid at once (more than one lets a key be rotated without downtime). */
  readonly keys: readonly string[];
  /** More paths that need no key (the Vertex health route). @default [] */
  readonly openRoutes?: readonly string[];
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * `API_KEYS` as a list: comma-separated, blanks around commas ignored. Problems never quote a key, only its
 * position, so a wrong setting does not print a secret into the log.
 */
export function parseApiKeys(raw: string | undefined, problems: string[]): readonly string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const keys = raw.split(',').map((k) => k.trim());
  keys.forEach((key, i) => {
    if (key.length < MIN_API_KEY_LENGTH) {
      problems.push(
        `API_KEYS: key ${i + 1} of ${keys.length} is shorter than ${MIN_API_KEY_LENGTH} characters (or empty)`,
      );
    } else if (!/^[\x21-\x7e]+$/.test(key)) {
      problems.push(`API_KEYS: key ${i + 1} of ${keys.length} has characters other than printable ASCII`);
    }
  });
  return keys;
}

/** The key a request presents, if any. */
function presented(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined;
}

/**
 * Requires one of the configured keys on every route but the probes. Keys are compared as SHA-256 digests
 * with `timingSafeEqual`, against every key each time, so the time taken tells nothing about a key or which
 * one matched. A missing or wrong key is a 401 in the route's own error shape that names the headers.
 */
export function requireApiKey(app: FastifyInstance, options: ApiKeyOptions): void {
  const digests = options.keys.map(digest);
  const open = new Set([...OPEN_ROUTES, ...(options.openRoutes ?? [])]);
  app.addHook('onRequest', (request, reply, done) => {
    if (open.has(request.url.split('?')[0]!)) {
      done();
      return;
    }
    const key = presented(request.headers);
    let valid = false;
    if (key !== undefined) {
      const candidate = digest(key);
      // No early exit: every key is compared, whichever matches.
      for (const d of digests) valid = timingSafeEqual(candidate, d) || valid;
    }
    if (valid) {
      done();
      return;
    }
    reply.header('www-authenticate', 'Bearer realm="model-server"');
    done(
      new ServingError(
        'UNAUTHENTICATED',
        key === undefined
          ? 'an API key is required: send "Authorization: Bearer <key>" or "x-api-key: <key>"'
          : 'the API key is not valid: send a current key in "Authorization: Bearer <key>" or "x-api-key: <key>"',
      ),
    );
  });
}
