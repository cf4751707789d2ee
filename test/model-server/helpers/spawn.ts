import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
/** The entry point run from source, with tsx's loader (no build needed; ~1 s to start). */
export const MAIN_TS = join(ROOT, 'model-server', 'src', 'main.ts');

export interface SpawnedServer {
  readonly proc: ChildProcess;
  /** Parsed JSON log lines from stdout (and stderr). */
  readonly lines: Record<string, unknown>[];
  readonly stderr: () => string;
  readonly stdout: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the ready log line (url, models, curl) or rejects when the process exits first. */
  readonly ready: Promise<Record<string, unknown>>;
}

/** Starts `node --import tsx model-server/src/main.ts ...args` with a clean environment plus `env`. */
export function spawnServer(args: string[], env: Record<string, string> = {}): SpawnedServer {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN_TS, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let stdout = '';
  let onLine: (() => void) | undefined;
  const collect = (chunk: Buffer, into?: (s: string) => void) => {
    const text = chunk.toString('utf8');
    into?.(text);
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line));
      } catch {
        // a partial line: only whole log lines are asserted on
      }
    }
    onLine?.();
  };
  proc.stdout!.on('data', (c: Buffer) =>
    collect(c, (s) => {
      stdout += s;
    }),
  );
  proc.stderr!.on('data', (c: Buffer) =>
    collect(c, (s) => {
      stderr += s;
    }),
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    onLine = () => {
      const line = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('ready:'));
      if (line) resolve(line);
    };
    exited.then(({ code }) => reject(new Error(`server exited with ${code} before ready: ${stderr}`)));
  });
  ready.catch(() => undefined);
  return { proc, lines, stderr: () => stderr, stdout: () => stdout, exited, ready };
}
