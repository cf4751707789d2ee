import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app';
import type { ServerConfig } from '../config';
import { Readiness } from '../core/readiness';
import { DefaultModelError, ModelRegistry } from '../core/registry';
import type { LoadedModel } from '../core/types';
import { startMetricsListener } from '../metrics/listener';
import { ServerMetrics } from '../metrics/metrics';
import { BUNDLED_MODELS_DIR, loadModels } from '../models/loader';
import { resolveModelSource } from '../storage/model-source';
import { usage } from './banner';
import { gracefulShutdown, type ShutdownResult } from './shutdown';

/** Start-up failed after listening: the message to log and the exit code (1 = models, 2 = configuration). */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

export interface StartOptions {
  /** @default the bundled models directory */
  readonly bundledDir?: string;
  /** @default the real loader (`models/loader.ts`) */
  readonly loadModels?: typeof loadModels;
  /** Downloads AIP_STORAGE_URI into a directory. @default the GCS JSON API client */
  readonly download?: (uri: string) => Promise<string>;
  /** @default stdout */
  readonly logStream?: Writable;
  /** @default '0.0.0' */
  readonly serverVersion?: string;
  /** prom-client's process metrics. @default true */
  readonly defaultMetrics?: boolean;
  /**
   * Open the METRICS_PORT listener. A cluster worker does not: the primary serves the sum over workers there.
   * @default true
   */
  readonly metricsListener?: boolean;
  /**
   * Load and self-test the models before listening (a replacement cluster worker: the port is already open,
   * and a worker that listens is sent connections at once, which it must be able to serve).
   * @default false (listen first, so platforms see the port open at once; readiness stays 503)
   */
  readonly listenAfterLoad?: boolean;
  /** Awaited after the models passed their self-test and before readiness turns 200 (a worker waits for its siblings). */
  readonly beforeReady?: () => Promise<void>;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly readiness: Readiness;
  readonly registry: ModelRegistry;
  readonly metrics: ServerMetrics;
  readonly metricsServer?: Server;
  /** `http://host:port` of the serving listener. */
  readonly url: string;
  readonly metricsUrl?: string;
  /** Resolves once every model is loaded and self-tested (ready); rejects with a StartupError. */
  readonly ready: Promise<void>;
  /** Drains and closes (SIGTERM). */
  shutdown(): Promise<ShutdownResult>;
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, '; ');

function urlOf(server: Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/**
 * Listens first (so platforms see the port open at once; readiness stays 503; `listenAfterLoad` turns the
 * order round for a replacement cluster worker), then resolves the model source
 * (MODEL_DIR, AIP_STORAGE_URI, /opt/ml/model, bundled), loads and self-tests every model, and only then
 * reports ready.
 */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const readiness = new Readiness();
  const registry = new ModelRegistry({ defaultModel: config.defaultModel });
  const metrics = new ServerMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  const metricsOnServingPort = config.metricsPort === config.port && config.port !== 0;
  const app = buildApp({
    registry,
    readiness,
    metrics,
    maxBatchSize: config.maxBatchSize,
    maxConcurrentRequests: config.maxConcurrentRequests,
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    vertex: config.vertex,
    metricsOnServingPort,
    logLevel: config.logLevel,
    logStream: options.logStream,
    serverVersion: options.serverVersion,
    apiKeys: config.apiKeys,
  });
  let url = '';
  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined;
  const listen = async (): Promise<void> => {
    await app.listen({
      port: config.port,
      host: config.host,
      listenTextResolver: (a) => `listening on ${a}`,
    });
    url = urlOf(app.server, config.host);
    try {
      if (metricsOnServingPort) metricsUrl = `${url}/metrics`;
      else if (options.metricsListener ?? true) {
        metricsServer = await startMetricsListener({ metrics, host: config.host, port: config.metricsPort });
        metricsUrl = `${urlOf(metricsServer, config.host)}/metrics`;
      }
    } catch (e) {
      await app.close();
      throw new Error(`cannot listen on METRICS_PORT=${config.metricsPort}: ${(e as Error).message}`);
    }
  };

  const load = options.loadModels ?? loadModels;
  let origin = '';
  const loadAll = async (): Promise<void> => {
    let models: LoadedModel[];
    try {
      const source = await resolveModelSource(config, {
        bundledDir: options.bundledDir ?? BUNDLED_MODELS_DIR,
        download: options.download,
      });
      origin = `${source.origin}: ${source.description}`;
      app.log.info({ source: source.origin, from: source.description }, 'loading models');
      models = await load({ dir: source.dir, modelName: source.modelName });
      for (const model of models) model.selfTest();
    } catch (e) {
      throw new StartupError(oneLine((e as Error).message), 1);
    }
    try {
      registry.load(models);
      metrics.addModels(registry.names());
    } catch (e) {
      throw new StartupError(oneLine((e as Error).message), e instanceof DefaultModelError ? 2 : 1);
    }
  };
  const announceReady = (): void => {
    readiness.markReady();
    const address = app.server.address() as AddressInfo;
    app.log.info(
      { ...usage(registry, { host: config.host, port: address.port }, metricsUrl), from: origin },
      `ready: ${registry.names().join(', ')} (default ${registry.defaultModelName}: ${registry.defaultReason})`,
    );
  };

  let ready: Promise<void>;
  if (options.listenAfterLoad) {
    await loadAll();
    await options.beforeReady?.();
    // Ready before listening: the first connection this process is handed must find it ready.
    readiness.markReady();
    await listen();
    announceReady();
    ready = Promise.resolve();
  } else {
    await listen();
    ready = (async () => {
      await loadAll();
      await options.beforeReady?.();
      announceReady();
    })();
    // Callers handle the rejection; this keeps Node from reporting it as unhandled before they attach.
    ready.catch(() => undefined);
  }

  let shuttingDown: Promise<ShutdownResult> | undefined;
  return {
    app,
    readiness,
    registry,
    metrics,
    metricsServer,
    url,
    metricsUrl,
    ready,
    shutdown: () => {
      shuttingDown ??= gracefulShutdown({
        app,
        metricsServer,
        readiness,
        delayMs: config.shutdownDelayMs,
        timeoutMs: config.shutdownTimeoutMs,
      });
      return shuttingDown;
    },
  };
}
