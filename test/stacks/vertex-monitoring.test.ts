import * as path from 'node:path';
import { Testing } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { readModelBundle } from '../../src/config/model-bundle';
import { VertexEndpointStack } from '../../stacks/vertex-endpoint';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const ROOT = path.join(__dirname, '../..');
const IMAGE = `us-central1-docker.pkg.dev/my-project-123/model-serving-demo/model-server@sha256:${'3'.repeat(64)}`;

function synth(input: Json = {}): Json {
  const config = parseConfig(input);
  const o = config.observability;
  const stack = new VertexEndpointStack(Testing.app(), 'vertex-endpoint', {
    stateBackend: config.stateBackend,
    project: config.project,
    environment: config.environment,
    gcpProjectId: config.gcp.projectId,
    region: config.gcp.region,
    image: IMAGE,
    vertex: config.vertex,
    bundle: readModelBundle(ROOT, config.vertex.modelDir),
    monitoring: {
      ...o.vertex,
      errorPercent: o.serverErrorPercent,
      latencyP99Milliseconds: o.latencyThresholdSeconds * 1000,
      notificationEmails: o.notificationEmails,
      runbookUrl: o.runbookBaseUrl,
    },
  });
  return JSON.parse(Testing.synth(stack)) as Json;
}
const all = (json: Json, type: string): Json[] => Object.values(json.resource?.[type] ?? {});
const policy = (json: Json, prefix: string): Json =>
  Object.entries(json.resource.google_monitoring_alert_policy as Json).find(([k]) =>
    k.startsWith(`monitoring_${prefix}_`),
  )![1];

describe('vertex-endpoint monitoring', () => {
  const json = synth({
    observability: { notificationEmails: ['oncall@example.com'], vertex: { alertPolicies: true } },
  });
  const endpointFilter = (metric: string) =>
    `metric.type = "aiplatform.googleapis.com/prediction/online/${metric}" AND resource.type = "aiplatform.googleapis.com/Endpoint" AND resource.label.endpoint_id = "${json.resource.google_vertex_ai_endpoint[Object.keys(json.resource.google_vertex_ai_endpoint)[0]!].name}"`;

  it('alerts on the error share of this endpoint, as a ratio of two rates', () => {
    const errors = policy(json, 'errors');
    const c = errors.conditions[0].condition_threshold;
    expect(c.filter).toBe(endpointFilter('error_count'));
    expect(c.denominator_filter).toBe(endpointFilter('prediction_count'));
    expect(c.aggregations[0].per_series_aligner).toBe('ALIGN_RATE');
    expect(c.threshold_value).toBe(0.05);
    expect(c.duration).toBe('300s');
    expect(errors.severity).toBe('CRITICAL');
    expect(errors.documentation.content).toContain('README.md#modelserverhigh5xxratio');
  });

  it('alerts on p99 latency at the SLO threshold, in milliseconds', () => {
    const c = policy(json, 'latency').conditions[0].condition_threshold;
    expect(c.filter).toBe(endpointFilter('prediction_latencies'));
    expect(c.aggregations[0].per_series_aligner).toBe('ALIGN_PERCENTILE_99');
    expect(c.threshold_value).toBe(250);
  });

  it('notifies one email channel per address, from every policy, with the project labels', () => {
    const channels = all(json, 'google_monitoring_notification_channel');
    expect(channels.map((c) => [c.type, c.labels])).toEqual([
      ['email', { email_address: 'oncall@example.com' }],
    ]);
    expect(channels[0]!.user_labels).toEqual({
      project: 'model-serving',
      environment: 'demo',
      service: expect.any(String),
    });
    for (const p of all(json, 'google_monitoring_alert_policy')) {
      expect(p.notification_channels).toHaveLength(1);
      expect(p.notification_channels[0]).toMatch(/^\$\{google_monitoring_notification_channel\..+\.id\}$/);
      expect(p.user_labels).toEqual(channels[0]!.user_labels);
    }
  });

  it('draws a dashboard of predictions, errors, latency, replicas, CPU and memory', () => {
    const [dashboard] = all(json, 'google_monitoring_dashboard');
    const body = JSON.parse(dashboard!.dashboard_json);
    const metrics = body.mosaicLayout.tiles.map(
      (t: Json) =>
        /online\/([^"]+)"/.exec(t.widget.xyChart.dataSets[0].timeSeriesQuery.timeSeriesFilter.filter)![1],
    );
    expect(metrics).toEqual([
      'prediction_count',
      'response_count',
      'error_count',
      'prediction_latencies',
      'prediction_latencies',
      'replicas',
      'cpu/utilization',
      'memory/bytes_used',
    ]);
  });

  it('enables the Monitoring API first and never disables it', () => {
    const api = all(json, 'google_project_service').find((s) => s.service === 'monitoring.googleapis.com')!;
    expect(api.disable_on_destroy).toBe(false);
    for (const p of all(json, 'google_monitoring_alert_policy')) {
      expect(p.depends_on).toEqual([expect.stringMatching(/^google_project_service\.api-monitoring/)]);
    }
  });

  it('creates the dashboard but no billed alert policy by default', () => {
    const defaults = synth();
    expect(all(defaults, 'google_monitoring_alert_policy')).toHaveLength(0);
    expect(all(defaults, 'google_monitoring_dashboard')).toHaveLength(1);
  });

  it('creates nothing when both parts are off', () => {
    const off = synth({ observability: { vertex: { dashboard: false, alertPolicies: false } } });
    for (const type of ['google_monitoring_alert_policy', 'google_monitoring_dashboard']) {
      expect(all(off, type)).toHaveLength(0);
    }
    expect(all(off, 'google_project_service').map((s) => s.service)).not.toContain(
      'monitoring.googleapis.com',
    );
  });
});
