import cluster from 'node:cluster';
import type { RunningServer, StartOptions } from '../lifecycle/server';
import {
  isMessage,
  type MetricsSnapshot,
  type PrimaryMessage,
  WORKER_REPLACEMENT_ENV,
  WORKER_SLOT_ENV,
  type WorkerMessage,
} from './messages';

/** Whether this process is a serving worker forked by the cluster primary. */
export function isClusterWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_SLOT_ENV] !== undefined;
}

function send(message: WorkerMessage): void {
  // The channel is gone once the primary exited; the 'disconnect' handler stops this worker then.
  if (process.connected) process.send?.(message, undefined, {}, () => undefined);
}

/**
 * How a worker starts: no metrics listener (the primary serves the sum); an initial worker listens at once
 * and, once its models passed their self-test, waits for the primary's `start` (sent when every initial
 * worker has loaded), so readiness is 200 only when all are; a replacement loads before it listens, so the
 * connections it is handed never meet a worker still loading.
 */
export function workerStartOptions(): Pick<
  StartOptions,
  'metricsListener' | 'listenAfterLoad' | 'beforeReady'
> {
  if (process.env[WORKER_REPLACEMENT_ENV] === '1') return { metricsListener: false, listenAfterLoad: true };
  return {
    metricsListener: false,
    beforeReady: () =>
      new Promise<void>((resolve) => {
        const onStart = (m: unknown) => {
          if (!isMessage<PrimaryMessage>(m) || m.type !== 'start') return;
          process.off('message', onStart);
          resolve();
        };
        process.on('message', onStart);
        send({ modelServer: true, type: 'loaded' });
      }),
  };
}

/**
 * Until the server exists (a replacement loads its models before it listens), a `shutdown` from the primary,
 * or the primary going away, ends this worker at once: nothing is in flight yet, and without this the message
 * is lost and the primary waits out its shutdown timeout before it kills the worker. Returns the function that
 * hands over to `attachToPrimary`.
 */
export function exitIfStoppedWhileStarting(): () => void {
  const onMessage = (m: unknown): void => {
    if (isMessage<PrimaryMessage>(m) && m.type === 'shutdown') process.exit(0);
  };
  const onDisconnect = (): void => process.exit(0);
  process.on('message', onMessage);
  process.on('disconnect', onDisconnect);
  return () => {
    process.off('message', onMessage);
    process.off('disconnect', onDisconnect);
  };
}

/**
 * Answers the primary: metrics snapshots on request, `shutdown` drains as SIGTERM does; and if the primary
 * goes away (killed), this worker drains and exits too rather than serve on unsupervised.
 */
export function attachToPrimary(server: RunningServer, stop: (reason: string) => void): void {
  process.on('message', (m: unknown) => {
    if (!isMessage<PrimaryMessage>(m)) return;
    if (m.type === 'collect') {
      server.metrics.registry.getMetricsAsJSON().then(
        (metrics) =>
          send({
            modelServer: true,
            type: 'metrics',
            id: m.id,
            metrics: metrics as unknown as MetricsSnapshot,
          }),
        () => send({ modelServer: true, type: 'metrics', id: m.id, metrics: [] }),
      );
    } else if (m.type === 'shutdown') stop('primary: shutdown');
  });
  process.on('disconnect', () => stop('primary gone'));
}

/** Tells the primary that readiness is 200 here. */
export function reportReady(): void {
  send({ modelServer: true, type: 'ready' });
}
