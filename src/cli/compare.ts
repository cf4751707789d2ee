import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { deployTimes, deployTimesMarkdown, readTimings } from '../compare/deploy-times';
import { LOCAL_MODES } from '../compare/local-servers';
import { compareMarkdown } from '../compare/report';
import { RESULTS_DIR, writeCompareResult } from '../compare/results';
import { type CompareTarget, runCompare } from '../compare/run-compare';
import { ensureServerBuilt } from '../compare/server-build';
import {
  API_KEY_ENV,
  nativeTransport,
  sagemakerEndpointTransport,
  vertexTransport,
} from '../compare/transports';
import { SAGEMAKER_STACK } from './invoke-sagemaker';
import { VERTEX_STACK, vertexPredictUrl, vertexTargetFrom } from './invoke-vertex';
import type { CliCommand, CliIo } from './io';
import { numberFlag } from './number-flag';
import { readStackOutputs, requireStringOutput } from './outputs';
import { UsageError } from './usage-error';
import { tokenSourceFrom } from './vertex/access-token';

export const COMPARE_USAGE = `usage: npm run compare -- [targets] [--model NAME] [--seed N] [--instances N]
    [--concurrency N] [--duration SECONDS] [--warmup SECONDS] [--first-after-deploy] [--out DIR]

  Sends the same seeded requests (one instance each) to every target, without and then with explanations,
  for --duration seconds at --concurrency requests in flight, and reports per target p50/p95/p99 latency,
  error rate, throughput, whether explanations came back and equal the local server's, and cold start.
  Results: Markdown and JSON under results/ or --out DIR (compare-<date>.md/.json, compare-latest.json).

  targets (any number):
  --local                  the built server started here in native, SageMaker and Vertex modes, one by one
  --eks URL, --gke URL     a serving Service's address (e.g. a port-forward: http://127.0.0.1:8080);
                           --api-key KEY (or ${API_KEY_ENV}) when the service requires one
  --sagemaker              the endpoint in outputs/${SAGEMAKER_STACK}.json, or
                           --sagemaker-endpoint NAME --aws-region R [--sagemaker-endpoint-url URL]
  --vertex                 the endpoint in outputs/${VERTEX_STACK}.json, or
                           --vertex-endpoint-id N --gcp-project P --gcp-region R [--vertex-dedicated-dns HOST]
                           [--vertex-base-url URL]
  --first-after-deploy     the first request to a remote target is its first since deploy: report it as cold start

  --warmup SECONDS         unmeasured requests to each target first (its first request is still the cold one)

  defaults: --model bankchurn --seed 42 --instances 20 --concurrency 4 --duration 10 --warmup 3`;

const OPTIONS = {
  local: { type: 'boolean' },
  eks: { type: 'string' },
  gke: { type: 'string' },
  'api-key': { type: 'string' },
  sagemaker: { type: 'boolean' },
  'sagemaker-endpoint': { type: 'string' },
  'aws-region': { type: 'string' },
  'sagemaker-endpoint-url': { type: 'string' },
  vertex: { type: 'boolean' },
  'vertex-endpoint-id': { type: 'string' },
  'gcp-project': { type: 'string' },
  'gcp-region': { type: 'string' },
  'vertex-dedicated-dns': { type: 'string' },
  'vertex-base-url': { type: 'string' },
  model: { type: 'string' },
  seed: { type: 'string' },
  instances: { type: 'string' },
  concurrency: { type: 'string' },
  duration: { type: 'string' },
  'first-after-deploy': { type: 'boolean' },
  out: { type: 'string' },
  warmup: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function checkUrl(value: string, flag: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // reported below
  }
  throw new UsageError(
    `${flag} ${JSON.stringify(value)}: expected an http(s) URL such as http://127.0.0.1:8080`,
  );
}

