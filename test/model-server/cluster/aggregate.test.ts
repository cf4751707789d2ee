import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ClusterMetrics, sumMonotonic } from '../../../model-server/src/cluster/aggregate';
import { RestartBackoff } from '../../../model-server/src/cluster/backoff';
import type { MetricsSnapshot } from '../../../model-server/src/cluster/messages';

/** One worker's registry, shaped as the server's: a labelled counter, a histogram and a gauge. */
function workerRegistry() {
  const registry = new Registry();
  const requests = new Counter({
    name: 'm_requests_total',
    help: 'requests',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'm_latency_seconds',
    help: 'latency',
    buckets: [0.01, 0.1],
    registers: [registry],
  });
  const memory = new Gauge({ name: 'm_memory_bytes', help: 'memory', registers: [registry] });
  const snapshot = async (): Promise<MetricsSnapshot> =>
    JSON.parse(JSON.stringify(await registry.getMetricsAsJSON())) as MetricsSnapshot;
  return { requests, latency, memory, snapshot };
}

/** `name{labels} value` lines of the exposition, without comments. */
async function series(metrics: ClusterMetrics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await metrics.render()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return out;
}

describe('ClusterMetrics', () => {
  test('sums counters and histograms of the live workers exactly, series by series', async () => {
    const a = workerRegistry();
    const b = workerRegistry();
    a.requests.inc({ route: 'p', status: '200' }, 3);
    b.requests.inc({ route: 'p', status: '200' }, 4);
    b.requests.inc({ route: 'p', status: '400' }, 1);
    a.latency.observe(0.005);
    b.latency.observe(0.05);
    b.latency.observe(5);
    a.memory.set(100);
    b.memory.set(50);
    const metrics = new ClusterMetrics(2);
    metrics.workerStarted(0, 1, false);
    metrics.workerStarted(1, 2, false);
    metrics.update(0, 1, await a.snapshot());
    metrics.update(1, 2, await b.snapshot());
    const s = await series(metrics);
    expect(s['m_requests_total{route="p",status="200"}']).toBe(7);
    expect(s['m_requests_total{route="p",status="400"}']).toBe(1);
    expect(s['m_latency_seconds_bucket{le="0.01"}']).toBe(1);
    expect(s['m_latency_seconds_bucket{le="0.1"}']).toBe(2);
    expect(s['m_latency_seconds_bucket{le="+Inf"}']).toBe(3);
    expect(s.m_latency_seconds_count).toBe(3);
    expect(s.m_latency_seconds_sum).toBeCloseTo(5.055, 12);
    // Gauges use their own aggregator (sum by default): the memory of both processes.
    expect(s.m_memory_bytes).toBe(150);
  });

  test('a replaced worker does not make a total drop: its last report stays in the sum', async () => {
    const a = workerRegistry();
    const b = workerRegistry();
    const metrics = new ClusterMetrics(2);
    metrics.workerStarted(0, 1, false);
    metrics.workerStarted(1, 2, false);
    metrics.setUp(0, true);
    metrics.setUp(1, true);
    a.requests.inc({ route: 'p', status: '200' }, 10);
    a.latency.observe(0.05);
    a.memory.set(100);
    b.requests.inc({ route: 'p', status: '200' }, 5);
    metrics.update(0, 1, await a.snapshot());
    metrics.update(1, 2, await b.snapshot());
    const before = await series(metrics);
    expect(before['m_requests_total{route="p",status="200"}']).toBe(15);

    // Worker 1 (slot 0) dies; a late answer from it changes nothing; its replacement (worker 3) starts at 0.
    metrics.workerDied(0, 1);
    metrics.update(0, 1, await a.snapshot());
    const during = await series(metrics);
    expect(during['m_requests_total{route="p",status="200"}']).toBe(15);
    expect(during.m_latency_seconds_count).toBe(1);
    expect(during['model_server_worker_up{worker="0"}']).toBe(0);
    // A dead worker's gauges describe nothing that exists any more: dropped.
    expect(during.m_memory_bytes).toBe(0);

    const c = workerRegistry();
    metrics.workerStarted(0, 3, true);
    metrics.update(0, 3, await c.snapshot());
    expect((await series(metrics))['m_requests_total{route="p",status="200"}']).toBe(15);
    c.requests.inc({ route: 'p', status: '200' }, 2);
    c.latency.observe(0.005);
    metrics.update(0, 3, await c.snapshot());
    metrics.setUp(0, true);
    const after = await series(metrics);
    expect(after['m_requests_total{route="p",status="200"}']).toBe(17);
    expect(after.m_latency_seconds_count).toBe(2);
    expect(after['m_latency_seconds_bucket{le="0.01"}']).toBe(1);
    expect(after['model_server_worker_restarts_total{worker="0"}']).toBe(1);
    expect(after['model_server_worker_restarts_total{worker="1"}']).toBe(0);
    expect(after['model_server_worker_up{worker="0"}']).toBe(1);

    // A second death of the same slot adds to what the first left.
    metrics.workerDied(0, 3);
    expect((await series(metrics))['m_requests_total{route="p",status="200"}']).toBe(17);
  });

  test('sumMonotonic adds counters and histograms and leaves gauges out', async () => {
    const a = workerRegistry();
    a.requests.inc({ route: 'p', status: '200' }, 2);
    a.memory.set(9);
    const snap = await a.snapshot();
    const sum = sumMonotonic([snap, snap]);
    expect(sum.map((m) => m.name).sort()).toEqual(['m_latency_seconds', 'm_requests_total']);
    expect(sum.find((m) => m.name === 'm_requests_total')?.values).toEqual([
      { value: 4, labels: { route: 'p', status: '200' } },
    ]);
  });
});

describe('RestartBackoff', () => {
  test('100 ms doubling to 10 s for quick crashes; back to 100 ms after 30 s up', () => {
    const b = new RestartBackoff();
    expect([0, 0, 0, 0, 0, 0, 0, 0, 0].map((up) => b.next(up))).toEqual([
      100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000,
    ]);
    expect(b.next(30_000)).toBe(100);
    expect(b.next(1000)).toBe(200);
  });
});
