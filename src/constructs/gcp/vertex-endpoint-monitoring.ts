import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { EmailNotificationChannels } from './email-notification-channels';

/** Vertex AI endpoint metrics (cloud.google.com/monitoring/api/metrics_gcp_a_b#gcp-aiplatform). */
const METRIC = 'aiplatform.googleapis.com/prediction/online';
const RESOURCE = 'aiplatform.googleapis.com/Endpoint';

export interface VertexEndpointMonitoringProps {
  readonly projectId: string;
  /** The numeric endpoint id (the `endpoint_id` label of the metrics). */
  readonly endpointId: string;
  readonly displayName: string;
  /** Create the Cloud Monitoring dashboard. @default true */
  readonly dashboard?: boolean;
  /** Create the alert policies. @default true */
  readonly alertPolicies?: boolean;
  /** Error share of predictions (percent, 5 minutes) that fires the error policy. @default 5 */
  readonly errorPercent?: number;
  /** p99 prediction latency (milliseconds, 5 minutes) that fires the latency policy. @default 250 */
  readonly latencyP99Milliseconds?: number;
  /** Addresses notified (one email channel each). @default [] */
  readonly notificationEmails?: readonly string[];
  /** Where each policy's documentation links (the README runbook). */
  readonly runbookUrl: string;
  /** `user_labels` of the policies and channels (the provider's default labels do not reach them). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Resources created first (the Monitoring API). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Watching a Vertex AI endpoint in Cloud Monitoring: alert policies on its error share and p99 latency,
 * notifying email channels, and a dashboard (predictions, errors by response code, latency, replicas, CPU and
 * memory). Policies, channels and dashboards are free; the metrics are Vertex's own, also free.
 */
export class VertexEndpointMonitoring extends Construct {
  readonly errorPolicy?: MonitoringAlertPolicy;
  readonly latencyPolicy?: MonitoringAlertPolicy;
  readonly dashboard?: MonitoringDashboard;
  readonly channels: EmailNotificationChannels;

  constructor(scope: Construct, id: string, props: VertexEndpointMonitoringProps) {
    super(scope, id);
    const endpoint = `resource.type = "${RESOURCE}" AND resource.label.endpoint_id = "${props.endpointId}"`;
    const filter = (metric: string) => `metric.type = "${METRIC}/${metric}" AND ${endpoint}`;
    const labels = { ...props.labels };
    const dependsOn = props.dependsOn ?? [];
    this.channels = new EmailNotificationChannels(this, 'channels', {
      projectId: props.projectId,
      emails: props.notificationEmails ?? [],
      displayNamePrefix: `${props.displayName} alerts:`,
      labels,
    });

    if (props.alertPolicies ?? true) {
      const common = {
        project: props.projectId,
        combiner: 'OR',
        notificationChannels: this.channels.channelIds,
        userLabels: labels,
        alertStrategy: { autoClose: '1800s' },
        dependsOn,
      };
      const rate = (groupBy: string[]) => [
        {
          alignmentPeriod: '60s',
          perSeriesAligner: 'ALIGN_RATE',
          crossSeriesReducer: 'REDUCE_SUM',
          groupByFields: groupBy,
        },
      ];
      const errorPercent = props.errorPercent ?? 5;
      this.errorPolicy = new MonitoringAlertPolicy(this, 'errors', {
        ...common,
        displayName: `${props.displayName}: error share above ${errorPercent}%`,
        severity: 'CRITICAL',
        documentation: {
          mimeType: 'text/markdown',
          subject: `${props.displayName}: prediction errors`,
          content: `More than ${errorPercent}% of predictions failed for 5 minutes. Runbook: ${props.runbookUrl}#modelserverhigh5xxratio`,
        },
        conditions: [
          {
            displayName: 'error_count / prediction_count',
            conditionThreshold: {
              filter: filter('error_count'),
              aggregations: rate(['resource.label.endpoint_id']),
              denominatorFilter: filter('prediction_count'),
              denominatorAggregations: rate(['resource.label.endpoint_id']),
              comparison: 'COMPARISON_GT',
              thresholdValue: errorPercent / 100,
              duration: '300s',
              trigger: { count: 1 },
            },
          },
        ],
      });
      const latencyMs = props.latencyP99Milliseconds ?? 250;
      this.latencyPolicy = new MonitoringAlertPolicy(this, 'latency', {
        ...common,
        displayName: `${props.displayName}: p99 latency above ${latencyMs} ms`,
        severity: 'WARNING',
        documentation: {
          mimeType: 'text/markdown',
          subject: `${props.displayName}: slow predictions`,
          content: `The p99 of prediction latency stayed above ${latencyMs} ms for 5 minutes. Runbook: ${props.runbookUrl}#modelserverlatencybudgetburn`,
        },
        conditions: [
          {
            displayName: 'prediction_latencies p99',
            conditionThreshold: {
              filter: filter('prediction_latencies'),
              aggregations: [
                {
                  alignmentPeriod: '60s',
                  perSeriesAligner: 'ALIGN_PERCENTILE_99',
                  crossSeriesReducer: 'REDUCE_MAX',
                  groupByFields: ['resource.label.endpoint_id'],
                },
              ],
              comparison: 'COMPARISON_GT',
              thresholdValue: latencyMs,
              duration: '300s',
              trigger: { count: 1 },
            },
          },
        ],
      });
    }

    if (props.dashboard ?? true) {
      const chart = (
        title: string,
        metric: string,
        aligner: string,
        reducer: string,
        groupBy: string[] = [],
      ) => ({
        title,
        xyChart: {
          dataSets: [
            {
              plotType: 'LINE',
              timeSeriesQuery: {
                timeSeriesFilter: {
                  filter: filter(metric),
                  aggregation: {
                    alignmentPeriod: '60s',
                    perSeriesAligner: aligner,
                    crossSeriesReducer: reducer,
                    groupByFields: groupBy,
                  },
                },
              },
            },
          ],
        },
      });
      const widgets = [
        chart('Predictions per second', 'prediction_count', 'ALIGN_RATE', 'REDUCE_SUM'),
        chart('Responses per second by code', 'response_count', 'ALIGN_RATE', 'REDUCE_SUM', [
          'metric.label.response_code',
        ]),
        chart('Errors per second', 'error_count', 'ALIGN_RATE', 'REDUCE_SUM'),
        chart('Prediction latency p50 (ms)', 'prediction_latencies', 'ALIGN_PERCENTILE_50', 'REDUCE_MAX'),
        chart('Prediction latency p99 (ms)', 'prediction_latencies', 'ALIGN_PERCENTILE_99', 'REDUCE_MAX'),
        chart('Replicas', 'replicas', 'ALIGN_MEAN', 'REDUCE_SUM'),
        chart('CPU utilization', 'cpu/utilization', 'ALIGN_MEAN', 'REDUCE_MEAN'),
        chart('Memory used (bytes)', 'memory/bytes_used', 'ALIGN_MEAN', 'REDUCE_MEAN'),
      ];
      this.dashboard = new MonitoringDashboard(this, 'dashboard', {
        project: props.projectId,
        dashboardJson: JSON.stringify({
          displayName: props.displayName,
          mosaicLayout: {
            columns: 12,
            tiles: widgets.map((widget, i) => ({
              xPos: (i % 2) * 6,
              yPos: Math.floor(i / 2) * 4,
              width: 6,
              height: 4,
              widget,
            })),
          },
        }),
        dependsOn,
      });
    }
  }
}
