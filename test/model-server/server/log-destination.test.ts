import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { buildApp } from '../../../model-server/src/app';
import { Readiness } from '../../../model-server/src/core/readiness';
import { ModelRegistry } from '../../../model-server/src/core/registry';
import {
  ATOMIC_PIPE_WRITE_BYTES,
  BatchedLogDestination,
  LOG_FLUSH_INTERVAL_MS,
  sharedStdoutLogDestination,
} from '../../../model-server/src/lifecycle/log-destination';
import { ServerMetrics } from '../../../model-server/src/metrics/metrics';

const ROOT = join(__dirname, '..', '..', '..');
const DESTINATION_TS = join(ROOT, 'model-server', 'src', 'lifecycle', 'log-destination.ts');

/** A destination whose writes are recorded instead of reaching a file descriptor. */
function recorded(behaviour: (call: number, data: Buffer) => number | Error = (_, d) => d.length) {
  const writes: string[] = [];
  let calls = 0;
  const destination = new BatchedLogDestination(99, (fd, data) => {
    expect(fd).toBe(99);
    const outcome = behaviour(calls++, data);
    if (outcome instanceof Error) throw outcome;
    writes.push(data.subarray(0, outcome).toString('utf8'));
    return outcome;
  });
  return { destination, writes, calls: () => calls };
}

const line = (i: number, size = 200): string => `{"n":${i},"pad":"${'x'.repeat(size)}"}\n`;

describe('BatchedLogDestination', () => {
  it('holds lines until flushed, then writes them in one call, in order', () => {
    const { destination, writes } = recorded();
    for (let i = 0; i < 5; i++) destination.write(line(i));
    expect(writes).toEqual([]);
    destination.flushSync();
    expect(writes).toEqual([[0, 1, 2, 3, 4].map((i) => line(i)).join('')]);
    destination.flushSync();
    expect(writes).toHaveLength(1);
  });

  it('writes at most ATOMIC_PIPE_WRITE_BYTES of whole lines per call, so workers sharing a pipe never interleave mid-line', () => {
    const { destination, writes } = recorded();
    const sent = Array.from({ length: 200 }, (_, i) => line(i, 100 + (i % 7) * 40));
    for (const l of sent) destination.write(l);
    destination.flushSync();
    expect(writes.length).toBeGreaterThan(1);
    for (const w of writes) {
      expect(Buffer.byteLength(w)).toBeLessThanOrEqual(ATOMIC_PIPE_WRITE_BYTES);
      expect(w.endsWith('\n')).toBe(true);
    }
    // Full batches: a write goes out only when the next line would not fit.
    for (let i = 0; i + 1 < writes.length; i++) {
      const next = writes[i + 1]!.slice(0, writes[i + 1]!.indexOf('\n') + 1);
      expect(Buffer.byteLength(writes[i]!) + Buffer.byteLength(next)).toBeGreaterThan(
        ATOMIC_PIPE_WRITE_BYTES,
      );
    }
    expect(writes.join('')).toBe(sent.join(''));
  });

  it('counts bytes, not characters: multi-byte text still fits the atomic size', () => {
    const { destination, writes } = recorded();
    const wide = `{"msg":"${'é'.repeat(700)}"}\n`; // 1,400 bytes in 711 characters
    for (let i = 0; i < 6; i++) destination.write(wide);
    destination.flushSync();
    for (const w of writes) expect(Buffer.byteLength(w)).toBeLessThanOrEqual(ATOMIC_PIPE_WRITE_BYTES);
    expect(writes.join('')).toBe(wide.repeat(6));
  });

  it('writes a line longer than the atomic size on its own, whole', () => {
    const { destination, writes } = recorded();
    const long = line(1, ATOMIC_PIPE_WRITE_BYTES * 2);
    destination.write(line(0));
    destination.write(long);
    destination.write(line(2));
    destination.flushSync();
    expect(writes).toEqual([line(0), long, line(2)]);
  });

  it('finishes a partial write from where it stopped', () => {
    const { destination, writes } = recorded((call, data) => (call === 0 ? 10 : data.length));
    destination.write(line(0));
    destination.write(line(1));
    destination.flushSync();
    expect(writes.join('')).toBe(line(0) + line(1));
  });

  it('retries a write refused with EAGAIN (a full non-blocking pipe) until it goes through', () => {
    const eagain = Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
    const { destination, writes, calls } = recorded((call, data) => (call < 3 ? eagain : data.length));
    destination.write(line(0));
    destination.flushSync();
    expect(calls()).toBe(4);
    expect(writes).toEqual([line(0)]);
  });

  it('stops logging, without throwing, once the reader is gone (EPIPE)', () => {
    const epipe = Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
    const { destination, calls } = recorded(() => epipe);
    destination.write(line(0));
    expect(() => destination.flushSync()).not.toThrow();
    destination.write(line(1));
    destination.flushSync();
    expect(calls()).toBe(1);
  });

  it('passes on any other write error', () => {
    const eio = Object.assign(new Error('EIO'), { code: 'EIO' });
    const { destination } = recorded(() => eio);
    destination.write(line(0));
    expect(() => destination.flushSync()).toThrow('EIO');
  });
});

