import { spawn } from 'node:child_process';

/** The last lines of a command's output kept for the failure message. */
const TAIL_LINES = 40;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are control characters
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export interface CdktfRun {
  readonly code: number;
  readonly seconds: number;
  /** Output lines (stdout and stderr in arrival order, colours stripped), the last `TAIL_LINES`. */
  readonly tail: readonly string[];
}

export interface RunCdktfOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Each output line as it arrives (for --verbose). */
  readonly onLine?: (line: string) => void;
}

/**
 * Runs `cdktf <args>` found on PATH (under `npm run`, the project's `node_modules/.bin/cdktf`, the same one
 * `npx cdktf` runs), times it, and keeps the tail of its output. A missing binary is code 127.
 */
export function runCdktf(args: readonly string[], options: RunCdktfOptions): Promise<CdktfRun> {
  const started = process.hrtime.bigint();
  const tail: string[] = [];
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const keep = (line: string) => {
    const clean = line.replace(ANSI, '').trimEnd();
    if (clean === '') return;
    options.onLine?.(clean);
    tail.push(clean);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  return new Promise((resolve) => {
    const child = spawn('cdktf', [...args], {
      cwd: options.cwd,
      env: { ...options.env, CHECKPOINT_DISABLE: '1', FORCE_COLOR: '0' } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const partial = { stdout: '', stderr: '' };
    const reader = (key: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const lines = (partial[key] + chunk.toString('utf8')).split(/\r?\n/);
      partial[key] = lines.pop() ?? '';
      lines.forEach(keep);
    };
    child.stdout.on('data', reader('stdout'));
    child.stderr.on('data', reader('stderr'));
    child.on('error', (error: NodeJS.ErrnoException) => {
      keep(
        error.code === 'ENOENT'
          ? 'cdktf not found on PATH: run through `npm run`, after `npm install`'
          : error.message,
      );
      resolve({ code: 127, seconds: seconds(), tail });
    });
    child.on('close', (code, signal) => {
      keep(partial.stdout);
      keep(partial.stderr);
      resolve({ code: code ?? (signal ? 128 : 1), seconds: seconds(), tail });
    });
  });
}

/** Terraform's error block when there is one ("Error: …" to the end), else the whole tail. */
export function errorExcerpt(tail: readonly string[]): string[] {
  const first = tail.findIndex((line) => /(^|[│|\s])Error:/.test(line));
  return first === -1 ? [...tail] : tail.slice(first);
}
