import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Readiness } from '../core/readiness';
import { closeMetricsListener } from '../metrics/listener';

export interface ShutdownOptions {
  readonly app: FastifyInstance;
  readonly metricsServer?: Server;
  readonly readiness: Readiness;
  /** Not-ready time before the listener closes, so load balancers stop routing here first. */
  readonly delayMs: number;
  /** From the signal to giving up on in-flight requests (Kubernetes and SageMaker kill at 30 s). */
  readonly timeoutMs: number;
}

/** `drained`: every in-flight request finished; `forced`: the timeout cut the remaining connections. */
export type ShutdownResult = 'drained' | 'forced';

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    // unref: a pending delay must never be what keeps the process alive.
    setTimeout(resolve, ms).unref();
  });

/**
 * SIGTERM: readiness goes 503 at once and responses carry `Connection: close`; after the delay the listener
 * stops accepting, idle keep-alive connections are closed, in-flight requests finish; then the metrics
 * listener closes. Past the timeout the remaining connections are cut.
 */
export async function gracefulShutdown(options: ShutdownOptions): Promise<ShutdownResult> {
  const { app, readiness } = options;
  readiness.startDraining();
  app.log.info(
    { delayMs: options.delayMs, timeoutMs: options.timeoutMs },
    'shutting down: not ready, draining',
  );
  const started = Date.now();
  await sleep(options.delayMs);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ShutdownResult>((resolve) => {
    timer = setTimeout(() => resolve('forced'), Math.max(0, options.timeoutMs - (Date.now() - started)));
    timer.unref();
  });
  const close = (async (): Promise<ShutdownResult> => {
    await app.close();
    if (options.metricsServer) await closeMetricsListener(options.metricsServer);
    return 'drained';
  })();
  const result = await Promise.race([close, deadline]);
  clearTimeout(timer);
  if (result === 'forced') {
    app.server.closeAllConnections();
    options.metricsServer?.closeAllConnections();
    app.log.warn('shutdown timeout: closed the connections still open');
  } else {
    app.log.info({ tookMs: Date.now() - started }, 'shut down: every request finished');
  }
  return result;
}
