import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets (seconds): from a single-row prediction (~1 ms) to a full batch with explanations. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const EXPLAINED = { explain: 'true' } as const;
const NOT_EXPLAINED = { explain: 'false' } as const;

/** What the in-flight gauges read: the concurrency limiter. */
export interface InFlightSource {
  readonly current: number;
  readonly max: number;
}

interface ModelMetrics {
  readonly requests: Counter<'route' | 'status'>;
  /** Label objects of `requests` by route and status, made once: a request then allocates none. */
  readonly requestLabels: Map<number, Map<string, { route: string; status: string }>>;
  readonly prediction: Histogram<'explain'>;
  readonly explain: Histogram;
}

export interface ServerMetricsOptions {
  /**
   * Also collect prom-client's default process and Node.js metrics (CPU, memory, event-loop lag, GC).
   * @default true
   */
  readonly defaultMetrics?: boolean;
}

/**
 * Prometheus metrics of one server, in a registry of its own (never prom-client's global one, so several apps
 * in one process, as in tests, do not collide). Per model: `<model>_requests_total{route,status}`,
 * `<model>_prediction_latency_seconds{explain}` and `<model>_explain_latency_seconds` (the names the FastAPI
 * services this replaces exported, so dashboards keep working).
 *
 * Every scored request is observed in the prediction histogram, labelled `explain="true"` or `"false"`: a
 * latency dashboard over it sees all traffic, and filters on the label to split it. Explained requests are
 * also observed in the explain histogram, as before, for dashboards built on that name.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly byModel = new Map<string, ModelMetrics>();
  /** Requests answered by the HTTP layer before any route (broken HTTP, timeouts, oversized headers, `Expect`). */
  private readonly socketErrors = new Counter({
    name: 'http_socket_errors_total',
    help: 'Requests answered by the HTTP layer before reaching a route, by HTTP status (400, 408, 417, 431)',
    labelNames: ['status'],
    registers: [this.registry],
  });

  private inFlight?: InFlightSource;

  constructor(options: ServerMetricsOptions = {}) {
    const gauges: [string, string, (source: InFlightSource) => number][] = [
      [
        'model_server_requests_in_flight',
        'Predictions being scored now, all models together (each holds a MAX_CONCURRENT_REQUESTS slot)',
        (source) => source.current,
      ],
      [
        'model_server_max_concurrent_requests',
        'Predictions allowed in flight at once (MAX_CONCURRENT_REQUESTS); more are answered 503',
        (source) => source.max,
      ],
    ];
    for (const [name, help, read] of gauges) {
      const metrics = this;
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          if (metrics.inFlight) this.set(read(metrics.inFlight));
        },
      });
    }
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges named *_total fail `promtool check metrics` (the suffix is for counters); each is the sum of the
      // per-type gauge of the same name without the suffix, which stays.
      for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
    }
  }

  /**
   * Where the in-flight gauges read the predictions in flight and their limit (`MAX_CONCURRENT_REQUESTS`), at
   * scrape time: nothing is added to the request path. Together with the 503s they show whether the server
   * sheds load because the limit is too low or because it is saturated.
   */
  trackInFlight(limiter: InFlightSource): void {
    this.inFlight = limiter;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Creates the metrics of each model (called once the models are loaded). */
  addModels(names: readonly string[]): void {
    const prefixes = new Map<string, string>();
    for (const name of names) {
      const prefix = metricPrefix(name);
      const clash = prefixes.get(prefix);
      if (clash !== undefined) {
        throw new Error(
          `models "${clash}" and "${name}" both map to the metric prefix "${prefix}"; rename one`,
        );
      }
      prefixes.set(prefix, name);
    }
    for (const [prefix, name] of prefixes) {
      if (this.byModel.has(name)) continue;
      const metrics: ModelMetrics = {
        requests: new Counter({
          name: `${prefix}_requests_total`,
          help: `Requests to model ${name}, by route and HTTP status`,
          labelNames: ['route', 'status'],
          registers: [this.registry],
        }),
        requestLabels: new Map(),
        prediction: new Histogram({
          name: `${prefix}_prediction_latency_seconds`,
          help: `Time model ${name} spent scoring requests, by whether they asked for explanations`,
          labelNames: ['explain'],
          buckets: LATENCY_BUCKETS,
          registers: [this.registry],
        }),
        explain: new Histogram({
          name: `${prefix}_explain_latency_seconds`,
          help: `Time model ${name} spent scoring requests with SHAP explanations`,
          buckets: LATENCY_BUCKETS,
          registers: [this.registry],
        }),
      };
      // Both label values from the start: a dashboard sees 0, not an absent series, before the first request.
      for (const explain of ['true', 'false']) metrics.prediction.zero({ explain });
      this.byModel.set(name, metrics);
    }
  }

  countRequest(model: string, route: string, status: number): void {
    const m = this.byModel.get(model);
    if (!m) return;
    let byRoute = m.requestLabels.get(status);
    if (byRoute === undefined) {
      byRoute = new Map();
      m.requestLabels.set(status, byRoute);
    }
    let labels = byRoute.get(route);
    if (labels === undefined) {
      labels = { route, status: String(status) };
      byRoute.set(route, labels);
    }
    m.requests.inc(labels);
  }

  countSocketError(status: number): void {
    this.socketErrors.inc({ status: String(status) });
  }

  observeScore(model: string, seconds: number, explain: boolean): void {
    const m = this.byModel.get(model);
    if (!m) return;
    m.prediction.observe(explain ? EXPLAINED : NOT_EXPLAINED, seconds);
    if (explain) m.explain.observe(seconds);
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A model name as a metric name prefix: Prometheus allows [a-zA-Z_:][a-zA-Z0-9_:]*. */
export function metricPrefix(model: string): string {
  const cleaned = model.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}
