import { join } from 'node:path';
import type { SpawnSpec } from './process';

/** The repository root (bench/harness/ is two levels down). */
export const REPO_ROOT = join(__dirname, '..', '..');

/** The Python interpreter that sees Debian's packages (the first python3 on PATH does not). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** One server the benchmark runs: how to start it and where it answers. */
export interface ServerUnderTest {
  /** Short id used in results: 'node' | 'fastapi'. */
  readonly id: string;
  /** What the table calls it. */
  readonly label: string;
  /** The executable the measured pid must be (checked against /proc/<pid>/comm). */
  readonly processName: string;
  spawnSpec(ports: { port: number; metricsPort: number }, cpus: string): SpawnSpec;
  readonly readyPath: string;
  predictPath(model: string): string;
}

/** The common environment: locale-free, no inherited NODE_OPTIONS or thread settings. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };
  return env;
}

/**
 * The V8 flags the image's ENTRYPOINT starts the server with, so the benchmark measures what production runs (a
 * test keeps the two equal).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/**
 * The level the server logs at unless told otherwise (its LOG_LEVEL default, which the stacks keep): one
 * line per request. Measuring at a quieter level would leave out a cost production pays.
 */
export const PRODUCTION_LOG_LEVEL = 'info';

/**
 * Our server as its image runs it: `node --max-semi-space-size=32 model-server/dist/main.js`, one model bundle. `bundle` runs another
 * build of it instead (`--before-dist`: an earlier build measured side by side in the same run).
 */
export function nodeServer(
  modelDir: string,
  modelName: string,
  options: {
    /** Another build instead of model-server/dist (`--before-dist`). @default - model-server/dist/main.js */
    readonly bundle?: { readonly file: string; readonly id: string; readonly label: string };
    /** The server's LOG_LEVEL. @default PRODUCTION_LOG_LEVEL */
    readonly logLevel?: string;
  } = {},
): ServerUnderTest {
  const { bundle, logLevel = PRODUCTION_LOG_LEVEL } = options;
  return {
    id: bundle?.id ?? 'node',
    label: bundle?.label ?? 'Node (fastify)',
    processName: 'node',
    spawnSpec: ({ port, metricsPort }, cpus) => ({
      command: process.execPath,
      args: [...SERVER_NODE_FLAGS, bundle?.file ?? join(REPO_ROOT, 'model-server', 'dist', 'main.js')],
      cwd: REPO_ROOT,
      cpus,
      env: {
        ...baseEnv(),
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        MODEL_DIR: modelDir,
        MODEL_NAME: modelName,
        LOG_LEVEL: logLevel,
      },
    }),
    readyPath: '/health/ready',
    predictPath: (model) => `/v1/models/${model}:predict`,
  };
}

/** The FastAPI baseline (bench/baseline/app.py) under uvicorn as it runs in production. */
export function fastapiServer(modelDir: string, modelName: string): ServerUnderTest {
  return {
    id: 'fastapi',
    label: 'FastAPI (uvicorn)',
    processName: 'python3',
    spawnSpec: ({ port, metricsPort }, cpus) => ({
      command: DEBIAN_PYTHON,
      args: [
        '-m',
        'uvicorn',
        'app:app',
        '--app-dir',
        join(REPO_ROOT, 'bench', 'baseline'),
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--loop',
        'uvloop',
        '--http',
        'httptools',
        '--no-access-log',
        '--log-level',
        'warning',
      ],
      cwd: REPO_ROOT,
      cpus,
      env: {
        ...baseEnv(),
        // One core: XGBoost's OpenMP pool must not spin threads the core cannot run.
        OMP_NUM_THREADS: '1',
        MODEL_DIR: modelDir,
        MODEL_NAME: modelName,
        METRICS_PORT: String(metricsPort),
      },
    }),
    readyPath: '/health/ready',
    predictPath: (model) => `/v1/models/${model}:predict`,
  };
}

/**
 * A no-op reference server (bench/noop/): parses the JSON body and answers a fixed prediction, so its
 * throughput is what Node's HTTP path (bare, or with fastify) allows before any model work.
 */
function noopServer(id: string, label: string, file: string): ServerUnderTest {
  return {
    id,
    label,
    processName: 'node',
    spawnSpec: ({ port }, cpus) => ({
      command: process.execPath,
      args: [join(REPO_ROOT, 'bench', 'noop', file)],
      cwd: REPO_ROOT,
      cpus,
      env: { ...baseEnv(), NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port) },
    }),
    readyPath: '/health/ready',
    predictPath: (model) => `/v1/models/${model}:predict`,
  };
}

/** fastify 5: its JSON parser, one route, a fixed answer (bench/noop/fastify-noop.cjs). */
export function fastifyNoopServer(): ServerUnderTest {
  return noopServer('fastify-noop', 'fastify no-op', 'fastify-noop.cjs');
}

/** Bare node:http: JSON.parse of the body, a fixed answer (bench/noop/http-noop.cjs). */
export function httpNoopServer(): ServerUnderTest {
  return noopServer('http-noop', 'node:http no-op', 'http-noop.cjs');
}
