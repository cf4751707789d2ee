import { parseArgs } from 'node:util';
import { API_KEY_ENV, API_KEY_HEADER } from '../compare/transports';
import { resolveApiKey } from './api-key';
import { readInstances } from './instances-file';
import type { CliIo } from './io';
import { outputsFileOf, readStackOutputs } from './outputs';
import { formatPredictions } from './prediction-table';
import { CommandError, UsageError } from './usage-error';

export function kubernetesInvokeUsage(target: 'eks' | 'gke'): string {
  return `usage: npm run invoke -- ${target} (--url URL | --service NAME [--outputs-file F]) [--model NAME] [--explain] [--file rows.json] [--api-key KEY]
  Calls a serving Service on ${target.toUpperCase()} through its address: a port-forward (the default exposure is
  internal: \`kubectl -n <service> port-forward svc/<service> 8080:80\`, then --url http://127.0.0.1:8080) or a
  load balancer's. --service NAME takes the address from ${outputsFileOf(servingStack(target))}: the service's
  https_urls entry (a TLS Gateway on GKE), else http:// and its load_balancer_addresses entry.
  --api-key (or ${API_KEY_ENV}, or with --service the stack's api_keys output) is sent as ${API_KEY_HEADER}.
  The model defaults to the --service name, else bankchurn; without --file its bundled example is sent.`;
}

const servingStack = (target: 'eks' | 'gke'): string => `${target}-serving`;

/** The service's URL from its serving stack's outputs: the TLS Gateway's, else its load balancer's. */
function urlFromOutputs(
  target: 'eks' | 'gke',
  service: string,
  outputs: Readonly<Record<string, unknown>>,
): string {
  const entry = (output: string): string | undefined => {
    const values = outputs[output];
    const value =
      typeof values === 'object' && values !== null
        ? (values as Record<string, unknown>)[service]
        : undefined;
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const https = entry('https_urls');
  if (https) return https;
  const address = entry('load_balancer_addresses');
  if (address) return `http://${address}`;
  throw new UsageError(
    `stack ${servingStack(target)} has no https_urls or load_balancer_addresses entry for service ${service} (an internal service: port-forward and pass --url)`,
  );
}

/** `npm run invoke -- eks|gke --url …`: one native predict call, printed with the shared prediction table. */
export function invokeKubernetes(target: 'eks' | 'gke') {
  return async (args: readonly string[], io: CliIo): Promise<void> => {
    let values: {
      url?: string;
      service?: string;
      'outputs-file'?: string;
      model?: string;
      explain?: boolean;
      file?: string;
      'api-key'?: string;
    };
    try {
      ({ values } = parseArgs({
        args: [...args],
        strict: true,
        allowPositionals: false,
        options: {
          url: { type: 'string' },
          service: { type: 'string' },
          'outputs-file': { type: 'string' },
          model: { type: 'string' },
          explain: { type: 'boolean' },
          file: { type: 'string' },
          'api-key': { type: 'string' },
        },
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (values.url === undefined && values.service === undefined) {
      throw new UsageError(
        `--url is required: the Service's address, e.g. a port-forward's http://127.0.0.1:8080 (or --service NAME to take it from ${outputsFileOf(servingStack(target))})`,
      );
    }
    const outputs =
      values.service !== undefined && (values.url === undefined || values['api-key'] === undefined)
        ? readStackOutputs(servingStack(target), {
            rootDir: io.cwd,
            ...(values['outputs-file'] ? { file: values['outputs-file'] } : {}),
          })
        : undefined;
    const address = values.url ?? urlFromOutputs(target, values.service!, outputs!);
    let base: URL;
    try {
      base = new URL(address);
    } catch {
      throw new UsageError(
        `--url ${JSON.stringify(address)}: expected an http(s) URL such as http://127.0.0.1:8080`,
      );
    }
    const model = values.model ?? values.service ?? 'bankchurn';
    const payload = readInstances(values.file, model, io.cwd);
    if (payload.kind !== 'json')
      throw new UsageError('the native API takes JSON instances: pass a .json --file');
    const apiKey =
      values['api-key'] ??
      (values.service !== undefined
        ? resolveApiKey({ env: io.env, ...(outputs ? { outputs } : {}), service: values.service })
        : io.env[API_KEY_ENV]);
    const url = new URL(
      `v1/models/${encodeURIComponent(model)}:predict`,
      base.href.endsWith('/') ? base : `${base.href}/`,
    );
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey ? { [API_KEY_HEADER]: apiKey } : {}) },
        body: JSON.stringify({
          instances: payload.instances,
          parameters: { explain: values.explain ?? false },
        }),
      });
    } catch (error) {
      throw new CommandError(
        `${target} service at ${base.origin} did not answer: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    let predictions: unknown;
    try {
      predictions = (JSON.parse(text) as { predictions?: unknown }).predictions;
    } catch {
      throw new CommandError(
        `${target} service answered HTTP ${response.status} with something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (!response.ok || !Array.isArray(predictions)) {
      throw new CommandError(`${target} service answered HTTP ${response.status}: ${text.slice(0, 300)}`);
    }
    io.stdout(`${target} service ${base.origin}, model ${model}\n`);
    io.stdout(formatPredictions(predictions));
  };
}
