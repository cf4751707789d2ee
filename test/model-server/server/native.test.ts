import type { FastifyInstance } from 'fastify';
import { bundledModel, exampleOf, makeApp, type TestApp } from '../helpers/server-app';

let t: TestApp;
let app: FastifyInstance;
let bank: Record<string, unknown>;

beforeAll(async () => {
  t = await makeApp({ maxBatchSize: 50, bodyLimitBytes: 64 * 1024 });
  app = t.app;
  bank = await exampleOf('bankchurn');
});
afterAll(() => app.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers });

/** Every error body: the catalogue shape, and never a stack trace. */
function expectError(res: { statusCode: number; body: string }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  const body = JSON.parse(res.body);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
  expect(res.body).not.toMatch(/stack/i);
  return body.error as { code: string; message: string; details?: { path: string; message: string }[] };
}

describe('health', () => {
  it('is live and ready once the models are loaded', async () => {
    expect((await app.inject('/health/live')).json()).toEqual({ status: 'live' });
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('is live but not ready (503, Retry-After) before the models are loaded', async () => {
    const loading = await makeApp({ notReady: true });
    try {
      expect((await loading.app.inject('/health/live')).statusCode).toBe(200);
      const res = await loading.app.inject('/health/ready');
      expect(expectError(res, 503, 'NOT_READY').message).toMatch(/loading/);
      expect(res.headers['retry-after']).toBe('1');
      expectError(
        await loading.app.inject({ method: 'POST', url: '/predict', payload: { instances: [{}] } }),
        503,
        'NOT_READY',
      );
      expectError(await loading.app.inject('/v1/models'), 503, 'NOT_READY');
    } finally {
      await loading.app.close();
    }
  });

  it('is not ready while draining, but still serves predictions with Connection: close', async () => {
    const draining = await makeApp();
    try {
      draining.readiness.startDraining();
      expect(expectError(await draining.app.inject('/health/ready'), 503, 'NOT_READY').message).toMatch(
        /shutting down/,
      );
      const res = await draining.app.inject({
        method: 'POST',
        url: '/predict',
        payload: { instances: [bank] },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers.connection).toBe('close');
    } finally {
      await draining.app.close();
    }
  });
});

describe('models', () => {
  it('lists the loaded models and the default', async () => {
    const res = await app.inject('/v1/models');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.defaultModel).toBe('bankchurn');
    expect(body.models.map((m: { name: string }) => m.name)).toEqual([
      'bankchurn',
      'chicagotaxi',
      'nlpinsight',
    ]);
    expect(body.models.find((m: { name: string }) => m.name === 'chicagotaxi')).toMatchObject({
      task: 'regression',
      default: false,
      version: expect.any(String),
    });
  });

  it("describes one model's inputs, outputs and version", async () => {
    const res = await app.inject('/v1/models/bankchurn');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ name: 'bankchurn', task: 'binary_classification', default: true });
    expect(body.version).toEqual(expect.any(String));
    expect(body.inputs.map((f: { name: string }) => f.name)).toContain('Geography');
    expect(body.inputs.find((f: { name: string }) => f.name === 'Geography').categories).toContain('France');
    expect(body.outputs.map((o: { name: string }) => o.name)).toEqual([
      'label',
      'probability',
      'probabilities',
      'explanation',
    ]);
    expect(body.example).toEqual(bank);
    const taxi = (await app.inject('/v1/models/chicagotaxi')).json();
    expect(taxi.outputs.map((o: { name: string }) => o.name)).toEqual(['value', 'explanation']);
  });

  it('answers 404 for an unknown model, naming the loaded ones', async () => {
    const err = expectError(await app.inject('/v1/models/nope'), 404, 'MODEL_NOT_FOUND');
    expect(err.message).toContain('bankchurn');
    expectError(await post('/v1/models/nope:predict', { instances: [bank] }), 404, 'MODEL_NOT_FOUND');
    expectError(await post('/v1/models/nope:explain', { instances: [bank] }), 404, 'MODEL_NOT_FOUND');
  });
});

