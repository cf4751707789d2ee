import { parseConfig } from '../../../model-server/src/config';
import { exampleOf, makeApp, type TestApp } from '../helpers/server-app';

const KEY_A = 'key-a-0123456789abcdefghijklmnop';
const KEY_B = 'key-b-zyxwvutsrqponmlkjihgfedcba';
let INSTANCE: { instances: unknown[] };

let t: TestApp;
beforeAll(async () => {
  INSTANCE = { instances: [await exampleOf('bankchurn')] };
  t = await makeApp({
    apiKeys: [KEY_A, KEY_B],
    vertex: { healthRoute: '/vx/health', predictRoute: '/vx/predict' },
  });
});
afterAll(() => t.app.close());

const predict = (headers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/v1/models/bankchurn:predict', payload: INSTANCE, headers });

describe('API key (API_KEYS)', () => {
  test('no key: 401 JSON naming both headers, with WWW-Authenticate and the request id', async () => {
    const res = await predict({ 'x-request-id': 'req-401' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
    expect(res.json().error.message).toMatch(/Authorization: Bearer <key>.*x-api-key: <key>/);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="model-server"');
    expect(res.headers['x-request-id']).toBe('req-401');
  });

  test('a wrong key is a 401 too, and no key reaches the log', async () => {
    const wrong = 'wrong-key-000000000000000000000000';
    const res = await predict({ authorization: `Bearer ${wrong}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/not valid/);
    await predict({ authorization: `Bearer ${KEY_A}` });
    await predict({ 'x-api-key': KEY_B });
    const log = JSON.stringify(t.logs.lines);
    for (const secret of [wrong, KEY_A, KEY_B]) expect(log).not.toContain(secret);
  });

  test('both keys are valid at once (rotation), in either header; the scheme is case-insensitive', async () => {
    for (const headers of [
      { authorization: `Bearer ${KEY_A}` },
      { authorization: `bearer ${KEY_B}` },
      { 'x-api-key': KEY_A },
      { 'x-api-key': KEY_B },
    ] as Record<string, string>[]) {
      const res = await predict(headers);
      expect(res.statusCode).not.toBe(401);
      expect(res.statusCode).toBe(200);
    }
  });

  test('a key that is a prefix of a valid key, or another scheme, is refused', async () => {
    expect((await predict({ authorization: `Bearer ${KEY_A.slice(0, -1)}` })).statusCode).toBe(401);
    expect((await predict({ authorization: `Basic ${KEY_A}` })).statusCode).toBe(401);
  });

  test('health and readiness probes (native, V2, SageMaker ping, Vertex health route) need no key', async () => {
    for (const url of [
      '/health/live',
      '/health/ready',
      '/v2/health/live',
      '/v2/health/ready',
      '/ping',
      '/vx/health',
    ]) {
      expect([url, (await t.app.inject(url)).statusCode]).toEqual([url, 200]);
    }
  });

  test('every other route needs the key: metadata, OpenAPI, V2, SageMaker invocations, Vertex predict', async () => {
    for (const [method, url] of [
      ['GET', '/v1/models'],
      ['GET', '/openapi.json'],
      ['GET', '/v2/models/bankchurn'],
      ['POST', '/invocations'],
      ['POST', '/vx/predict'],
      ['GET', '/no-such-route'],
    ] as const) {
      const res = await t.app.inject({ method, url, ...(method === 'POST' ? { payload: INSTANCE } : {}) });
      expect([url, res.statusCode]).toEqual([url, 401]);
    }
  });

  test('the V2 protocol renders the 401 in its own shape', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v2/models/bankchurn/infer', payload: {} });
    expect(res.statusCode).toBe(401);
    expect(typeof res.json().error).toBe('string');
  });
});

describe('without API_KEYS (SageMaker, Vertex, in-cluster services)', () => {
  test('no key is needed', async () => {
    const open = await makeApp();
    try {
      const res = await open.app.inject({
        method: 'POST',
        url: '/v1/models/bankchurn:predict',
        payload: INSTANCE,
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await open.app.close();
    }
  });
});

describe('request id', () => {
  test('every response carries one, success and error paths alike, and every request log line has it', async () => {
    const ok = await predict({ 'x-api-key': KEY_A, 'x-request-id': 'req-ok' });
    expect(ok.headers['x-request-id']).toBe('req-ok');
    const generated = await t.app.inject('/health/live');
    expect(typeof generated.headers['x-request-id']).toBe('string');
    expect(String(generated.headers['x-request-id']).length).toBeGreaterThan(0);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/models/bankchurn:predict',
      payload: '{not json',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY_A, 'x-request-id': 'req-bad' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['x-request-id']).toBe('req-bad');
    const missing = await t.app.inject({
      url: '/nowhere',
      headers: { 'x-api-key': KEY_A, 'x-request-id': 'req-404' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-request-id']).toBe('req-404');
    const lines = t.logs.lines.filter((l) => l.msg === 'request' || l.msg === 'request rejected');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(typeof line.reqId).toBe('string');
    expect(t.logs.lines.some((l) => l.reqId === 'req-bad' && l.msg === 'request rejected')).toBe(true);
  });
});

describe('API_KEYS parsing', () => {
  test('comma-separated, blanks ignored', () => {
    expect(parseConfig([], { API_KEYS: ` ${KEY_A} , ${KEY_B}` }).apiKeys).toEqual([KEY_A, KEY_B]);
    expect(parseConfig([], {}).apiKeys).toBeUndefined();
  });

  test('a short or empty key is refused without quoting any key', () => {
    const short = 'tooshort';
    expect(() => parseConfig([], { API_KEYS: `${KEY_A},${short}` })).toThrow(
      /API_KEYS: key 2 of 2 is shorter than 16/,
    );
    try {
      parseConfig([], { API_KEYS: `${KEY_A},${short},` });
    } catch (error) {
      expect(String(error)).not.toContain(short);
      expect(String(error)).not.toContain(KEY_A);
      expect(String(error)).toMatch(/key 3 of 3/);
    }
  });
});
