import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load';
import { ruleOptions } from '../../src/observability/from-config';
import { GkeClusterStack } from '../../stacks/gke-cluster';
import { GkeServingStack } from '../../stacks/gke-serving';
import { promtool, requirePromtool } from '../observability/promtool';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const IMAGE = `us-central1-docker.pkg.dev/my-project-123/model-serving-demo/model-server@sha256:${'5'.repeat(64)}`;

function synthServing(input: Json = {}): Json {
  const config = parseConfig(input);
  const stack = new GkeServingStack(Testing.app(), 'gke-serving', {
    stateBackend: config.stateBackend,
    project: config.project,
    environment: config.environment,
    gcpProjectId: config.gcp.projectId,
    region: config.gcp.region,
    clusterName: config.gke.clusterName,
    image: IMAGE,
    services: config.services,
    monitoring: {
      rules: ruleOptions(config),
      alertPolicies: config.observability.gke.alertPolicies,
      dashboard: config.observability.gke.dashboard,
      notificationEmails: config.observability.notificationEmails,
    },
  });
  return JSON.parse(Testing.synth(stack)) as Json;
}
const all = (json: Json, type: string): Json[] => Object.values(json.resource?.[type] ?? {});

describe('gke-serving monitoring', () => {
  const defaults = synthServing();
  const withPolicies = synthServing({
    observability: { gke: { alertPolicies: true }, notificationEmails: ['oncall@example.com'] },
  });
  const policies = all(withPolicies, 'google_monitoring_alert_policy');
  const conditions = policies.map((p) => p.conditions[0].condition_prometheus_query_language);

  it('by default: a PromQL dashboard per service, no billed alert policy', () => {
    expect(all(defaults, 'google_monitoring_alert_policy')).toHaveLength(0);
    const dashboards = all(defaults, 'google_monitoring_dashboard').map((d) => JSON.parse(d.dashboard_json));
    expect(dashboards.map((d) => d.displayName)).toEqual([
      'Model serving / bankchurn (model-serving-demo)',
      'Model serving / chicagotaxi (model-serving-demo)',
      'Model serving / nlpinsight (model-serving-demo)',
    ]);
    const queries: string[] = dashboards[0].mosaicLayout.tiles.flatMap((t: Json) =>
      t.widget.xyChart.dataSets.map((d: Json) => d.timeSeriesQuery.prometheusQuery),
    );
    expect(queries.length).toBeGreaterThan(15);
    for (const q of queries) expect(q).not.toContain('$__');
    expect(queries[0]).toBe(
      'sum by (route, status) (rate(bankchurn_requests_total{cluster="model-serving-demo",namespace="bankchurn"}[5m]))',
    );
  });

  it('turns every generated alert of every service into one PromQL policy, on this cluster only', () => {
    expect(policies).toHaveLength(3 * 10);
    for (const c of conditions) {
      expect(c.query).toContain('cluster="model-serving-demo"');
      // Cloud Monitoring sees raw series: no recording rule name may remain.
      expect(c.query).not.toMatch(/namespace:\w+:/);
    }
    const burn = policies.filter((p) => p.display_name.startsWith('bankchurn: ModelServerLatencyBudgetBurn'));
    expect(burn.map((p) => p.display_name)).toEqual([
      'bankchurn: ModelServerLatencyBudgetBurn (1h)',
      'bankchurn: ModelServerLatencyBudgetBurn (6h)',
    ]);
    expect(burn[0]!.severity).toBe('CRITICAL');
    const fiveXx = policies.find((p) => p.display_name === 'bankchurn: ModelServerHigh5xxRatio')!;
    const c = fiveXx.conditions[0].condition_prometheus_query_language;
    expect(c.duration).toBe('300s');
    expect(c.labels).toEqual({ service: 'bankchurn', model: 'bankchurn', severity: 'page' });
    expect(fiveXx.documentation.content).toContain('Runbook: README.md#modelserverhigh5xxratio');
  });

  it('notifies the configured emails from every policy', () => {
    const channels = all(withPolicies, 'google_monitoring_notification_channel');
    expect(channels.map((ch) => ch.labels)).toEqual([{ email_address: 'oncall@example.com' }]);
    for (const p of policies) expect(p.notification_channels).toHaveLength(1);
  });

  it('has conditions that promtool accepts as alert rules', () => {
    if (!requirePromtool()) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'gke-policies-'));
    const file = {
      groups: [
        { name: 'gke', rules: conditions.map((c, i) => ({ alert: `${c.alert_rule}_${i}`, expr: c.query })) },
      ],
    };
    writeFileSync(path.join(dir, 'gke.yml'), stringify(file));
    const result = promtool(['check', 'rules', 'gke.yml'], dir);
    expect(result.output).toContain(`SUCCESS: ${conditions.length} rules found`);
  });
});

describe('gke-cluster kube state metrics', () => {
  const components = (kubeStateMetrics?: boolean): string[] => {
    const stack = new GkeClusterStack(Testing.app(), 'gke-cluster', {
      gcpProjectId: 'my-project-123',
      region: 'europe-west1',
      cluster: {
        clusterName: 'model-serving',
        ...(kubeStateMetrics === undefined ? {} : { kubeStateMetrics }),
      },
    });
    const json = JSON.parse(Testing.synth(stack)) as Json;
    return all(json, 'google_container_cluster')[0]!.monitoring_config.enable_components;
  };

  it('are off by default (billed per sample) and add pod, deployment, HPA, cAdvisor and kubelet when on', () => {
    expect(components()).toEqual(['SYSTEM_COMPONENTS']);
    expect(components(true)).toEqual([
      'SYSTEM_COMPONENTS',
      'POD',
      'DEPLOYMENT',
      'HPA',
      'CADVISOR',
      'KUBELET',
    ]);
  });
});
