import { spawnSync } from 'node:child_process';

/** Whether promtool (Debian's `prometheus` package) is on PATH. */
export const HAS_PROMTOOL = spawnSync('promtool', ['--version']).status === 0;

/**
 * promtool checks are part of `npm test`: in CI (`CI` set) a missing promtool fails the suite, so the rule
 * tests can never pass by being skipped; on a laptop without it they are skipped with a warning.
 */
export function requirePromtool(): boolean {
  if (HAS_PROMTOOL) return true;
  if (process.env.CI) {
    throw new Error('promtool not found on PATH, and CI is set: apt-get install -y prometheus');
  }
  console.warn('promtool not found on PATH: skipping promtool checks (apt-get install -y prometheus)');
  return false;
}

export function promtool(args: readonly string[], cwd: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
