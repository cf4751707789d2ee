/**
 * The API key a command (invoke, compare) sends to a load-balanced Kubernetes service, found the way a user
 * finds it: `MODEL_SERVING_API_KEY` in the environment (e.g. `export MODEL_SERVING_API_KEY=$(kubectl -n
 * bankchurn get secret bankchurn-api-keys -o jsonpath='{.data.api-keys}' | base64 -d | cut -d, -f1)`), else the
 * serving stack's `api_keys` output, which the outputs file holds only when deployed with
 * `--outputs-file-include-sensitive-outputs`. Never a command-line flag: arguments show in `ps`.
 */
export const API_KEY_ENV = 'MODEL_SERVING_API_KEY';

export interface ApiKeySources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The serving stack's outputs (`readStackOutputs`), if read. */
  readonly outputs?: Readonly<Record<string, unknown>>;
  /** Service name: the key of `api_keys`. */
  readonly service: string;
}

/** The key to send, or undefined when the service needs none (or none is known). */
export function resolveApiKey(sources: ApiKeySources): string | undefined {
  const fromEnv = sources.env[API_KEY_ENV]?.trim();
  if (fromEnv) return fromEnv;
  const keys = sources.outputs?.api_keys;
  if (typeof keys === 'object' && keys !== null) {
    const value = (keys as Record<string, unknown>)[sources.service];
    // The output holds both valid keys, comma-separated: either works; the first is key a.
    if (typeof value === 'string' && value !== '') return value.split(',')[0]!.trim();
  }
  return undefined;
}

/** The request header carrying the key (none without a key). */
export function apiKeyHeaders(key: string | undefined): Record<string, string> {
  return key === undefined ? {} : { authorization: `Bearer ${key}` };
}
