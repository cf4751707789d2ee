import { validInstance } from '../../../bench/harness/instances';
import { Rng } from '../../../bench/harness/random';
import type { BundleMetadata, InputField } from '../../../model-server/src/core/types';

/**
 * What a correct server may do with a bad request:
 * - 'error': answer with a 4xx JSON error;
 * - 'error-or-close': the request is broken at the HTTP level (framing, truncated body): a 4xx JSON error,
 *   or closing the connection, are both correct.
 */
export type Expectation = 'error' | 'error-or-close';

/** One generated bad request, as the bytes to write on a fresh connection. */
export interface BadRequest {
  readonly index: number;
  readonly kind: string;
  /** The full request: request line, headers and (possibly broken) body. */
  readonly bytes: Buffer;
  /** Half-close the connection after writing (a client that sent all it will send). */
  readonly endAfterWrite: boolean;
  readonly expect: Expectation;
}

export interface BadRequestLimits {
  readonly model: string;
  readonly maxBatchSize: number;
  readonly bodyLimitBytes: number;
}

interface Draft {
  kind: string;
  method?: string;
  path?: string;
  /** Header overrides; undefined removes a default header. */
  headers?: Record<string, string | undefined>;
  /** Omit to send no Content-Length (and no body). */
  body?: string | Buffer;
  /** Overrides the Content-Length header (a lie about the body's size). */
  contentLength?: number;
  /** Bytes written instead of a well-formed request. */
  raw?: string;
  endAfterWrite?: boolean;
  expect?: Expectation;
}

