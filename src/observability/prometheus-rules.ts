import { PLATFORM_METRICS as K, leMatcher, serverMetrics } from './metric-names';
import type { MonitoredService, ObservabilityRuleOptions } from './options';

/** A Prometheus recording or alerting rule, in the rule-file shape (prometheus.io/docs/.../recording_rules). */
export type PrometheusRule =
  | { readonly record: string; readonly expr: string; readonly labels?: Record<string, string> }
  | {
      readonly alert: string;
      readonly expr: string;
      readonly for?: string;
      readonly labels: Record<string, string>;
      readonly annotations: Record<string, string>;
    };

export interface PrometheusRuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly PrometheusRule[];
}

export interface PrometheusRuleFile {
  readonly groups: readonly PrometheusRuleGroup[];
}

/** Every alert the rules define, in README order: the runbook has one entry per name. */
export const ALERT_NAMES = [
  'ModelServerHigh5xxRatio',
  'ModelServerHigh4xxRatio',
  'ModelServerLatencyBudgetBurn',
  'ModelServerExplainLatencyHigh',
  'ModelServerNoTargetUp',
  'ModelServerScrapeFailing',
  'ModelServerPodRestarting',
  'ModelServerHpaAtMax',
  'ModelServerReadinessFlapping',
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

/** The README anchor of an alert's runbook entry (GitHub lowercases heading text). */
export const runbookAnchor = (alert: AlertName): string => alert.toLowerCase();

/** Recording rule names: `level:metric:operations` (Prometheus naming practice). */
export const recorded = (model: string) => ({
  requestRate: `namespace:${model}_requests:rate5m`,
  errorRatio: (klass: '4xx' | '5xx', window: string) =>
    `namespace:${model}_requests_${klass}:ratio_rate${window}`,
  slowRatio: (window: string) => `namespace:${model}_prediction_slow:ratio_rate${window}`,
});

const round = (n: number): number => Number(n.toPrecision(12));

/**
 * The rule group of one model service. Server metrics are selected by `namespace` (each service has its own
 * namespace; GKE Managed Prometheus, the AMP scraper config and the usual `kubernetes-pods` job all attach
 * it). The latency SLO counts predictions without explanations (`explain!="true"` keeps working once the
 * histogram carries an `explain` label, and matches all of it before): SHAP is slower by design and has an
 * alert of its own.
 */
export function serviceRuleGroup(
  service: MonitoredService,
  options: ObservabilityRuleOptions,
): PrometheusRuleGroup {
  const m = serverMetrics(service.model);
  const r = recorded(service.model);
  const ns = `namespace="${service.name}"`;
  const labels = { service: service.name, model: service.model };
  const annotate = (alert: AlertName, summary: string, description: string) => ({
    summary,
    description,
    runbook_url: `${options.runbookBaseUrl}#${runbookAnchor(alert)}`,
  });

  const windows = [...new Set(options.burnRateWindows.flatMap((w) => [w.long, w.short]))];
  const errorRatio = (klass: '4xx' | '5xx', window: string) =>
    `sum by (namespace) (rate(${m.requests}{${ns},status=~"${klass[0]}.."}[${window}]))\n` +
    `/\nsum by (namespace) (rate(${m.requests}{${ns}}[${window}]))`;
  const budget = 1 - options.latencyObjectivePercent / 100;

  const recordings: PrometheusRule[] = [
    { record: r.requestRate, expr: `sum by (namespace) (rate(${m.requests}{${ns}}[5m]))`, labels },
    { record: r.errorRatio('5xx', '5m'), expr: errorRatio('5xx', '5m'), labels },
    { record: r.errorRatio('4xx', '15m'), expr: errorRatio('4xx', '15m'), labels },
    ...windows.map((w) => ({
      record: r.slowRatio(w),
      expr:
        `1 - (\n  sum by (namespace) (rate(${m.predictionLatency}_bucket{${ns},explain!="true",${leMatcher(options.latencyThresholdSeconds)}}[${w}]))\n` +
        `  /\n  sum by (namespace) (rate(${m.predictionLatency}_count{${ns},explain!="true"}[${w}]))\n)`,
      labels,
    })),
  ];

  const alerts: PrometheusRule[] = [
    {
      alert: 'ModelServerHigh5xxRatio',
      expr: `${r.errorRatio('5xx', '5m')}{${ns}} > ${round(options.serverErrorPercent / 100)}`,
      for: '5m',
      labels: { ...labels, severity: 'page' },
      annotations: annotate(
        'ModelServerHigh5xxRatio',
        `${service.name}: {{ $value | humanizePercentage }} of requests fail with 5xx`,
        `More than ${options.serverErrorPercent}% of requests to ${service.name} answered 5xx over 5 minutes.`,
      ),
    },
    {
      alert: 'ModelServerHigh4xxRatio',
      expr: `${r.errorRatio('4xx', '15m')}{${ns}} > ${round(options.clientErrorPercent / 100)}`,
      for: '15m',
      labels: { ...labels, severity: 'ticket' },
      annotations: annotate(
        'ModelServerHigh4xxRatio',
        `${service.name}: {{ $value | humanizePercentage }} of requests are rejected with 4xx`,
        `More than ${options.clientErrorPercent}% of requests to ${service.name} answered 4xx over 15 minutes: a caller sends bad input or the wrong model name.`,
      ),
    },
    ...options.burnRateWindows.map((w) => {
      const threshold = round(w.factor * budget);
      return {
        alert: 'ModelServerLatencyBudgetBurn',
        expr:
          `${r.slowRatio(w.long)}{${ns}} > ${threshold}\n` +
          `and\n${r.slowRatio(w.short)}{${ns}} > ${threshold}`,
        labels: { ...labels, severity: w.severity, long_window: w.long, short_window: w.short },
        annotations: annotate(
          'ModelServerLatencyBudgetBurn',
          `${service.name}: latency error budget burning ${w.factor}x too fast`,
          `Over ${w.long} and ${w.short}, more than ${round(threshold * 100)}% of predictions took longer than ${options.latencyThresholdSeconds} s (SLO: ${options.latencyObjectivePercent}% under it).`,
        ),
      };
    }),
    {
      alert: 'ModelServerExplainLatencyHigh',
      expr: `histogram_quantile(0.95, sum by (namespace, le) (rate(${m.explainLatency}_bucket{${ns}}[10m]))) > ${options.explainP95Seconds}`,
      for: '15m',
      labels: { ...labels, severity: 'ticket' },
      annotations: annotate(
        'ModelServerExplainLatencyHigh',
        `${service.name}: explanations p95 at {{ $value | humanizeDuration }}`,
        `The 95th percentile of explained requests to ${service.name} stayed above ${options.explainP95Seconds} s for 15 minutes.`,
      ),
    },
    {
      alert: 'ModelServerNoTargetUp',
      // `or vector(0)`: a service whose targets vanished from discovery has no `up` series at all.
      expr: `(sum(${K.up}{${ns}}) or vector(0)) == 0`,
      for: '5m',
      labels: { ...labels, severity: 'page' },
      annotations: annotate(
        'ModelServerNoTargetUp',
        `${service.name}: no pod is scraped successfully`,
        `No target of ${service.name} has answered a scrape for 5 minutes: the service is down or its metrics are not collected.`,
      ),
    },
    {
      alert: 'ModelServerScrapeFailing',
      expr: `${K.up}{${ns}} == 0`,
      for: '10m',
      labels: { ...labels, severity: 'ticket' },
      annotations: annotate(
        'ModelServerScrapeFailing',
        `${service.name}: scrapes of {{ $labels.instance }} fail`,
        `A target of ${service.name} has failed every scrape for 10 minutes.`,
      ),
    },
    {
      alert: 'ModelServerPodRestarting',
      expr: `increase(${K.restarts}{${ns}}[30m]) > 2`,
      labels: { ...labels, severity: 'ticket' },
      annotations: annotate(
        'ModelServerPodRestarting',
        `${service.name}: pod {{ $labels.pod }} restarted {{ $value | humanize }} times in 30 minutes`,
        `A container of ${service.name} restarted more than twice in 30 minutes (crash loop, OOM kill or failing liveness probe).`,
      ),
    },
    {
      alert: 'ModelServerHpaAtMax',
      expr:
        `${K.hpaCurrent}{${ns},horizontalpodautoscaler="${service.name}"}\n` +
        `>=\n${K.hpaMax}{${ns},horizontalpodautoscaler="${service.name}"}`,
      for: '15m',
      labels: { ...labels, severity: 'ticket' },
      annotations: annotate(
        'ModelServerHpaAtMax',
        `${service.name}: autoscaler pinned at its maximum`,
        `The HPA of ${service.name} has run at maxReplicas for 15 minutes: load beyond that is not absorbed.`,
      ),
    },
    {
      alert: 'ModelServerReadinessFlapping',
      expr: `changes(${K.podReady}{${ns},condition="true"}[15m]) > 3`,
      labels: { ...labels, severity: 'ticket' },
      annotations: annotate(
        'ModelServerReadinessFlapping',
        `${service.name}: pod {{ $labels.pod }} readiness flapping`,
        `A pod of ${service.name} changed readiness more than 3 times in 15 minutes (overload or slow self-test).`,
      ),
    },
  ];
  return { name: `model-serving-${service.name}`, rules: [...recordings, ...alerts] };
}

export function ruleFile(
  services: readonly MonitoredService[],
  options: ObservabilityRuleOptions,
): PrometheusRuleFile {
  return { groups: services.map((s) => serviceRuleGroup(s, options)) };
}
