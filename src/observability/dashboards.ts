import {
  type Dashboard,
  DashboardBuilder,
  DatasourceVariableBuilder,
  RowBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import {
  IN_FLIGHT,
  IN_FLIGHT_LIMIT,
  PLATFORM_METRICS as K,
  leMatcher,
  PROCESS_START_TIME,
  serverMetrics,
} from './metric-names';
import type { MonitoredService, ObservabilityRuleOptions } from './options';
import { recorded } from './prometheus-rules';

/** The datasource variable every panel queries: users pick their Prometheus (or GMP / AMP proxy) on import. */
export const DATASOURCE_VARIABLE = 'datasource';
const datasource = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

interface Query {
  readonly expr: string;
  readonly legend: string;
}

function panel(title: string, unit: string, queries: readonly Query[], width = 12) {
  const builder = new TimeseriesBuilder()
    .title(title)
    .unit(unit)
    .datasource(datasource)
    .span(width)
    .height(8);
  queries.forEach((q, i) => {
    builder.withTarget(
      new DataqueryBuilder()
        .expr(q.expr)
        .legendFormat(q.legend)
        .refId(String.fromCharCode(65 + i))
        .datasource(datasource),
    );
  });
  return builder;
}

function base(uid: string, title: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags(['model-serving', 'generated'])
    .refresh('1m')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Prometheus').type('prometheus'));
}

const quantile = (q: number, metric: string, selector: string) =>
  `histogram_quantile(${q}, sum by (le) (rate(${metric}_bucket{${selector}}[$__rate_interval])))`;

/** One model service: traffic, errors, latency against the SLO, explanations, scaling and resources. */
export function serviceDashboard(service: MonitoredService, options: ObservabilityRuleOptions): Dashboard {
  const m = serverMetrics(service.model);
  const r = recorded(service.model);
  const ns = `namespace="${service.name}"`;
  const pods = `${ns},container="model-server"`;
  const hpa = `${ns},horizontalpodautoscaler="${service.name}"`;
  const ratio = (klass: string) =>
    `sum(rate(${m.requests}{${ns},status=~"${klass}.."}[$__rate_interval])) / sum(rate(${m.requests}{${ns}}[$__rate_interval]))`;
  return base(`model-serving-${service.name}`, `Model serving / ${service.name}`)
    .withRow(new RowBuilder('Traffic and errors'))
    .withPanel(
      panel('Requests by route and status', 'reqps', [
        {
          expr: `sum by (route, status) (rate(${m.requests}{${ns}}[$__rate_interval]))`,
          legend: '{{route}} {{status}}',
        },
      ]),
    )
    .withPanel(
      panel('Error ratio (503 = shedding or draining)', 'percentunit', [
        { expr: ratio('5'), legend: '5xx' },
        { expr: ratio('4'), legend: '4xx' },
        {
          expr: `sum(rate(${m.requests}{${ns},status="503"}[$__rate_interval])) / sum(rate(${m.requests}{${ns}}[$__rate_interval]))`,
          legend: '503',
        },
      ]),
    )
    .withPanel(
      panel('In flight vs MAX_CONCURRENT_REQUESTS, and 503s', 'short', [
        { expr: `sum(${IN_FLIGHT}{${ns}})`, legend: 'in flight' },
        { expr: `sum(${IN_FLIGHT_LIMIT}{${ns}})`, legend: 'limit (all pods)' },
        {
          expr: `sum(rate(${m.requests}{${ns},status="503"}[$__rate_interval]))`,
          legend: '503/s',
        },
      ]),
    )
    .withRow(new RowBuilder('Latency'))
    .withPanel(
      panel('Prediction latency (without explanations)', 's', [
        ...[0.5, 0.95, 0.99].map((q) => ({
          expr: quantile(q, m.predictionLatency, `${ns},explain!="true"`),
          legend: `p${q * 100}`,
        })),
      ]),
    )
    .withPanel(
      panel(
        `Share of predictions over ${options.latencyThresholdSeconds} s (SLO budget: ${round(100 - options.latencyObjectivePercent)}%)`,
        'percentunit',
        [
          ...[...new Set(options.burnRateWindows.flatMap((w) => [w.short, w.long]))].map((w) => ({
            expr: `${r.slowRatio(w)}{${ns}}`,
            legend: w,
          })),
          {
            expr: `1 - sum(rate(${m.predictionLatency}_bucket{${ns},explain!="true",${leMatcher(options.latencyThresholdSeconds)}}[$__rate_interval])) / sum(rate(${m.predictionLatency}_count{${ns},explain!="true"}[$__rate_interval]))`,
            legend: 'now',
          },
        ],
      ),
    )
    .withPanel(
      panel('Explain latency (SHAP)', 's', [
        ...[0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, m.explainLatency, ns), legend: `p${q * 100}` })),
      ]),
    )
    .withRow(new RowBuilder('Scaling and resources'))
    .withPanel(
      panel('Replicas against HPA bounds', 'short', [
        { expr: `${K.hpaCurrent}{${hpa}}`, legend: 'current' },
        { expr: `${K.hpaMin}{${hpa}}`, legend: 'min' },
        { expr: `${K.hpaMax}{${hpa}}`, legend: 'max' },
        { expr: `sum(${K.up}{${ns}})`, legend: 'scraped targets up' },
      ]),
    )
    .withPanel(
      panel('CPU (cores) against requests and limits', 'short', [
        { expr: `sum by (pod) (rate(${K.cpu}{${pods}}[$__rate_interval]))`, legend: '{{pod}}' },
        { expr: `max(${K.requests}{${pods},resource="cpu"})`, legend: 'request' },
        { expr: `max(${K.limits}{${pods},resource="cpu"})`, legend: 'limit' },
      ]),
    )
    .withPanel(
      panel('Memory (working set) against requests and limits', 'bytes', [
        { expr: `sum by (pod) (${K.memory}{${pods}})`, legend: '{{pod}}' },
        { expr: `max(${K.requests}{${pods},resource="memory"})`, legend: 'request' },
        { expr: `max(${K.limits}{${pods},resource="memory"})`, legend: 'limit' },
      ]),
    )
    .withPanel(
      panel('Restarts and process starts', 'short', [
        { expr: `sum by (pod) (increase(${K.restarts}{${ns}}[1h]))`, legend: 'restarts in 1h {{pod}}' },
        { expr: `time() - max by (pod) (${PROCESS_START_TIME}{${ns}})`, legend: 'uptime s {{pod}}' },
      ]),
    )
    .build();
}

