/**
 * One JSON object with very many keys is slow for V8's JSON.parse (hundreds of ms for 150,000): the body is
 * scanned first and such an object refused with a 400 that names the limit, on every JSON route.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_OBJECT_KEYS, wideObjectAt } from '../../../model-server/src/protocols/shared/json-width';
import { makeApp } from '../helpers/server-app';

/** An object of `n` keys, padded after it so the body is long enough to be scanned. */
const objectOf = (n: number, key = (i: number) => `"k${i}"`): string =>
  `{${Array.from({ length: n }, (_, i) => `${key(i)}:1`).join(',')}}`;
const pad = ' '.repeat(MAX_OBJECT_KEYS * 4);

describe('wideObjectAt', () => {
  it('accepts exactly the limit and refuses one key more, at the offset where that object starts', () => {
    expect(wideObjectAt(`[${objectOf(MAX_OBJECT_KEYS)}]${pad}`)).toBe(-1);
    expect(wideObjectAt(`[1, ${objectOf(MAX_OBJECT_KEYS + 1)}]${pad}`)).toBe(4);
  });

  it('counts each object on its own: nested and sibling objects do not add up', () => {
    const half = objectOf(MAX_OBJECT_KEYS / 2);
    const nested = `{"a":${half},${objectOf(MAX_OBJECT_KEYS - 1).slice(1, -1)}}`;
    expect(wideObjectAt(`${nested}${pad}`)).toBe(-1);
    expect(wideObjectAt(`[${half},${half},${half}]${pad}`)).toBe(-1);
    // The outer object's count goes on after its inner object closes.
    const outer = `{"inner":${half},${objectOf(MAX_OBJECT_KEYS).slice(1, -1)}}`;
    expect(wideObjectAt(`${outer}${pad}`)).toBe(0);
  });

  it('does not count colons, braces or escaped quotes inside strings', () => {
    const tricky = (i: number) => `"k${i}:\\"{}\\\\"`;
    expect(wideObjectAt(`${objectOf(MAX_OBJECT_KEYS, tricky)}${pad}`)).toBe(-1);
    const colons = `{"text":"${':'.repeat(MAX_OBJECT_KEYS * 5)}"}`;
    expect(wideObjectAt(colons)).toBe(-1);
    expect(wideObjectAt(`${objectOf(MAX_OBJECT_KEYS + 1, tricky)}${pad}`)).toBe(0);
  });

  it('skips a body too short to hold more keys than the limit', () => {
    expect(wideObjectAt(objectOf(5), 3)).toBe(-1);
    expect(wideObjectAt(`${objectOf(5)}${pad}`, 3)).toBe(0);
  });
});

describe('a body with an object over the key limit', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ app } = await makeApp());
  });
  afterAll(() => app.close());

  it.each([
    ['/predict', (o: string) => `{"instances":[${o}]}`],
    ['/invocations', (o: string) => `{"instances":[${o}]}`],
    ['/v1/models/bankchurn:predict', (o: string) => `{"instances":[{}],"parameters":${o}}`],
    ['/v2/models/bankchurn/infer', (o: string) => `{"inputs":[],"parameters":${o}}`],
  ])('is a 400 naming the limit on %s', async (url, bodyOf) => {
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: bodyOf(objectOf(MAX_OBJECT_KEYS + 1)),
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toContain(`has more than ${MAX_OBJECT_KEYS} keys`);
  });
});
