import { parseArgs } from 'node:util';
import {
  InvokeEndpointCommand,
  type InvokeEndpointCommandInput,
  SageMakerRuntimeClient,
} from '@aws-sdk/client-sagemaker-runtime';
import { readInstances } from './instances-file';
import type { CliIo } from './io';
import { outputsFileOf, readStackOutputs, requireStringOutput } from './outputs';
import { formatPredictions } from './prediction-table';
import { CommandError, UsageError } from './usage-error';

/** The stack whose outputs (`endpoint_name`, `region`, `model_name`) name the endpoint. */
export const SAGEMAKER_STACK = 'sagemaker-endpoint';
/** The header value that asks the server for explanations (SageMaker forwards it; not the query string). */
export const EXPLAIN_CUSTOM_ATTRIBUTES = 'explain=true';

export const SAGEMAKER_INVOKE_USAGE = `npm run invoke -- sagemaker [--model NAME] [--explain] [--file rows.json|rows.csv]
    [--endpoint-name NAME] [--region REGION] [--outputs-file FILE] [--endpoint-url URL]

  Calls InvokeEndpoint on the SageMaker endpoint and prints each prediction (and, with --explain, each
  field's SHAP contribution). Endpoint name, region and model come from the flags, else from
  ${outputsFileOf(SAGEMAKER_STACK)} (written by \`npx cdktf deploy aws-image ${SAGEMAKER_STACK} --outputs-file ${outputsFileOf(SAGEMAKER_STACK)}\`).
  Without --file it sends the bundled model's example instance. Credentials: the AWS SDK's usual chain.
  --endpoint-url sends the call elsewhere (a local stand-in for the runtime API).`;

/** `npm run invoke -- sagemaker …`: one InvokeEndpoint call through the official runtime client. */
export async function invokeSagemaker(args: readonly string[], io: CliIo): Promise<void> {
  const flags = parseFlags(args);
  const needsOutputs = flags['endpoint-name'] === undefined || flags.region === undefined;
  const outputs = needsOutputs
    ? readStackOutputs(SAGEMAKER_STACK, {
        rootDir: io.cwd,
        ...(flags['outputs-file'] ? { file: flags['outputs-file'] } : {}),
      })
    : {};
  const endpointName =
    flags['endpoint-name'] ??
    requireStringOutput(outputs, 'endpoint_name', SAGEMAKER_STACK, '--endpoint-name');
  const region = flags.region ?? requireStringOutput(outputs, 'region', SAGEMAKER_STACK, '--region');
  const fromOutputs = outputs.model_name;
  const model = flags.model ?? (typeof fromOutputs === 'string' ? fromOutputs : 'bankchurn');
  const payload = readInstances(flags.file, model, io.cwd);

  const client = new SageMakerRuntimeClient({
    region,
    ...(flags['endpoint-url'] ? { endpoint: flags['endpoint-url'] } : {}),
    ...credentialsFrom(io.env),
  });
  const input: InvokeEndpointCommandInput = {
    EndpointName: endpointName,
    ContentType: payload.kind === 'csv' ? 'text/csv' : 'application/json',
    Accept: 'application/json',
    Body: payload.kind === 'csv' ? payload.text : JSON.stringify({ instances: payload.instances }),
    ...(flags.explain ? { CustomAttributes: EXPLAIN_CUSTOM_ATTRIBUTES } : {}),
  };
  let body: string;
  try {
    const response = await client.send(new InvokeEndpointCommand(input));
    body = new TextDecoder().decode(response.Body);
  } catch (error) {
    const { name, message } = error as Error;
    throw new CommandError(`InvokeEndpoint on ${endpointName} (${region}) failed: ${name}: ${message}`);
  } finally {
    client.destroy();
  }
  let predictions: unknown;
  try {
    predictions = (JSON.parse(body) as { predictions?: unknown }).predictions;
  } catch {
    throw new CommandError(
      `endpoint ${endpointName} answered with something that is not JSON: ${body.slice(0, 200)}`,
    );
  }
  if (!Array.isArray(predictions)) {
    throw new CommandError(`endpoint ${endpointName} answered without predictions: ${body.slice(0, 200)}`);
  }
  io.stdout(`endpoint ${endpointName} (${region}), model ${model}\n`);
  io.stdout(formatPredictions(predictions));
}

function parseFlags(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        explain: { type: 'boolean' },
        file: { type: 'string' },
        'endpoint-name': { type: 'string' },
        region: { type: 'string' },
        'outputs-file': { type: 'string' },
        'endpoint-url': { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Static keys from the command's environment when it has them (tests, CI); otherwise the SDK's default
 * chain (profiles, SSO, instance roles) decides.
 */
export function credentialsFrom(env: CliIo['env']) {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return {};
  return {
    credentials: {
      accessKeyId,
      secretAccessKey,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    },
  };
}