function remoteTargets(values: Values, io: CliIo, model: string): CompareTarget[] {
  const targets: CompareTarget[] = [];
  const firstIsCold = values['first-after-deploy'] ?? false;
  const apiKey = values['api-key'] ?? io.env[API_KEY_ENV];
  for (const name of ['eks', 'gke'] as const) {
    const url = values[name];
    if (url === undefined) continue;
    targets.push({
      name,
      kind: 'remote',
      transport: nativeTransport(checkUrl(url, `--${name}`), model, apiKey || undefined),
      firstIsCold,
    });
  }
  if (values.sagemaker || values['sagemaker-endpoint'] !== undefined) {
    const needsOutputs = values['sagemaker-endpoint'] === undefined || values['aws-region'] === undefined;
    const outputs = needsOutputs ? readStackOutputs(SAGEMAKER_STACK, { rootDir: io.cwd }) : {};
    const endpointName =
      values['sagemaker-endpoint'] ??
      requireStringOutput(outputs, 'endpoint_name', SAGEMAKER_STACK, '--sagemaker-endpoint');
    const region =
      values['aws-region'] ?? requireStringOutput(outputs, 'region', SAGEMAKER_STACK, '--aws-region');
    const endpointUrl = values['sagemaker-endpoint-url'];
    targets.push({
      name: 'sagemaker',
      kind: 'remote',
      transport: sagemakerEndpointTransport({
        endpointName,
        region,
        env: io.env,
        ...(endpointUrl ? { endpointUrl: checkUrl(endpointUrl, '--sagemaker-endpoint-url') } : {}),
      }),
      firstIsCold,
    });
  }
  if (values.vertex || values['vertex-endpoint-id'] !== undefined) {
    const flags = {
      endpointId: values['vertex-endpoint-id'],
      project: values['gcp-project'],
      region: values['gcp-region'],
      dedicatedDns: values['vertex-dedicated-dns'],
      baseUrl: values['vertex-base-url'],
    };
    const needsOutputs = [flags.endpointId, flags.project, flags.region].some((v) => v === undefined);
    const outputs = needsOutputs ? readStackOutputs(VERTEX_STACK, { rootDir: io.cwd }) : {};
    const target = vertexTargetFrom(flags, outputs);
    targets.push({
      name: 'vertex',
      kind: 'remote',
      transport: vertexTransport(vertexPredictUrl(target), tokenSourceFrom(io.env)),
      firstIsCold,
    });
  }
  return targets;
}

export interface CompareCommandDeps {
  /**
   * Makes sure the built server is current before a run: every run starts it locally (the reference
   * explanations, and the `--local` targets). Called only once the arguments are valid, so `--help` and a
   * mistyped flag answer at once. @default build when missing or older than its sources
   */
  readonly ensureServerBuilt?: (rootDir: string, print: (text: string) => void) => void;
}

export function createCompareCommand(deps: CompareCommandDeps = {}): CliCommand {
  const ensureBuilt = deps.ensureServerBuilt ?? ((rootDir, print) => ensureServerBuilt(rootDir, print));
  return {
    summary: 'send the same seeded requests to each target and write the comparison table',
    usage: COMPARE_USAGE,
    run: async (args, io) => {
      let values: Values;
      try {
        ({ values } = parseArgs({
          args: [...args],
          options: OPTIONS,
          strict: true,
          allowPositionals: false,
        }));
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const model = values.model ?? 'bankchurn';
      const modelDir = path.join(io.cwd, 'model-server', 'models', model);
      if (!existsSync(path.join(modelDir, 'metadata.json'))) {
        throw new UsageError(`--model ${model}: no bundled model model-server/models/${model}`);
      }
      const seed = numberFlag(values.seed, '--seed', { integer: true }) ?? 42;
      const instanceCount = numberFlag(values.instances, '--instances', { min: 1, integer: true }) ?? 20;
      const concurrency = numberFlag(values.concurrency, '--concurrency', { min: 1, integer: true }) ?? 4;
      const durationSeconds = numberFlag(values.duration, '--duration', { min: 0.1 }) ?? 10;
      const warmupSeconds = numberFlag(values.warmup, '--warmup') ?? 3;
      const targets: CompareTarget[] = [
        ...(values.local
          ? LOCAL_MODES.map((mode) => ({ name: `local-${mode}`, kind: 'local' as const, mode }))
          : []),
        ...remoteTargets(values, io, model),
      ];
      if (targets.length === 0) {
        throw new UsageError(
          'name at least one target: --local, --eks URL, --gke URL, --sagemaker, --vertex',
        );
      }
      ensureBuilt(io.cwd, io.stdout);
      const result = await runCompare({
        rootDir: io.cwd,
        model,
        modelDir,
        seed,
        instanceCount,
        concurrency,
        durationSeconds,
        warmupSeconds,
        targets,
        print: io.stdout,
      });
      const markdown = compareMarkdown(result) + deployTimesMarkdown(deployTimes(readTimings(io.cwd)));
      const files = writeCompareResult(io.cwd, result, markdown, values.out ?? RESULTS_DIR);
      io.stdout(`\n${markdown}\nwritten: ${files.join(', ')}\n`);
    },
  };
}

export const compareCommand: CliCommand = createCompareCommand();
