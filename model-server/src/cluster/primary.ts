import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { ServerConfig } from '../config';
import { closeMetricsListener, startMetricsListener } from '../metrics/listener';
import { ClusterMetrics } from './aggregate';
import { RestartBackoff } from './backoff';
import { type PrimaryLog, primaryLog } from './log';
import {
  isMessage,
  type PrimaryMessage,
  WORKER_REPLACEMENT_ENV,
  WORKER_SLOT_ENV,
  type WorkerMessage,
} from './messages';

export interface PrimaryOptions {
  /** @default JSON lines on stdout at LOG_LEVEL */
  readonly log?: PrimaryLog;
  /** A worker that has not answered a metrics collection by then is shown with its previous answer. @default 2000 */
  readonly collectTimeoutMs?: number;
}

interface Slot {
  readonly index: number;
  readonly backoff: RestartBackoff;
  worker?: Worker;
  startedAt: number;
  readyAt?: number;
  restartTimer?: NodeJS.Timeout;
}

type Phase = 'starting' | 'running' | 'stopping';

/**
 * The cluster primary (`WORKERS` > 1): forks the workers, which share the serving port (node:cluster hands
 * each accepted connection to one worker in turn), serves `/metrics` on METRICS_PORT as the sum over
 * workers, restarts a worker that dies (with backoff), and on SIGTERM/SIGINT has every worker drain as a
 * single server does, exiting once all have. It never serves predictions itself.
 *
 * Exit codes as a single server's: 0 every worker drained; 1 a worker could not load its models at start (or
 * was cut at the shutdown timeout); 2 a configuration error found while loading (the worker's own code).
 */