describe('predict and explain', () => {
  it('predicts without explanations by default', async () => {
    const res = await post('/v1/models/bankchurn:predict', { instances: [bank, bank] });
    expect(res.statusCode).toBe(200);
    const { predictions } = res.json();
    expect(predictions).toHaveLength(2);
    expect(['stays', 'churns']).toContain(predictions[0].label);
    expect(predictions[0].probability).toBeGreaterThan(0);
    expect(predictions[0].probability).toBeLessThan(1);
    expect(predictions[0].explanation).toBeUndefined();
    expect(res.headers['x-model-name']).toBe('bankchurn');
    expect(res.headers['server-timing']).toMatch(/^decode;dur=[\d.]+, score;dur=[\d.]+$/);
  });

  it('accepts an instance as an array in input-field order', async () => {
    const model = (await app.inject('/v1/models/bankchurn')).json();
    const row = model.inputs.map((f: { name: string }) => bank[f.name]);
    const [asArray] = (await post('/v1/models/bankchurn:predict', { instances: [row] })).json().predictions;
    const [asObject] = (await post('/v1/models/bankchurn:predict', { instances: [bank] })).json().predictions;
    expect(asArray).toEqual(asObject);
  });

  it.each([
    ['?explain=true', '/v1/models/bankchurn:predict?explain=true', { instances: [] as unknown[] }, {}],
    [
      'parameters.explain',
      '/v1/models/bankchurn:predict',
      { instances: [], parameters: { explain: true } },
      {},
    ],
    [
      'the SageMaker custom attribute among others',
      '/v1/models/bankchurn:predict',
      { instances: [] },
      { 'X-Amzn-SageMaker-Custom-Attributes': 'trace=abc; explain=true,x=1' },
    ],
    [':explain', '/v1/models/bankchurn:explain', { instances: [] }, {}],
  ])(
    'puts an additive explanation inside each prediction when asked by %s',
    async (_how, url, body, headers) => {
      const res = await post(url, { ...body, instances: [bank, { ...bank, Age: 60 }] }, headers);
      expect(res.statusCode).toBe(200);
      const { predictions } = res.json();
      expect(predictions).toHaveLength(2);
      for (const p of predictions) {
        const e = p.explanation;
        expect(e.outputSpace).toBe('log_odds');
        const sum = Object.values(e.contributions as Record<string, number>).reduce((a, b) => a + b, 0);
        expect(e.baseValue + sum).toBeCloseTo(e.margin, 6);
        expect(1 / (1 + Math.exp(-e.margin))).toBeCloseTo(p.probability, 6);
        expect(Object.keys(e.fieldContributions)).toContain('Geography');
      }
    },
  );

  it('returns exactly what the model computed: the response schema drops no field', async () => {
    for (const name of ['bankchurn', 'chicagotaxi', 'nlpinsight']) {
      const model = await bundledModel(name);
      const res = await post(`/v1/models/${name}:explain`, { instances: [model.metadata.example] });
      const direct = model.predict([model.metadata.example], { explain: true });
      expect(res.json().predictions).toEqual(JSON.parse(JSON.stringify(direct)));
    }
  });

  it('does not explain when every flag says no', async () => {
    const res = await post(
      '/v1/models/bankchurn:predict?explain=false',
      {
        instances: [bank],
        parameters: { explain: false },
      },
      { 'x-amzn-sagemaker-custom-attributes': 'explain=false' },
    );
    expect(res.json().predictions[0].explanation).toBeUndefined();
  });

  it('serves the default model on /predict', async () => {
    const res = await post('/predict?explain=true', { instances: [bank] });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-model-name']).toBe('bankchurn');
    expect(res.json().predictions[0].explanation.fieldContributions.Age).toEqual(expect.any(Number));
  });

  it('uses DEFAULT_MODEL for /predict', async () => {
    const other = await makeApp({ defaultModel: 'chicagotaxi' });
    try {
      const res = await other.app.inject({
        method: 'POST',
        url: '/predict',
        payload: { instances: [await exampleOf('chicagotaxi')] },
      });
      expect(res.json().predictions[0].value).toEqual(expect.any(Number));
    } finally {
      await other.app.close();
    }
  });

  it('explains the regression and the text model', async () => {
    const taxi = (
      await post('/v1/models/chicagotaxi:explain', { instances: [await exampleOf('chicagotaxi')] })
    ).json().predictions[0];
    expect(taxi.explanation.outputSpace).toBe('raw');
    expect(taxi.explanation.margin).toBeCloseTo(taxi.value, 6);
    const text = (
      await post('/v1/models/nlpinsight:explain', { instances: [await exampleOf('nlpinsight')] })
    ).json().predictions[0];
    expect(text.label).toEqual(expect.any(String));
    expect(Object.keys(text.explanation.contributions).length).toBeGreaterThan(0);
  });
});

