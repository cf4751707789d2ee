import { API_KEY_ENV, apiKeyHeaders, resolveApiKey } from '../../src/cli/api-key';

describe('the API key a command sends', () => {
  test('the environment variable wins', () => {
    expect(
      resolveApiKey({
        env: { [API_KEY_ENV]: ' from-env ' },
        outputs: { api_keys: { bankchurn: 'a,b' } },
        service: 'bankchurn',
      }),
    ).toBe('from-env');
  });

  test("else the first of the service's keys in the outputs file (sensitive outputs included)", () => {
    expect(
      resolveApiKey({ env: {}, outputs: { api_keys: { bankchurn: 'key-a,key-b' } }, service: 'bankchurn' }),
    ).toBe('key-a');
    expect(
      resolveApiKey({ env: {}, outputs: { api_keys: { bankchurn: 'key-a,key-b' } }, service: 'nlpinsight' }),
    ).toBeUndefined();
    expect(resolveApiKey({ env: {}, service: 'bankchurn' })).toBeUndefined();
  });

  test('sent as a Bearer token; no header without a key', () => {
    expect(apiKeyHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(apiKeyHeaders(undefined)).toEqual({});
  });
});
