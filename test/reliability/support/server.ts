import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  freePort,
  type RunningServer,
  spawnServer,
  stopServer,
  waitFor200,
} from '../../../bench/harness/process';
import { REPO_ROOT, SERVER_NODE_FLAGS } from '../../../bench/harness/servers';

export const SERVER_ENTRY = join(REPO_ROOT, 'model-server', 'dist', 'main.js');
export const BANKCHURN_DIR = join(REPO_ROOT, 'model-server', 'models', 'bankchurn');

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface TestServer {
  readonly port: number;
  readonly metricsPort: number;
  readonly pid: number;
  readonly running: RunningServer;
  /** Resolves when the process exits. */
  readonly exit: Promise<Exit>;
  url(path: string): string;
  /** SIGTERM (SIGKILL after the grace period); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Spawns `node model-server/dist/main.js` on free loopback ports with `env` added, and (unless
 * `waitReady` is false) waits for /health/ready to answer 200.
 */
export async function startServer(
  env: Record<string, string>,
  options: { waitReady?: boolean; nodeArgs?: readonly string[]; cpus?: string; nice?: number } = {},
): Promise<TestServer> {
  const port = await freePort();
  const metricsPort = await freePort();
  const running = spawnServer({
    command: process.execPath,
    args: [...SERVER_NODE_FLAGS, ...(options.nodeArgs ?? []), SERVER_ENTRY],
    cwd: REPO_ROOT,
    ...(options.cpus ? { cpus: options.cpus } : {}),
    ...(options.nice ? { nice: options.nice } : {}),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      ...env,
    },
  });
  const exit = new Promise<Exit>((resolve) => {
    running.child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const server: TestServer = {
    port,
    metricsPort,
    pid: running.pid,
    running,
    exit,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    stop: (graceMs) => stopServer(running, graceMs),
  };
  if (options.waitReady !== false) {
    try {
      await waitFor200(running, server.url('/health/ready'), process.hrtime.bigint(), { timeoutMs: 30_000 });
    } catch (e) {
      await server.stop(2000);
      throw e;
    }
  }
  return server;
}

/** Niceness for timing-sensitive tests when running as root (ahead of other work on a shared 2-core machine). */
export const TIMING_NICE = process.getuid?.() === 0 ? -10 : 0;

/**
 * Best effort: moves this test process (the load generator) to CPU 1 and raises its priority, so a server
 * started with `cpus: '0'` gets a core to itself, as in the benchmark. Timing assertions stay relative
 * (shed vs served) either way; this only keeps them from measuring the rest of the machine.
 */
export function pinTestProcess(): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
    if (TIMING_NICE !== 0)
      execFileSync('renice', ['-n', String(TIMING_NICE), '-p', String(process.pid)], { stdio: 'ignore' });
  } catch {
    // Not available (no taskset, not root): the assertions do not depend on it.
  }
}
