/**
 * Caps the predictions in flight. Scoring is CPU-bound on a small machine: past a point, accepting more work
 * only makes every request slower, so the excess is turned away at once (503 + Retry-After) and the client or
 * load balancer retries elsewhere.
 */
export class InFlightLimiter {
  private inFlight = 0;

  /** @param max most predictions in flight at once (>= 1). */
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be an integer >= 1, got ${max}`);
  }

  get current(): number {
    return this.inFlight;
  }

  /** Takes a slot; returns a release function that is safe to call more than once, or undefined when full. */
  tryAcquire(): (() => void) | undefined {
    if (this.inFlight >= this.max) return undefined;
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
    };
  }
}
