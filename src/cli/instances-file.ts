import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './usage-error';

/** What to send: JSON instances, or CSV rows in input-field order (SageMaker's `/invocations` takes both). */
export type InstancesPayload =
  | { readonly kind: 'json'; readonly instances: readonly unknown[] }
  | { readonly kind: 'csv'; readonly text: string };

/**
 * Reads `--file`: `.json` holds an array of instances or `{"instances": […]}`; `.csv` holds rows in the
 * model's input-field order. Without a file, the bundled model's own example instance (its metadata's
 * `example`), so a first call needs no data at hand.
 */
export function readInstances(file: string | undefined, model: string, rootDir: string): InstancesPayload {
  if (file === undefined) return { kind: 'json', instances: [bundledExample(model, rootDir)] };
  const absolute = path.resolve(rootDir, file);
  if (!existsSync(absolute)) throw new UsageError(`--file ${file} does not exist`);
  const text = readFileSync(absolute, 'utf8');
  if (/\.csv$/i.test(file)) {
    if (text.trim() === '') throw new UsageError(`--file ${file} has no CSV rows`);
    return { kind: 'csv', text };
  }
  if (!/\.json$/i.test(file)) throw new UsageError(`--file ${file}: expected a .json or .csv file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--file ${file} is not JSON (${(error as Error).message})`);
  }
  const instances = Array.isArray(parsed)
    ? parsed
    : typeof parsed === 'object' &&
        parsed !== null &&
        Array.isArray((parsed as { instances?: unknown }).instances)
      ? (parsed as { instances: unknown[] }).instances
      : undefined;
  if (!instances || instances.length === 0) {
    throw new UsageError(`--file ${file}: expected a non-empty array of instances or {"instances": [...]}`);
  }
  return { kind: 'json', instances };
}

function bundledExample(model: string, rootDir: string): unknown {
  const metadata = path.join(rootDir, 'model-server', 'models', model, 'metadata.json');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(model) || !existsSync(metadata)) {
    throw new UsageError(
      `no bundled model "${model}" to take an example from: pass --file rows.json|rows.csv`,
    );
  }
  const example = (JSON.parse(readFileSync(metadata, 'utf8')) as { example?: unknown }).example;
  if (example === undefined) throw new UsageError(`model ${model} has no example instance: pass --file`);
  return example;
}
