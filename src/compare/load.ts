import type { Answer, PredictRequest, Transport } from './transports';

export interface LoadOptions {
  readonly transport: Transport;
  /** The seeded instances, sent one per request, in turn. */
  readonly instances: readonly Record<string, unknown>[];
  readonly explain: boolean;
  /** Requests in flight at once (closed loop: each worker sends the next when its answer came). */
  readonly concurrency: number;
  readonly durationMs: number;
  /** Called with every successful answer and the index of the instance it answers. */
  readonly onAnswer?: (answer: Answer, instanceIndex: number) => void;
  /** A progress line every `progressEveryMs` (default 5 s). */
  readonly onProgress?: (elapsedMs: number, requests: number, errors: number) => void;
  readonly progressEveryMs?: number;
  /**
   * The clock the run is timed by, in milliseconds (latencies, duration and progress all read it). Tests
   * pass a clock their transport advances, so a run's length and its progress lines do not depend on how
   * fast the machine is. @default performance.now
   */
  readonly now?: () => number;
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly elapsedMs: number;
  /** Latencies of the successful requests, sorted ascending. */
  readonly latenciesMs: Float64Array;
  /** Latency of the very first request (whatever its outcome). */
  readonly firstMs: number | undefined;
  readonly firstErrors: readonly string[];
}

/** The nearest-rank percentile of sorted values (NaN when there are none). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function mean(values: Float64Array): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Sends the instances round-robin from `concurrency` workers until `durationMs` has passed. A closed loop
 * (not the open loop of `bench/`): managed endpoints throttle, and a closed loop measures what a client at
 * this concurrency gets instead of building an unbounded backlog. The first request goes alone, so its
 * latency is the first request's (a cold start when the target just started).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const firstErrors: string[] = [];
  let requests = 0;
  let errors = 0;
  let next = 0;
  let firstMs: number | undefined;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const progressEvery = options.progressEveryMs ?? 5000;
  let nextProgress = progressEvery;

  const one = async (): Promise<void> => {
    const index = next++ % options.instances.length;
    const request: PredictRequest = { instances: [options.instances[index]!], explain: options.explain };
    const sent = now();
    const answer = await options.transport.send(request);
    const ms = now() - sent;
    requests++;
    firstMs ??= ms;
    if (answer.error !== undefined || !answer.predictions) {
      errors++;
      if (firstErrors.length < 5) firstErrors.push(answer.error ?? `HTTP ${answer.status}`);
    } else {
      latencies.push(ms);
      options.onAnswer?.(answer, index);
    }
    const elapsed = now() - started;
    if (options.onProgress && elapsed >= nextProgress) {
      nextProgress += progressEvery;
      options.onProgress(elapsed, requests, errors);
    }
  };

  await one();
  const worker = async () => {
    while (now() - started < options.durationMs) await one();
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests,
    errors,
    elapsedMs: now() - started,
    latenciesMs: sorted,
    firstMs,
    firstErrors,
  };
}
