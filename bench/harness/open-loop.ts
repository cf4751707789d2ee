import { Agent, request } from 'node:http';

/** Latency and outcome counts of the requests that completed inside one sampling window. */
export interface WindowStats {
  readonly completed: number;
  readonly errors: number;
  /** Responses with a status other than 200. */
  readonly non200: number;
  /**
   * Requests that came due but waited longer than `maxQueueMs` for a free connection and were never sent:
   * the server fell behind the schedule by that much.
   */
  readonly dropped: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface OpenLoopOptions {
  readonly url: string;
  readonly bodies: readonly string[];
  readonly ratePerSecond: number;
  /** Most requests in flight (one per keep-alive connection); due requests beyond wait in a queue. @default 64 */
  readonly connections?: number;
  /** A due request still unsent after this long is dropped and counted, so the backlog stays bounded. @default 10000 */
  readonly maxQueueMs?: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * An open-loop load generator: requests come due on a fixed schedule whatever the server's speed, and each
 * latency is measured from the request's scheduled time, so a stalled server shows up as latency (no
 * coordinated omission). At most `connections` requests are in flight over keep-alive `node:http`
 * connections; due requests wait in this generator's own FIFO (not the Agent's, whose queue costs O(n) per
 * request once long), and those that wait longer than `maxQueueMs` are dropped and counted.
 */
export class OpenLoopGenerator {
  private readonly agent: Agent;
  private readonly options: OpenLoopOptions;
  private readonly target: URL;
  private readonly maxInFlight: number;
  private readonly maxQueueNs: bigint;
  private timer?: NodeJS.Timeout;
  private startNs = 0n;
  private scheduled = 0;
  private inFlight = 0;
  /** Scheduled times (ns) of due requests not yet sent; `queue[head]` is the oldest. */
  private queue: bigint[] = [];
  private head = 0;
  private latencies: number[] = [];
  private errors = 0;
  private non200 = 0;
  private dropped = 0;
  private next = 0;

  constructor(options: OpenLoopOptions) {
    this.options = options;
    this.target = new URL(options.url);
    this.maxInFlight = options.connections ?? 64;
    this.maxQueueNs = BigInt(Math.round((options.maxQueueMs ?? 10_000) * 1e6));
    this.agent = new Agent({ keepAlive: true, maxSockets: this.maxInFlight });
  }

  start(): void {
    this.startNs = process.hrtime.bigint();
    // A 1 ms tick queues every request that has come due since the last one.
    this.timer = setInterval(() => this.tick(), 1);
  }

  private tick(): void {
    const now = process.hrtime.bigint();
    const due = Math.floor((Number(now - this.startNs) / 1e9) * this.options.ratePerSecond);
    const intervalNs = 1e9 / this.options.ratePerSecond;
    while (this.scheduled < due) {
      this.queue.push(this.startNs + BigInt(Math.round(this.scheduled * intervalNs)));
      this.scheduled++;
    }
    this.pump(now);
  }

  /** Sends queued requests while connections are free; drops those that waited too long. */
  private pump(now = process.hrtime.bigint()): void {
    while (this.head < this.queue.length && now - this.queue[this.head]! > this.maxQueueNs) {
      this.head++;
      this.dropped++;
    }
    while (this.inFlight < this.maxInFlight && this.head < this.queue.length) {
      this.send(this.queue[this.head++]!);
    }
    // Compact now and then, so the array does not grow with the whole run.
    if (this.head > 65_536 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private send(scheduledNs: bigint): void {
    const body = this.options.bodies[this.next++ % this.options.bodies.length]!;
    this.inFlight++;
    let finished = false;
    const done = (ok: boolean, status: number) => {
      if (finished) return;
      finished = true;
      this.inFlight--;
      if (!ok) this.errors++;
      else {
        if (status !== 200) this.non200++;
        this.latencies.push(Number(process.hrtime.bigint() - scheduledNs) / 1e6);
      }
      if (this.timer) this.pump();
    };
    const req = request(
      {
        host: this.target.hostname,
        port: this.target.port,
        path: this.target.pathname,
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(true, res.statusCode ?? 0));
        res.on('error', () => done(false, 0));
      },
    );
    req.on('error', () => done(false, 0));
    req.end(body);
  }

  /** Returns and resets the statistics of the requests completed since the last call. */
  takeWindow(): WindowStats {
    const sorted = Float64Array.from(this.latencies).sort();
    const stats = {
      completed: sorted.length,
      errors: this.errors,
      non200: this.non200,
      dropped: this.dropped,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    };
    this.latencies = [];
    this.errors = 0;
    this.non200 = 0;
    this.dropped = 0;
    return stats;
  }

  /** Requests due but not yet answered: in flight plus waiting for a connection. */
  get pending(): number {
    return this.inFlight + (this.queue.length - this.head);
  }

  /** Stops issuing, waits up to `drainMs` for in-flight requests, then closes the connections. */
  async stop(drainMs = 10_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + drainMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.agent.destroy();
  }
}
