/**
 * The messages between the cluster primary and its workers (over the IPC channel `node:cluster` opens).
 * Every message carries `modelServer: true`, so cluster's own internal messages are never mistaken for ours.
 */

/** One metric as `Registry.getMetricsAsJSON()` gives it (prom-client does not export this type). */
export interface SnapshotMetric {
  readonly name: string;
  readonly help: string;
  /** 'counter' | 'gauge' | 'histogram' | 'summary' */
  readonly type: string;
  /** How prom-client's AggregatorRegistry combines it across processes: 'sum', 'first', 'omit', … */
  readonly aggregator: string;
  readonly values: readonly SnapshotValue[];
}

export interface SnapshotValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  /** Histograms: `<name>_bucket` (with an `le` label), `<name>_sum`, `<name>_count`. */
  readonly metricName?: string;
}

/** Every metric of one worker's registry. */
export type MetricsSnapshot = readonly SnapshotMetric[];

export type WorkerMessage =
  /** Models loaded and self-tested; the worker waits for `start` before it reports ready. */
  | { readonly modelServer: true; readonly type: 'loaded' }
  /** Readiness is 200 in this worker. */
  | { readonly modelServer: true; readonly type: 'ready' }
  | {
      readonly modelServer: true;
      readonly type: 'metrics';
      readonly id: number;
      readonly metrics: MetricsSnapshot;
    };

export type PrimaryMessage =
  /** Every initial worker has loaded: report ready. */
  | { readonly modelServer: true; readonly type: 'start' }
  | { readonly modelServer: true; readonly type: 'collect'; readonly id: number }
  /** Drain and exit, as on SIGTERM. */
  | { readonly modelServer: true; readonly type: 'shutdown' };

/** Environment the primary gives each worker it forks. */
export const WORKER_SLOT_ENV = 'MODEL_SERVER_WORKER_SLOT';
/** Set on a worker forked to replace one that died: it loads before listening and needs no `start`. */
export const WORKER_REPLACEMENT_ENV = 'MODEL_SERVER_WORKER_REPLACEMENT';

export function isMessage<T extends { type: string }>(value: unknown): value is T {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { modelServer?: unknown }).modelServer === true &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}
