import type { ChildProcess } from 'node:child_process';
import { type Agent, request } from 'node:http';
import { sleep } from '../../../bench/harness/process';
import { LOG_FLUSH_INTERVAL_MS } from '../../../model-server/src/lifecycle/log-destination';

/** Every JSON log line a spawned server writes to stdout, parsed, in order (the harness keeps only a tail). */
export function collectLogLines(child: ChildProcess): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        // Not a log line (none expected): ignored.
      }
    }
  });
  return lines;
}

/** The pids of the workers the cluster primary logged as started, by slot (a restarted slot: the latest). */
export function workerPids(lines: readonly Record<string, unknown>[]): Map<number, number> {
  const bySlot = new Map<number, number>();
  for (const l of lines) {
    if (l.role === 'primary' && (l.msg === 'worker started' || l.msg === 'worker restarted'))
      bySlot.set(l.worker as number, l.workerPid as number);
  }
  return bySlot;
}

/** How many request log lines (status 200) each pid wrote. */
export function requestsByPid(lines: readonly Record<string, unknown>[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const l of lines) {
    if (l.msg === 'request' && l.status === 200)
      counts.set(l.pid as number, (counts.get(l.pid as number) ?? 0) + 1);
  }
  return counts;
}

/**
 * requestsByPid once `done` holds for it: a server writes its request lines in batches, within
 * LOG_FLUSH_INTERVAL_MS of each request. Bounded: past the wait it returns what arrived, for the caller's
 * assertions to report.
 */
export async function requestsByPidOnce(
  lines: readonly Record<string, unknown>[],
  done: (byPid: Map<number, number>) => boolean,
): Promise<Map<number, number>> {
  const deadline = Date.now() + 10 * LOG_FLUSH_INTERVAL_MS + 2000;
  let byPid = requestsByPid(lines);
  while (!done(byPid) && Date.now() < deadline) {
    await sleep(20);
    byPid = requestsByPid(lines);
  }
  return byPid;
}

export interface Answer {
  readonly status?: number;
  readonly connection?: string;
  readonly error?: string;
}

/**
 * Answers after at most `timeoutMs` (error `TIMEOUT`), as any load balancer or client gives up: node:cluster's
 * primary keeps a connection it handed to a worker that died before taking it, unanswered and open.
 */
export function post(agent: Agent, url: string, body: string, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.setTimeout(timeoutMs, () => {
      resolve({ error: 'TIMEOUT' });
      req.destroy();
    });
    req.end(body);
  });
}

/** GET a URL's body on a fresh connection. */
export function getText(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `name{labels}` → value, from a Prometheus text exposition. */
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

export function count(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
