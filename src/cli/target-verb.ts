import { parseArgs } from 'node:util';
import { TIMINGS_FILE } from '../compare/results';
import { runTarget, type TargetRunResult } from '../deploy/deploy-target';
import { DEPLOY_TARGETS, type DeployTarget, deployOrder, destroyOrder } from '../deploy/stack-order';
import type { CliCommand, CliIo } from './io';
import { CommandError, UsageError } from './usage-error';

const targets = DEPLOY_TARGETS.join(', ');

function usageOf(action: 'deploy' | 'destroy'): string {
  const orders = DEPLOY_TARGETS.map(
    (t) => `    ${t.padEnd(10)} ${(action === 'deploy' ? deployOrder(t) : destroyOrder(t)).join(' → ')}`,
  ).join('\n');
  return `usage: npm run ${action} -- <target> [--verbose]${action === 'destroy' ? ' [--with-images]' : ''}    (targets: ${targets})

  Runs \`cdktf ${action} <stack> --auto-approve --ignore-missing-stack-dependencies${action === 'deploy' ? ' --outputs-file outputs/<stack>.json' : ''}\`
  for each stack of the target, one at a time, in this order:
${orders}
  ${action === 'destroy' ? 'Image stacks (aws-image, gcp-image) hold registries other targets share: --with-images destroys them too, last.\n  ' : ''}Each stack's time is appended to ${TIMINGS_FILE}. --verbose prints cdktf's output as it runs.
  Cloud credentials come from the usual places (AWS SDK chain, gcloud application-default credentials).`;
}

async function run(action: 'deploy' | 'destroy', args: readonly string[], io: CliIo): Promise<void> {
  let parsed: { values: { verbose?: boolean; 'with-images'?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: {
        verbose: { type: 'boolean' },
        'with-images': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (action === 'deploy' && parsed.values['with-images']) {
    throw new UsageError(
      '--with-images is a destroy option (deploy always deploys the image stack a target needs)',
    );
  }
  const [target, ...extra] = parsed.positionals;
  if (target === undefined) throw new UsageError(`name a target (${targets})`);
  if (!(DEPLOY_TARGETS as readonly string[]).includes(target)) {
    throw new UsageError(`unknown target "${target}" (targets: ${targets})`);
  }
  if (extra.length > 0) throw new UsageError(`one target at a time (got ${parsed.positionals.join(', ')})`);
  const result: TargetRunResult = await runTarget({
    action,
    target: target as DeployTarget,
    rootDir: io.cwd,
    env: io.env,
    print: io.stdout,
    withShared: parsed.values['with-images'] ?? false,
    verbose: parsed.values.verbose ?? false,
  });
  const total = result.results.reduce((sum, r) => sum + r.seconds, 0);
  if (result.failure) {
    const { stack, code, error } = result.failure;
    io.stderr(
      `cdktf ${action} ${stack} exited with ${code}; its error:\n${error.map((l) => `  ${l}`).join('\n')}\n`,
    );
    const done = result.results.filter((r) => r.ok).map((r) => r.stack);
    throw new CommandError(
      `${action} of ${target} stopped at stack ${stack}${done.length ? ` (done: ${done.join(', ')})` : ''}`,
    );
  }
  io.stdout(
    `${action} ${target}: ${result.results.length} stacks in ${total.toFixed(1)} s (times in ${TIMINGS_FILE})\n`,
  );
}

/** `npm run deploy|destroy -- <target>`, the two verbs differing only in order and flags. */
export function targetVerb(action: 'deploy' | 'destroy', summary: string): CliCommand {
  return {
    summary,
    get usage() {
      return usageOf(action);
    },
    run: (args, io) => run(action, args, io),
  };
}
