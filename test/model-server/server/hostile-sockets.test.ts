/**
 * What a hostile or careless client does at the socket level (issue 8): disconnects mid-scoring, oversized
 * headers, `Expect`, slow headers on the metrics port; each is answered, counted and bounded.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { startMetricsListener } from '../../../model-server/src/metrics/listener';
import { ServerMetrics } from '../../../model-server/src/metrics/metrics';
import { RawConnection, sleep } from '../helpers/http';
import { exampleOf, makeApp, type TestApp } from '../helpers/server-app';

/** Value of one sample line, e.g. `bankchurn_requests_total{route="/predict",status="499"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INFO = 30;

/** `http_socket_errors_total` by status (0 for a status never counted). */
async function socketErrors(metrics: ServerMetrics, status: number): Promise<number> {
  return sample(await metrics.render(), `http_socket_errors_total{status="${status}"}`) ?? 0;
}

/** The answer carries a request id, and exactly one log line (at info: a client fault) carries it too. */
function expectIdAndOneInfoLine(logs: TestApp['logs'], id: string | undefined, status: number): void {
  expect(id).toMatch(UUID);
  const lines = logs.lines.filter((l) => l.reqId === id);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: INFO, status, msg: 'request rejected' });
}

const BODY_LIMIT = 1024 * 1024;
let t: TestApp;
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  t = await makeApp({ bodyLimitBytes: BODY_LIMIT, maxConcurrentRequests: 1, maxBatchSize: 5000 });
  app = t.app;
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(() => app.close());

