/**
 * Metric names the rules and dashboards use. The server's own are per model (model-server/src/metrics/
 * metrics.ts); config model names match `[a-z][a-z0-9_]*`, so a model's name is its metric prefix as is.
 */
export const serverMetrics = (model: string) => ({
  requests: `${model}_requests_total`,
  predictionLatency: `${model}_prediction_latency_seconds`,
  explainLatency: `${model}_explain_latency_seconds`,
});

/** The server's process-wide gauges (all models together). */
export const IN_FLIGHT = 'model_server_requests_in_flight';
export const IN_FLIGHT_LIMIT = 'model_server_max_concurrent_requests';

/** prom-client's default process metrics the dashboards read. */
export const PROCESS_START_TIME = 'process_start_time_seconds';

/**
 * Metrics that come from the platform, not the server: the scrape's own `up`, kube-state-metrics (GKE's
 * `monitoring_config` KSM components, or the kube-state-metrics add-on on EKS) and cAdvisor (the kubelet).
 * The metric-name test accepts these and the server's `/metrics`, nothing else.
 */
export const PLATFORM_METRICS = {
  up: 'up',
  restarts: 'kube_pod_container_status_restarts_total',
  podReady: 'kube_pod_status_ready',
  hpaCurrent: 'kube_horizontalpodautoscaler_status_current_replicas',
  hpaMax: 'kube_horizontalpodautoscaler_spec_max_replicas',
  hpaMin: 'kube_horizontalpodautoscaler_spec_min_replicas',
  requests: 'kube_pod_container_resource_requests',
  limits: 'kube_pod_container_resource_limits',
  cpu: 'container_cpu_usage_seconds_total',
  memory: 'container_memory_working_set_bytes',
} as const;

export const PLATFORM_METRIC_ALLOWLIST: ReadonlySet<string> = new Set(Object.values(PLATFORM_METRICS));

/** `le` as prom-client writes it (`0.25`, `1`) or as Prometheus 3 normalizes it (`1.0`). */
export function leMatcher(bound: number): string {
  return Number.isInteger(bound) ? `le=~"${bound}(\\\\.0)?"` : `le="${bound}"`;
}
