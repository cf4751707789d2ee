/**
 * When to restart a worker that died: 100 ms after the first crash, doubling on each crash that follows
 * quickly, at most 10 s; a worker that stayed up for `stableMs` counts as healthy again (back to 100 ms).
 */
export class RestartBackoff {
  private failures = 0;

  constructor(
    readonly initialMs = 100,
    readonly maxMs = 10_000,
    readonly stableMs = 30_000,
  ) {}

  /** The delay before the next restart, given how long the worker that just died had been up. */
  next(upMs: number): number {
    if (upMs >= this.stableMs) this.failures = 0;
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** this.failures);
    this.failures += 1;
    return delay;
  }
}
