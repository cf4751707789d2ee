import type { IncomingHttpHeaders } from 'node:http';
import { ServingError } from '../../core/errors';

const UTF8 = new Set(['utf-8', 'utf8']);

/**
 * Checks how a request body is encoded before any of it is read: bodies are read as UTF-8 text, so a charset
 * other than UTF-8 would be decoded wrongly, and a compressed body (`Content-Encoding: gzip`) would reach the
 * parser as binary. Both are 415 with a message that says what to send instead.
 */
export function bodyEncodingProblem(headers: IncomingHttpHeaders): ServingError | undefined {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined) {
    for (const part of encoding.split(',')) {
      const coding = part.trim().toLowerCase();
      if (coding !== '' && coding !== 'identity') {
        return new ServingError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Encoding "${coding.slice(0, 40)}" is not supported; send the body uncompressed`,
        );
      }
    }
  }
  const type = headers['content-type'];
  if (type?.includes(';')) {
    for (const param of type.split(';').slice(1)) {
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
      const charset = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
      if (!UTF8.has(charset)) {
        return new ServingError(
          'UNSUPPORTED_MEDIA_TYPE',
          `charset "${charset.slice(0, 40)}" is not supported; send UTF-8 (charset=utf-8, or no charset)`,
        );
      }
    }
  }
  return undefined;
}
