import { ServingError } from '../../core/errors';
import type { Readiness } from '../../core/readiness';

/** Throws NOT_READY (503) unless every model is loaded, self-tested, and the server is not draining. */
export function assertReady(readiness: Readiness): void {
  if (readiness.isReady) return;
  throw new ServingError(
    'NOT_READY',
    readiness.isDraining ? 'the server is shutting down' : 'models are still loading',
  );
}
