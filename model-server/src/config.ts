/**
 * The server's configuration: environment variables and command-line flags, parsed once in `main.ts` and passed
 * down (nothing else reads `process.env`). A flag wins over its variable; a platform port (Vertex
 * `AIP_HTTP_PORT`, SageMaker `SAGEMAKER_BIND_TO_PORT`) wins over `PORT`. Invalid values are collected and
 * reported together, each naming the variable and what it accepts.
 */

import { type CpuBudget, cpuBudget } from './cluster/cpus';
import { parseApiKeys } from './protocols/shared/api-key';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Which setting chose the port (for the start-up log). */
  readonly portSource: string;
  readonly metricsPort: number;
  readonly modelDir?: string;
  readonly modelName?: string;
  readonly defaultModel?: string;
  /** SageMaker's model directory (`/opt/ml/model`): used when it exists and holds a bundle. */
  readonly sagemakerModelDir: string;
  /** `AIP_MODE=PREDICTION`: the Vertex AI routes. */
  readonly vertex?: { readonly healthRoute: string; readonly predictRoute: string };
  /** `AIP_STORAGE_URI` (gs://bucket/prefix): models downloaded from there at start-up. */
  readonly storageUri?: string;
  /** `STORAGE_EMULATOR_HOST`: base URL of a GCS emulator; no credentials are used then. */
  readonly storageEmulatorHost?: string;
  readonly maxBatchSize: number;
  readonly maxConcurrentRequests: number;
  readonly bodyLimitBytes: number;
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly shutdownDelayMs: number;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: LogLevel;
  /** `API_KEYS`: when set, every route but the health probes needs one of these keys. */
  readonly apiKeys?: readonly string[];
  /** Serving processes (`WORKERS`, `auto` resolved); 1 = one process, no cluster primary. */
  readonly workers: number;
  /** How `workers` was chosen, for the start-up log (`WORKERS=auto` gives the CPU budget). */
  readonly workersFrom: { readonly setting: string; readonly budget?: CpuBudget };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nRun with --help for every setting.`,
    );
    this.name = 'ConfigError';
  }
}

/** `--help` was asked for: print HELP_TEXT and exit 0. */
export class HelpRequested extends Error {
  constructor() {
    super('help');
    this.name = 'HelpRequested';
  }
}

export interface Setting {
  readonly env: string;
  readonly flag?: string;
  readonly help: string;
  /** The value used when the setting is not given: a literal, or what happens in words. */
  readonly default?: string;
}

/** Every setting, in `--help` order; also the README's settings table (`npm run docs:server`). */
export const SETTINGS: readonly Setting[] = [
  {
    env: 'PORT',
    flag: '--port',
    default: '8080',
    help: 'serving port (AIP_HTTP_PORT / SAGEMAKER_BIND_TO_PORT override it)',
  },
  { env: 'HOST', flag: '--host', default: '0.0.0.0', help: 'address to listen on' },
  {
    env: 'METRICS_PORT',
    flag: '--metrics-port',
    default: '9090',
    help: 'port of GET /metrics; the serving port serves it there (WORKERS=1 only)',
  },
  {
    env: 'MODEL_DIR',
    flag: '--model-dir',
    default: 'the bundled models',
    help: 'a bundle directory, or a directory of bundles',
  },
  {
    env: 'MODEL_NAME',
    flag: '--model-name',
    default: 'the directory name',
    help: 'name of the model when MODEL_DIR is itself one bundle',
  },
  {
    env: 'DEFAULT_MODEL',
    flag: '--default-model',
    default: 'the only or first model',
    help: 'model answering /predict, /invocations, Vertex',
  },
  {
    env: 'WORKERS',
    flag: '--workers',
    default: '1',
    help: 'serving processes sharing the port (1-64), or auto: one per CPU this process may use',
  },
  { env: 'MAX_BATCH_SIZE', default: '1000', help: 'most instances per request (1-100000)' },
  {
    env: 'MAX_CONCURRENT_REQUESTS',
    default: '32',
    help: 'predictions in flight per worker before 503 + Retry-After (1-10000)',
  },
  {
    env: 'BODY_LIMIT_BYTES',
    default: '6291456',
    help: 'largest request body (1024-67108864); larger get 413',
  },
  { env: 'REQUEST_TIMEOUT_SECONDS', default: '30', help: 'a whole request must arrive within this (1-600)' },
  {
    env: 'HEADERS_TIMEOUT_SECONDS',
    default: '10',
    help: 'request headers must arrive within this (1-600, <= request timeout)',
  },
  {
    env: 'KEEP_ALIVE_TIMEOUT_SECONDS',
    default: '65',
    help: 'idle keep-alive connections close after this (1-3600; > LB idle 60 s)',
  },
  {
    env: 'SHUTDOWN_DELAY_SECONDS',
    default: '2',
    help: 'on SIGTERM, not-ready this long before closing the listener (0-60)',
  },
  {
    env: 'SHUTDOWN_TIMEOUT_SECONDS',
    default: '25',
    help: 'on SIGTERM, exit at the latest after this (1-120, > delay)',
  },
  { env: 'LOG_LEVEL', flag: '--log-level', default: 'info', help: `log level: ${LOG_LEVELS.join(', ')}` },
  {
    env: 'API_KEYS',
    help: 'comma-separated keys; when set, all but health routes need one (Bearer or x-api-key)',
  },
  { env: 'SAGEMAKER_BIND_TO_PORT', help: 'SageMaker: serving port' },
  {
    env: 'SAGEMAKER_MODEL_DIR',
    default: '/opt/ml/model',
    help: 'SageMaker model directory, used when it holds a bundle',
  },
  { env: 'AIP_MODE', help: 'Vertex AI: PREDICTION turns on AIP_HEALTH_ROUTE and AIP_PREDICT_ROUTE' },
  { env: 'AIP_HTTP_PORT', help: 'Vertex AI: serving port (with AIP_MODE=PREDICTION)' },
  { env: 'AIP_HEALTH_ROUTE', help: 'Vertex AI: health route path' },
  { env: 'AIP_PREDICT_ROUTE', help: 'Vertex AI: predict route path' },
  { env: 'AIP_STORAGE_URI', help: 'Vertex AI: gs://bucket/prefix to download the models from' },
  { env: 'STORAGE_EMULATOR_HOST', help: 'GCS emulator base URL (no credentials are used then)' },
];

export const HELP_TEXT = [
  'Usage: model-server [serve] [--port N] [--metrics-port N] [--model-dir DIR] [--model-name NAME]',
  '                    [--default-model NAME] [--host ADDR] [--log-level LEVEL] [--workers N|auto]',
  '                    [--help]',
  '',
  'Serves the bundled models (or MODEL_DIR, /opt/ml/model, AIP_STORAGE_URI) over the native API, SageMaker,',
  'Vertex AI and Open Inference V2 routes, with exact SHAP explanations (?explain=true).',
  '',
  'Settings (flag / environment variable, default):',
  ...SETTINGS.map(
    (s) =>
      `  ${(s.flag ? `${s.flag}, ${s.env}` : s.env).padEnd(36)} ${s.help}${s.default !== undefined ? ` [${s.default}]` : ''}`,
  ),
].join('\n');

type Env = Readonly<Record<string, string | undefined>>;

/** Flags to values keyed by their variable's name. */
function parseArgs(argv: readonly string[], problems: string[]): Record<string, string> {
  const byFlag = new Map(SETTINGS.filter((s) => s.flag).map((s) => [s.flag!, s.env]));
  const values: Record<string, string> = {};
  // SageMaker starts the container as `docker run <image> serve`.
  const args = argv[0] === 'serve' ? argv.slice(1) : [...argv];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') throw new HelpRequested();
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const env = byFlag.get(flag);
    if (env === undefined) {
      problems.push(
        arg.startsWith('-')
          ? `unknown flag ${flag}; flags: ${[...byFlag.keys()].join(', ')}, --help`
          : `unexpected argument "${arg}"; only "serve" is accepted, as the first argument`,
      );
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) problems.push(`${flag} needs a value`);
    else values[env] = value;
  }
  return values;
}

/** The most workers: far more than any instance the stacks configure, and a bound on a typo. */
export const MAX_WORKERS = 64;

/**
 * Parses argv (without node and script) and the environment. Throws ConfigError or HelpRequested.
 * `budget` answers `WORKERS=auto` (tests pass their own; the default reads affinity and the cgroup quota).
 */
export function parseConfig(
  argv: readonly string[],
  env: Env,
  budget: () => CpuBudget = cpuBudget,
): ServerConfig {
  const problems: string[] = [];
  const flags = parseArgs(argv, problems);
  const raw = (name: string): { value: string; source: string } | undefined => {
    if (flags[name] !== undefined) {
      const flag = SETTINGS.find((s) => s.env === name)?.flag;
      return { value: flags[name], source: flag ?? name };
    }
    const v = env[name];
    return v === undefined || v === '' ? undefined : { value: v, source: name };
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const r = raw(name);
    if (r === undefined) return fallback;
    const n = Number(r.value);
    if (!/^\s*\d+\s*$/.test(r.value) || n < min || n > max) {
      problems.push(`${r.source}="${r.value}": expected an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const seconds = (name: string, fallback: number, min: number, max: number): number => {
    const r = raw(name);
    if (r === undefined) return fallback * 1000;
    const n = Number(r.value);
    if (r.value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      problems.push(`${r.source}="${r.value}": expected a number of seconds from ${min} to ${max}`);
      return fallback * 1000;
    }
    return Math.round(n * 1000);
  };
  const text = (name: string): string | undefined => raw(name)?.value;

  const vertexMode = env.AIP_MODE === 'PREDICTION';
  let port = int('PORT', 8080, 0, 65535);
  let portSource = raw('PORT')?.source ?? 'default';
  if (flags.PORT === undefined) {
    for (const name of vertexMode
      ? ['AIP_HTTP_PORT', 'SAGEMAKER_BIND_TO_PORT']
      : ['SAGEMAKER_BIND_TO_PORT']) {
      if (raw(name) !== undefined) {
        port = int(name, port, 0, 65535);
        portSource = name;
        break;
      }
    }
  }

  let vertex: ServerConfig['vertex'];
  if (env.AIP_MODE !== undefined && env.AIP_MODE !== '' && !vertexMode) {
    problems.push(`AIP_MODE="${env.AIP_MODE}": expected PREDICTION (or unset)`);
  }
  if (vertexMode) {
    const route = (name: string): string => {
      const v = text(name);
      if (v === undefined) problems.push(`${name} is required when AIP_MODE=PREDICTION`);
      else if (!v.startsWith('/') || /\s/.test(v))
        problems.push(`${name}="${v}": expected a path starting with /`);
      return v ?? '/';
    };
    vertex = { healthRoute: route('AIP_HEALTH_ROUTE'), predictRoute: route('AIP_PREDICT_ROUTE') };
  }

  const storageUri = text('AIP_STORAGE_URI');
  if (storageUri !== undefined && !/^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/.*)?$/.test(storageUri)) {
    problems.push(`AIP_STORAGE_URI="${storageUri}": expected gs://bucket or gs://bucket/prefix`);
  }

  const logLevel = (text('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(
      `${raw('LOG_LEVEL')!.source}="${text('LOG_LEVEL')}": expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }

  const requestTimeoutMs = seconds('REQUEST_TIMEOUT_SECONDS', 30, 1, 600);
  const headersTimeoutMs = seconds('HEADERS_TIMEOUT_SECONDS', 10, 1, 600);
  if (headersTimeoutMs > requestTimeoutMs) {
    problems.push(
      `HEADERS_TIMEOUT_SECONDS=${headersTimeoutMs / 1000} must not exceed REQUEST_TIMEOUT_SECONDS=${requestTimeoutMs / 1000}`,
    );
  }
  const shutdownDelayMs = seconds('SHUTDOWN_DELAY_SECONDS', 2, 0, 60);
  const shutdownTimeoutMs = seconds('SHUTDOWN_TIMEOUT_SECONDS', 25, 1, 120);
  if (shutdownTimeoutMs <= shutdownDelayMs) {
    problems.push(
      `SHUTDOWN_TIMEOUT_SECONDS=${shutdownTimeoutMs / 1000} must be greater than SHUTDOWN_DELAY_SECONDS=${shutdownDelayMs / 1000}`,
    );
  }

  let workers = 1;
  let workersFrom: ServerConfig['workersFrom'] = { setting: 'default' };
  const workersRaw = raw('WORKERS');
  if (workersRaw !== undefined) {
    const value = workersRaw.value.trim().toLowerCase();
    if (value === 'auto') {
      const b = budget();
      workers = Math.min(b.cpus, MAX_WORKERS);
      workersFrom = { setting: `${workersRaw.source}=auto`, budget: b };
    } else if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_WORKERS) {
      workers = Number(value);
      workersFrom = { setting: `${workersRaw.source}=${value}` };
    } else {
      problems.push(
        `${workersRaw.source}="${workersRaw.value}": expected an integer from 1 to ${MAX_WORKERS}, or auto`,
      );
    }
  }
  const metricsPort = int('METRICS_PORT', 9090, 0, 65535);
  // The cluster primary serves /metrics (the sum over workers) on a listener of its own; the serving port
  // belongs to the workers, each of which could only answer with its own counters.
  if (workers > 1 && metricsPort === port && port !== 0) {
    problems.push(
      `METRICS_PORT=${metricsPort} equals the serving port: with WORKERS=${workers} (${workersFrom.setting}) metrics need a port of their own, the sum over workers; pick another METRICS_PORT or WORKERS=1`,
    );
  }

  const config: ServerConfig = {
    host: text('HOST') ?? '0.0.0.0',
    port,
    portSource,
    metricsPort,
    modelDir: text('MODEL_DIR'),
    modelName: text('MODEL_NAME'),
    defaultModel: text('DEFAULT_MODEL'),
    sagemakerModelDir: text('SAGEMAKER_MODEL_DIR') ?? '/opt/ml/model',
    vertex,
    storageUri,
    storageEmulatorHost: text('STORAGE_EMULATOR_HOST'),
    maxBatchSize: int('MAX_BATCH_SIZE', 1000, 1, 100_000),
    maxConcurrentRequests: int('MAX_CONCURRENT_REQUESTS', 32, 1, 10_000),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 6 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: seconds('KEEP_ALIVE_TIMEOUT_SECONDS', 65, 1, 3600),
    shutdownDelayMs,
    shutdownTimeoutMs,
    logLevel: logLevel as LogLevel,
    // Environment only (never a flag: arguments show in `ps`); problems never quote a key.
    apiKeys: parseApiKeys(env.API_KEYS, problems),
    workers,
    workersFrom,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
