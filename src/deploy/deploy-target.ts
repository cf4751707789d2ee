import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { OUTPUTS_DIR, outputsFileOf } from '../cli/outputs';
import { appendTiming } from '../compare/results';
import { errorExcerpt, runCdktf } from './run-cdktf';
import { type DeployTarget, deployOrder, destroyOrder } from './stack-order';

export interface StackResult {
  readonly stack: string;
  readonly seconds: number;
  readonly ok: boolean;
}

export interface TargetRunOptions {
  readonly action: 'deploy' | 'destroy';
  readonly target: DeployTarget;
  readonly rootDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly print: (text: string) => void;
  /** Destroy the shared image stacks too. @default false */
  readonly withShared?: boolean;
  /** Print cdktf's own output as it runs. @default false */
  readonly verbose?: boolean;
  /** The clock, for the timings file. @default () => new Date() */
  readonly now?: () => Date;
}

export interface TargetRunResult {
  readonly results: readonly StackResult[];
  /** Set when a stack failed: the stack and Terraform's error. */
  readonly failure?: { readonly stack: string; readonly code: number; readonly error: readonly string[] };
}

/** The arguments of one per-stack run: what an unattended run needs, outputs where the commands read them. */
export function cdktfArgs(action: 'deploy' | 'destroy', stack: string): string[] {
  return [
    action,
    stack,
    '--auto-approve',
    // The order is ours: each run names one stack, its dependencies were run before it.
    '--ignore-missing-stack-dependencies',
    ...(action === 'deploy' ? ['--outputs-file', outputsFileOf(stack)] : []),
  ];
}

/**
 * Deploys (or destroys) a target's stacks one at a time in dependency order (destroy: dependents first),
 * prints a progress line per stack, appends each stack's time to the comparison data, and stops at the
 * first failure.
 */
export async function runTarget(options: TargetRunOptions): Promise<TargetRunResult> {
  const { action, target, rootDir, print } = options;
  const stacks =
    action === 'deploy'
      ? deployOrder(target)
      : destroyOrder(target, { withShared: options.withShared ?? false });
  if (action === 'deploy') mkdirSync(path.join(rootDir, OUTPUTS_DIR), { recursive: true });
  const now = options.now ?? (() => new Date());
  const results: StackResult[] = [];
  for (const [index, stack] of stacks.entries()) {
    print(`[${index + 1}/${stacks.length}] ${action} ${stack} …\n`);
    const run = await runCdktf(cdktfArgs(action, stack), {
      cwd: rootDir,
      env: options.env,
      ...(options.verbose ? { onLine: (line: string) => print(`    ${line}\n`) } : {}),
    });
    const ok = run.code === 0;
    results.push({ stack, seconds: run.seconds, ok });
    appendTiming(rootDir, {
      date: now().toISOString(),
      action,
      target,
      stack,
      seconds: Math.round(run.seconds * 10) / 10,
      ok,
    });
    print(
      `[${index + 1}/${stacks.length}] ${action} ${stack} ${ok ? 'done' : 'FAILED'} in ${run.seconds.toFixed(1)} s\n`,
    );
    if (!ok) return { results, failure: { stack, code: run.code, error: errorExcerpt(run.tail) } };
  }
  return { results };
}