/** Every service side by side: traffic, 5xx ratio, p99 and targets up. */
export function overviewDashboard(services: readonly MonitoredService[]): Dashboard {
  const per = (f: (s: MonitoredService) => string): Query[] =>
    services.map((s) => ({ expr: f(s), legend: s.name }));
  return base('model-serving-overview', 'Model serving / overview')
    .withPanel(
      panel(
        'Requests per second',
        'reqps',
        per((s) => `sum(${recorded(s.model).requestRate}{namespace="${s.name}"})`),
      ),
    )
    .withPanel(
      panel(
        '5xx ratio',
        'percentunit',
        per((s) => `sum(${recorded(s.model).errorRatio('5xx', '5m')}{namespace="${s.name}"})`),
      ),
    )
    .withPanel(
      panel(
        'p99 prediction latency',
        's',
        per((s) =>
          quantile(0.99, serverMetrics(s.model).predictionLatency, `namespace="${s.name}",explain!="true"`),
        ),
      ),
    )
    .withPanel(
      panel(
        'Targets up',
        'short',
        per((s) => `sum(${K.up}{namespace="${s.name}"})`),
      ),
    )
    .build();
}

/** Every PromQL expression of a dashboard, in panel order. */
export function dashboardExpressions(dashboard: Dashboard): string[] {
  const out: string[] = [];
  for (const p of dashboard.panels ?? []) {
    for (const t of ('targets' in p ? (p.targets ?? []) : []) as { expr?: string }[]) {
      if (t.expr) out.push(t.expr);
    }
  }
  return out;
}

const round = (n: number): number => Number(n.toPrecision(12));
