/**
 * Requests a hostile or careless client sends (issue 8): each gets a bounded 4xx answer, never a 500 and never
 * work or an error body proportional to what the client sent.
 */
import type { FastifyInstance } from 'fastify';
import { bundledModel, exampleOf, makeApp } from '../helpers/server-app';

let app: FastifyInstance;
let bank: Record<string, unknown>;
let fields: string[];

/** Error lists are capped at this many entries (with the total in the message). */
const MAX_LISTED = 100;
const MAX_BATCH_SIZE = 1000;

beforeAll(async () => {
  app = (await makeApp({ maxBatchSize: MAX_BATCH_SIZE })).app;
  bank = await exampleOf('bankchurn');
  fields = (await bundledModel('bankchurn')).metadata.inputs.map((f) => f.name);
});
afterAll(() => app.close());

const csv = (payload: string) =>
  app.inject({ method: 'POST', url: '/invocations', payload, headers: { 'content-type': 'text/csv' } });
const postJson = (url: string, payload: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });

describe('CSV on /invocations (item 1)', () => {
  it('turns away more rows than MAX_BATCH_SIZE as BATCH_TOO_LARGE with a small body, even when every row is bad', async () => {
    const res = await csv('1\n'.repeat(20_000));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BATCH_TOO_LARGE');
    expect(res.json().error.message).toMatch(/more than 1000 rows.*MAX_BATCH_SIZE/);
    expect(res.body.length).toBeLessThan(4096);
  });

  it('turns away more valid rows than MAX_BATCH_SIZE before building instances', async () => {
    const row = fields.map((f) => String(bank[f])).join(',');
    const res = await csv(`${row}\n`.repeat(MAX_BATCH_SIZE + 1));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BATCH_TOO_LARGE');
  });

  // The reader lets one row past the limit through (room for a header line); the instance count is checked
  // after the header is recognised. Both sides of both limits:
  it.each([
    ['MAX_BATCH_SIZE rows', 0, MAX_BATCH_SIZE, 200],
    ['a header and MAX_BATCH_SIZE rows', 1, MAX_BATCH_SIZE, 200],
    ['MAX_BATCH_SIZE + 1 rows (the reader lets the last through)', 0, MAX_BATCH_SIZE + 1, 400],
    ['a header and MAX_BATCH_SIZE + 1 rows', 1, MAX_BATCH_SIZE + 1, 400],
  ])('the batch limit on CSV is exact: %s', async (_, header, rows, status) => {
    const row = fields.map((f) => String(bank[f])).join(',');
    const res = await csv(`${header ? `${fields.join(',')}\n` : ''}${`${row}\n`.repeat(rows)}`);
    expect(res.statusCode).toBe(status);
    if (status === 200) expect(res.json().predictions).toHaveLength(rows);
    else expect(res.json().error.code).toBe('BATCH_TOO_LARGE');
  });

  it('lists at most 100 bad rows, with the total count', async () => {
    const res = await csv('1\n'.repeat(900));
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details).toHaveLength(MAX_LISTED);
    expect(error.message).toMatch(/^900 CSV row\(s\) have the wrong number of columns/);
    expect(error.detailsTotal).toBe(900);
    expect(res.body.length).toBeLessThan(64 * 1024);
  });

  it('stops reading a row with more fields than the model has inputs', async () => {
    const res = await csv(`${'1,'.repeat(200_000)}1\n`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/line 1: more than 10 fields/);
    expect(res.body.length).toBeLessThan(4096);
  });

  it('names an unbalanced quote', async () => {
    const res = await csv(`1,"${'x'.repeat(100)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/a quoted field is not closed/);
  });

  it('stops reading an unbalanced quote once the field is longer than any input takes', async () => {
    const res = await csv(`"${'x'.repeat(100_000)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/line 1: field 1 is longer than 132 characters/);
  });
});

