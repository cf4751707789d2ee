import type { FastifyRequest } from 'fastify';
import { formatBytes, toServingError } from '../../../model-server/src/protocols/shared/errors';

const request = (headers: Record<string, string> = {}) => ({ headers }) as unknown as FastifyRequest;

describe('fastify errors the server names itself', () => {
  it.each([
    [
      'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
      400,
      'BAD_REQUEST',
      400,
      'the request body size does not match Content-Length',
    ],
    ['FST_ERR_BAD_URL', 400, 'BAD_REQUEST', 400, 'the request URL is malformed'],
    [
      'FST_ERR_MAX_PARAM_LENGTH',
      414,
      'ROUTE_NOT_FOUND',
      404,
      'a path segment of the request URL is too long',
    ],
  ])('%s (%d) becomes %s (%d): %s', (code, statusCode, servedCode, served, message) => {
    const e = toServingError({ code, statusCode, message: 'fastify wording' }, request(), 1024);
    expect(e).toMatchObject({ code: servedCode, status: served, message });
  });

  it('names a missing Content-Type as such', () => {
    const e = toServingError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }, request(), 1024);
    expect(e.message).toBe('Content-Type "(none)" is not supported here; send application/json');
  });
});

describe('formatBytes', () => {
  it.each([
    [6 * 1024 * 1024, '6 MiB'],
    [1024 * 1024, '1 MiB'],
    [2048, '2 KiB'],
    [1536, '1536 bytes'],
    [1000, '1000 bytes'],
    [1024 * 1024 + 1024, '1025 KiB'],
  ])('%d bytes read as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
