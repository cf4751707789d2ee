import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { createServer } from 'node:net';
import { setPriority } from 'node:os';

/** A free TCP port on the loopback interface (closed again before returning, so a server can take it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Memory of one process from /proc/<pid>/status, in MiB: VmRSS now and VmHWM (the peak RSS so far). */
export interface Memory {
  readonly rssMiB: number;
  readonly peakRssMiB: number;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${key}`);
    return Number(match[1]);
  };
  return { rssMiB: kb('VmRSS') / 1024, peakRssMiB: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) a process has used so far, in seconds (/proc/<pid>/stat, clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Busy and total jiffies per CPU from /proc/stat, to tell how much else ran on the benchmark's cores. */
export function cpuJiffies(): { busy: number; total: number }[] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l))
    .map((l) => {
      const v = l.trim().split(/\s+/).slice(1).map(Number);
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
      const idle = (v[3] ?? 0) + (v[4] ?? 0);
      return { busy: total - idle, total };
    });
}

/** The executable name of a process (/proc/<pid>/comm), to prove we measure the server, not a wrapper. */
export function processName(pid: number): string {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}

/** One HTTP request on a fresh connection; resolves with the status (0 when the connection failed). */
export function httpStatus(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** What `postJson` got back: the parsed JSON (or the raw text when it is not JSON) and when. */
export interface PostAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** From sending the request to the end of the response, ms. */
  readonly ms: number;
}

/** POSTs a JSON body on a fresh connection. */
export function postJson(url: string, body: string): Promise<PostAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Left as text: the caller reports it.
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: parsed,
            ms: performance.now() - started,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface RunningServer {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last few KiB of the server's stdout and stderr, for error messages. */
  output(): string;
}

export interface SpawnSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** CPU list for `taskset -c`; taskset execs the command, so the pid stays the server's own. */
  readonly cpus?: string;
  /** Scheduling niceness via `nice -n` (negative needs root); nice also execs, keeping the pid. */
  readonly nice?: number;
}

/** Prefixes a command with `nice -n N` and `taskset -c CPUS` (both exec, so the pid is the command's). */
export function wrapCommand(
  command: string,
  args: readonly string[],
  options: { cpus?: string; nice?: number },
): [string, string[]] {
  let wrapped: [string, string[]] = [command, [...args]];
  if (options.cpus) wrapped = ['taskset', ['-c', options.cpus, wrapped[0], ...wrapped[1]]];
  if (options.nice !== undefined && options.nice !== 0) {
    wrapped = ['nice', ['-n', String(options.nice), wrapped[0], ...wrapped[1]]];
  }
  return wrapped;
}

export function spawnServer(spec: SpawnSpec): RunningServer {
  const [command, args] = wrapCommand(spec.command, spec.args, spec);
  const child = spawn(command, args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (child.pid === undefined) throw new Error(`could not spawn ${spec.command}`);
  return { child, pid: child.pid, output: () => tail };
}

/**
 * Polls `url` until it answers 200 and returns the milliseconds since `startedAt`. Fails when the process
 * exits first or `timeoutMs` passes. The poll interval bounds the error of the measurement.
 */
export async function waitFor200(
  server: RunningServer,
  url: string,
  startedAt: bigint,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 5;
  let exited = false;
  server.child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    const status = await httpStatus(url, 2000);
    const elapsedMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
    if (status === 200) return elapsedMs;
    if (exited || server.child.exitCode !== null) {
      throw new Error(
        `server exited (code ${server.child.exitCode}) before ${url} answered 200:\n${server.output()}`,
      );
    }
    if (elapsedMs > timeoutMs) throw new Error(`${url} not 200 after ${timeoutMs} ms:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
export function stopServer(server: RunningServer, graceMs = 10_000): Promise<number | null> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs this process at the servers' niceness (negative needs root; 0 leaves it). It drains their stdout (a log
 * line per request at info): at default niceness it starved beside wrk at -10 on the load core, the pipe
 * filled and the server blocked on its log writes (c16 plain predict p99 31 ms against 2.9 ms).
 */
export function niceAsServers(nice: number): void {
  if (nice !== 0) setPriority(nice);
}
