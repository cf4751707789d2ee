import { existsSync } from 'node:fs';
import * as path from 'node:path';
import {
  freePort,
  type RunningServer,
  spawnServer,
  stopServer,
  waitFor200,
} from '../../bench/harness/process';
import { CommandError, UsageError } from '../cli/usage-error';
import { nativeTransport, sagemakerContainerTransport, type Transport, vertexTransport } from './transports';

/** How the server is started: each is how one platform starts the image. */
export type LocalMode = 'native' | 'sagemaker' | 'vertex';
export const LOCAL_MODES: readonly LocalMode[] = ['native', 'sagemaker', 'vertex'];

/** The built server (`npm run build -w model-server`), relative to the project root. */
export const SERVER_MAIN = 'model-server/dist/main.js';

/** Vertex AI sets these routes for a deployed model; the same shape here. */
const VERTEX_HEALTH_ROUTE = '/v1/endpoints/local/deployedModels/local';
const VERTEX_PREDICT_ROUTE = `${VERTEX_HEALTH_ROUTE}:predict`;

export interface LocalServer {
  readonly mode: LocalMode;
  readonly transport: Transport;
  /** Where it listens (`http://127.0.0.1:<port>`). */
  readonly baseUrl: string;
  /** The path its platform sends predictions to. */
  readonly predictPath: string;
  /** Spawn to first 200 on the platform's health route. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

/**
 * Starts the built server on loopback in one platform's mode, serving one bundle as that platform would
 * (SageMaker: `serve` and the bundle as its model directory; Vertex: `AIP_MODE=PREDICTION` and its routes).
 */
export async function startLocalServer(
  rootDir: string,
  mode: LocalMode,
  modelDir: string,
  model: string,
): Promise<LocalServer> {
  const main = path.join(rootDir, SERVER_MAIN);
  if (!existsSync(main))
    throw new UsageError(`no built server at ${SERVER_MAIN}: run \`npm run build -w model-server\``);
  const port = await freePort();
  const metricsPort = await freePort();
  const common = {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    METRICS_PORT: String(metricsPort),
    MODEL_NAME: model,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
  const byMode = {
    native: { args: [main], env: { PORT: String(port), MODEL_DIR: modelDir }, health: '/health/ready' },
    sagemaker: {
      args: [main, 'serve'],
      env: { SAGEMAKER_BIND_TO_PORT: String(port), SAGEMAKER_MODEL_DIR: modelDir },
      health: '/ping',
    },
    vertex: {
      args: [main],
      env: {
        AIP_MODE: 'PREDICTION',
        AIP_HTTP_PORT: String(port),
        AIP_HEALTH_ROUTE: VERTEX_HEALTH_ROUTE,
        AIP_PREDICT_ROUTE: VERTEX_PREDICT_ROUTE,
        MODEL_DIR: modelDir,
      },
      health: VERTEX_HEALTH_ROUTE,
    },
  }[mode];
  const startedAt = process.hrtime.bigint();
  const server: RunningServer = spawnServer({
    command: process.execPath,
    args: byMode.args,
    cwd: rootDir,
    env: { ...common, ...byMode.env },
  });
  const base = `http://127.0.0.1:${port}`;
  let readyMs: number;
  try {
    readyMs = await waitFor200(server, `${base}${byMode.health}`, startedAt, {
      timeoutMs: 60_000,
      pollMs: 10,
    });
  } catch (error) {
    await stopServer(server, 2000);
    throw new CommandError(`the server in ${mode} mode did not become ready: ${(error as Error).message}`);
  }
  const transport = {
    native: () => nativeTransport(base, model),
    sagemaker: () => sagemakerContainerTransport(base),
    vertex: () => vertexTransport(`${base}${VERTEX_PREDICT_ROUTE}`),
  }[mode]();
  const predictPath = {
    native: `/v1/models/${model}:predict`,
    sagemaker: '/invocations',
    vertex: VERTEX_PREDICT_ROUTE,
  }[mode];
  return {
    mode,
    transport,
    baseUrl: base,
    predictPath,
    readyMs,
    stop: async () => {
      transport.close();
      await stopServer(server);
    },
  };
}