function httpRequest(d: Draft, model: string): Buffer {
  if (d.raw !== undefined) return Buffer.from(d.raw, 'latin1');
  const body =
    d.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(d.body) ? d.body : Buffer.from(d.body, 'utf8');
  const headers: Record<string, string | undefined> = {
    host: '127.0.0.1',
    'content-type': 'application/json',
    ...d.headers,
  };
  if (d.body !== undefined || d.contentLength !== undefined) {
    headers['content-length'] = String(d.contentLength ?? body.length);
  }
  const head =
    `${d.method ?? 'POST'} ${d.path ?? `/v1/models/${model}:predict`} HTTP/1.1\r\n` +
    Object.entries(headers)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** A value of the wrong type (or out of rules) for the field, so the instance is surely invalid. */
function wrongValue(field: InputField, rng: Rng): unknown {
  const common: unknown[] = [{}, [], [1, 2], true, false, { value: 1 }];
  if (!(field.type !== 'string' && field.nullable)) common.push(null);
  switch (field.type) {
    case 'number': {
      const options: unknown[] = [...common, '600', '', 'abc', '1e3'];
      if (field.integer) options.push(1.5, 0.001 + (field.minimum ?? 0));
      if (field.minimum !== undefined) options.push(field.minimum - 1, -1e12);
      if (field.maximum !== undefined) options.push(field.maximum + 1, 1e12);
      return rng.pick(options);
    }
    case 'category':
      return rng.pick([
        ...common,
        1,
        0,
        field.categories[0]!.toUpperCase() + 'x',
        ` ${field.categories[0]}`,
        '',
      ]);
    case 'string':
      return rng.pick([1, true, {}, [], null, 'x'.repeat((field.maxLength ?? 10_000) + 1)]);
  }
}

const NUMBER_FIELDS = (m: BundleMetadata) => m.inputs.filter((f) => f.type === 'number');

type MakeDraft = (rng: Rng, m: BundleMetadata, limits: BadRequestLimits) => Draft;

const body = (instances: unknown[], parameters?: unknown) =>
  JSON.stringify(parameters === undefined ? { instances } : { instances, parameters });

/** Each generator makes one kind of bad request; the weights say how many of the 10,000 each gets. */
const GENERATORS: readonly { weight: number; make: MakeDraft }[] = [
  {
    // Random byte edits of a valid body, kept only when the result is not JSON any more.
    weight: 22,
    make: (rng, m) => {
      const valid = body([validInstance(m, rng)]);
      for (;;) {
        const chars = [...valid];
        const edits = rng.int(1, 4);
        for (let e = 0; e < edits; e++) {
          const at = rng.int(0, chars.length - 1);
          const op = rng.int(0, 2);
          const junk = rng.pick(['{', '}', '[', ']', ',', ':', '"', '\\', 'x', '\u0000', '\u00e9', "'", ' ']);
          if (op === 0) chars.splice(at, 1);
          else if (op === 1) chars.splice(at, 0, junk);
          else chars[at] = junk;
        }
        const text = chars.join('');
        if (!isJson(text)) return { kind: 'fuzzed-json', body: text };
      }
    },
  },
  {
    weight: 10,
    make: (rng, m) => {
      const valid = body([validInstance(m, rng)], { explain: rng.chance(0.5) });
      return { kind: 'truncated-json', body: valid.slice(0, rng.int(0, valid.length - 1)) };
    },
  },
  {
    // A valid body with one field of one instance given a value of the wrong type or out of its rules.
    weight: 20,
    make: (rng, m) => {
      const instances = Array.from({ length: rng.int(1, 5) }, () => validInstance(m, rng));
      const field = rng.pick(m.inputs);
      const target = rng.pick(instances);
      if (rng.chance(0.1) && !(field.type !== 'string' && field.nullable)) delete target[field.name];
      else target[field.name] = wrongValue(field, rng);
      if (rng.chance(0.05)) target.notAnInput = 1;
      return { kind: 'wrong-type-field', body: body(instances) };
    },
  },
  {
    // The envelope itself is wrong: not an object, instances of the wrong type, bad parameters.
    weight: 8,
    make: (rng, m) => {
      const i = validInstance(m, rng);
      const options = [
        JSON.stringify([i]),
        JSON.stringify(i),
        '"instances"',
        '42',
        'null',
        'true',
        '{}',
        JSON.stringify({ instances: i }),
        JSON.stringify({ instances: 'all' }),
        JSON.stringify({ instances: [] }),
        JSON.stringify({ instances: null }),
        JSON.stringify({ instances: [1, 2, 3] }),
        JSON.stringify({ instances: ['a'] }),
        JSON.stringify({ instances: [null] }),
        JSON.stringify({ instances: [[1, 2]] }),
        JSON.stringify({ instances: [i], parameters: { explain: 'yes' } }),
        JSON.stringify({ instances: [i], parameters: { explain: 2 } }),
        JSON.stringify({ instances: [i], parameters: 'explain' }),
        JSON.stringify({ instances: [i], parameters: { unknown: true } }),
        JSON.stringify({ instances: [i], extra: 1 }),
        JSON.stringify({ inputs: [i] }),
        `{"__proto__":{"polluted":true},"instances":[${JSON.stringify(i)}]}`,
      ];
      return { kind: 'wrong-envelope', body: rng.pick(options) };
    },
  },
  {
    // Numbers JSON can spell but the model cannot take: beyond double range (parses to Infinity), huge, tiny.
    weight: 8,
    make: (rng, m) => {
      const field = rng.pick(NUMBER_FIELDS(m));
      // 1e309 and 9…9 (400 digits) parse to ±Infinity; the finite giants only break a bounded field.
      const options = ['1e309', '-1e309', '9'.repeat(400)];
      if (field.type === 'number' && field.maximum !== undefined)
        options.push('1e308', '123456789012345678901234567890');
      if (field.type === 'number' && field.minimum !== undefined) options.push('-1e308');
      const huge = rng.pick(options);
      const valid = JSON.stringify({ instances: [validInstance(m, rng)] });
      const text = valid.replace(new RegExp(`"${field.name}":[^,}]+`), `"${field.name}":${huge}`);
      return { kind: 'huge-number', body: text };
    },
  },
  {
    // NaN and Infinity as strings (valid JSON, wrong type) and as bare literals (not JSON).
    weight: 7,
    make: (rng, m) => {
      const field = rng.pick(NUMBER_FIELDS(m));
      const value = rng.pick(['"NaN"', '"Infinity"', '"-Infinity"', '"nan"', 'NaN', 'Infinity', '-Infinity']);
      const valid = JSON.stringify({ instances: [validInstance(m, rng)] });
      return {
        kind: 'nan-infinity',
        body: valid.replace(new RegExp(`"${field.name}":[^,}]+`), `"${field.name}":${value}`),
      };
    },
  },
  {
    // Deep nesting, in the envelope or inside a field (up to ~0.4 MB of brackets).
    weight: 3,
    make: (rng, m, limits) => {
      const picked = rng.pick([100, 1_000, 10_000, 100_000, 200_000]);
      const objects = !rng.chance(0.5);
      // Within the body limit: a case over it is an oversized body (413 before any parsing, often lost to the
      // TCP reset of a client still writing), which is not what this case tests. 6 bytes per object level.
      const depth = objects ? Math.min(picked, Math.floor((limits.bodyLimitBytes - 1024) / 6)) : picked;
      const nested = objects
        ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
        : '['.repeat(depth) + ']'.repeat(depth);
      const where = rng.int(0, 2);
      const instance = JSON.stringify(validInstance(m, rng));
      const text =
        where === 0
          ? `{"instances":${nested}}`
          : where === 1
            ? `{"instances":[${instance.replace(/:[^,}]+/, `:${nested}`)}]}`
            : `{"instances":[${instance}],"parameters":${nested}}`;
      return { kind: 'deep-nesting', body: text };
    },
  },
  {
    // More instances than the batch limit (valid ones, so only the count is wrong).
    weight: 1,
    make: (rng, m, limits) => {
      const one = JSON.stringify(validInstance(m, rng));
      const n = limits.maxBatchSize + rng.pick([1, 2, 100, limits.maxBatchSize]);
      const text = `{"instances":[${Array.from({ length: n }, () => one).join(',')}]}`;
      if (Buffer.byteLength(text) > limits.bodyLimitBytes)
        throw new Error('batch-limit case exceeds the body limit');
      return { kind: 'batch-too-large', body: text };
    },
  },
  {
    weight: 7,
    make: (rng, m) => {
      const type = rng.pick([
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        'application/jsonx',
        'image/png',
        'json',
        '',
        'application/octet-stream',
        undefined,
      ]);
      // undefined: no Content-Type header at all; '': an empty one.
      return {
        kind: 'bad-content-type',
        headers: { 'content-type': type },
        body: body([validInstance(m, rng)]),
      };
    },
  },
  {
    // Content-Length larger than what is sent, then the client half-closes: the body can never complete.
    weight: 4,
    make: (rng, m) => {
      const text = body([validInstance(m, rng)]);
      const sent = text.slice(0, rng.int(0, text.length - 1));
      return {
        kind: 'short-body-eof',
        body: sent,
        contentLength: Buffer.byteLength(text) + rng.int(1, 1000),
        endAfterWrite: true,
        expect: 'error-or-close',
      };
    },
  },
  {
    // Content-Length smaller than the body: the server reads a truncated JSON document (then junk).
    weight: 3,
    make: (rng, m) => {
      const text = body([validInstance(m, rng)]);
      return {
        kind: 'short-content-length',
        body: text,
        contentLength: rng.int(1, text.length - 2),
        expect: 'error-or-close',
      };
    },
  },
  {
    // Broken HTTP framing and headers.
    weight: 3,
    make: (rng, m) => {
      const path = `/v1/models/${m.name}:predict`;
      const b = body([validInstance(m, rng)]);
      const raw = rng.pick([
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\nContent-Length: ${b.length + 5}\r\n\r\n${b}`,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: ${b.length}\r\n\r\n${b}`,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${b}\r\n0\r\n\r\n`,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n${b}`,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n${b}`,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n`,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nX-Ctl: a\u0001b\r\n\r\n`,
        `POST  ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
        `PO ST ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
        `POST ${path} HTTP/9.9\r\nHost: x\r\n\r\n`,
        `POST ${path}\r\n\r\n`,
        `\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003`,
        `GET / HTTP/1.1\r\nHost: x\r\n${'X-Long: '.concat('a'.repeat(20_000))}\r\n\r\n`,
      ]);
      return { kind: 'bad-http', raw, expect: 'error-or-close', endAfterWrite: true };
    },
  },
  {
    // HTTP/1.1 without a Host header (and a body the model rejects): malformed per RFC 9112, but it must
    // still get the JSON error every other client gets, not a bare status line.
    weight: 1,
    make: (rng, m) => {
      const b = JSON.stringify({ instances: [{ ...validInstance(m, rng), [m.inputs[0]!.name]: 'NaN' }] });
      return {
        kind: 'no-host-header',
        raw: `POST /v1/models/${m.name}:predict HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`,
        expect: 'error',
      };
    },
  },
  {
    // Valid JSON sent where it cannot be served: unknown model, unknown route, wrong method, bad query.
    weight: 4,
    make: (rng, m, limits) => {
      const b = body([validInstance(m, rng)]);
      return rng.pick<Draft>([
        { kind: 'bad-route', path: '/v1/models/nosuchmodel:predict', body: b },
        { kind: 'bad-route', path: `/v1/models/${limits.model}:destroy`, body: b },
        { kind: 'bad-route', path: `/v1/models/${'m'.repeat(5000)}:predict`, body: b },
        { kind: 'bad-route', path: '/v1/nothing', body: b },
        { kind: 'bad-route', path: `/v1/models/${limits.model}:predict?explain=maybe`, body: b },
        { kind: 'bad-route', method: 'DELETE', path: `/v1/models/${limits.model}:predict`, body: b },
        { kind: 'bad-route', method: 'PUT', path: '/predict', body: b },
        { kind: 'bad-route', method: 'GET', path: `/v1/models/${limits.model}:predict` },
      ]);
    },
  },
  // SageMaker CSV on /invocations: every shape of bad CSV, bounded in rows and fields by the server.
  {
    weight: 10,
    make: (rng, m, limits) => {
      const row = () =>
        m.inputs.map((f) => {
          const v = validInstance(m, rng)[f.name];
          return typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v);
        });
      const csv = (text: string, kind: string): Draft => ({
        kind,
        path: '/invocations',
        headers: { 'content-type': 'text/csv' },
        body: text,
      });
      switch (rng.int(0, 7)) {
        case 0: {
          // Rows with the wrong number of columns.
          const rows = Array.from({ length: rng.int(1, 20) }, () => {
            const cells = row();
            return (rng.chance(0.5) ? cells.slice(0, rng.int(0, cells.length - 1)) : [...cells, '1']).join(
              ',',
            );
          });
          return csv(rows.join(rng.pick(['\n', '\r\n'])), 'csv-wrong-columns');
        }
        case 1: {
          // A value of the wrong type in one column.
          const cells = row();
          const at = rng.int(0, cells.length - 1);
          const field = m.inputs[at]!;
          cells[at] =
            field.type === 'number' ? rng.pick(['NaN', 'Infinity', 'abc', '1,5', '"1"x', '1e999']) : '';
          return csv(cells.join(','), 'csv-bad-value');
        }
        case 2: {
          // Random edits with CSV's own special characters.
          const chars = [...row().join(',')];
          for (let e = rng.int(1, 4); e > 0; e--)
            chars.splice(
              rng.int(0, chars.length - 1),
              rng.int(0, 1),
              rng.pick(['"', ',', '\n', '\r', '""', ' ', '\u0000']),
            );
          return csv(chars.join(''), 'csv-fuzzed');
        }
        case 3:
          // More rows than MAX_BATCH_SIZE, all of them bad.
          return csv(
            '1\n'.repeat(limits.maxBatchSize + rng.int(1, 5 * limits.maxBatchSize)),
            'csv-too-many-rows',
          );
        case 4:
          // Up to MAX_BATCH_SIZE rows, every one bad: the error lists 100 and counts the rest.
          return csv('1\n'.repeat(rng.int(101, limits.maxBatchSize)), 'csv-every-row-bad');
        case 5:
          return csv(`${row().join(',')}\n"${'x'.repeat(rng.int(0, 50_000))}`, 'csv-unbalanced-quote');
        case 6:
          return csv(`${'1,'.repeat(rng.int(100, 100_000))}1\n`, 'csv-wide-row');
        default:
          return csv(rng.pick(['', '\n\n', ',,,', '"', '""""', '\uFEFF']), 'csv-empty-ish');
      }
    },
  },
  // Open Inference V2 on /v2/models/{m}/infer: tensors wrong in name, datatype, shape, range or depth.
  {
    weight: 10,
    make: (rng, m, limits) => {
      const n = rng.int(1, 4);
      const instances = Array.from({ length: n }, () => validInstance(m, rng));
      const inputs = m.inputs.map((f) => ({
        name: f.name,
        shape: [n] as number[],
        datatype: f.type === 'number' ? 'FP64' : 'BYTES',
        data: instances.map((i) => i[f.name]) as unknown[],
      }));
      const target = rng.pick(inputs.filter((t) => t.datatype === 'FP64'));
      let query = '';
      let kind: string;
      switch (rng.int(0, 8)) {
        case 0:
          kind = 'v2-out-of-range';
          target.datatype = rng.pick(['UINT8', 'INT8', 'INT16', 'UINT16', 'FP16']);
          target.data[0] = rng.pick([619, -1, 1e6, 70_000, -40_000]);
          break;
        case 1:
          kind = 'v2-wrong-datatype';
          target.datatype = rng.pick(['BYTES', 'BOOL', 'FP99', 'int32', '']);
          break;
        case 2:
          kind = 'v2-shape-mismatch';
          target.shape = rng.pick([[n + 1], [n, 2], [n, 1, 1], [-1], []]);
          break;
        case 3:
          kind = 'v2-missing-or-unknown-input';
          if (rng.chance(0.5)) inputs.splice(inputs.indexOf(target), 1);
          else inputs.push({ ...target, name: 'notAnInput' });
          break;
        case 4:
          kind = 'v2-wrong-element';
          // A non-number for any numeric datatype, or a fraction for an integer one.
          if (rng.chance(0.2)) {
            target.datatype = 'INT32';
            target.data[0] = 1.5;
          } else target.data[0] = rng.pick(['1', true, {}, [1, 2]]);
          break;
        case 5: {
          kind = 'v2-deep-data';
          const depth = rng.pick([1_000, 10_000, 100_000]);
          return {
            kind,
            path: `/v2/models/${limits.model}/infer`,
            body: JSON.stringify({ inputs }).replace(
              /"data":\[[^\]]*\]/,
              `"data":[${'['.repeat(depth)}1${']'.repeat(depth)}]`,
            ),
          };
        }
        case 6:
          kind = 'v2-bad-explain-query';
          query = rng.pick(['?explain=maybe', '?explain=true&explain=false', '?explain=', '?other=1']);
          break;
        case 7:
          kind = 'v2-unknown-outputs';
          return {
            kind,
            path: `/v2/models/${limits.model}/infer`,
            body: JSON.stringify({
              inputs,
              outputs: Array.from({ length: rng.int(1, 5000) }, (_, i) => ({ name: `out${i}` })),
            }),
          };
        default:
          kind = 'v2-bad-envelope';
          return {
            kind,
            path: `/v2/models/${limits.model}/infer`,
            body: rng.pick([
              JSON.stringify({ inputs: [] }),
              JSON.stringify({ inputs: inputs[0] }),
              JSON.stringify({ instances: [instances[0]] }),
              JSON.stringify({ inputs, parameters: { explain: 'yes' } }),
              JSON.stringify(inputs),
            ]),
          };
      }
      return { kind, path: `/v2/models/${limits.model}/infer${query}`, body: JSON.stringify({ inputs }) };
    },
  },
  // Deep and wide JSON on every JSON route: nesting that mentions "__proto__", instances with many keys.
  {
    weight: 4,
    make: (rng, m, limits) => {
      const path = rng.pick([
        `/v1/models/${limits.model}:predict`,
        '/invocations',
        `/v2/models/${limits.model}/infer`,
        '/predict',
      ]);
      if (rng.chance(0.5)) {
        const depth = rng.pick([1_000, 3_000, 10_000, 100_000]);
        const nested = `${'['.repeat(depth)}"__proto__"${']'.repeat(depth)}`;
        const text = rng.chance(0.5)
          ? `{"instances":[{"x":${nested}}],"__proto__":{}}`
          : `{"instances":[{"x":${nested}}]}`;
        return { kind: 'deep-proto', path, body: text };
      }
      const keys = rng.pick([1_000, 10_000, 60_000]);
      const wide = Array.from({ length: keys }, (_, i) => `"k${i}":${i}`).join(',');
      const valid = JSON.stringify(validInstance(m, rng)).slice(1, -1);
      return { kind: 'wide-instance', path, body: `{"instances":[{${valid},${wide}}]}` };
    },
  },
  // Headers a careless client sends: compressed or non-UTF-8 bodies, unsupported expectations.
  {
    weight: 3,
    make: (rng, m, limits) => {
      const b = body([validInstance(m, rng)]);
      return rng.pick<Draft>([
        {
          kind: 'content-encoding',
          headers: { 'content-encoding': rng.pick(['gzip', 'br', 'deflate, gzip']) },
          body: b,
        },
        {
          kind: 'charset',
          headers: {
            'content-type': rng.pick([
              'application/json; charset=utf-16le',
              'application/json; charset=latin1',
            ]),
          },
          body: b,
        },
        {
          kind: 'charset',
          path: '/invocations',
          headers: { 'content-type': 'text/csv; charset=utf-16' },
          body: '1,2',
        },
        { kind: 'expect', headers: { expect: rng.pick(['200-ok', 'something']) }, body: b },
        {
          kind: 'expect',
          headers: { expect: '100-continue' },
          contentLength: limits.bodyLimitBytes + 1,
          body: '',
          expect: 'error-or-close',
        },
        {
          kind: 'wrong-method',
          method: rng.pick(['GET', 'DELETE', 'PUT']),
          path: `/v2/models/${limits.model}/infer`,
        },
      ]);
    },
  },
];

const TOTAL_WEIGHT = GENERATORS.reduce((s, g) => s + g.weight, 0);

/**
 * `count` bad requests, the same for the same seed. Oversized bodies are few (each is bigger than the body
 * limit) and come first; the rest are drawn by weight.
 */
export function* badRequests(
  metadata: BundleMetadata,
  limits: BadRequestLimits,
  options: { count: number; seed: number; oversized: number },
): Generator<BadRequest> {
  const rng = new Rng(options.seed);
  for (let index = 0; index < options.count; index++) {
    let draft: Draft;
    if (index < options.oversized) {
      const filler = 'x'.repeat(limits.bodyLimitBytes + 1024);
      // The server answers 413 from Content-Length and closes while the client is still writing; the client's
      // kernel may then get a reset before it reads the 413 (TCP discards it), so a close is correct too.
      draft = {
        kind: 'oversized-body',
        body: `{"instances":[{"pad":"${filler}"}]}`,
        expect: 'error-or-close',
      };
    } else {
      const r = rng.next() * TOTAL_WEIGHT;
      let cumulative = 0;
      const generator =
        GENERATORS.find((g) => {
          cumulative += g.weight;
          return r < cumulative;
        }) ?? GENERATORS[GENERATORS.length - 1]!;
      draft = generator.make(rng, metadata, limits);
      // Only the oversized case may pass the body limit: over it, the 413 comes before anything the case is
      // about, and a reset can swallow it while the client still writes.
      if (draft.body !== undefined && Buffer.byteLength(draft.body) > limits.bodyLimitBytes) {
        throw new Error(`case #${index} (${draft.kind}) is over the body limit: keep it under`);
      }
    }
    yield {
      index,
      kind: draft.kind,
      bytes: httpRequest(draft, limits.model),
      endAfterWrite: draft.endAfterWrite ?? false,
      expect: draft.expect ?? 'error',
    };
  }
}
