import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { standaloneAlerts } from '../../src/observability/inline-recordings';
import { DEFAULT_RULE_OPTIONS, type MonitoredService } from '../../src/observability/options';
import {
  ALERT_NAMES,
  type AlertName,
  ruleFile,
  serviceRuleGroup,
} from '../../src/observability/prometheus-rules';
import { promtool, requirePromtool } from './promtool';

const service: MonitoredService = { name: 'churn', model: 'bankchurn' };
const ns = `namespace="${service.name}"`;
const base = { service: service.name, model: service.model, namespace: service.name };

interface Series {
  readonly series: string;
  readonly values: string;
}
interface Case {
  readonly alert: AlertName;
  readonly evalTime: string;
  readonly firing: readonly Series[];
  readonly quiet: readonly Series[];
  /** Labels of each expected alert beyond alertname. */
  readonly expLabels: readonly Record<string, string>[];
  /** How each template of the annotations renders for the firing input. */
  readonly rendered: Record<string, string>;
}

const req = (status: string, values: string, route = '/predict'): Series => ({
  series: `bankchurn_requests_total{${ns},route="${route}",status="${status}"}`,
  values,
});
/** A histogram where `fast` of every `total` observations per minute are under 0.25 s. */
const latency = (metric: string, perMinute: number, fastPerMinute: number, minutes: number): Series[] => {
  const buckets = ['0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
  const under = (le: string) => (Number(le) <= 0.25 ? fastPerMinute : perMinute);
  return [
    ...buckets.map((le) => ({
      series: `${metric}_bucket{${ns},le="${le}"}`,
      values: `0+${le === '+Inf' ? perMinute : under(le)}x${minutes}`,
    })),
    { series: `${metric}_count{${ns}}`, values: `0+${perMinute}x${minutes}` },
  ];
};
/** Explain histogram with every observation in the (2.5, 5] bucket (slow) or (0.5, 1] bucket (fast). */
const explain = (slow: boolean, minutes: number): Series[] =>
  ['0.5', '1', '2.5', '5', '+Inf'].map((le) => ({
    series: `bankchurn_explain_latency_seconds_bucket{${ns},le="${le}"}`,
    values: `0+${le === '+Inf' || Number(le) >= (slow ? 5 : 1) ? 10 : 0}x${minutes}`,
  }));

const pod = { pod: 'churn-abc', container: 'model-server' };
const cases: readonly Case[] = [
  {
    alert: 'ModelServerHigh5xxRatio',
    evalTime: '15m',
    firing: [req('200', '0+60x20'), req('500', '0+10x20')],
    quiet: [req('200', '0+60x20'), req('500', '0+1x20')],
    expLabels: [{ ...base, severity: 'page' }],
    rendered: { '{{ $labels.service }}': 'churn', '{{ $value | humanizePercentage }}': '14.29%' },
  },
  {
    alert: 'ModelServerHigh4xxRatio',
    evalTime: '40m',
    firing: [req('200', '0+60x45'), req('400', '0+40x45')],
    quiet: [req('200', '0+60x45'), req('400', '0+10x45')],
    expLabels: [{ ...base, severity: 'ticket' }],
    rendered: { '{{ $labels.service }}': 'churn', '{{ $value | humanizePercentage }}': '40%' },
  },
  {
    alert: 'ModelServerLatencyBudgetBurn',
    // 20% slow: burns 20x the 1% budget, so both window pairs (14.4 and 6) fire after 6 h.
    evalTime: '380m',
    firing: latency('bankchurn_prediction_latency_seconds', 100, 80, 400),
    quiet: latency('bankchurn_prediction_latency_seconds', 100, 99.5, 400),
    expLabels: [
      { ...base, severity: 'page', long_window: '1h', short_window: '5m' },
      { ...base, severity: 'page', long_window: '6h', short_window: '30m' },
    ],
    rendered: { '{{ $labels.service }}': 'churn' },
  },
  {
    alert: 'ModelServerExplainLatencyHigh',
    evalTime: '40m',
    firing: explain(true, 45),
    quiet: explain(false, 45),
    expLabels: [{ ...base, severity: 'ticket' }],
    rendered: { '{{ $labels.service }}': 'churn', '{{ $value | humanizeDuration }}': '4.875s' },
  },
  {
    alert: 'ModelServerNoTargetUp',
    evalTime: '10m',
    firing: [{ series: `up{${ns},instance="10.0.0.1:9090"}`, values: '0x15' }],
    quiet: [
      { series: `up{${ns},instance="10.0.0.1:9090"}`, values: '0x15' },
      { series: `up{${ns},instance="10.0.0.2:9090"}`, values: '1x15' },
    ],
    expLabels: [{ service: 'churn', model: 'bankchurn', severity: 'page' }],
    rendered: {},
  },
  {
    alert: 'ModelServerScrapeFailing',
    evalTime: '15m',
    firing: [{ series: `up{${ns},instance="10.0.0.1:9090"}`, values: '0x20' }],
    quiet: [{ series: `up{${ns},instance="10.0.0.1:9090"}`, values: '1x20' }],
    expLabels: [{ ...base, severity: 'ticket', instance: '10.0.0.1:9090' }],
    rendered: { '{{ $labels.service }}': 'churn', '{{ $labels.instance }}': '10.0.0.1:9090' },
  },
  {
    alert: 'ModelServerPodRestarting',
    evalTime: '30m',
    firing: [
      {
        series: `kube_pod_container_status_restarts_total{${ns},pod="${pod.pod}",container="${pod.container}"}`,
        values: '0 0 0 0 0 1 1 1 1 1 2 2 2 2 2 3 3 3 3 3 4 4 4 4 4 4 4 4 4 4 4',
      },
    ],
    quiet: [
      {
        series: `kube_pod_container_status_restarts_total{${ns},pod="${pod.pod}",container="${pod.container}"}`,
        values: '0x10 1x20',
      },
    ],
    expLabels: [{ ...base, ...pod, severity: 'ticket' }],
    rendered: {
      '{{ $labels.service }}': 'churn',
      '{{ $labels.pod }}': pod.pod,
      '{{ $value | humanize }}': '4',
    },
  },
  {
    alert: 'ModelServerHpaAtMax',
    evalTime: '20m',
    firing: [
      {
        series: `kube_horizontalpodautoscaler_status_current_replicas{${ns},horizontalpodautoscaler="churn"}`,
        values: '6x25',
      },
      {
        series: `kube_horizontalpodautoscaler_spec_max_replicas{${ns},horizontalpodautoscaler="churn"}`,
        values: '6x25',
      },
    ],
    quiet: [
      {
        series: `kube_horizontalpodautoscaler_status_current_replicas{${ns},horizontalpodautoscaler="churn"}`,
        values: '6x5 5x20',
      },
      {
        series: `kube_horizontalpodautoscaler_spec_max_replicas{${ns},horizontalpodautoscaler="churn"}`,
        values: '6x25',
      },
    ],
    expLabels: [{ ...base, horizontalpodautoscaler: 'churn', severity: 'ticket' }],
    rendered: { '{{ $labels.service }}': 'churn' },
  },
  {
    alert: 'ModelServerReadinessFlapping',
    evalTime: '15m',
    firing: [
      {
        series: `kube_pod_status_ready{${ns},pod="${pod.pod}",condition="true"}`,
        values: '1 0 1 0 1 0 1 1 1 1 1 1 1 1 1 1',
      },
    ],
    quiet: [
      {
        series: `kube_pod_status_ready{${ns},pod="${pod.pod}",condition="true"}`,
        values: '1 0 1 1 1 1 1 1 1 1 1 1 1 1 1 1',
      },
    ],
    expLabels: [{ ...base, pod: pod.pod, condition: 'true', severity: 'ticket' }],
    rendered: { '{{ $labels.service }}': 'churn', '{{ $labels.pod }}': pod.pod },
  },
];

function expectedAnnotations(c: Case, labels: Record<string, string>): Record<string, string> {
  const group = serviceRuleGroup(service, DEFAULT_RULE_OPTIONS);
  const rule = group.rules.find(
    (r) =>
      'alert' in r &&
      r.alert === c.alert &&
      Object.entries(r.labels).every(([k, v]) => labels[k] === undefined || labels[k] === v),
  );
  if (!rule || !('alert' in rule)) throw new Error(`no rule ${c.alert}`);
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(rule.annotations)) {
    out[key] = Object.entries(c.rendered).reduce((t, [tpl, value]) => t.split(tpl).join(value), text);
  }
  return out;
}

