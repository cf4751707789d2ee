import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The comparison data: everything `npm run compare` measures and `npm run deploy | destroy` times, under
 * `results/` in the project root, so `npm run cost` and the README can read the figures back.
 */
export const RESULTS_DIR = 'results';
/** The newest compare run (also kept as `compare-<timestamp>.json` / `.md`). */
export const LATEST_COMPARE_FILE = `${RESULTS_DIR}/compare-latest.json`;
/** One JSON object per line, one line per stack deployed or destroyed. */
export const TIMINGS_FILE = `${RESULTS_DIR}/deploy-timings.jsonl`;

/** The measurements of one target in one mode (with or without explanations). */
export interface TargetRun {
  readonly target: string;
  readonly explain: boolean;
  readonly concurrency: number;
  readonly durationSeconds: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly throughputRps: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Did every successful answer carry an explanation per prediction (explain runs only)? */
  readonly explanationsReturned?: boolean;
  /** Do the explanations equal the local server's for the same instances (explain runs only)? */
  readonly explanationsAgree?: boolean;
  /** The first disagreement found, for the reader. */
  readonly disagreement?: string;
  /** First request's latency, when it was the first after a start or scale-up. */
  readonly coldStartMs?: number;
  /** Status codes and messages of the first failures, for the reader. */
  readonly firstErrors?: readonly string[];
}

export interface CompareResult {
  readonly date: string;
  readonly config: {
    readonly model: string;
    readonly seed: number;
    readonly instances: number;
    readonly concurrency: number;
    readonly durationSeconds: number;
    readonly warmupSeconds: number;
  };
  readonly versions: Readonly<Record<string, string>>;
  readonly machine: string;
  readonly runs: readonly TargetRun[];
}

export interface DeployTiming {
  readonly date: string;
  readonly action: 'deploy' | 'destroy';
  readonly target: string;
  readonly stack: string;
  readonly seconds: number;
  readonly ok: boolean;
}

export function appendTiming(rootDir: string, timing: DeployTiming): void {
  mkdirSync(path.join(rootDir, RESULTS_DIR), { recursive: true });
  appendFileSync(path.join(rootDir, TIMINGS_FILE), `${JSON.stringify(timing)}\n`);
}

/**
 * Writes the run as `compare-<stamp>.json` and `.md` and as `compare-latest.json` in `dir` (relative to
 * `rootDir`); returns the files written, relative to `rootDir`.
 */
export function writeCompareResult(
  rootDir: string,
  result: CompareResult,
  markdown: string,
  dir: string = RESULTS_DIR,
): string[] {
  mkdirSync(path.resolve(rootDir, dir), { recursive: true });
  const stamp = result.date.replace(/[:.]/g, '-');
  const files = [
    [path.join(dir, `compare-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`],
    [path.join(dir, `compare-${stamp}.md`), markdown],
    [path.join(dir, 'compare-latest.json'), `${JSON.stringify(result, null, 2)}\n`],
  ] as const;
  for (const [file, text] of files) writeFileSync(path.resolve(rootDir, file), text);
  return files.map(([file]) => file);
}

export function readLatestCompare(rootDir: string, file = LATEST_COMPARE_FILE): CompareResult | undefined {
  const absolute = path.resolve(rootDir, file);
  if (!existsSync(absolute)) return undefined;
  return JSON.parse(readFileSync(absolute, 'utf8')) as CompareResult;
}