export async function runPrimary(config: ServerConfig, options: PrimaryOptions = {}): Promise<void> {
  const log = options.log ?? primaryLog(config.logLevel);
  const collectTimeoutMs = options.collectTimeoutMs ?? 2000;
  const n = config.workers;
  const metrics = new ClusterMetrics(n);
  const slots: Slot[] = Array.from({ length: n }, (_, index) => ({
    index,
    backoff: new RestartBackoff(),
    startedAt: 0,
  }));
  let phase: Phase = 'starting';
  const loaded = new Set<number>();
  let exitCode = 0;

  // Collections: each asks every live worker for its registry and waits for the answers (or the timeout).
  let collectionId = 0;
  const pending = new Map<string, () => void>();
  const collect = async (): Promise<void> => {
    const id = ++collectionId;
    await Promise.all(
      slots.map((slot) => {
        const worker = slot.worker;
        if (!worker?.isConnected()) return undefined;
        return new Promise<void>((resolve) => {
          const key = `${worker.id}:${id}`;
          const timer = setTimeout(() => done(), collectTimeoutMs);
          const done = () => {
            clearTimeout(timer);
            pending.delete(key);
            resolve();
          };
          pending.set(key, done);
          sendTo(worker, { modelServer: true, type: 'collect', id });
        });
      }),
    );
  };

  let metricsServer: Server;
  try {
    metricsServer = await startMetricsListener({
      metrics: {
        contentType: metrics.contentType,
        render: async () => {
          await collect();
          return metrics.render();
        },
      },
      host: config.host,
      port: config.metricsPort,
    });
  } catch (e) {
    log.fatal(
      {},
      `cannot start: cannot listen on METRICS_PORT=${config.metricsPort}: ${(e as Error).message}`,
    );
    process.exit(1);
  }

  const live = (): Worker[] => slots.flatMap((s) => (s.worker ? [s.worker] : []));

  const finish = (): void => {
    if (live().length > 0) return;
    closeMetricsListener(metricsServer).then(() => {
      log.info({ exitCode }, exitCode === 0 ? 'every worker drained: exiting' : 'workers stopped: exiting');
      process.exit(exitCode);
    });
  };

  const stopAll = (reason: string): void => {
    phase = 'stopping';
    for (const slot of slots) clearTimeout(slot.restartTimer);
    log.info({ reason, workers: live().length }, 'stopping: every worker drains');
    for (const worker of live()) sendTo(worker, { modelServer: true, type: 'shutdown' });
    // A worker stuck past its own shutdown timeout is cut, so the primary never outlives the platform's grace.
    setTimeout(() => {
      for (const worker of live()) worker.process.kill('SIGKILL');
      exitCode = 1;
    }, config.shutdownTimeoutMs + 2000).unref();
    finish();
  };

  const onMessage = (slot: Slot, worker: Worker, m: unknown): void => {
    if (!isMessage<WorkerMessage>(m)) return;
    if (m.type === 'metrics') {
      metrics.update(slot.index, worker.id, m.metrics);
      pending.get(`${worker.id}:${m.id}`)?.();
    } else if (m.type === 'loaded') {
      loaded.add(slot.index);
      if (phase === 'starting' && loaded.size === n) {
        phase = 'running';
        log.info({ workers: n }, 'every worker loaded and self-tested its models: ready');
        for (const w of live()) sendTo(w, { modelServer: true, type: 'start' });
      }
    } else if (m.type === 'ready') {
      slot.readyAt = Date.now();
      metrics.setUp(slot.index, true);
    }
  };

  const onExit = (slot: Slot, worker: Worker, code: number | null, signal: string | null): void => {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    metrics.workerDied(slot.index, worker.id);
    for (const [key, done] of pending) if (key.startsWith(`${worker.id}:`)) done();
    const fields = { worker: slot.index, workerPid: worker.process.pid, code, signal };
    if (phase === 'stopping') {
      if (code !== 0) exitCode = exitCode || 1;
      log.info(fields, 'worker exited');
      finish();
      return;
    }
    if (phase === 'starting') {
      // A worker that cannot load at start would fail the same way on every restart: stop, as one server would.
      exitCode = code === 2 ? 2 : 1;
      log.fatal(fields, 'worker failed before it was ready: stopping the others');
      stopAll('a worker failed at start');
      return;
    }
    const upMs = slot.readyAt === undefined ? 0 : Date.now() - slot.readyAt;
    const delayMs = slot.backoff.next(upMs);
    log.error(
      { ...fields, upMs, restartInMs: delayMs },
      'worker died: restarting it; the others keep serving',
    );
    slot.restartTimer = setTimeout(() => fork(slot, true), delayMs);
  };

  const fork = (slot: Slot, replacement: boolean): void => {
    const worker = cluster.fork({
      [WORKER_SLOT_ENV]: String(slot.index),
      ...(replacement ? { [WORKER_REPLACEMENT_ENV]: '1' } : {}),
    });
    slot.worker = worker;
    slot.startedAt = Date.now();
    slot.readyAt = undefined;
    metrics.workerStarted(slot.index, worker.id, replacement);
    log.info(
      { worker: slot.index, workerPid: worker.process.pid, replacement },
      replacement ? 'worker restarted' : 'worker started',
    );
    worker.on('message', (m: unknown) => onMessage(slot, worker, m));
    worker.on('exit', (code, signal) => onExit(slot, worker, code, signal));
    // An IPC write to a worker that just died: its 'exit' handles it.
    worker.on('error', () => undefined);
  };

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      log.warn({ signal }, 'second signal: workers exit now');
      for (const worker of live()) worker.process.kill('SIGTERM');
      process.exit(1);
    }
    signalled = true;
    log.info({ signal }, 'signal received');
    stopAll(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // As in a single server: nothing to reload (a terminal's hangup reaches the workers too; they ignore it).
  process.on('SIGHUP', () => {
    log.warn({ signal: 'SIGHUP' }, 'SIGHUP ignored: nothing to reload; send SIGTERM to stop');
  });

  log.info(
    {
      workers: n,
      from: config.workersFrom.setting,
      ...(config.workersFrom.budget ?? {}),
      metricsPort: config.metricsPort,
    },
    `starting ${n} workers`,
  );
  for (const slot of slots) fork(slot, false);
}

function sendTo(worker: Worker, message: PrimaryMessage): void {
  if (!worker.isConnected()) return;
  try {
    worker.send(message, undefined, () => undefined);
  } catch {
    // The channel closed under us: the worker is exiting, and its 'exit' event follows.
  }
}
