import { connect } from 'node:net';

/** What came back on one connection: the first response, or the connection ending without one. */
export type RawOutcome =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
      readonly ms: number;
    }
  | { readonly kind: 'closed'; readonly ms: number; readonly error?: string }
  | { readonly kind: 'no-answer'; readonly ms: number };

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses the first HTTP/1.1 response in `data`, or returns undefined when it has not fully arrived. */
export function parseResponse(data: Buffer, closed: boolean): Parsed | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const statusMatch = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!statusMatch) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  let body: Buffer;
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0) break;
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (rest.length < length) return undefined;
    body = rest.subarray(0, length);
  } else {
    // No framing: the body runs to the end of the connection.
    if (!closed) return undefined;
    body = rest;
  }
  return { status: Number(statusMatch[1]), headers, body: body.toString('utf8') };
}

export interface SendOptions {
  readonly port: number;
  readonly bytes: Buffer;
  /** Half-close after writing. */
  readonly endAfterWrite?: boolean;
  /** Give up waiting after this long (the outcome is then 'no-answer'). @default 15000 */
  readonly timeoutMs?: number;
  /** Write the bytes in pieces of `chunkBytes`, one every `intervalMs` (a slow client). */
  readonly trickle?: { readonly chunkBytes: number; readonly intervalMs: number };
}

/** Writes raw bytes on a fresh loopback connection and reports the first response or how the connection ended. */
export function sendRaw(options: SendOptions): Promise<RawOutcome> {
  const started = performance.now();
  const ms = () => performance.now() - started;
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: options.port });
    let data = Buffer.alloc(0);
    let settled = false;
    let trickleTimer: NodeJS.Timeout | undefined;
    let writeError: string | undefined;
    const finish = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (trickleTimer) clearInterval(trickleTimer);
      socket.destroy();
      resolve(outcome);
    };
    const tryParse = (closed: boolean) => {
      let parsed: Parsed | undefined;
      try {
        parsed = parseResponse(data, closed);
      } catch (e) {
        finish({ kind: 'closed', ms: ms(), error: (e as Error).message });
        return;
      }
      if (parsed) finish({ kind: 'response', ...parsed, ms: ms() });
      else if (closed) finish({ kind: 'closed', ms: ms(), ...(writeError ? { error: writeError } : {}) });
    };
    const timer = setTimeout(() => finish({ kind: 'no-answer', ms: ms() }), options.timeoutMs ?? 15_000);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    socket.on('close', () => tryParse(true));
    // A server may answer (413, 400) and close while the client is still writing: keep what was read.
    socket.on('error', (e) => {
      writeError = e.message;
    });
    socket.on('connect', () => {
      const { trickle } = options;
      if (!trickle) {
        socket.write(options.bytes);
        if (options.endAfterWrite) socket.end();
        return;
      }
      let at = 0;
      trickleTimer = setInterval(() => {
        if (at >= options.bytes.length || socket.destroyed) {
          clearInterval(trickleTimer);
          if (options.endAfterWrite && !socket.destroyed) socket.end();
          return;
        }
        socket.write(options.bytes.subarray(at, at + trickle.chunkBytes));
        at += trickle.chunkBytes;
      }, trickle.intervalMs);
    });
  });
}

/** Why a response is not an acceptable error answer, or undefined when it is (4xx JSON with `error`, no stack). */
export function errorAnswerProblem(outcome: RawOutcome): string | undefined {
  if (outcome.kind !== 'response') return `no response (${outcome.kind})`;
  if (outcome.status < 400 || outcome.status > 499) return `status ${outcome.status}`;
  if (!/^application\/json/i.test(outcome.headers['content-type'] ?? '')) {
    return `content-type ${outcome.headers['content-type'] ?? '(none)'}`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(outcome.body);
  } catch {
    return 'body is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || !('error' in parsed))
    return 'JSON has no "error" field';
  if (/\n\s+at | {4}at /.test(outcome.body)) return 'body carries a stack trace';
  return undefined;
}