describe('errors', () => {
  it('rejects bad JSON, naming the problem', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      headers: { 'content-type': 'application/json' },
      payload: '{"instances": [{"Age": NaN}]}',
    });
    expect(expectError(res, 400, 'BAD_JSON').message).toMatch(/not valid JSON: .*N/);
  });

  it('rejects an empty JSON body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(expectError(res, 400, 'BAD_JSON').message).toMatch(/empty/);
  });

  it('rejects a __proto__ key', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      headers: { 'content-type': 'application/json' },
      payload: '{"instances": [{}], "__proto__": {"x": 1}}',
    });
    expect(expectError(res, 400, 'BAD_REQUEST').message).toMatch(/__proto__/);
  });

  it.each([
    ['an unknown top-level field', { instances: [{}], foo: 1 }, 'body.foo', 'unknown field'],
    [
      'an unknown parameter',
      { instances: [{}], parameters: { explain: true, verbose: 1 } },
      'body.parameters.verbose',
      'unknown field',
    ],
    ['instances that are not an array', { instances: { a: 1 } }, 'body.instances', 'must be array'],
    [
      'an explain flag that is not a boolean',
      { instances: [{}], parameters: { explain: 'yes' } },
      'body.parameters.explain',
      'must be boolean',
    ],
    ['a missing instances field', { parameters: {} }, 'body', "must have required property 'instances'"],
    ['an instance that is a number', { instances: [3] }, 'body.instances.0', 'must be object,array'],
    ['no instances', { instances: [] }, 'body.instances', 'must NOT have fewer than 1 items'],
  ])('rejects %s with 400 naming the field', async (_what, payload, path, message) => {
    const err = expectError(await post('/predict', payload), 400, 'BAD_REQUEST');
    expect(err.details).toEqual([{ path, message }]);
    expect(err.message).toContain(path);
  });

  it('rejects an unknown query parameter and a bad explain value', async () => {
    expect(
      expectError(await post('/predict?foo=1', { instances: [bank] }), 400, 'BAD_REQUEST').details![0].path,
    ).toBe('querystring.foo');
    expect(
      expectError(await post('/predict?explain=yes', { instances: [bank] }), 400, 'BAD_REQUEST').message,
    ).toMatch(/querystring.explain: must be equal to one of the allowed values: true, false, 1, 0/);
  });

  it('rejects a malformed custom attribute flag', async () => {
    const err = expectError(
      await post(
        '/predict',
        { instances: [bank] },
        { 'x-amzn-sagemaker-custom-attributes': 'explain=maybe' },
      ),
      400,
      'BAD_REQUEST',
    );
    expect(err.message).toMatch(/explain="maybe"/);
  });

  it('rejects invalid instances with every problem and its path', async () => {
    const err = expectError(
      await post('/predict', {
        instances: [bank, { ...bank, Age: 'old', Geography: 'Mars' }, { ...bank, Unknown: 1 }],
      }),
      400,
      'INVALID_INPUT',
    );
    expect(err.details!.map((d) => d.path).sort()).toEqual([
      'instances[1].Age',
      'instances[1].Geography',
      'instances[2].Unknown',
    ]);
    expect(err.details!.find((d) => d.path === 'instances[1].Geography')!.message).toMatch(/France/);
  });

  it('rejects numbers out of range and non-finite numbers (1e400 parses to Infinity)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ instances: [{ ...bank, Age: 7 }] }).replace(
        '"Balance":',
        '"Balance":1e400,"x":',
      ),
    });
    const err = expectError(res, 400, 'INVALID_INPUT');
    expect(err.details!.map((d) => d.path)).toEqual(
      expect.arrayContaining(['instances[0].Age', 'instances[0].Balance']),
    );
  });

  it('rejects a batch over the limit', async () => {
    const err = expectError(
      await post('/predict', { instances: Array(51).fill(bank) }),
      400,
      'BATCH_TOO_LARGE',
    );
    expect(err.message).toMatch(/51 instances.*limit is 50 \(MAX_BATCH_SIZE\)/);
  });

  it('rejects a body over the limit with 413 JSON', async () => {
    const res = await post('/predict', { instances: Array(600).fill(bank) });
    expect(expectError(res, 413, 'BODY_TOO_LARGE').message).toMatch(/larger than 64 KiB/);
  });

  it('rejects other content types with 415', async () => {
    for (const type of ['text/plain', 'text/csv', 'application/x-www-form-urlencoded']) {
      const res = await app.inject({
        method: 'POST',
        url: '/predict',
        headers: { 'content-type': type },
        payload: 'a=1',
      });
      expect(expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE').message).toContain(type);
    }
  });

  it('answers unknown routes with 404 JSON, and a wrong method on a known route with 405 JSON and Allow', async () => {
    expect(expectError(await app.inject('/nope'), 404, 'ROUTE_NOT_FOUND').message).toBe('no route GET /nope');
    const wrongMethod = await app.inject({ method: 'DELETE', url: '/v1/models/bankchurn' });
    expectError(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    expectError(await post('/v1/models/bankchurn:train', { instances: [bank] }), 404, 'ROUTE_NOT_FOUND');
  });

  it('logs 4xx at info without a stack, one line per request with model, status and timings', async () => {
    const before = t.logs.lines.length;
    await post('/predict', { instances: [{ ...bank, Age: 'x' }] });
    await post('/v1/models/bankchurn:predict', { instances: [bank] });
    const lines = t.logs.lines.slice(before);
    const rejected = lines.find((l) => l.msg === 'request rejected')!;
    expect(rejected.level).toBe(30);
    expect(JSON.stringify(rejected)).not.toMatch(/stack/);
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ level: 30, status: 400, model: 'bankchurn', route: '/predict' });
    expect(requests[1]).toMatchObject({ status: 200, model: 'bankchurn', instances: 1, explain: false });
    expect(requests[1].timings).toEqual({
      decodeMs: expect.any(Number),
      scoreMs: expect.any(Number),
      totalMs: expect.any(Number),
    });
  });
});

