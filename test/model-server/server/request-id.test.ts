import { exampleOf, makeApp, type TestApp } from '../helpers/server-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let body: { instances: unknown[] };
let t: TestApp;
beforeAll(async () => {
  body = { instances: [await exampleOf('bankchurn')] };
  t = await makeApp({});
});
afterAll(() => t.app.close());

const predict = (headers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/v1/models/bankchurn:predict', payload: body, headers });

/** The request log lines that carry this id (fastify writes it as `reqId`). */
const logLinesOf = (id: string) => t.logs.lines.filter((line) => line.reqId === id);

describe('request id (x-request-id)', () => {
  test.each([
    ['a UUID', '0f8fad5b-d9cb-469f-a165-70867728950e'],
    ['a W3C trace id', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ['an id of exactly 128 visible characters', 'r'.repeat(128)],
  ])('the client id is kept, echoed and logged: %s', async (_, id) => {
    const res = await predict({ 'x-request-id': id });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe(id);
    expect(logLinesOf(id).length).toBeGreaterThan(0);
  });

  test.each([
    ['longer than 128 characters', 'r'.repeat(129)],
    ['16 KB, which Node accepts as a header', 'x'.repeat(16_000)],
    ['with a space', 'two words'],
    ['non-ASCII', 'idé'],
  ])(
    'a client id that is not a usable id is replaced by a UUID, and the request still served: %s',
    async (_, id) => {
      const res = await predict({ 'x-request-id': id });
      expect(res.statusCode).toBe(200);
      const replaced = String(res.headers['x-request-id']);
      expect(replaced).toMatch(UUID);
      expect(logLinesOf(replaced).length).toBeGreaterThan(0);
      expect(JSON.stringify(t.logs.lines)).not.toContain(id);
    },
  );

  test('without a client id each request gets its own UUID, error answers included', async () => {
    const ok = await predict({});
    const missing = await t.app.inject({ method: 'GET', url: '/no-such-route' });
    const ids = [ok.headers['x-request-id'], missing.headers['x-request-id']].map(String);
    expect(missing.statusCode).toBe(404);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(2);
  });
});