describe('JSON bodies (items 3 and 4)', () => {
  const deep = (depth: number) => `{"__proto__x":1,"a":${'['.repeat(depth)}"__proto__"${']'.repeat(depth)}}`;

  it.each(['/v1/models/bankchurn:predict', '/invocations', '/v2/models/bankchurn/infer'])(
    'answers deeply nested JSON mentioning "__proto__" with a 4xx on %s, not a stack overflow',
    async (url) => {
      const depth = 20_000;
      const body = `{"instances":[{"x":${'['.repeat(depth)}"__proto__"${']'.repeat(depth)}}],"q":{"__proto__":1}}`;
      const res = await postJson(url, body);
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/__proto__/);
      expect(deep(3).length).toBeGreaterThan(0);
    },
  );

  it('accepts deep nesting that only mentions "__proto__" as a value (rejected by the schema, not by a crash)', async () => {
    const depth = 20_000;
    const body = `{"instances":[{"x":${'['.repeat(depth)}"__proto__"${']'.repeat(depth)}}]}`;
    const res = await postJson('/v1/models/bankchurn:predict', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).not.toBe('INTERNAL');
  });

  it('rejects an escaped "\\u005f_proto__" key too', async () => {
    const res = await postJson('/predict', `{"instances":[{}],"\\u005f_proto__":{"polluted":true}}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/__proto__/);
  });

  it('answers one instance with 1,000 unknown keys with a 400 listing at most 100 of them', async () => {
    const keys = Array.from({ length: 1000 - fields.length }, (_, i) => `"k${i}":1`).join(',');
    const res = await postJson(
      '/predict',
      JSON.stringify({ instances: [bank] }).replace(/}]}$/, `,${keys}}]}`),
    );
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details.length).toBeLessThanOrEqual(MAX_LISTED);
    expect(error.detailsTotal).toBe(1000 - fields.length);
    expect(res.body.length).toBeLessThan(64 * 1024);
  });

  it('answers one instance with 150,000 keys with a 400 naming the key limit, before parsing it', async () => {
    const keys = Array.from({ length: 150_000 }, (_, i) => `"k${i}":1`).join(',');
    const res = await postJson('/predict', `{"instances":[{${keys}}]}`);
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe(
      'an object in the request body (at character 14) has more than 1000 keys; an instance has one per model input',
    );
  });

  it('answers a V2 tensor of deeply nested data with a 400, not a stack overflow', async () => {
    const depth = 50_000;
    const inputs = (await bundledModel('bankchurn')).metadata.inputs.map((f) => ({
      name: f.name,
      shape: [1],
      datatype: f.type === 'number' ? 'FP64' : 'BYTES',
      data: ['__DEEP__'],
    }));
    const body = JSON.stringify({ inputs }).replace(
      '"__DEEP__"',
      `${'['.repeat(depth)}1${']'.repeat(depth)}`,
    );
    const res = await postJson('/v2/models/bankchurn/infer', body);
    expect(res.statusCode).toBe(400);
  });
});

describe('protocol details (item 7)', () => {
  it('answers a wrong method on a known route with 405 and Allow', async () => {
    const get = await app.inject({ method: 'GET', url: '/v1/models/bankchurn:predict' });
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(get.json().error.code).toBe('METHOD_NOT_ALLOWED');
    expect(get.json().error.message).not.toMatch(/no model named/);
    const put = await app.inject({ method: 'PUT', url: '/predict', payload: '{}' });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('POST');
    const del = await app.inject({ method: 'DELETE', url: '/v2/models/bankchurn/infer' });
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('POST');
    const post = await app.inject({ method: 'POST', url: '/health/live' });
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toMatch(/GET/);
    // A route that does not exist at all stays a 404.
    expect((await app.inject({ method: 'GET', url: '/nothing' })).statusCode).toBe(404);
  });

  it('accepts a UTF-8 BOM on JSON as on CSV', async () => {
    const res = await postJson('/predict', `\uFEFF${JSON.stringify({ instances: [bank] })}`);
    expect(res.statusCode).toBe(200);
  });

  it.each(['gzip', 'br', 'deflate'])(
    'answers Content-Encoding: %s with a 415 JSON error and a clean message',
    async (encoding) => {
      const res = await postJson('/predict', '\u001f\u008b\u0008garbage', { 'content-encoding': encoding });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(res.json().error.message).toMatch(new RegExp(`Content-Encoding "${encoding}" is not supported`));
    },
  );

  it('accepts Content-Encoding: identity', async () => {
    const res = await postJson('/predict', JSON.stringify({ instances: [bank] }), {
      'content-encoding': 'identity',
    });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['application/json; charset=utf-16le', '/predict'],
    ['application/json; charset=latin1', '/predict'],
    ['text/csv; charset=utf-16le', '/invocations'],
  ])('answers %s with 415', async (type, url) => {
    const res = await app.inject({
      method: 'POST',
      url,
      payload: Buffer.from(JSON.stringify({ instances: [bank] }), 'utf16le'),
      headers: { 'content-type': type },
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.message).toMatch(/charset .* is not supported; send UTF-8/);
  });

  it('accepts charset=utf-8 in any case', async () => {
    const res = await postJson('/predict', JSON.stringify({ instances: [bank] }), {
      'content-type': 'application/json; charset=UTF-8',
    });
    expect(res.statusCode).toBe(200);
  });

  it('counts a text limit in characters (code points), not UTF-16 units', async () => {
    // 5000 emoji are 5000 characters but 10,000 UTF-16 units; nlpinsight takes up to 5000 characters.
    const ok = await postJson(
      '/v1/models/nlpinsight:predict',
      JSON.stringify({ instances: [{ text: '😀'.repeat(5000) }] }),
    );
    expect(ok.statusCode).toBe(200);
    const over = await postJson(
      '/v1/models/nlpinsight:predict',
      JSON.stringify({ instances: [{ text: '😀'.repeat(5001) }] }),
    );
    expect(over.statusCode).toBe(400);
    expect(over.json().error.details[0].message).toMatch(/is 5001 characters long/);
  });

  it('states a V2 schema error once, without repeating its path', async () => {
    const res = await postJson(
      '/v2/models/bankchurn/infer',
      JSON.stringify({ inputs: [{ name: 'Age', shape: [1], datatype: 'FP99', data: [1] }] }),
    );
    expect(res.statusCode).toBe(400);
    const message: string = res.json().error;
    const path = 'body.inputs.0.datatype';
    expect(message.split(path).length - 1).toBe(1);
  });

  const v2Body = async (overrides: Record<string, { datatype: string; data: unknown[] }> = {}) => {
    const model = await bundledModel('bankchurn');
    return JSON.stringify({
      inputs: model.metadata.inputs.map((f) => ({
        name: f.name,
        shape: [1],
        datatype: overrides[f.name]?.datatype ?? (f.type === 'number' ? 'FP64' : 'BYTES'),
        data: overrides[f.name]?.data ?? [bank[f.name]],
      })),
    });
  };

  it.each(['?explain=maybe', '?explain=true&explain=false'])(
    'answers %s with 400 on V2 as on native',
    async (query) => {
      const native = await postJson(`/predict${query}`, JSON.stringify({ instances: [bank] }));
      expect(native.statusCode).toBe(400);
      const v2 = await postJson(`/v2/models/bankchurn/infer${query}`, await v2Body());
      expect(v2.statusCode).toBe(400);
    },
  );

  it.each([
    ['UINT8', 619],
    ['UINT8', -1],
    ['INT8', 128],
    ['INT16', 40_000],
    ['UINT16', 70_000],
    ['INT32', 2 ** 31],
    ['UINT32', -5],
    ['FP16', 1e6],
    ['FP32', 1e39],
    ['INT64', 2 ** 64],
    ['UINT64', -1],
  ])('range-checks V2 %s (%p is out of range)', async (datatype, value) => {
    const res = await postJson(
      '/v2/models/bankchurn/infer',
      await v2Body({ Age: { datatype, data: [value] } }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(new RegExp(`input "Age" \\(${datatype}\\) element 0: .*out of range`));
  });

  it('accepts V2 values inside their datatype range', async () => {
    const res = await postJson(
      '/v2/models/bankchurn/infer',
      await v2Body({ Age: { datatype: 'UINT8', data: [42] } }),
    );
    expect(res.statusCode).toBe(200);
  });
});

describe('Vertex predict route (item 7: explain flag)', () => {
  let vertex: FastifyInstance;
  const route = '/v1/endpoints/1/deployedModels/2:predict';
  beforeAll(async () => {
    vertex = (
      await makeApp({ vertex: { healthRoute: '/v1/endpoints/1/deployedModels/2', predictRoute: route } })
    ).app;
  });
  afterAll(() => vertex.close());

  it.each(['?explain=maybe', '?explain=true&explain=false'])('answers %s with 400', async (query) => {
    const res = await vertex.inject({
      method: 'POST',
      url: `${route}${query}`,
      payload: { instances: [bank] },
    });
    expect(res.statusCode).toBe(400);
  });

  it('explains with ?explain=true', async () => {
    const res = await vertex.inject({
      method: 'POST',
      url: `${route}?explain=true`,
      payload: { instances: [bank] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().predictions[0].explanation).toBeDefined();
  });
});

describe('V2 batch limit', () => {
  it('turns away a tensor of more rows than MAX_BATCH_SIZE before reading its elements', async () => {
    const model = await bundledModel('bankchurn');
    const n = MAX_BATCH_SIZE + 1;
    const inputs = model.metadata.inputs.map((f) => ({
      name: f.name,
      shape: [n],
      datatype: f.type === 'number' ? 'FP64' : 'BYTES',
      data: Array.from({ length: n }, () => bank[f.name]),
    }));
    const res = await postJson('/v2/models/bankchurn/infer', JSON.stringify({ inputs }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/1001 instances in one request; the limit is 1000 \(MAX_BATCH_SIZE\)/);
  });

  it('names the batch limit, not an element error, when the last row past the limit is also bad', async () => {
    // Valid rows alone give the same answer whichever check runs first; a bad element past the limit shows
    // that the size is checked before any element is read.
    const model = await bundledModel('bankchurn');
    const n = MAX_BATCH_SIZE + 1;
    const inputs = model.metadata.inputs.map((f, i) => ({
      name: f.name,
      shape: [n],
      datatype: f.type === 'number' ? 'FP64' : 'BYTES',
      data: Array.from({ length: n }, (_, row) =>
        i === 0 && row === n - 1 ? (f.type === 'number' ? 'x' : 7) : bank[f.name],
      ),
    }));
    const res = await postJson('/v2/models/bankchurn/infer', JSON.stringify({ inputs }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/1001 instances in one request; the limit is 1000 \(MAX_BATCH_SIZE\)/);
  });
});
