import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flagsHelp, parseFlags } from '../../bench/harness/flags';
import { type ComparisonRow, targetSummary } from '../../bench/harness/report';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run <script> -- --help`, as the README shows it. */
function help(script: string): Promise<Run> {
  return new Promise((resolve) => {
    const proc = spawn('npm', ['run', '--silent', script, '--', '--help'], {
      cwd: ROOT,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    proc.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const SCRIPTS = ['bench', 'bench:soak', 'bench:compute', 'bench:workers'] as const;
const runs = new Map<string, Run>();
// All at once: each is mostly start-up time.
beforeAll(async () => {
  const results = await Promise.all(SCRIPTS.map(help));
  for (const [i, script] of SCRIPTS.entries()) runs.set(script, results[i]!);
});

const flagsOf = (text: string): string[] => [...text.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!);

describe('bench scripts: --help, and every flag in the README', () => {
  test.each(SCRIPTS)('npm run %s -- --help', (script) => {
    const r = runs.get(script)!;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: npm run ${script} -- \\[flags\\]`));
    // Help comes before anything is installed, built or measured.
    expect(r.stdout).not.toMatch(/installing|building/);
    const flags = flagsOf(r.stdout);
    expect(flags.length).toBeGreaterThan(2);
    const section = readme.slice(readme.indexOf(`\`npm run ${script} -- --help\``));
    for (const flag of flags.filter((f) => f !== '--help')) expect(section).toContain(`\`${flag}`);
  });

  test('an unknown flag names itself and points at --help', () => {
    expect(() => parseFlags(['--durtion', '3'], { duration: { type: 'string', help: 'd' } })).toThrow(
      "Unknown option '--durtion' (--help lists the flags)",
    );
    expect(parseFlags(['-h'], {})).toBeUndefined();
    expect(
      flagsHelp('x', 'y', { n: { type: 'string', value: 'N', env: 'X_N', default: '3', help: 'count' } }),
    ).toContain('  --n N                      count [env X_N; default 3]');
  });
});

describe('bench report: which rows missed their target', () => {
  const row = (metric: string, ratio: number, target?: string, met?: boolean): ComparisonRow => ({
    metric,
    unit: 'ms',
    node: ratio,
    baseline: 1,
    ratio,
    ...(target ? { target, met } : {}),
  });

  test('names each missed row with its ratio and target', () => {
    const summary = targetSummary([
      row('predict c=1 throughput', 9.1, '≥ 8×', true),
      row('predict c=1 p50', 0.3),
      row('predict c=64 p99', 0.31, '≤ 1/5', false),
      row('cold start (median)', 0.5, '≤ 1/3', false),
    ]);
    expect(summary.missed.map((r) => r.metric)).toEqual(['predict c=64 p99', 'cold start (median)']);
    expect(summary.text).toBe(
      'Targets: 2 of 3 missed: predict c=64 p99 (Node/FastAPI 0.31×, target ≤ 1/5); cold start (median) (Node/FastAPI 0.50×, target ≤ 1/3).',
    );
  });

  test('says so when every target is met', () => {
    expect(targetSummary([row('idle RSS', 0.2, '≤ 1/2', true)]).text).toBe('Targets: all 1 met.');
  });
});
