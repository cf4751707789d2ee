import { parseArgs } from 'node:util';
import { readInstances } from './instances-file';
import type { CliIo } from './io';
import { readStackOutputs } from './outputs';
import { formatPredictions } from './prediction-table';
import { CommandError, UsageError } from './usage-error';
import { tokenSourceFrom } from './vertex/access-token';
import { GoogleApiError, RestClient } from './vertex/rest-client';

/** The stack whose outputs file (`outputs/vertex-endpoint.json`) names the endpoint. */
export const VERTEX_STACK = 'vertex-endpoint';

export const INVOKE_VERTEX_USAGE = `usage: npm run invoke -- vertex [--explain] [--model NAME] [--file rows.json]
  Calls the predict route of the Vertex AI endpoint of the ${VERTEX_STACK} stack and prints each prediction
  (and, with --explain, each input field's SHAP contribution).
  --explain                 ask for explanations (sent as parameters.explain: Vertex forwards only the body)
  --model NAME              model whose bundled example is sent without --file (default: the stack's model)
  --file F                  instances: .json array or {"instances": [...]}
  --endpoint-id N --project P --region R
                            the endpoint (default: from outputs/${VERTEX_STACK}.json)
  --dedicated-dns HOST      a dedicated endpoint's DNS name (default: from the outputs file when dedicated)
  --outputs-file F          another outputs file
  --base-url URL            API host (default https://<dedicated DNS> or https://<region>-aiplatform.googleapis.com)
Credentials: Application Default Credentials, or an access token in GOOGLE_OAUTH_ACCESS_TOKEN.`;

const OPTIONS = {
  explain: { type: 'boolean' },
  model: { type: 'string' },
  file: { type: 'string' },
  'endpoint-id': { type: 'string' },
  project: { type: 'string' },
  region: { type: 'string' },
  'dedicated-dns': { type: 'string' },
  'outputs-file': { type: 'string' },
  'base-url': { type: 'string' },
} as const;

export interface VertexPredictTarget {
  readonly project: string;
  readonly region: string;
  readonly endpointId: string;
  /** A dedicated endpoint's DNS name: predict works only there. */
  readonly dedicatedDns?: string;
  readonly baseUrl?: string;
}

/** The predict URL: the dedicated endpoint's own host when it has one, else the shared regional host. */
export function vertexPredictUrl(target: VertexPredictTarget): string {
  const base =
    target.baseUrl ??
    (target.dedicatedDns
      ? `https://${target.dedicatedDns}`
      : `https://${target.region}-aiplatform.googleapis.com`);
  return `${base.replace(/\/+$/, '')}/v1/projects/${target.project}/locations/${target.region}/endpoints/${target.endpointId}:predict`;
}

/** A flag's value, else the stack output `key`, else a usage error naming both. */
function pickOutput(
  flag: string | undefined,
  outputs: Readonly<Record<string, unknown>>,
  key: string,
  name: string,
): string {
  if (flag !== undefined) return flag;
  const value = outputs[key];
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`stack ${VERTEX_STACK} has no output ${key} in its outputs file; pass --${name}`);
  }
  return value;
}

/**
 * The endpoint to call: flags first, then the stack's outputs; a dedicated endpoint's DNS name (flag or
 * the `dedicated_endpoint_dns` output) becomes the host, since the shared host refuses its predict calls.
 */
export function vertexTargetFrom(
  flags: {
    readonly endpointId?: string | undefined;
    readonly project?: string | undefined;
    readonly region?: string | undefined;
    readonly dedicatedDns?: string | undefined;
    readonly baseUrl?: string | undefined;
  },
  outputs: Readonly<Record<string, unknown>>,
): VertexPredictTarget {
  const fromOutputs = outputs.dedicated_endpoint_dns;
  const dns =
    flags.dedicatedDns ?? (typeof fromOutputs === 'string' && fromOutputs !== '' ? fromOutputs : undefined);
  return {
    endpointId: pickOutput(flags.endpointId, outputs, 'endpoint_id', 'endpoint-id'),
    project: pickOutput(flags.project, outputs, 'project_id', 'project'),
    region: pickOutput(flags.region, outputs, 'region', 'region'),
    ...(dns ? { dedicatedDns: dns } : {}),
    ...(flags.baseUrl ? { baseUrl: flags.baseUrl } : {}),
  };
}

/** `npm run invoke -- vertex …`: one predict call, printed with the shared prediction table. */
export async function invokeVertex(args: readonly string[], io: CliIo): Promise<void> {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args: [...args], options: OPTIONS, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const flagged = {
    endpointId: values['endpoint-id'],
    project: values.project,
    region: values.region,
  };
  const needsOutputs = Object.values(flagged).some((v) => v === undefined) || values.model === undefined;
  const outputs = needsOutputs
    ? readStackOutputs(VERTEX_STACK, {
        rootDir: io.cwd,
        ...(values['outputs-file'] ? { file: values['outputs-file'] } : {}),
      })
    : {};
  const target = vertexTargetFrom(
    {
      ...flagged,
      dedicatedDns: values['dedicated-dns'],
      baseUrl: values['base-url'],
    },
    outputs,
  );
  const model = pickOutput(values.model, outputs, 'model_name', 'model');
  const payload = readInstances(values.file, model, io.cwd);
  if (payload.kind !== 'json') throw new UsageError('Vertex AI takes JSON instances: pass a .json --file');
  const url = vertexPredictUrl(target);
  const client = new RestClient({
    token: tokenSourceFrom(io.env),
    onRetry: (line) => io.stderr(`${line}\n`),
  });
  let answer: { predictions?: unknown[]; deployedModelId?: string };
  try {
    answer = await client.request('POST', url, {
      instances: payload.instances,
      ...(values.explain ? { parameters: { explain: true } } : {}),
    });
  } catch (error) {
    if (error instanceof GoogleApiError) {
      throw new CommandError(
        `predict on endpoint ${target.endpointId}: ${error.status ? `HTTP ${error.status} ` : ''}${error.message}`,
      );
    }
    throw error;
  }
  if (!Array.isArray(answer.predictions)) {
    throw new CommandError(`predict on endpoint ${target.endpointId} answered without predictions`);
  }
  const by = answer.deployedModelId ? ` (deployed model ${answer.deployedModelId})` : '';
  io.stdout(`Vertex AI endpoint ${target.endpointId}${by}, model ${model}\n`);
  io.stdout(formatPredictions(answer.predictions));
}
