import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import type { MetricsSource } from '../metrics/listener';
import type { MetricsSnapshot, SnapshotMetric, SnapshotValue } from './messages';

/** Metrics that only ever grow: a worker's last values are kept when it dies, so the totals never drop. */
const MONOTONIC_TYPES = new Set(['counter', 'histogram']);

const seriesKey = (metric: string, v: SnapshotValue): string =>
  `${metric}\u0000${v.metricName ?? ''}\u0000${JSON.stringify(
    Object.entries(v.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  )}`;

/**
 * Adds the counters and histograms (buckets, sum, count) of several snapshots series by series; gauges and
 * summaries are left out (a dead process's gauges describe nothing that exists any more).
 */
export function sumMonotonic(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const metrics = new Map<string, { metric: SnapshotMetric; series: Map<string, SnapshotValue> }>();
  for (const snapshot of snapshots) {
    for (const metric of snapshot) {
      if (!MONOTONIC_TYPES.has(metric.type)) continue;
      let entry = metrics.get(metric.name);
      if (!entry) {
        entry = { metric, series: new Map() };
        metrics.set(metric.name, entry);
      }
      for (const v of metric.values) {
        const key = seriesKey(metric.name, v);
        const prior = entry.series.get(key);
        entry.series.set(key, { ...v, value: (prior?.value ?? 0) + v.value });
      }
    }
  }
  return [...metrics.values()].map(({ metric, series }) => ({
    name: metric.name,
    help: metric.help,
    type: metric.type,
    aggregator: metric.aggregator,
    values: [...series.values()],
  }));
}

/**
 * The metrics of a cluster of workers, as one process would report them: each series summed over the live
 * workers (prom-client's AggregatorRegistry, with each metric's own aggregator: counters and histograms are
 * summed, a few process gauges take the first, min or max), plus, per worker slot, the counters and histograms
 * its dead predecessors had last reported. A replacement starts at 0; without that offset the total would drop
 * when a worker is replaced and Prometheus would read a counter reset.
 *
 * What a dead worker counted after its last report is lost with it (as in a one-process server that
 * crashes); what was reported once is never taken back, so every total is monotonic.
 *
 * Also its own per-slot series: `model_server_worker_up{worker}` and `model_server_worker_restarts_total{worker}`.
 */
export class ClusterMetrics implements MetricsSource {
  private readonly own = new Registry();
  /** The last snapshot of the worker now in each slot (by slot). */
  private readonly latest = new Map<number, { workerId: number; snapshot: MetricsSnapshot }>();
  /** What the dead workers of each slot had last reported (counters and histograms only). */
  private readonly retained = new Map<number, MetricsSnapshot>();
  private readonly up = new Gauge({
    name: 'model_server_worker_up',
    help: 'Whether the worker in this slot is serving (1) or being replaced (0)',
    labelNames: ['worker'],
    registers: [this.own],
  });
  private readonly restarts = new Counter({
    name: 'model_server_worker_restarts_total',
    help: 'Workers started in this slot to replace one that died',
    labelNames: ['worker'],
    registers: [this.own],
  });

  constructor(readonly slots: number) {
    for (let slot = 0; slot < slots; slot++) {
      this.up.set({ worker: String(slot) }, 0);
      this.restarts.inc({ worker: String(slot) }, 0);
    }
  }

  get contentType(): string {
    return this.own.contentType;
  }

  /** A worker now occupies the slot (its snapshots are taken from now on). */
  workerStarted(slot: number, workerId: number, replacement: boolean): void {
    this.latest.set(slot, { workerId, snapshot: [] });
    if (replacement) this.restarts.inc({ worker: String(slot) });
  }

  setUp(slot: number, up: boolean): void {
    this.up.set({ worker: String(slot) }, up ? 1 : 0);
  }

  /** A worker answered a collection. Ignored when it no longer occupies the slot. */
  update(slot: number, workerId: number, snapshot: MetricsSnapshot): void {
    if (this.latest.get(slot)?.workerId !== workerId) return;
    this.latest.set(slot, { workerId, snapshot });
  }

  /** The worker in the slot died: its last counters and histograms join the slot's retained offset. */
  workerDied(slot: number, workerId: number): void {
    const current = this.latest.get(slot);
    this.setUp(slot, false);
    if (current?.workerId !== workerId) return;
    this.latest.delete(slot);
    this.retained.set(slot, sumMonotonic([this.retained.get(slot) ?? [], current.snapshot]));
  }

  /** The aggregated snapshot (what `render` prints), for tests. */
  combined(): Registry {
    const parts: MetricsSnapshot[] = [
      ...[...this.latest.values()].map((l) => l.snapshot),
      ...this.retained.values(),
    ];
    return AggregatorRegistry.aggregate(parts as unknown as object[]);
  }

  async render(): Promise<string> {
    return Registry.merge([this.combined(), this.own]).metrics();
  }
}
