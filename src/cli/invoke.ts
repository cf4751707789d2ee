import { invokeKubernetes, kubernetesInvokeUsage } from './invoke-kubernetes';
import { invokeSagemaker, SAGEMAKER_INVOKE_USAGE } from './invoke-sagemaker';
import { INVOKE_VERTEX_USAGE, invokeVertex } from './invoke-vertex';
import type { CliCommand, CliIo } from './io';
import { UsageError } from './usage-error';

/**
 * One invoke target (`npm run invoke -- <target> …`). The contract every target keeps:
 * - it receives the arguments after the target's name, and the injected `CliIo` (print only through it;
 *   read the environment from `io.env` and files relative to `io.cwd`);
 * - it reads what it needs from flags, else from its stack's outputs file (`outputs.ts`), else fails with
 *   a `UsageError` saying which flag or deploy step is missing;
 * - it prints the answer with `formatPredictions` (`prediction-table.ts`), so every target looks the same;
 * - a refusal by the cloud is a `CommandError` (one line, exit 1); anything else thrown is a bug.
 */
export type InvokeTarget = (args: readonly string[], io: CliIo) => Promise<void>;

/**
 * Targets by name. Adding one: a file `invoke-<target>.ts` exporting an `InvokeTarget` and its usage text,
 * one line here and one in `INVOKE_USAGES`.
 */
export const INVOKE_TARGETS: Readonly<Record<string, InvokeTarget>> = {
  sagemaker: invokeSagemaker,
  vertex: invokeVertex,
  eks: invokeKubernetes('eks'),
  gke: invokeKubernetes('gke'),
};

/** Usage text of each target, shown by `npm run invoke -- --help`. */
export const INVOKE_USAGES: Readonly<Record<string, string>> = {
  sagemaker: SAGEMAKER_INVOKE_USAGE,
  vertex: INVOKE_VERTEX_USAGE,
  eks: kubernetesInvokeUsage('eks'),
  gke: kubernetesInvokeUsage('gke'),
};

const targetList = (): string => Object.keys(INVOKE_TARGETS).join(', ');

export const invokeCommand: CliCommand = {
  summary: 'call a deployed endpoint and print predictions and contributions',
  get usage() {
    return [
      `usage: npm run invoke -- <target> [options]    (targets: ${targetList()})`,
      ...Object.values(INVOKE_USAGES).flatMap((usage) => ['', usage]),
    ].join('\n');
  },
  run: async (args, io) => {
    const [target, ...rest] = args;
    const run =
      target !== undefined && Object.hasOwn(INVOKE_TARGETS, target) ? INVOKE_TARGETS[target] : undefined;
    if (!run) {
      throw new UsageError(
        target === undefined
          ? `name a target (${targetList()})`
          : `unknown target "${target}" (targets: ${targetList()})`,
      );
    }
    await run(rest, io);
  },
};
