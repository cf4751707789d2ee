import { parseArgs } from 'node:util';
import { VERTEX_ENDPOINT_ID } from '../constructs/gcp/vertex-names';
import type { CliCommand, CliIo } from './io';
import { CommandError, UsageError } from './usage-error';
import { tokenSourceFrom } from './vertex/access-token';
import {
  type DeploymentRef,
  deployModel,
  ensureServiceAgent,
  undeployModel,
  type VertexContext,
} from './vertex/deployer';
import { GoogleApiError, RestClient } from './vertex/rest-client';

/** Environment variables that point the command at another API host (tests use a local server). */
export const VERTEX_BASE_URL_ENV = 'VERTEX_API_BASE_URL';
export const SERVICEUSAGE_BASE_URL_ENV = 'SERVICEUSAGE_API_BASE_URL';

const USAGE = `usage: npm run vertex-deploy -- <deploy|undeploy|service-agent> [options]
The Vertex AI step of the vertex-endpoint stack (cdktf deploy/destroy run it; you rarely need to).
  deploy          upload the model and deploy it to the endpoint under --deployed-model-id (idempotent)
  undeploy        undeploy --deployed-model-id and delete its model (what is gone counts as done)
  service-agent   make the project's Vertex AI service agent exist (a fresh project has none yet)
options:
  --project ID --region R --endpoint-id N --deployed-model-id N --display-name NAME
  deploy: --image-uri URI --artifact-uri gs://… --model-name NAME --machine-type T --min-replicas N
          --max-replicas N --cpu-target-percent P --service-account EMAIL [--kms-key-name K] [--label k=v]…
  --timeout-minutes M     per long-running operation (default 60)
  --poll-seconds S        between polls of an operation (default 10)
  --retry-base-ms MS      first delay of the 429/5xx backoff (default 1000)
  --base-url URL          API host (default https://<region>-aiplatform.googleapis.com, or
                          https://serviceusage.googleapis.com for service-agent; env ${VERTEX_BASE_URL_ENV} /
                          ${SERVICEUSAGE_BASE_URL_ENV})
Credentials: Application Default Credentials, or an access token in GOOGLE_OAUTH_ACCESS_TOKEN.`;

const OPTIONS = {
  project: { type: 'string' },
  region: { type: 'string' },
  'endpoint-id': { type: 'string' },
  'deployed-model-id': { type: 'string' },
  'display-name': { type: 'string' },
  'image-uri': { type: 'string' },
  'artifact-uri': { type: 'string' },
  'model-name': { type: 'string' },
  'machine-type': { type: 'string' },
  'min-replicas': { type: 'string' },
  'max-replicas': { type: 'string' },
  'cpu-target-percent': { type: 'string' },
  'service-account': { type: 'string' },
  'kms-key-name': { type: 'string' },
  label: { type: 'string', multiple: true },
  'timeout-minutes': { type: 'string' },
  'poll-seconds': { type: 'string' },
  'retry-base-ms': { type: 'string' },
  'base-url': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function runVertexDeploy(args: readonly string[], io: CliIo): Promise<void> {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [action, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const required = (name: keyof Values & string): string => {
    const value = values[name];
    if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
    return value.trim();
  };
  const number = (name: keyof Values & string, fallback?: number, min = 1): number => {
    const raw = values[name];
    if (raw === undefined && fallback !== undefined) return fallback;
    const text = typeof raw === 'string' ? raw : required(name);
    const value = Number(text);
    if (!Number.isFinite(value) || value < min)
      throw new UsageError(`--${name} ${text}: expected a number >= ${min}`);
    return value;
  };
  const context = (defaultBase: string, envName: string): VertexContext => {
    const baseUrl = (values['base-url'] ?? io.env[envName] ?? defaultBase).replace(/\/+$/, '');
    const log = (line: string) => io.stderr(`${line}\n`);
    return {
      client: new RestClient({
        token: tokenSourceFrom(io.env),
        retry: { attempts: 5, baseDelayMs: number('retry-base-ms', 1000, 0) },
        onRetry: log,
      }),
      baseUrl,
      log,
      timeoutMs: number('timeout-minutes', 60, 0) * 60_000,
      pollIntervalMs: number('poll-seconds', 10, 0) * 1000,
    };
  };

  if (action === 'service-agent') {
    const ctx = context('https://serviceusage.googleapis.com', SERVICEUSAGE_BASE_URL_ENV);
    await apiCall('service-agent', () => ensureServiceAgent(required('project'), ctx));
    return;
  }
  if (action !== 'deploy' && action !== 'undeploy') {
    throw new UsageError(`expected an action: deploy, undeploy or service-agent (got ${action ?? 'none'})`);
  }
  const ref: DeploymentRef = {
    project: required('project'),
    region: required('region'),
    endpointId: id(required('endpoint-id'), 'endpoint-id'),
    deployedModelId: id(required('deployed-model-id'), 'deployed-model-id'),
    displayName: required('display-name'),
  };
  const ctx = context(`https://${ref.region}-aiplatform.googleapis.com`, VERTEX_BASE_URL_ENV);
  if (action === 'undeploy') {
    await apiCall('undeploy', () => undeployModel(ref, ctx));
    return;
  }
  const kms = values['kms-key-name']?.trim();
  const spec = {
    ...ref,
    imageUri: required('image-uri'),
    artifactUri: required('artifact-uri'),
    modelName: required('model-name'),
    machineType: required('machine-type'),
    minReplicas: number('min-replicas'),
    maxReplicas: number('max-replicas'),
    cpuTargetPercent: number('cpu-target-percent'),
    serviceAccount: required('service-account'),
    ...(kms ? { kmsKeyName: kms } : {}),
    labels: labelsOf(values.label ?? []),
  };
  if (!spec.artifactUri.startsWith('gs://'))
    throw new UsageError(`--artifact-uri ${spec.artifactUri}: expected gs://…`);
  if (spec.minReplicas > spec.maxReplicas)
    throw new UsageError('--min-replicas must not exceed --max-replicas');
  await apiCall('deploy', () => deployModel(spec, ctx));
}

/** An API error ends the command with the API's own message (exit 1; Terraform then taints the step). */
async function apiCall<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof GoogleApiError) {
      throw new CommandError(`${what}: ${error.status ? `HTTP ${error.status} ` : ''}${error.message}`);
    }
    throw error;
  }
}

function id(value: string, name: string): string {
  if (!VERTEX_ENDPOINT_ID.test(value))
    throw new UsageError(`--${name} ${value}: expected 1-10 digits, no leading zero`);
  return value;
}

function labelsOf(pairs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--label ${pair}: expected key=value`);
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}

export const vertexDeployCommand: CliCommand = {
  summary: 'upload/deploy or undeploy the Vertex AI model (run by the vertex-endpoint stack)',
  usage: USAGE,
  run: runVertexDeploy,
};
