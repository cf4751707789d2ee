import { writeSync } from 'node:fs';

/**
 * Linux's PIPE_BUF: a write of at most this many bytes to a pipe is atomic. A container's stdout is a pipe
 * that every cluster worker shares, so each write stays within it and holds whole lines only: two workers'
 * lines never interleave mid-line.
 */
export const ATOMIC_PIPE_WRITE_BYTES = 4096;

/** The longest a log line waits before it is written, when traffic is too light to fill a batch. */
export const LOG_FLUSH_INTERVAL_MS = 100;

/** How long to wait before retrying a write that a full non-blocking pipe refused (EAGAIN). */
const BUSY_RETRY_MS = 1;

/**
 * The server's log destination: lines to a file descriptor (stdout), written in batches. A write per line
 * (pino's default) made the request log at the info level cost a system call per request, about an eighth
 * of the server's CPU time under load. Here a batch is written once the next line would take it past
 * ATOMIC_PIPE_WRITE_BYTES, every LOG_FLUSH_INTERVAL_MS, and when the process exits (a crash logs, then
 * exits). Only a SIGKILL or a crash of the runtime itself loses what was pending: less than one batch, at
 * most that interval's lines. Writes stay synchronous and blocking, as pino's are: a thread-pool round trip
 * per write cost more than it saved, and a stalled reader slows the server instead of filling its memory.
 * (sonic-boom's own batching concatenates into one growing string and measures its byte length per line,
 * which cost as much as the system calls it saved.)
 */
export class BatchedLogDestination {
  private lines: string[] = [];
  private bytes = 0;
  private broken = false;

  constructor(
    private readonly fd: number,
    private readonly write_: (fd: number, data: Buffer) => number = writeSync,
  ) {}

  /** pino's stream interface: one serialised line, newline included. */
  write(line: string): boolean {
    if (this.broken) return true;
    const size = Buffer.byteLength(line);
    if (this.bytes + size > ATOMIC_PIPE_WRITE_BYTES) this.flushSync();
    this.lines.push(line);
    this.bytes += size;
    return true;
  }

  /** Writes what is pending, now. */
  flushSync(): void {
    if (this.lines.length === 0) return;
    const data = Buffer.from(this.lines.length === 1 ? this.lines[0]! : this.lines.join(''));
    this.lines = [];
    this.bytes = 0;
    let at = 0;
    while (at < data.length && !this.broken) {
      try {
        at += this.write_(this.fd, at === 0 ? data : data.subarray(at));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // The reader is gone: nothing will read the log again, and serving must go on (pino does the same).
        if (code === 'EPIPE') this.broken = true;
        else if (code === 'EAGAIN')
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BUSY_RETRY_MS);
        else throw e;
      }
    }
  }
}

/** A destination on `fd` that flushes every LOG_FLUSH_INTERVAL_MS and when the process exits. */
export function stdoutLogDestination(fd = 1): BatchedLogDestination {
  const destination = new BatchedLogDestination(fd);
  setInterval(() => destination.flushSync(), LOG_FLUSH_INTERVAL_MS).unref();
  process.on('exit', () => destination.flushSync());
  return destination;
}

let shared: BatchedLogDestination | undefined;

/** One stdout destination per process, however many apps it builds, so their lines keep their order. */
export function sharedStdoutLogDestination(): BatchedLogDestination {
  shared ??= stdoutLogDestination();
  return shared;
}
