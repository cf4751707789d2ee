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

/**
 * The start-up banner for a terminal: plain lines, the curl commands on lines of their own, so they paste
 * into a shell as shown (inside a JSON log line their quotes come out escaped). Printed only when stdout is
 * a terminal; log collectors get the JSON lines alone.
 */
export function formatBanner(info: ReturnType<typeof usage>): string {
  return [
    '',
    `model-server ready on ${info.url}`,
    `  models: ${info.models.join(', ')} (default: ${info.defaultModel})`,
    ...(info.metrics ? [`  metrics: ${info.metrics}`] : []),
    '',
    `predict with the default model (${info.defaultModel}):`,
    '',
    `  ${info.try}`,
    '',
    'with exact SHAP explanations:',
    '',
    `  ${info.explain}`,
    '',
    '',
  ].join('\n');
}
