import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type DeployTiming, TIMINGS_FILE } from './results';

/** Per target: the newest successful run of each of its stacks for `action`, summed. */
export interface TargetDeployTime {
  readonly target: string;
  readonly action: 'deploy' | 'destroy';
  readonly seconds: number;
  readonly stacks: readonly { readonly stack: string; readonly seconds: number; readonly date: string }[];
}

/** Reads the timings `npm run deploy | destroy` appended; none yet is an empty list. */
export function readTimings(rootDir: string): DeployTiming[] {
  const file = path.join(rootDir, TIMINGS_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as DeployTiming);
}

/** The time each target took to deploy and destroy, from the newest successful run of each stack. */
export function deployTimes(timings: readonly DeployTiming[]): TargetDeployTime[] {
  const newest = new Map<string, DeployTiming>();
  for (const timing of timings) {
    if (!timing.ok) continue;
    const key = `${timing.target}\u0000${timing.action}\u0000${timing.stack}`;
    const seen = newest.get(key);
    if (!seen || seen.date <= timing.date) newest.set(key, timing);
  }
  const byTarget = new Map<string, TargetDeployTime>();
  for (const timing of newest.values()) {
    const key = `${timing.target}\u0000${timing.action}`;
    const entry = byTarget.get(key) ?? {
      target: timing.target,
      action: timing.action,
      seconds: 0,
      stacks: [],
    };
    byTarget.set(key, {
      ...entry,
      seconds: entry.seconds + timing.seconds,
      stacks: [...entry.stacks, { stack: timing.stack, seconds: timing.seconds, date: timing.date }],
    });
  }
  return [...byTarget.values()].sort((a, b) =>
    `${a.target}${a.action}`.localeCompare(`${b.target}${b.action}`),
  );
}

/** A Markdown section for the comparison, or nothing when no deploy was timed. */
export function deployTimesMarkdown(times: readonly TargetDeployTime[]): string {
  if (times.length === 0) return '';
  const rows = times.map(
    (t) =>
      `| ${t.target} | ${t.action} | ${(t.seconds / 60).toFixed(1)} | ${t.stacks.map((s) => `${s.stack} ${s.seconds.toFixed(0)} s`).join(', ')} |`,
  );
  return [
    '',
    'Deploy and destroy times (newest successful run of each stack, from `npm run deploy | destroy`):',
    '',
    '| target | action | minutes | stacks |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
