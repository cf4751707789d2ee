/** Small HTTP and TCP clients over node:http and node:net, timed, for driving containers from the host. */
import * as http from 'node:http';
import * as net from 'node:net';

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Defaults to a fresh connection per request (`agent: false`). */
  readonly agent?: http.Agent;
  readonly timeoutMs?: number;
}

/** One request; rejects on connection errors (refused, reset) and on timeout. */
export function request(url: string, init: RequestInit = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
    const req = http.request(
      url,
      { method: init.method ?? 'GET', headers, agent: init.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(init.timeoutMs ?? 30_000, () =>
      req.destroy(new Error(`timeout after ${init.timeoutMs} ms: ${url}`)),
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** JSON POST. */
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  agent?: http.Agent,
) {
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    agent,
  });
}

/** Polls `url` until it answers `status`; resolves with Date.now() of that answer. */
export async function waitForStatus(
  url: string,
  status = 200,
  timeoutMs = 30_000,
  intervalMs = 20,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const res = await request(url, { timeoutMs: 2000 });
      if (res.status === status) return Date.now();
      last = `${res.status} ${res.body.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Opens and closes one TCP connection; resolves with the milliseconds until it was accepted. */
export function connectTime(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = net.connect({ port, host });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`connect to ${host}:${port} timed out`)));
    socket.once('connect', () => {
      const ms = performance.now() - t0;
      socket.destroy();
      resolve(ms);
    });
    socket.once('error', reject);
  });
}

/** A TCP port free on the host's loopback right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
