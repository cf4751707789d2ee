import type { WrkResult } from './wrk';

/** Everything measured for one server in one `npm run bench`. */
export interface ServerResult {
  readonly id: string;
  readonly label: string;
  /** /proc/<pid>/comm of the measured process (proves it is the server, not a wrapper). */
  readonly processName: string;
  readonly coldStartMs: readonly number[];
  readonly coldStartMedianMs: number;
  /** VmRSS after ready and a settle period, before any load. */
  readonly idleRssMiB: number;
  /** VmHWM after all load runs. */
  readonly peakRssMiB: number;
  /** VmRSS right after the last load run. */
  readonly rssAfterLoadMiB: number;
  readonly runs: readonly MeasuredRun[];
}

/** One wrk run plus what the server's core did meanwhile. */
export interface MeasuredRun extends WrkResult {
  readonly explain: boolean;
  /** Server process CPU time / wall time (100 = one full core). */
  readonly serverCpuPercent: number;
  /** Requests served per second of server CPU time: throughput with other load on the core factored out. */
  readonly requestsPerServerCpuSecond: number;
  /** Busy time on the server's core not spent by the server (other processes on the machine), percent. */
  readonly otherLoadOnServerCorePercent: number;
}

/** One row of the comparison: both servers' figures, their ratio (Node / baseline) and the target. */
export interface ComparisonRow {
  readonly metric: string;
  readonly unit: string;
  readonly node: number;
  readonly baseline: number;
  /** node / baseline. */
  readonly ratio: number;
  /** Human form of the target, e.g. '≥ 8×' or '≤ 0.2×'. */
  readonly target?: string;
  readonly met?: boolean;
}

interface Target {
  readonly text: string;
  check(ratio: number): boolean;
}

const atLeast = (x: number): Target => ({ text: `≥ ${x}×`, check: (r) => r >= x });
const atMost = (x: number, text: string): Target => ({ text: `≤ ${text}`, check: (r) => r <= x });

/** The targets set for the record (higher-is-better ratios for throughput, lower for the rest). */
export const TARGETS = {
  throughput: atLeast(8),
  throughputExplain: atLeast(5),
  p99: atMost(1 / 5, '1/5'),
  coldStart: atMost(1 / 3, '1/3'),
  rss: atMost(1 / 2, '1/2'),
} as const;

function row(metric: string, unit: string, node: number, baseline: number, target?: Target): ComparisonRow {
  const ratio = node / baseline;
  return target
    ? { metric, unit, node, baseline, ratio, target: target.text, met: target.check(ratio) }
    : { metric, unit, node, baseline, ratio };
}

function findRun(result: ServerResult, explain: boolean, connections: number) {
  const run = result.runs.find((r) => r.explain === explain && r.connections === connections);
  if (!run) throw new Error(`${result.id}: no run with explain=${explain} c=${connections}`);
  return run;
}

export function compare(
  node: ServerResult,
  baseline: ServerResult,
  connections: readonly number[],
): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const explain of [false, true]) {
    const mode = explain ? 'explain' : 'predict';
    for (const c of connections) {
      const n = findRun(node, explain, c);
      const b = findRun(baseline, explain, c);
      const tput = explain ? TARGETS.throughputExplain : TARGETS.throughput;
      rows.push(row(`${mode} c=${c} throughput`, 'req/s', n.requestsPerSecond, b.requestsPerSecond, tput));
      rows.push(row(`${mode} c=${c} p50`, 'ms', n.p50Ms, b.p50Ms));
      rows.push(row(`${mode} c=${c} p99`, 'ms', n.p99Ms, b.p99Ms, TARGETS.p99));
    }
    const top = connections[connections.length - 1]!;
    rows.push(
      row(
        `${mode} c=${top} req per server CPU-s`,
        'req/s',
        findRun(node, explain, top).requestsPerServerCpuSecond,
        findRun(baseline, explain, top).requestsPerServerCpuSecond,
      ),
    );
  }
  rows.push(
    row('cold start (median)', 'ms', node.coldStartMedianMs, baseline.coldStartMedianMs, TARGETS.coldStart),
  );
  rows.push(row('idle RSS', 'MiB', node.idleRssMiB, baseline.idleRssMiB, TARGETS.rss));
  rows.push(row('peak RSS (VmHWM)', 'MiB', node.peakRssMiB, baseline.peakRssMiB, TARGETS.rss));
  return rows;
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const HEADERS = ['metric', 'unit', 'Node', 'FastAPI', 'Node/FastAPI', 'target', 'met'];

function cells(r: ComparisonRow): string[] {
  const ratio = r.ratio >= 1 ? `${fmt(r.ratio)}×` : `${fmt(r.ratio)}× (1/${fmt(1 / r.ratio)})`;
  return [
    r.metric,
    r.unit,
    fmt(r.node),
    fmt(r.baseline),
    ratio,
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ];
}

/** Which rows missed their target, said in words (the tables only mark them `NO`). */
export function targetSummary(rows: readonly ComparisonRow[]): {
  readonly missed: readonly ComparisonRow[];
  readonly text: string;
} {
  const targeted = rows.filter((r) => r.met !== undefined);
  const missed = targeted.filter((r) => r.met === false);
  const text =
    missed.length === 0
      ? `Targets: all ${targeted.length} met.`
      : `Targets: ${missed.length} of ${targeted.length} missed: ${missed
          .map((r) => `${r.metric} (Node/FastAPI ${fmt(r.ratio)}×, target ${r.target})`)
          .join('; ')}.`;
  return { missed, text };
}

/** A fixed-width table for the terminal. */
export function textTable(rows: readonly ComparisonRow[]): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function markdownTable(rows: readonly ComparisonRow[]): string {
  const line = (c: readonly string[]) => `| ${c.join(' | ')} |`;
  return [
    line(HEADERS),
    line(HEADERS.map((_, i) => (i < 2 ? '---' : '---:'))),
    ...rows.map((r) => line(cells(r))),
  ].join('\n');
}
