import type { FastifyInstance } from 'fastify';
import type { BundleMetadata, InputField, Prediction } from '../../../model-server/src/core/types';
import {
  csvToInstances,
  negotiateAccept,
  parseCsv,
  predictionsToCsv,
} from '../../../model-server/src/protocols/sagemaker-csv';
import { bundledModel, exampleOf, makeApp } from '../helpers/server-app';

let app: FastifyInstance;
let bank: Record<string, unknown>;
let fields: string[];

beforeAll(async () => {
  app = (await makeApp({ bodyLimitBytes: 32 * 1024 })).app;
  bank = await exampleOf('bankchurn');
  fields = (await bundledModel('bankchurn')).metadata.inputs.map((f) => f.name);
});
afterAll(() => app.close());

const csvRow = (instance: Record<string, unknown>) => fields.map((f) => String(instance[f])).join(',');
const invoke = (payload: string | object, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/invocations', payload, headers });

describe('GET /ping', () => {
  it('answers 200 when ready and 503 before', async () => {
    expect((await app.inject('/ping')).statusCode).toBe(200);
    const loading = await makeApp({ notReady: true });
    try {
      const res = await loading.app.inject('/ping');
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('NOT_READY');
    } finally {
      await loading.app.close();
    }
  });
});

describe('POST /invocations', () => {
  it('takes the native JSON body for the default model', async () => {
    const res = await invoke({ instances: [bank] }, { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-model-name']).toBe('bankchurn');
    expect(res.json().predictions[0].label).toEqual(expect.any(String));
    expect(res.json().predictions[0].explanation).toBeUndefined();
  });

  it('explains when the custom attributes say explain=true, inside each prediction', async () => {
    const res = await invoke(
      { instances: [bank, bank] },
      {
        'content-type': 'application/json',
        'x-amzn-sagemaker-custom-attributes': 'request-id=7,explain=true',
      },
    );
    const { predictions } = res.json();
    expect(predictions).toHaveLength(2);
    for (const p of predictions)
      expect(p.explanation.fieldContributions.Geography).toEqual(expect.any(Number));
  });

  it('takes CSV rows in input-field order, with or without a header line, and gives the same scores', async () => {
    const rows = `${csvRow(bank)}\r\n${csvRow({ ...bank, Age: 70 })}\n`;
    const plain = await invoke(rows, { 'content-type': 'text/csv' });
    expect(plain.statusCode).toBe(200);
    const withHeader = await invoke(`${fields.join(',')}\n${rows}`, {
      'content-type': 'text/csv; charset=utf-8',
    });
    const json = await invoke(
      { instances: [bank, { ...bank, Age: 70 }] },
      { 'content-type': 'application/json' },
    );
    expect(plain.json().predictions).toHaveLength(2);
    expect(plain.json()).toEqual(json.json());
    expect(withHeader.json()).toEqual(json.json());
  });

  it('reads the columns in header order when the header reorders them', async () => {
    const reversed = [...fields].reverse();
    const body = `${reversed.join(',')}\n${reversed.map((f) => String(bank[f])).join(',')}\n`;
    const res = await invoke(body, { 'content-type': 'text/csv' });
    const json = await invoke({ instances: [bank] }, { 'content-type': 'application/json' });
    expect(res.json()).toEqual(json.json());
  });

  it('explains CSV requests through the custom attributes', async () => {
    const res = await invoke(csvRow(bank), {
      'content-type': 'text/csv',
      'x-amzn-sagemaker-custom-attributes': 'explain=true',
    });
    expect(res.json().predictions[0].explanation.outputSpace).toBe('log_odds');
  });

  it('answers in CSV when Accept asks for it, with an explanation column holding JSON', async () => {
    const res = await invoke(`${csvRow(bank)}\n${csvRow(bank)}\n`, {
      'content-type': 'text/csv',
      accept: 'text/csv',
      'x-amzn-sagemaker-custom-attributes': 'explain=true',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = parseCsv(res.body);
    expect(lines).toHaveLength(2);
    const [label, probability, explanation] = lines[0];
    expect(['stays', 'churns']).toContain(label);
    expect(Number(probability)).toBeGreaterThan(0);
    expect(JSON.parse(explanation).outputSpace).toBe('log_odds');
  });

  it('adds a header line for Accept: text/csv;header=present, and prefers by q', async () => {
    const res = await invoke(
      { instances: [bank] },
      {
        'content-type': 'application/json',
        accept: 'application/json;q=0.5, text/csv;header=present',
      },
    );
    expect(res.body.split('\n')[0]).toBe('label,probability');
    const taxi = await makeApp({ defaultModel: 'chicagotaxi' });
    try {
      const r = await taxi.app.inject({
        method: 'POST',
        url: '/invocations',
        payload: { instances: [await exampleOf('chicagotaxi')] },
        headers: { accept: 'text/csv; header=present' },
      });
      expect(r.body.split('\n')[0]).toBe('value');
      const value = r.body.split('\n')[1]!;
      expect(value).toMatch(/^-?\d+(\.\d+)?(e[-+]?\d+)?$/);
      expect(Number.isFinite(Number(value))).toBe(true);
    } finally {
      await taxi.app.close();
    }
  });

  it('answers Accept: application/json (what the SageMaker SDK sends) with JSON', async () => {
    const res = await invoke(csvRow(bank), { 'content-type': 'text/csv', accept: 'application/json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json().predictions).toHaveLength(1);
  });

  it('reads an unquoted last row without a trailing newline', async () => {
    const res = await invoke(`${csvRow(bank)}\n${csvRow({ ...bank, Age: 70 })}`, {
      'content-type': 'text/csv',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().predictions).toHaveLength(2);
    const alone = await invoke({ instances: [{ ...bank, Age: 70 }] }, { 'content-type': 'application/json' });
    expect(res.json().predictions[1]).toEqual(alone.json().predictions[0]);
  });

  it('predicts an empty numeric CSV cell as a missing value, like JSON null, and answers regression in CSV', async () => {
    const taxi = await makeApp({ defaultModel: 'chicagotaxi' });
    try {
      const example = await exampleOf('chicagotaxi');
      const taxiFields = (await bundledModel('chicagotaxi')).metadata.inputs.map((f) => f.name);
      const row = taxiFields.map((f) => (f === 'trip_seconds' ? '' : String(example[f]))).join(',');
      const fromCsv = await taxi.app.inject({
        method: 'POST',
        url: '/invocations',
        payload: `${row}\n`,
        headers: { 'content-type': 'text/csv', accept: 'text/csv' },
      });
      expect(fromCsv.statusCode).toBe(200);
      const fromJson = await taxi.app.inject({
        method: 'POST',
        url: '/invocations',
        payload: { instances: [{ ...example, trip_seconds: null }] },
        headers: { 'content-type': 'application/json' },
      });
      expect(fromJson.statusCode).toBe(200);
      expect(fromCsv.body).toBe(`${fromJson.json().predictions[0].value}\n`);
    } finally {
      await taxi.app.close();
    }
  });

  it('reads quoted CSV text (commas, quotes, newlines) for the text model', async () => {
    const text = await makeApp({ defaultModel: 'nlpinsight' });
    try {
      const sentence = 'Great service, "really" great\nwould come back';
      const csv = `"${sentence.replace(/"/g, '""')}"\n`;
      const fromCsv = await text.app.inject({
        method: 'POST',
        url: '/invocations',
        payload: csv,
        headers: { 'content-type': 'text/csv' },
      });
      const fromJson = await text.app.inject({
        method: 'POST',
        url: '/invocations',
        payload: { instances: [{ text: sentence }] },
      });
      expect(fromCsv.statusCode).toBe(200);
      expect(fromCsv.json()).toEqual(fromJson.json());
    } finally {
      await text.app.close();
    }
  });

  it('rejects other Accept types with 406 before scoring', async () => {
    const res = await invoke(
      { instances: [bank] },
      { 'content-type': 'application/json', accept: 'application/xml' },
    );
    expect(res.statusCode).toBe(406);
    expect(res.json().error).toMatchObject({ code: 'NOT_ACCEPTABLE' });
    expect(res.json().error.message).toMatch(/application\/xml.*application\/json or text\/csv/);
    // A CSV body is not parsed then: its own error (an unclosed quote) does not take the 406's place.
    const csv = await invoke('"unclosed', { 'content-type': 'text/csv', accept: 'application/xml' });
    expect(csv.statusCode).toBe(406);
    expect(csv.json().error.message).toMatch(/application\/xml.*application\/json or text\/csv/);
  });

  it('rejects other content types with 415 naming the accepted ones', async () => {
    for (const type of ['application/x-npy', 'text/plain']) {
      const res = await invoke('abc', { 'content-type': type });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.message).toBe(
        `Content-Type "${type}" is not supported here; send application/json or text/csv`,
      );
    }
  });

  it('names the row and field of a bad CSV cell', async () => {
    const res = await invoke(`${csvRow(bank)}\n${csvRow({ ...bank, Age: 'NaN' })}\n`, {
      'content-type': 'text/csv',
    });
    expect(res.statusCode).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details[0].path).toBe('instances[1].Age');
  });

  it('rejects rows with the wrong number of columns and an unclosed quote', async () => {
    const short = await invoke(`${csvRow(bank)}\n1,2\n`, { 'content-type': 'text/csv' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details).toEqual([
      {
        path: 'instances[1]',
        message: expect.stringMatching(/^expected 10 columns \(CreditScore,.*\), got 2$/),
      },
    ]);
    const unclosed = await invoke('"abc,1\n', { 'content-type': 'text/csv' });
    expect(unclosed.json().error).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/not closed/),
    });
    const empty = await invoke('\n\n', { 'content-type': 'text/csv' });
    expect(empty.json().error.message).toMatch(/no rows/);
  });

  it('rejects a cell longer than any input of the model takes while reading, naming its line and field', async () => {
    const long = 'x'.repeat(6000);
    const res = await invoke(`${csvRow(bank)}\n${csvRow({ ...bank, Age: long })}\n${csvRow(bank)}\n`, {
      'content-type': 'text/csv',
    });
    expect(res.statusCode).toBe(400);
    const limit = 32 + 100; // bankchurn has numbers and short categories only
    expect(res.json().error).toEqual({
      code: 'BAD_REQUEST',
      message: `CSV line 2: field ${fields.indexOf('Age') + 1} is longer than ${limit} characters, more than any input of the model takes`,
    });
  });

  it('rejects an empty POST and a JSON body that is not an object', async () => {
    const empty = await app.inject({ method: 'POST', url: '/invocations' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error).toEqual({
      code: 'BAD_REQUEST',
      message: 'the request body is empty; send application/json or text/csv',
    });
    const notObject = await invoke('[1, 2]', { 'content-type': 'application/json; charset=utf-8' });
    expect(notObject.json().error.details).toEqual([{ path: 'body', message: 'must be object' }]);
  });

  it('applies the body limit (413) and the JSON schema (400) here too', async () => {
    const big = await invoke(`${csvRow(bank)}\n`.repeat(1000), { 'content-type': 'text/csv' });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('BODY_TOO_LARGE');
    const bad = await invoke({ instances: [bank], extra: true }, { 'content-type': 'application/json' });
    expect(bad.json().error.details).toEqual([{ path: 'body.extra', message: 'unknown field' }]);
  });
});

describe('CSV and Accept helpers', () => {
  it('parses RFC 4180 CSV', () => {
    expect(parseCsv('a, b ,"c, ""d"""\n\n1,,"x\ny"\r\n')).toEqual([
      ['a', 'b', 'c, "d"'],
      ['1', '', 'x\ny'],
    ]);
    expect(() => parseCsv('"a"b,c')).toThrow(/text after a closing quote/);
  });

  it.each([
    [undefined, { type: 'json' }],
    ['*/*', { type: 'json' }],
    ['application/*', { type: 'json' }],
    ['text/csv', { type: 'csv', header: false }],
    ['text/*;q=0.9, application/json;q=0.1', { type: 'csv', header: false }],
    ['application/json;q=0, text/csv', { type: 'csv', header: false }],
    ['application/json', { type: 'json' }],
    ['text/csv;header=present', { type: 'csv', header: true }],
    ['image/png', undefined],
  ])('negotiates Accept %s', (accept, expected) => {
    expect(negotiateAccept(accept)).toEqual(expected);
  });
});

describe('CSV cells and CSV responses', () => {
  const inputs: InputField[] = [
    { name: 'x', type: 'number', nullable: true },
    { name: 's', type: 'string' },
  ];
  it.each([
    ['1', 1],
    ['-2.5', -2.5],
    ['+.5', 0.5],
    ['3.', 3],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['2.5e+1', 25],
    ['', null],
    ['1e', '1e'],
    ['e3', 'e3'],
    ['x1', 'x1'],
    ['1x', '1x'],
    ['1.2.3', '1.2.3'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['0x10', '0x10'],
  ])('a number cell %j reads as %j', (cell, value) => {
    expect(csvToInstances([[cell, 'a']], inputs)).toEqual([{ x: value, s: 'a' }]);
  });

  it('keeps an empty string cell as text', () => {
    expect(csvToInstances([['1', '']], inputs)).toEqual([{ x: 1, s: '' }]);
  });

  const metadata = (task: BundleMetadata['task'], classLabels?: string[]) =>
    ({ task, classLabels }) as unknown as BundleMetadata;

  it('writes multiclass predictions as the label then one probability column per class', () => {
    const predictions = [
      { label: 'b', probabilities: { a: 0.25, b: 0.5, c: 0.25 } },
    ] as unknown as Prediction[];
    expect(predictionsToCsv(predictions, metadata('multiclass_classification', ['a', 'b', 'c']), true)).toBe(
      'label,probability_a,probability_b,probability_c\nb,0.25,0.5,0.25\n',
    );
  });

  it('writes regression values, an absent value as an empty cell', () => {
    const predictions = [{ value: 12.5 }, { value: null }] as unknown as Prediction[];
    expect(predictionsToCsv(predictions, metadata('regression'), true)).toBe('value\n12.5\n\n');
    expect(predictionsToCsv(predictions, metadata('regression'), false)).toBe('12.5\n\n');
  });
});
