import type { FastifyInstance } from 'fastify';
import { bundledModel, exampleOf, makeApp } from '../helpers/server-app';

let app: FastifyInstance;
let bank: Record<string, unknown>;
let bankInputs: { name: string; type: string }[];

beforeAll(async () => {
  app = (await makeApp()).app;
  bank = await exampleOf('bankchurn');
  bankInputs = (await bundledModel('bankchurn')).metadata.inputs.map((f) => ({ name: f.name, type: f.type }));
});
afterAll(() => app.close());

/** One tensor per input field for these instances. */
function tensors(instances: Record<string, unknown>[], nested = false) {
  return bankInputs.map((f) => ({
    name: f.name,
    datatype: f.type === 'number' ? 'FP64' : 'BYTES',
    shape: nested ? [instances.length, 1] : [instances.length],
    data: instances.map((i) => (nested ? [i[f.name]] : i[f.name])),
  }));
}

const infer = (model: string, body: unknown) =>
  app.inject({ method: 'POST', url: `/v2/models/${model}/infer`, payload: body as object });

function expectV2Error(
  res: { statusCode: number; json: () => unknown; body: string },
  status: number,
  pattern: RegExp,
) {
  expect(res.statusCode).toBe(status);
  const body = res.json() as { error: unknown };
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error).toBe('string');
  expect(body.error).toMatch(pattern);
}

describe('health and metadata', () => {
  it('answers live, ready and server metadata', async () => {
    expect((await app.inject('/v2/health/live')).json()).toEqual({ live: true });
    expect((await app.inject('/v2/health/ready')).json()).toEqual({ ready: true });
    const server = (await app.inject('/v2')).json();
    expect(server).toEqual({ name: 'model-server', version: expect.any(String), extensions: [] });
  });

  it('is not ready (503 {"error"}) before the models are loaded', async () => {
    const loading = await makeApp({ notReady: true });
    try {
      expect((await loading.app.inject('/v2/health/live')).statusCode).toBe(200);
      expectV2Error(await loading.app.inject('/v2/health/ready'), 503, /loading/);
    } finally {
      await loading.app.close();
    }
  });

  it('describes a model: name, versions, platform, typed inputs and outputs', async () => {
    const res = await app.inject('/v2/models/bankchurn');
    expect(res.statusCode).toBe(200);
    const meta = res.json();
    expect(meta).toMatchObject({ name: 'bankchurn', versions: [expect.any(String)], platform: 'xgboost' });
    expect(meta.inputs).toContainEqual({ name: 'Geography', datatype: 'BYTES', shape: [-1] });
    expect(meta.inputs).toContainEqual({ name: 'Age', datatype: 'FP64', shape: [-1] });
    expect(meta.outputs).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      { name: 'probability', datatype: 'FP64', shape: [-1] },
      { name: 'explanation', datatype: 'BYTES', shape: [-1] },
    ]);
    expect((await app.inject(`/v2/models/bankchurn/versions/${meta.versions[0]}`)).json()).toEqual(meta);
    const taxi = (await app.inject('/v2/models/chicagotaxi')).json();
    expect(taxi.outputs.map((o: { name: string }) => o.name)).toEqual(['value', 'explanation']);
  });

  it('reports model readiness', async () => {
    expect((await app.inject('/v2/models/nlpinsight/ready')).json()).toEqual({
      name: 'nlpinsight',
      ready: true,
    });
    expectV2Error(await app.inject('/v2/models/nope/ready'), 404, /no model named "nope"/);
  });
});

