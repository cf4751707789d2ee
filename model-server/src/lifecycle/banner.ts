import type { ModelRegistry } from '../core/registry';

/** What to log once ready: where the server listens and a request to paste into a shell. */
export function usage(
  registry: ModelRegistry,
  address: { host: string; port: number },
  metricsUrl: string | undefined,
): { url: string; models: string[]; defaultModel: string; metrics?: string; try: string; explain: string } {
  const host = address.host === '0.0.0.0' || address.host === '::' ? 'localhost' : address.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const model = registry.getDefault();
  const body = JSON.stringify({ instances: [model.metadata.example] }).replace(/'/g, "'\\''");
  const curl = (path: string) =>
    `curl -s -X POST '${url}${path}' -H 'Content-Type: application/json' -d '${body}'`;
  return {
    url,
    models: registry.names(),
    defaultModel: model.name,
    ...(metricsUrl ? { metrics: metricsUrl } : {}),
    try: curl('/predict'),
    explain: curl('/predict?explain=true'),
  };
}
