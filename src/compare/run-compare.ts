import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { readBundleMetadata, validInstance } from '../../bench/harness/instances';
import { Rng } from '../../bench/harness/random';
import { CommandError } from '../cli/usage-error';
import { type Explanation, explanationDifference, explanationOf } from './explanations';
import { mean, percentile, runLoad } from './load';
import { type LocalMode, type LocalServer, startLocalServer } from './local-servers';
import type { CompareResult, TargetRun } from './results';
import type { Transport } from './transports';

/** One target to measure: a local server this run starts, or a deployed one reached through a transport. */
export type CompareTarget =
  | { readonly name: string; readonly kind: 'local'; readonly mode: LocalMode }
  | {
      readonly name: string;
      readonly kind: 'remote';
      readonly transport: Transport;
      /** The first request is the first after a deploy or scale-up: report its latency as cold start. */
      readonly firstIsCold?: boolean;
    };

export interface CompareOptions {
  readonly rootDir: string;
  readonly model: string;
  /** The bundle the local servers serve (the same model the deployed targets serve). */
  readonly modelDir: string;
  readonly seed: number;
  readonly instanceCount: number;
  readonly concurrency: number;
  readonly durationSeconds: number;
  /**
   * Unmeasured requests to each target before its runs, so both the server's and this client's code are
   * compiled by V8 before anything is measured (without it the first run of a session measured a third
   * of the later runs' throughput). The first warm-up request is still the cold one. @default 0
   */
  readonly warmupSeconds?: number;
  readonly targets: readonly CompareTarget[];
  /** Without explanations, then with: the two runs per target. @default [false, true] */
  readonly explainModes?: readonly boolean[];
  readonly print: (text: string) => void;
  readonly now?: () => Date;
  readonly progressEveryMs?: number;
}

/** The seeded instances every target gets, in the same order. */
export function seededInstances(modelDir: string, seed: number, count: number): Record<string, unknown>[] {
  const metadata = readBundleMetadata(modelDir);
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => validInstance(metadata, rng));
}

/** The local server's explanations of the instances: what every target must reproduce. */
async function referenceExplanations(
  options: CompareOptions,
  instances: readonly Record<string, unknown>[],
): Promise<Explanation[]> {
  const server = await startLocalServer(options.rootDir, 'native', options.modelDir, options.model);
  try {
    const answer = await server.transport.send({ instances, explain: true });
    const explanations = (answer.predictions ?? []).map(explanationOf);
    if (answer.error || explanations.length !== instances.length || explanations.some((e) => !e)) {
      throw new CommandError(`the local reference server gave no explanations: ${answer.error ?? 'missing'}`);
    }
    return explanations as Explanation[];
  } finally {
    await server.stop();
  }
}

function versions(rootDir: string, modelDir: string): Record<string, string> {
  const version = (file: string) =>
    (JSON.parse(readFileSync(path.join(rootDir, file), 'utf8')) as { version: string }).version;
  return {
    node: process.version,
    'model-serving-cdktf': version('package.json'),
    'model-server': version('model-server/package.json'),
    model: readBundleMetadata(modelDir).version,
  };
}

/** Measures every target with the same seeded requests; returns the result (the caller writes it). */
export async function runCompare(options: CompareOptions): Promise<CompareResult> {
  const now = options.now ?? (() => new Date());
  const date = now().toISOString();
  const instances = seededInstances(options.modelDir, options.seed, options.instanceCount);
  const reference = await referenceExplanations(options, instances);
  const modes = options.explainModes ?? [false, true];
  const runs: TargetRun[] = [];
  for (const target of options.targets) {
    let server: LocalServer | undefined;
    let transport: Transport;
    if (target.kind === 'local') {
      options.print(`${target.name}: starting the server in ${target.mode} mode …\n`);
      server = await startLocalServer(options.rootDir, target.mode, options.modelDir, options.model);
      transport = server.transport;
    } else {
      transport = target.transport;
    }
    try {
      let warmupFirstMs: number | undefined;
      const warmup = options.warmupSeconds ?? 0;
      if (warmup > 0) {
        options.print(`${target.name}: warming up for ${warmup} s (not measured) …\n`);
        const warm = await runLoad({
          transport,
          instances,
          explain: false,
          concurrency: options.concurrency,
          durationMs: warmup * 1000,
        });
        warmupFirstMs = warm.firstMs;
        options.print(
          `  ${target.name} warm-up: ${warm.requests} requests, ${warm.errors} errors${warm.firstErrors.length ? ` (${warm.firstErrors[0]})` : ''}\n`,
        );
      }
      for (const [index, explain] of modes.entries()) {
        const label = `${target.name} ${explain ? 'with' : 'without'} explanations`;
        options.print(`${label}: ${options.durationSeconds} s at concurrency ${options.concurrency} …\n`);
        let returned = true;
        let disagreement: string | undefined;
        const load = await runLoad({
          transport,
          instances,
          explain,
          concurrency: options.concurrency,
          durationMs: options.durationSeconds * 1000,
          progressEveryMs: options.progressEveryMs ?? 5000,
          onProgress: (ms, requests, errors) =>
            options.print(
              `  ${label}: ${(ms / 1000).toFixed(0)}/${options.durationSeconds} s, ${requests} requests, ${errors} errors\n`,
            ),
          onAnswer: (answer, instanceIndex) => {
            if (!explain) return;
            const got = explanationOf(answer.predictions?.[0]);
            if (!got) {
              returned = false;
              return;
            }
            disagreement ??= explanationDifference(got, reference[instanceIndex]!);
          },
        });
        const successes = load.latenciesMs.length;
        // Cold: the first request after this run started the server, or after a deploy the caller named.
        const firstMs = index === 0 ? (warmupFirstMs ?? load.firstMs) : undefined;
        const cold =
          firstMs !== undefined
            ? target.kind === 'local'
              ? server!.readyMs + firstMs
              : target.firstIsCold
                ? firstMs
                : undefined
            : undefined;
        const run: TargetRun = {
          target: target.name,
          explain,
          concurrency: options.concurrency,
          durationSeconds: Math.round(load.elapsedMs / 100) / 10,
          requests: load.requests,
          errors: load.errors,
          errorRate: load.requests === 0 ? 0 : load.errors / load.requests,
          throughputRps: successes / (load.elapsedMs / 1000),
          meanMs: mean(load.latenciesMs),
          p50Ms: percentile(load.latenciesMs, 50),
          p95Ms: percentile(load.latenciesMs, 95),
          p99Ms: percentile(load.latenciesMs, 99),
          ...(explain
            ? {
                explanationsReturned: successes > 0 && returned,
                explanationsAgree: successes > 0 && returned && disagreement === undefined,
                ...(disagreement ? { disagreement } : {}),
              }
            : {}),
          ...(cold !== undefined ? { coldStartMs: cold } : {}),
          ...(load.firstErrors.length > 0 ? { firstErrors: load.firstErrors } : {}),
        };
        runs.push(run);
        options.print(
          `  ${label}: ${run.requests} requests, ${run.throughputRps.toFixed(1)} req/s, p50 ${run.p50Ms.toFixed(1)} ms, p99 ${run.p99Ms.toFixed(1)} ms, ${run.errors} errors\n`,
        );
      }
    } finally {
      if (server) await server.stop();
      else transport.close();
    }
  }
  const [load1] = loadavg();
  return {
    date,
    config: {
      model: options.model,
      seed: options.seed,
      instances: options.instanceCount,
      concurrency: options.concurrency,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds ?? 0,
    },
    versions: versions(options.rootDir, options.modelDir),
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${load1!.toFixed(1)} at the start`,
    runs,
  };
}