describe('overload', () => {
  it('turns away predictions beyond MAX_CONCURRENT_REQUESTS with 503 + Retry-After; health is exempt', async () => {
    const busy = await makeApp({ maxConcurrentRequests: 1, maxBatchSize: 1000, sliceBudgetMs: 2 });
    try {
      const big = { instances: Array(300).fill(bank), parameters: { explain: true } };
      // The first request yields between slices, so the second arrives while it is in flight.
      const first = busy.app.inject({ method: 'POST', url: '/predict', payload: big });
      await new Promise((r) => setImmediate(r));
      const [second, ready] = await Promise.all([
        busy.app.inject({ method: 'POST', url: '/predict', payload: { instances: [bank] } }),
        busy.app.inject('/health/ready'),
      ]);
      expectError(second, 503, 'OVERLOADED');
      expect(second.headers['retry-after']).toBe('1');
      expect(ready.statusCode).toBe(200);
      expect((await first).statusCode).toBe(200);
      // The slot is given back: the next request passes.
      expect(
        (await busy.app.inject({ method: 'POST', url: '/predict', payload: { instances: [bank] } }))
          .statusCode,
      ).toBe(200);
    } finally {
      await busy.app.close();
    }
  });
});

describe('openapi', () => {
  it('documents the routes from the schemas that validate them', async () => {
    const res = await app.inject('/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const predict = doc.paths['/v1/models/{model}:predict'].post;
    expect(predict.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'model', in: 'path', required: true })]),
    );
    expect(predict.requestBody.content['application/json'].schema.required).toEqual(['instances']);
    expect(predict.requestBody.content['application/json'].examples.bankchurn.value.instances[0]).toEqual(
      bank,
    );
    expect(predict.responses['200'].content['application/json'].schema.properties.predictions).toBeDefined();
    expect(predict.responses['4XX']).toBeDefined();
    for (const path of [
      '/health/live',
      '/health/ready',
      '/v1/models',
      '/v1/models/{model}',
      '/v1/models/{model}:explain',
      '/predict',
      '/ping',
      '/invocations',
      '/v2/models/{model}/infer',
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
    expect(doc.paths['/invocations'].post.requestBody.content['text/csv']).toBeDefined();
    expect(doc.components.schemas.bankchurnInstance.properties.Geography.enum).toContain('France');
  });
});
