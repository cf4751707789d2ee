import { performance } from 'node:perf_hooks';
import { isServingError, MAX_DETAILS, ProblemList, ServingError } from './errors';
import type { LoadedModel, Prediction, PredictOptions } from './types';

export interface ScorerOptions {
  /** Most instances in one request; more is a 400 BATCH_TOO_LARGE. */
  readonly maxBatchSize: number;
  /**
   * Longest stretch of scoring between two yields to the event loop, in milliseconds. Bounds how long a big
   * batch (with explanations) can keep health checks and new connections waiting.
   * @default 10
   */
  readonly sliceBudgetMs?: number;
  /** Called once per scored request with the time spent scoring (seconds) and whether it explained. */
  readonly onScored?: (model: string, seconds: number, explain: boolean) => void;
}

export interface ScoreResult {
  readonly predictions: Prediction[];
  /** Milliseconds spent in the model (validation, scoring and, when asked, explanations). */
  readonly scoreMs: number;
  /** How many slices the batch was scored in (1 = no yield). */
  readonly slices: number;
}

/** The first slice is small: its timing sizes the next ones. A batch this small is scored in one go. */
export const FIRST_SLICE = 8;

/** What tells the scorer that nobody waits for the answer any more (an AbortSignal fits; so does a flag). */
export interface Cancellation {
  readonly aborted: boolean;
}

/**
 * Hands out turns to run one slice, one turn per event-loop iteration, first come first served. A plain
 * `setImmediate` per request would let every in-flight request run a slice in the same check phase, so I/O
 * (health checks, new connections) would wait for one slice per request; here it waits for one slice at most.
 */
class SliceScheduler {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  /** Resolves when it is the caller's turn (after at least one pass through the poll phase). */
  nextTurn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    // The resumed slice runs as a microtask right after this callback; an immediate scheduled from here runs
    // only in the next loop iteration, after the poll phase.
    this.waiting.shift()?.();
    if (this.waiting.length > 0) this.schedule();
  };
}

/**
 * The protocol-agnostic prediction path: batch limit, scoring in time-bounded slices with a yield between them
 * (so `/ping` answers and connections are accepted while a long batch is scored), and timings.
 */
export class Scorer {
  private readonly budgetMs: number;
  private readonly scheduler = new SliceScheduler();

  constructor(private readonly options: ScorerOptions) {
    this.budgetMs = options.sliceBudgetMs ?? 10;
  }

  get maxBatchSize(): number {
    return this.options.maxBatchSize;
  }

  /**
   * Scores `instances` in slices. When `signal` aborts (the client went away), scoring stops before the next
   * slice with CLIENT_CLOSED: nobody is left to read the answer, and the CPU is for the requests that are.
   */
  score(
    model: LoadedModel,
    instances: readonly unknown[],
    options: PredictOptions,
    signal?: Cancellation,
  ): Promise<ScoreResult> {
    // A client already gone gets CLIENT_CLOSED whatever the batch size, as the sliced path answers it.
    if (instances.length > FIRST_SLICE || signal?.aborted) {
      return this.scoreSliced(model, instances, options, signal);
    }
    try {
      return Promise.resolve(this.scoreAtOnce(model, instances, options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Scores a batch of at most FIRST_SLICE instances synchronously: it fits in the first slice, so the sliced
   * path would not yield either, and this one costs no promise, no copy of the batch and no problem list.
   * The errors are the same (a single slice's INVALID_INPUT is the batch's).
   */
  scoreAtOnce(model: LoadedModel, instances: readonly unknown[], options: PredictOptions): ScoreResult {
    this.checkSize(instances.length);
    if (instances.length > FIRST_SLICE) {
      throw new RangeError(`scoreAtOnce takes at most ${FIRST_SLICE} instances, got ${instances.length}`);
    }
    const started = performance.now();
    const predictions = model.predict(instances, options);
    const scoreMs = performance.now() - started;
    this.options.onScored?.(model.name, scoreMs / 1000, options.explain);
    return { predictions, scoreMs, slices: 1 };
  }

  private checkSize(n: number): void {
    if (n === 0) {
      throw new ServingError('BAD_REQUEST', 'instances is empty; send at least one instance', [
        { path: 'instances', message: 'expected at least one instance' },
      ]);
    }
    if (n > this.options.maxBatchSize) {
      throw new ServingError(
        'BATCH_TOO_LARGE',
        `${n} instances in one request; the limit is ${this.options.maxBatchSize} (MAX_BATCH_SIZE)`,
        [{ path: 'instances', message: `expected at most ${this.options.maxBatchSize} instances, got ${n}` }],
      );
    }
  }

  private async scoreSliced(
    model: LoadedModel,
    instances: readonly unknown[],
    options: PredictOptions,
    signal?: Cancellation,
  ): Promise<ScoreResult> {
    const n = instances.length;
    this.checkSize(n);
    const started = performance.now();
    const predictions: Prediction[] = [];
    let next = 0;
    let size = FIRST_SLICE;
    let slices = 0;
    let invalid: ServingError | undefined;
    const problems = new ProblemList();
    while (next < n) {
      if (signal?.aborted) {
        throw new ServingError('CLIENT_CLOSED', `the client closed the connection; scored ${next} of ${n}`);
      }
      const end = Math.min(n, next + size);
      const sliceStarted = performance.now();
      try {
        // After the first invalid slice, later slices are only validated (no explanations) to list every problem.
        const scored = model.predict(instances.slice(next, end), invalid ? { explain: false } : options);
        // A loop, not push(...scored): spreading a large array overflows the stack.
        if (!invalid) for (const p of scored) predictions.push(p);
      } catch (e) {
        if (!isServingError(e) || e.code !== 'INVALID_INPUT') throw e;
        const shifted = shiftInstancePaths(e, next);
        invalid ??= shifted;
        problems.addAll(shifted);
        if (problems.items.length >= MAX_DETAILS) break;
      }
      slices += 1;
      const perInstance = (performance.now() - sliceStarted) / (end - next);
      next = end;
      if (next < n) {
        size = Math.max(1, Math.floor(this.budgetMs / Math.max(perInstance, 1e-6)));
        await this.scheduler.nextTurn();
      }
    }
    if (invalid) {
      const more =
        problems.total > invalid.detailsTotal ? ` (${problems.items.length} problems listed in details)` : '';
      throw new ServingError('INVALID_INPUT', invalid.message + more, problems.items, problems.total);
    }
    const scoreMs = performance.now() - started;
    this.options.onScored?.(model.name, scoreMs / 1000, options.explain);
    return { predictions, scoreMs, slices };
  }
}

/** A slice's error names `instances[i]` within the slice: shift to the index within the request. */
function shiftInstancePaths(e: ServingError, offset: number): ServingError {
  if (offset === 0) return e;
  const shift = (s: string) =>
    s.replace(/instances\[(\d+)\]/g, (_, i: string) => `instances[${Number(i) + offset}]`);
  return new ServingError(
    e.code,
    shift(e.message),
    e.details.map((d) => ({ path: shift(d.path), message: d.message })),
    e.detailsTotal,
  );
}