function testFile(rulesFile: string): string {
  const tests = cases.flatMap((c) => [
    {
      name: `${c.alert} fires`,
      interval: '1m',
      input_series: c.firing,
      alert_rule_test: [
        {
          eval_time: c.evalTime,
          alertname: c.alert,
          exp_alerts: c.expLabels.map((labels) => ({
            exp_labels: labels,
            exp_annotations: expectedAnnotations(c, labels),
          })),
        },
      ],
    },
    {
      name: `${c.alert} stays quiet`,
      interval: '1m',
      input_series: c.quiet,
      alert_rule_test: [{ eval_time: c.evalTime, alertname: c.alert, exp_alerts: [] }],
    },
  ]);
  return stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests });
}

describe('Prometheus rules under promtool', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rules-'));
  writeFileSync(
    path.join(dir, 'rules.yml'),
    stringify(ruleFile([service], DEFAULT_RULE_OPTIONS), { aliasDuplicateObjects: false }),
  );
  writeFileSync(path.join(dir, 'rules.test.yml'), testFile('rules.yml'));

  // The same cases against the alerts with their recording rules inlined (what GKE's PromQL policies run).
  const group = serviceRuleGroup(service, DEFAULT_RULE_OPTIONS);
  writeFileSync(
    path.join(dir, 'standalone.yml'),
    stringify(
      { groups: [{ name: group.name, rules: standaloneAlerts(group) }] },
      { aliasDuplicateObjects: false },
    ),
  );
  writeFileSync(path.join(dir, 'standalone.test.yml'), testFile('standalone.yml'));

  it('covers every alert with a firing and a quiet case', () => {
    expect(cases.map((c) => c.alert).sort()).toEqual([...ALERT_NAMES].sort());
  });

  it('passes promtool check rules', () => {
    if (!requirePromtool()) return;
    const result = promtool(['check', 'rules', 'rules.yml'], dir);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('passes promtool test rules: each alert fires on its symptom and stays quiet without it', () => {
    if (!requirePromtool()) return;
    const result = promtool(['test', 'rules', 'rules.test.yml'], dir);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('gives the same alerts with the recording rules inlined', () => {
    if (!requirePromtool()) return;
    expect(readFileSync(path.join(dir, 'standalone.yml'), 'utf8')).not.toContain('record:');
    const result = promtool(['test', 'rules', 'standalone.test.yml'], dir);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
