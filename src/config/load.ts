import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, collectIssues, describeValue, formatIssues } from './errors';
import { type ModelServingConfig, resolveConfig } from './resolve';
import { configSchema } from './schema';

/** The config file read when neither `file` nor `MODEL_SERVING_CONFIG` names one (in the project root). */
export const DEFAULT_CONFIG_FILE = 'model-serving.config.json';
/** Environment variable naming the config file. */
export const CONFIG_FILE_ENV = 'MODEL_SERVING_CONFIG';

/**
 * Environment variables that override one field each (after the file, before validation). `MS_*_IMAGE_URI`
 * also switches that image to `mode: prebuilt`.
 */
export const ENV_OVERRIDES: Readonly<Record<string, readonly string[]>> = {
  MS_PROJECT: ['project'],
  MS_ENVIRONMENT: ['environment'],
  MS_AWS_REGION: ['aws', 'region'],
  MS_AWS_ACCOUNT_ID: ['aws', 'accountId'],
  MS_GCP_PROJECT: ['gcp', 'projectId'],
  MS_GCP_REGION: ['gcp', 'region'],
  MS_STATE_BACKEND: ['stateBackend', 'kind'],
  MS_STATE_BUCKET: ['stateBackend', 'bucket'],
  MS_AWS_IMAGE_URI: ['image', 'aws', 'uri'],
  MS_GCP_IMAGE_URI: ['image', 'gcp', 'uri'],
};

export interface LoadConfigOptions {
  /**
   * Config file (JSON), relative to `rootDir` or absolute.
   * @default - `$MODEL_SERVING_CONFIG`, else `model-serving.config.json` in `rootDir` if it exists, else none
   */
  readonly file?: string;
  /** Environment for `MODEL_SERVING_CONFIG` and the `MS_*` overrides. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Project root: where the default config file is looked for. @default process.cwd() */
  readonly rootDir?: string;
}

/**
 * Reads, merges and validates the configuration. No file gives the full default demo set. Throws one
 * `ConfigError` listing every problem.
 */
export function loadConfig(options: LoadConfigOptions = {}): ModelServingConfig {
  const env = options.env ?? process.env;
  const rootDir = options.rootDir ?? process.cwd();
  const chosen = options.file ?? nonEmpty(env[CONFIG_FILE_ENV]);
  const file =
    chosen ?? (existsSync(path.join(rootDir, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined);
  // Messages name the file as the user gave it, never a machine-specific absolute path.
  const source = file ?? 'defaults';
  const label = options.file === undefined && chosen !== undefined ? CONFIG_FILE_ENV : 'config file';
  const raw = file === undefined ? {} : readConfigFile(path.resolve(rootDir, file), file, label);
  const { input, origins } = applyEnvOverrides(raw, env);
  return parseConfig(input, { source, origins });
}

/** Validates an already-read configuration object (file content merged with overrides). */
export function parseConfig(
  input: unknown,
  context: { readonly source?: string; readonly origins?: Readonly<Record<string, string>> } = {},
): ModelServingConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      context.source ?? 'object',
      formatIssues(
        collectIssues(configSchema, input, result.error.issues),
        input,
        configSchema,
        context.origins,
      ),
    );
  }
  return resolveConfig(result.data);
}

function readConfigFile(absolute: string, shown: string, field: string): unknown {
  if (!/\.json$/i.test(shown)) {
    throw new ConfigError(shown, [
      `${field}: got ${describeValue(shown)}; expected a .json file (YAML is not supported)`,
    ]);
  }
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch {
    throw new ConfigError(shown, [`${field}: got ${describeValue(shown)}; expected a readable file`]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(shown, [`(file): got text that is not JSON (${reason}); expected a JSON object`]);
  }
}

/** Sets each `MS_*` variable that is set (and not empty) at its path; records which path came from where. */
export function applyEnvOverrides(
  raw: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { input: unknown; origins: Record<string, string> } {
  const origins: Record<string, string> = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { input: raw, origins };
  const input = structuredClone(raw) as Record<string, unknown>;
  for (const [variable, fieldPath] of Object.entries(ENV_OVERRIDES)) {
    const value = nonEmpty(env[variable]);
    if (value === undefined) continue;
    const parent = objectAt(input, fieldPath.slice(0, -1));
    if (!parent) continue; // the file has a non-object there: its own error names it
    parent[fieldPath[fieldPath.length - 1]!] = value;
    origins[fieldPath.join('.')] = variable;
    if (variable.endsWith('_IMAGE_URI')) {
      parent.mode = 'prebuilt';
      origins[[...fieldPath.slice(0, -1), 'mode'].join('.')] = variable;
    }
  }
  return { input, origins };
}

function objectAt(
  root: Record<string, unknown>,
  fieldPath: readonly string[],
): Record<string, unknown> | undefined {
  let current = root;
  for (const key of fieldPath) {
    const next = current[key] ?? {};
    if (next === null || typeof next !== 'object' || Array.isArray(next)) return undefined;
    current[key] = next;
    current = next as Record<string, unknown>;
  }
  return current;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