describe('a client that disconnects while its batch is scored (item 2)', () => {
  it('keeps the slot until scoring stops, stops scoring, and counts and logs the request as 499', async () => {
    const bank = await exampleOf('bankchurn');
    const body = JSON.stringify({
      instances: Array.from({ length: 3000 }, () => bank),
      parameters: { explain: true },
    });
    const before = t.logs.requests.length;
    const conn = await RawConnection.open(port);
    conn.write(
      `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // Scoring (about a second for this batch) has started when the client goes.
    await sleep(150);
    conn.destroy();
    await sleep(5);
    // The slot is still held: scoring has not stopped yet, or has only just stopped.
    const other = await RawConnection.open(port);
    const answer = await other.request('POST', '/predict', JSON.stringify({ instances: [bank] }));
    other.destroy();
    for (let i = 0; i < 200 && t.logs.requests.length === before + 1; i++) await sleep(10);
    const lines = t.logs.requests.slice(before);
    const aborted = lines.find((l) => l.status === 499);
    expect(aborted).toMatchObject({ route: '/predict', model: 'bankchurn', instances: 3000 });
    const metrics = await t.metrics.render();
    expect(sample(metrics, 'bankchurn_requests_total{route="/predict",status="499"}')).toBe(1);
    // Scoring stopped when the client went: no explain latency was observed for the aborted batch.
    expect(sample(metrics, 'bankchurn_explain_latency_seconds_count')).toBe(0);
    // The second request either waited out the first's scoring (503 while it was held) or came after it.
    expect([200, 503]).toContain(answer.status);
  });
});

describe('socket-level answers (item 7)', () => {
  it('answers a 20 KB header with 431 JSON, and counts it', async () => {
    const conn = await RawConnection.open(port);
    conn.write(`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(20_000)}\r\n\r\n`);
    const res = await conn.response();
    conn.destroy();
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body).error.code).toBe('HEADERS_TOO_LARGE');
    expect(sample(await t.metrics.render(), 'http_socket_errors_total{status="431"}')).toBe(1);
    expectIdAndOneInfoLine(t.logs, res.headers['x-request-id'], 431);
  });

  it('counts socket-level 400s (broken HTTP) in http_socket_errors_total', async () => {
    const conn = await RawConnection.open(port);
    conn.write('PO ST / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await conn.response();
    conn.destroy();
    expect(res.status).toBe(400);
    expect(sample(await t.metrics.render(), 'http_socket_errors_total{status="400"}')).toBe(1);
    expectIdAndOneInfoLine(t.logs, res.headers['x-request-id'], 400);
  });

  it('answers Expect: 100-continue with a Content-Length over the limit with 413, never 100 Continue', async () => {
    const conn = await RawConnection.open(port);
    conn.write(
      `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY_LIMIT + 1}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await sleep(300);
    const res = await conn.response();
    conn.destroy();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('BODY_TOO_LARGE');
  });

  it('still sends 100 Continue to a request within the limit', async () => {
    const body = JSON.stringify({ instances: [await exampleOf('bankchurn')] });
    const conn = await RawConnection.open(port);
    conn.write(
      `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    const interim = await conn.response();
    expect(interim.status).toBe(100);
    conn.write(body);
    const res = await conn.response();
    conn.destroy();
    expect(res.status).toBe(200);
  });

  it('answers an unsupported Expect with a 417 JSON error, with a request id, counted and logged once', async () => {
    const before = await socketErrors(t.metrics, 417);
    const conn = await RawConnection.open(port);
    conn.write('GET /health/live HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n');
    const res = await conn.response();
    conn.destroy();
    expect(res.status).toBe(417);
    expect(JSON.parse(res.body).error.code).toBe('EXPECTATION_FAILED');
    expect((await socketErrors(t.metrics, 417)) - before).toBe(1);
    expectIdAndOneInfoLine(t.logs, res.headers['x-request-id'], 417);
  });

  it("keeps a usable client x-request-id on the 417, as a route's answer does", async () => {
    const conn = await RawConnection.open(port);
    conn.write(
      'GET /health/live HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nX-Request-Id: trace-417-abc\r\n\r\n',
    );
    const res = await conn.response();
    conn.destroy();
    expect(res.status).toBe(417);
    expect(res.headers['x-request-id']).toBe('trace-417-abc');
    expect(t.logs.lines.filter((l) => l.reqId === 'trace-417-abc')).toHaveLength(1);
  });
});

describe('a client whose headers do not arrive in time (item 7)', () => {
  let slow: TestApp;
  let slowPort: number;
  beforeAll(async () => {
    slow = await makeApp({
      headersTimeoutMs: 300,
      requestTimeoutMs: 1000,
      connectionsCheckingIntervalMs: 100,
    });
    await slow.app.listen({ port: 0, host: '127.0.0.1' });
    slowPort = (slow.app.server.address() as AddressInfo).port;
  });
  afterAll(() => slow.app.close());

  it.each([
    ['a partial request line', 'GET /health/li'],
    ['partial headers', 'GET /health/live HTTP/1.1\r\nHost: x\r\n'],
  ])('gets one 408 JSON answer, counted once as 408 and never as 400: %s', async (_, partial) => {
    const before = { 408: await socketErrors(slow.metrics, 408), 400: await socketErrors(slow.metrics, 400) };
    const conn = await RawConnection.open(slowPort);
    conn.write(partial);
    const res = await conn.response();
    // The client closes its side once the server has ended the connection: Node's parser then reports the
    // request it never finished, which must not be answered or counted a second time.
    await conn.closedAt;
    await sleep(200);
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body).error.code).toBe('REQUEST_TIMEOUT');
    expect((await socketErrors(slow.metrics, 408)) - before[408]).toBe(1);
    expect((await socketErrors(slow.metrics, 400)) - before[400]).toBe(0);
    expectIdAndOneInfoLine(slow.logs, res.headers['x-request-id'], 408);
  });
});

describe('the metrics port (item 7)', () => {
  let server: Server;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('cuts a client whose headers do not arrive within the headers timeout', async () => {
    server = await startMetricsListener({
      metrics: new ServerMetrics({ defaultMetrics: false }),
      host: '127.0.0.1',
      port: 0,
      headersTimeoutMs: 1000,
    });
    const conn = await RawConnection.open((server.address() as AddressInfo).port);
    const started = performance.now();
    conn.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([conn.closedAt, new Promise((resolve) => (timer = setTimeout(resolve, 8000)))]);
    clearTimeout(timer);
    const took = performance.now() - started;
    conn.destroy();
    // The headers timeout plus Node's connection check interval (1 s here).
    expect(took).toBeLessThan(3500);
  });
});
