/**
 * CPU cost of one request log line at the info level: pino's default destination (a synchronous write per
 * line) against the server's batched one (model-server/src/lifecycle/log-destination.ts), into a file and
 * into a pipe (a container's stdout), alternating, in one process.
 *
 *   npm run bench:log [-- --lines 50000 --rounds 7]
 *
 * The pipe case runs in a child process whose stdout is a pipe this one drains, as a container runtime
 * does. Prints the median CPU µs (user + system) per line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { BatchedLogDestination } from '../model-server/src/lifecycle/log-destination';
import { type FlagDocs, flagsHelp, parseFlags } from './harness/flags';

const FLAGS: FlagDocs = {
  lines: { type: 'string', value: 'N', default: '50000', help: 'log lines per round and destination' },
  rounds: { type: 'string', value: 'N', default: '7', help: 'alternating rounds (the median is printed)' },
  into: { type: 'string', value: 'file|pipe', help: 'one target only (used by the script itself)' },
};

/** A request line as the server writes it (route, status, model, timings), with the request's child logger. */
const REQUEST_LINE = {
  method: 'POST',
  url: '/v1/models/bankchurn:predict',
  route: '/v1/models/{model}:predict',
  status: 200,
  model: 'bankchurn',
  explain: false,
  instances: 1,
  timings: { decodeMs: 0.05, scoreMs: 0.01, totalMs: 0.08 },
};

function measure(fd: number, lines: number, rounds: number): { sync: number; batched: number } {
  const make = (batched: boolean) => {
    const destination = batched ? new BatchedLogDestination(fd) : pino.destination({ dest: fd, sync: true });
    const log = pino(
      { level: 'info', timestamp: () => `,"time":"${new Date().toISOString()}"` },
      destination as pino.DestinationStream,
    ).child({ reqId: '5f0c6a52-8a1b-4f0e-9d55-0d2c0f3b7e11' });
    return { log, flush: () => (destination as { flushSync(): void }).flushSync() };
  };
  const variants = { sync: make(false), batched: make(true) };
  const perLine: Record<'sync' | 'batched', number[]> = { sync: [], batched: [] };
  for (let r = 0; r < rounds; r++) {
    for (const key of ['sync', 'batched'] as const) {
      const { log, flush } = variants[key];
      const start = process.cpuUsage();
      for (let i = 0; i < lines; i++) log.info(REQUEST_LINE, 'request');
      flush();
      const used = process.cpuUsage(start);
      perLine[key].push((used.user + used.system) / lines);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return { sync: median(perLine.sync), batched: median(perLine.batched) };
}

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), FLAGS);
  if (values === undefined) {
    process.stdout.write(
      `${flagsHelp('npm run bench:log [-- flags]', 'CPU µs per request log line: synchronous vs batched.', FLAGS)}\n`,
    );
    return;
  }
  const lines = Number(values.lines ?? '50000');
  const rounds = Number(values.rounds ?? '7');
  if (!Number.isInteger(lines) || lines < 1)
    throw new Error(`--lines must be a positive integer, got '${values.lines}'`);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be a positive integer, got '${values.rounds}'`);
  if (values.into === 'pipe') {
    // Our stdout is the pipe; the figures go to stderr.
    const { sync, batched } = measure(1, lines, rounds);
    process.stderr.write(`${JSON.stringify({ sync, batched })}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-log-'));
  try {
    const file = measure(openSync(join(dir, 'log'), 'w'), lines, rounds);
    const pipe = await inChildWithPipedStdout(lines, rounds);
    const row = (name: string, r: { sync: number; batched: number }) =>
      `| ${name} | ${r.sync.toFixed(2)} | ${r.batched.toFixed(2)} | ${(r.sync / r.batched).toFixed(1)}× |`;
    process.stdout.write(
      [
        `Node ${process.version}, ${lines} lines × ${rounds} rounds, median CPU µs (user + system) per line`,
        '',
        '| stdout is | one write per line (pino default) | batched (the server) | ratio |',
        '| --- | --- | --- | --- |',
        row('a file', file),
        row('a pipe', pipe),
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** This script again, with its stdout a pipe that this process drains (as a container runtime does). */
function inChildWithPipedStdout(lines: number, rounds: number): Promise<{ sync: number; batched: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', __filename, '--into', 'pipe', '--lines', String(lines), '--rounds', String(rounds)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.resume();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the pipe run failed (${code}): ${stderr}`));
      else resolve(JSON.parse(stderr.trim().split('\n').pop()!));
    });
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:log: ${(e as Error).message}\n`);
  process.exit(1);
});