/** Runs a script against the real stdout destination in a child process; resolves with its stdout and when each chunk came. */
function runChild(
  script: string,
): Promise<{ stdout: string; chunks: number[]; exitedAt: number; code: number | null }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr.resume(); // the crash's stack trace
    let stdout = '';
    const chunks: number[] = [];
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      chunks.push(Date.now() - started);
    });
    child.on('close', (code) => resolve({ stdout, chunks, exitedAt: Date.now() - started, code }));
  });
}

describe('the stdout destination in a real process', () => {
  const load = `const { stdoutLogDestination } = require(${JSON.stringify(DESTINATION_TS)});`;

  it('writes what is pending when the process exits, by process.exit or by an uncaught exception', async () => {
    const exiting = await runChild(
      `${load} const d = stdoutLogDestination(); for (let i = 0; i < 3; i++) d.write('{"n":' + i + '}\\n'); process.exit(3);`,
    );
    expect(exiting.code).toBe(3);
    expect(exiting.stdout).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
    const crashing = await runChild(
      `${load} const d = stdoutLogDestination(); d.write('{"last":true}\\n'); setImmediate(() => { throw new Error('boom'); });`,
    );
    expect(crashing.code).toBe(1);
    expect(crashing.stdout).toBe('{"last":true}\n');
  });

  it('writes a lone line within LOG_FLUSH_INTERVAL_MS while the process keeps running', async () => {
    const idle = 1500;
    const run = await runChild(
      `${load} const d = stdoutLogDestination(); setTimeout(() => d.write('{"late":true}\\n'), 200); setTimeout(() => {}, ${idle});`,
    );
    expect(run.stdout).toBe('{"late":true}\n');
    // Written long before the process ended (not by the exit flush), about one interval after the write.
    expect(run.chunks[0]!).toBeLessThan(run.exitedAt - idle / 2);
    expect(run.exitedAt - run.chunks[0]!).toBeGreaterThan(idle - 200 - LOG_FLUSH_INTERVAL_MS * 3);
  });
});

describe('the server', () => {
  it('logs through the one batched stdout destination unless given a stream', async () => {
    const deps = () => ({
      registry: new ModelRegistry({}),
      readiness: new Readiness(),
      metrics: new ServerMetrics({ defaultMetrics: false }),
    });
    const apps = [buildApp(deps()), buildApp(deps())];
    try {
      for (const app of apps) {
        const stream = (app.log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
        expect(stream).toBeInstanceOf(BatchedLogDestination);
        expect(stream).toBe(sharedStdoutLogDestination());
      }
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }
  });
});
