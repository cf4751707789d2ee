import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** What followed the response on the connection (the next, pipelined, response). */
  readonly rest: string;
}

/** Parses the first HTTP/1.1 response with Content-Length from raw bytes (enough for these tests). */
export function parseResponse(raw: string): RawResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const after = Buffer.from(raw.slice(end + 4));
  if (after.length < length) return undefined;
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: after.subarray(0, length).toString(),
    rest: after.subarray(length).toString(),
  };
}

/** A raw TCP connection for requests that must be sent in parts or kept open. */
export class RawConnection {
  private buffer = '';
  private waiters: (() => void)[] = [];
  closed = false;
  readonly closedAt: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (const w of this.waiters.splice(0)) w();
    });
    this.closedAt = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        for (const w of this.waiters.splice(0)) w();
        resolve();
      }),
    );
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** The next complete response on this connection. */
  async response(): Promise<RawResponse> {
    for (;;) {
      const parsed = parseResponse(this.buffer);
      if (parsed) {
        this.buffer = parsed.rest;
        return parsed;
      }
      if (this.closed)
        throw new Error(`connection closed before a full response: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async request(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> {
    const head = [
      `${method} ${path} HTTP/1.1`,
      'Host: localhost',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    if (body !== undefined)
      head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
    this.write(`${head.join('\r\n')}\r\n\r\n${body ?? ''}`);
    return this.response();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
