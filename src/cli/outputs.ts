import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './usage-error';

/**
 * Where stack outputs live after a deploy: `outputs/<stack>.json` in the project root, written by
 * `npx cdktf deploy … <stack> --outputs-file outputs/<stack>.json`. `cdktf output` would need Terraform
 * and the state; this file needs neither, so every command (invoke, compare, cost) reads it. One file per
 * stack, because the cdktf CLI overwrites the whole file on every deploy.
 */
export const OUTPUTS_DIR = 'outputs';

/** The outputs file of one stack, relative to the project root. */
export function outputsFileOf(stack: string): string {
  return `${OUTPUTS_DIR}/${stack}.json`;
}

/** The flag to add to `cdktf deploy` so that `stack`'s outputs land where the commands look for them. */
export function outputsFileFlag(stack: string): string {
  return `--outputs-file ${outputsFileOf(stack)}`;
}

export interface ReadStackOutputsOptions {
  /** Outputs file, relative to `rootDir` or absolute. @default `outputs/<stack>.json` */
  readonly file?: string;
  /** Project root. @default process.cwd() */
  readonly rootDir?: string;
}

/**
 * The outputs of `stack` as the cdktf CLI wrote them (`{ "<stack>": { "<output id>": value } }`). A missing
 * file or stack is a usage error that says how to produce it.
 */
export function readStackOutputs(
  stack: string,
  options: ReadStackOutputsOptions = {},
): Readonly<Record<string, unknown>> {
  const file = options.file ?? outputsFileOf(stack);
  const absolute = path.resolve(options.rootDir ?? process.cwd(), file);
  const howTo = `deploy with \`npx cdktf deploy … ${stack} ${outputsFileFlag(stack)}\`, or pass the values as flags`;
  if (!existsSync(absolute)) throw new UsageError(`no outputs file ${file}: ${howTo}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (error) {
    throw new UsageError(`outputs file ${file} is not JSON (${(error as Error).message})`);
  }
  const outputs = isRecord(parsed) ? parsed[stack] : undefined;
  if (!isRecord(outputs)) {
    const found = isRecord(parsed) ? Object.keys(parsed).join(', ') || 'none' : 'none';
    throw new UsageError(
      `outputs file ${file} has no outputs of stack ${stack} (stacks in it: ${found}); ${howTo}`,
    );
  }
  return outputs;
}

/** One string output, or a usage error naming it and the flag that can replace it. */
export function requireStringOutput(
  outputs: Readonly<Record<string, unknown>>,
  key: string,
  stack: string,
  flag: string,
): string {
  const value = outputs[key];
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`stack ${stack} has no output ${key} in its outputs file; pass ${flag}`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
