import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard';
import { Construct } from 'constructs';
import { dashboardExpressions, serviceDashboard } from '../../observability/dashboards';
import { standaloneAlerts } from '../../observability/inline-recordings';
import type { MonitoredService, ObservabilityRuleOptions } from '../../observability/options';
import { serviceRuleGroup } from '../../observability/prometheus-rules';
import { EmailNotificationChannels } from './email-notification-channels';

/** Cloud Monitoring severities for the rules' `severity` label. */
const SEVERITY = { page: 'CRITICAL', ticket: 'WARNING' } as const;

export interface GkeServingMonitoringProps {
  readonly projectId: string;
  /** The cluster's name: every query is restricted to it (`cluster` label of Managed Prometheus). */
  readonly clusterName: string;
  readonly services: readonly MonitoredService[];
  readonly rules: ObservabilityRuleOptions;
  /** The generated alerts as Cloud Monitoring alert policies with PromQL conditions. @default false */
  readonly alertPolicies?: boolean;
  /** One Cloud Monitoring dashboard per service, with the Grafana dashboard's PromQL. @default true */
  readonly dashboard?: boolean;
  /** Addresses notified by the policies. @default [] */
  readonly notificationEmails?: readonly string[];
  /** `user_labels` of policies and channels. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The project's Prometheus alerts and dashboards in Cloud Monitoring, over what GKE Managed Prometheus
 * collects: the generated alert rules become alert policies with PromQL conditions (Managed Prometheus
 * `Rules` alone notify nobody without a managed Alertmanager), notifying email channels, and each service's
 * panels become a Cloud Monitoring dashboard.
 */
export class GkeServingMonitoring extends Construct {
  readonly policies: MonitoringAlertPolicy[] = [];
  readonly dashboards: MonitoringDashboard[] = [];

  constructor(scope: Construct, id: string, props: GkeServingMonitoringProps) {
    super(scope, id);
    const labels = { ...props.labels };
    const onCluster = (expr: string) => withCluster(expr, props.clusterName);
    if (props.alertPolicies ?? false) {
      const channels = new EmailNotificationChannels(this, 'channels', {
        projectId: props.projectId,
        emails: props.notificationEmails ?? [],
        displayNamePrefix: `${props.clusterName} model serving alerts:`,
        labels,
      });
      for (const service of props.services) {
        const group = serviceRuleGroup(service, props.rules);
        standaloneAlerts(group).forEach((alert, i) => {
          const window = alert.labels.long_window ? ` (${alert.labels.long_window})` : '';
          this.policies.push(
            new MonitoringAlertPolicy(this, `${service.name}-${alert.alert}-${i}`, {
              project: props.projectId,
              displayName: `${service.name}: ${alert.alert}${window}`,
              combiner: 'OR',
              severity: SEVERITY[alert.labels.severity as keyof typeof SEVERITY] ?? 'WARNING',
              notificationChannels: channels.channelIds,
              userLabels: labels,
              documentation: {
                mimeType: 'text/markdown',
                subject: `${service.name}: ${alert.alert}`,
                content: `${alert.annotations.description}\n\nRunbook: ${alert.annotations.runbook_url}`,
              },
              conditions: [
                {
                  displayName: alert.alert,
                  conditionPrometheusQueryLanguage: {
                    query: onCluster(alert.expr),
                    duration: toSeconds(alert.for ?? '0s'),
                    evaluationInterval: '60s',
                    alertRule: alert.alert,
                    ruleGroup: group.name,
                    labels: alert.labels,
                  },
                },
              ],
            }),
          );
        });
      }
    }
    if (props.dashboard ?? true) {
      for (const service of props.services) {
        const grafana = serviceDashboard(service, props.rules);
        const tiles = (grafana.panels ?? []).flatMap((panel) => {
          if (!('targets' in panel)) return [];
          const exprs = dashboardExpressions({ ...grafana, panels: [panel] });
          return [{ title: panel.title ?? '', exprs }];
        });
        this.dashboards.push(
          new MonitoringDashboard(this, `dashboard-${service.name}`, {
            project: props.projectId,
            dashboardJson: JSON.stringify({
              displayName: `Model serving / ${service.name} (${props.clusterName})`,
              mosaicLayout: {
                columns: 12,
                tiles: tiles.map((tile, i) => ({
                  xPos: (i % 2) * 6,
                  yPos: Math.floor(i / 2) * 4,
                  width: 6,
                  height: 4,
                  widget: {
                    title: tile.title,
                    xyChart: {
                      dataSets: tile.exprs.map((expr) => ({
                        plotType: 'LINE',
                        timeSeriesQuery: {
                          prometheusQuery: onCluster(expr.replace(/\$__rate_interval/g, '5m')),
                        },
                      })),
                    },
                  },
                })),
              },
            }),
          }),
        );
      }
    }
  }
}

/** Adds `cluster="<name>"` to every selector that has a `namespace` matcher (each service's series). */
export function withCluster(expr: string, cluster: string): string {
  return expr.replace(/\{(namespace="[^"]*")/g, `{cluster="${cluster}",$1`);
}

function toSeconds(duration: string): string {
  const match = /^(\d+)([smh])$/.exec(duration);
  if (!match) return '0s';
  const factor = { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
  return `${Number(match[1]) * factor}s`;
}
