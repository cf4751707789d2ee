import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from '../../../model-server/src/app';
import { Readiness } from '../../../model-server/src/core/readiness';
import { ModelRegistry } from '../../../model-server/src/core/registry';
import type { LoadedModel } from '../../../model-server/src/core/types';
import { ServerMetrics } from '../../../model-server/src/metrics/metrics';
import { BUNDLED_MODELS_DIR, loadModels } from '../../../model-server/src/models/loader';

let bundled: Promise<LoadedModel[]> | undefined;

/** The real bundled models (bankchurn, chicagotaxi, nlpinsight), loaded once per test file. */
export function bundledModels(): Promise<LoadedModel[]> {
  bundled ??= loadModels({ dir: BUNDLED_MODELS_DIR });
  return bundled;
}

export async function bundledModel(name: string): Promise<LoadedModel> {
  const model = (await bundledModels()).find((m) => m.name === name);
  if (!model) throw new Error(`no bundled model ${name}`);
  return model;
}

/** Log lines written by an app, parsed. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(JSON.parse(line));
    done();
  }
  /** Lines with msg === 'request'. */
  get requests(): Record<string, unknown>[] {
    return this.lines.filter((l) => l.msg === 'request');
  }
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly registry: ModelRegistry;
  readonly readiness: Readiness;
  readonly metrics: ServerMetrics;
  readonly logs: LogCapture;
}

export interface TestAppOptions extends Partial<Omit<AppOptions, 'registry' | 'readiness' | 'metrics'>> {
  /** @default every bundled model */
  readonly models?: LoadedModel[];
  readonly defaultModel?: string;
  /** Leave the server not ready (models not loaded). */
  readonly notReady?: boolean;
}

/** An app over the real bundled models, ready, logging into a capture, without process metrics. */
export async function makeApp(options: TestAppOptions = {}): Promise<TestApp> {
  const registry = new ModelRegistry({ defaultModel: options.defaultModel });
  const readiness = new Readiness();
  const metrics = new ServerMetrics({ defaultMetrics: false });
  const logs = new LogCapture();
  if (!options.notReady) {
    const models = options.models ?? (await bundledModels());
    registry.load(models);
    metrics.addModels(registry.names());
    readiness.markReady();
  }
  const app = buildApp({ logLevel: 'debug', logStream: logs, ...options, registry, readiness, metrics });
  await app.ready();
  return { app, registry, readiness, metrics, logs };
}

/** The bundled example instance of a model. */
export async function exampleOf(name: string): Promise<Record<string, unknown>> {
  return { ...(await bundledModel(name)).metadata.example };
}