describe('infer', () => {
  it('scores one tensor per input field and echoes the id', async () => {
    const res = await infer('bankchurn', { id: 'req-42', inputs: tensors([bank, { ...bank, Age: 70 }]) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ model_name: 'bankchurn', model_version: expect.any(String), id: 'req-42' });
    const native = (
      await app.inject({
        method: 'POST',
        url: '/v1/models/bankchurn:predict',
        payload: { instances: [bank, { ...bank, Age: 70 }] },
      })
    ).json().predictions;
    expect(body.outputs).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [2], data: native.map((p: { label: string }) => p.label) },
      {
        name: 'probability',
        datatype: 'FP64',
        shape: [2],
        data: native.map((p: { probability: number }) => p.probability),
      },
    ]);
  });

  it('accepts [n, 1] shapes with nested data and integer datatypes', async () => {
    const input = tensors([bank], true).map((t) => (t.name === 'Age' ? { ...t, datatype: 'INT64' } : t));
    const res = await infer('bankchurn', { inputs: input });
    expect(res.statusCode).toBe(200);
    expect(res.json().outputs[0].shape).toEqual([1]);
  });

  it('adds the explanation tensor (JSON per instance) with parameters.explain', async () => {
    const res = await infer('bankchurn', { inputs: tensors([bank, bank]), parameters: { explain: true } });
    const explanation = res.json().outputs.find((o: { name: string }) => o.name === 'explanation');
    expect(explanation).toMatchObject({
      datatype: 'BYTES',
      shape: [2],
      parameters: { content_type: 'application/json' },
    });
    const e = JSON.parse(explanation.data[1]);
    const sum = Object.values(e.contributions as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(e.baseValue + sum).toBeCloseTo(e.margin, 6);
  });

  it('returns only the requested outputs; asking for explanation turns it on', async () => {
    const res = await infer('bankchurn', { inputs: tensors([bank]), outputs: [{ name: 'explanation' }] });
    expect(res.json().outputs.map((o: { name: string }) => o.name)).toEqual(['explanation']);
  });

  it('serves the regression and text models', async () => {
    const taxi = await exampleOf('chicagotaxi');
    const taxiInputs = (await bundledModel('chicagotaxi')).metadata.inputs;
    const res = await infer('chicagotaxi', {
      inputs: taxiInputs.map((f) => ({
        name: f.name,
        datatype: f.type === 'number' ? 'FP32' : 'BYTES',
        shape: [1],
        data: [taxi[f.name]],
      })),
      parameters: { explain: true },
    });
    expect(res.json().outputs.map((o: { name: string }) => o.name)).toEqual(['value', 'explanation']);
    const text = await infer('nlpinsight', {
      inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['lovely staff'] }],
    });
    expect(text.json().outputs[0]).toMatchObject({ name: 'label', data: [expect.any(String)] });
  });

  it.each([
    ['an unknown model', 'nope', () => ({ inputs: tensors([bank]) }), 404, /no model named "nope"/],
    [
      'a missing input',
      'bankchurn',
      () => ({ inputs: tensors([bank]).slice(1) }),
      400,
      /missing input\(s\): CreditScore/,
    ],
    [
      'an unknown input',
      'bankchurn',
      () => ({ inputs: [...tensors([bank]), { name: 'x', datatype: 'FP64', shape: [1], data: [1] }] }),
      400,
      /unknown input "x"/,
    ],
    [
      'a wrong datatype',
      'bankchurn',
      () => ({
        inputs: tensors([bank]).map((t) =>
          t.name === 'Age' ? { ...t, datatype: 'BYTES', data: ['38'] } : t,
        ),
      }),
      400,
      /input "Age": datatype BYTES is not allowed; use FP64/,
    ],
    [
      'a shape that does not match the data',
      'bankchurn',
      () => ({ inputs: tensors([bank]).map((t) => (t.name === 'Age' ? { ...t, shape: [2] } : t)) }),
      400,
      /shape \[2\] needs 2 elements, data has 1/,
    ],
    [
      'a 2-D shape',
      'bankchurn',
      () => ({ inputs: tensors([bank]).map((t) => (t.name === 'Age' ? { ...t, shape: [1, 2] } : t)) }),
      400,
      /shape \[1, 2\] is not supported/,
    ],
    [
      'an unknown datatype',
      'bankchurn',
      () => ({ inputs: tensors([bank]).map((t) => (t.name === 'Age' ? { ...t, datatype: 'FP128' } : t)) }),
      400,
      /datatype: must be equal to one of the allowed values/,
    ],
    [
      'a string in a numeric tensor',
      'bankchurn',
      () => ({ inputs: tensors([bank]).map((t) => (t.name === 'Age' ? { ...t, data: ['x'] } : t)) }),
      400,
      /input "Age" \(FP64\) element 0: expected a number/,
    ],
    [
      'an unknown field',
      'bankchurn',
      () => ({ inputs: tensors([bank]), extra: 1 }),
      400,
      /body.extra: unknown field/,
    ],
    [
      'an unknown output',
      'bankchurn',
      () => ({ inputs: tensors([bank]), outputs: [{ name: 'value' }] }),
      400,
      /unknown output\(s\) value/,
    ],
    [
      'a value out of range',
      'bankchurn',
      () => ({ inputs: tensors([{ ...bank, Age: 7 }]) }),
      400,
      /Age\[0\]: must be >= 18/,
    ],
  ])('rejects %s', async (_what, model, body, status, pattern) => {
    expectV2Error(await infer(model, body()), status, pattern);
  });

  it('answers unknown V2 routes and versions with 404 {"error"}', async () => {
    expectV2Error(await app.inject('/v2/nope'), 404, /no Open Inference route GET \/v2\/nope/);
    expectV2Error(await app.inject('/v2/models/bankchurn/versions/9.9.9'), 404, /no version "9.9.9"/);
  });

  it('renders body-limit and JSON errors in the V2 shape', async () => {
    const small = await makeApp({ bodyLimitBytes: 2048 });
    try {
      const big = await small.app.inject({
        method: 'POST',
        url: '/v2/models/bankchurn/infer',
        payload: { inputs: tensors(Array(100).fill(bank)) },
      });
      expectV2Error(big, 413, /larger than 2 KiB/);
      const bad = await small.app.inject({
        method: 'POST',
        url: '/v2/models/bankchurn/infer',
        payload: '{"inputs": [',
        headers: { 'content-type': 'application/json' },
      });
      expectV2Error(bad, 400, /not valid JSON/);
    } finally {
      await small.app.close();
    }
  });
});
