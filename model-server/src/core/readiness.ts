/**
 * Whether the server takes predictions: `starting` until every model is loaded and self-tested, `ready`
 * after, `draining` from SIGTERM on (so load balancers stop sending before the listener closes).
 */
export type ReadinessState = 'starting' | 'ready' | 'draining';

export class Readiness {
  private current: ReadinessState = 'starting';

  get state(): ReadinessState {
    return this.current;
  }

  get isReady(): boolean {
    return this.current === 'ready';
  }

  get isDraining(): boolean {
    return this.current === 'draining';
  }

  markReady(): void {
    // Draining is final: a late model load must not make a stopping server ready again.
    if (this.current === 'starting') this.current = 'ready';
  }

  startDraining(): void {
    this.current = 'draining';
  }
}
