import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { PrometheusAlertManagerDefinition } from '@cdktf/provider-aws/lib/prometheus-alert-manager-definition';
import { PrometheusRuleGroupNamespace } from '@cdktf/provider-aws/lib/prometheus-rule-group-namespace';
import { PrometheusScraper } from '@cdktf/provider-aws/lib/prometheus-scraper';
import { PrometheusWorkspace } from '@cdktf/provider-aws/lib/prometheus-workspace';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { Construct } from 'constructs';
import type { PrometheusRuleFile } from '../../observability/prometheus-rules';
import { METRICS_PORT } from '../k8s/model-serving-constants';
import { alertTopic } from './alert-topic';
import { serviceKmsKey } from './service-kms-key';

/** The Kubernetes user name the AMP managed scraper acts as (AWS docs, "Configuring your Amazon EKS cluster"). */
export const AMP_SCRAPER_USER = 'aps-collector-user';

export interface ScrapedService {
  readonly namespace: string;
  readonly selectorLabels: Readonly<Record<string, string>>;
}

export interface EksManagedPrometheusProps {
  readonly clusterName: string;
  readonly clusterArn: string;
  /** Subnets of the cluster: the scraper's network interfaces go there. */
  readonly subnetIds: string[];
  /** Security groups of the scraper's interfaces (the cluster security group lets them reach the nodes). */
  readonly securityGroupIds: string[];
  /** CIDR of the cluster's VPC: the serving pods admit the scraper from it on the metrics port. */
  readonly vpcCidr: string;
  readonly region: string;
  /** The services whose metrics port the scraper may reach. */
  readonly services: readonly ScrapedService[];
  /** The generated rule file, loaded as one rule-group namespace. */
  readonly rules: PrometheusRuleFile;
  /** Email addresses subscribed to the alert topic. @default [] */
  readonly notificationEmails?: readonly string[];
  /** Labels of the Kubernetes objects it creates (project, service, environment). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Install the kube-state-metrics EKS community add-on. @default true */
  readonly kubeStateMetricsAddon?: boolean;
}

/**
 * Amazon Managed Service for Prometheus for an EKS cluster, no Prometheus to run: a KMS-encrypted
 * workspace, an AWS managed scraper (outside the cluster, in its subnets) with the RBAC and access entry it
 * needs, kube-state-metrics, a NetworkPolicy per service admitting the scraper's VPC addresses to the
 * metrics port, the generated rules as a rule-group namespace, and an alert manager routed to an encrypted
 * SNS topic that only this workspace may publish to. Needs an `AwsProvider` and a `KubernetesProvider`.
 */
export class EksManagedPrometheus extends Construct {
  readonly workspace: PrometheusWorkspace;
  readonly scraper: PrometheusScraper;
  readonly topic: SnsTopic;
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: EksManagedPrometheusProps) {
    super(scope, id);
    const account = new DataAwsCallerIdentity(this, 'account', {});
    const partition = new DataAwsPartition(this, 'partition', {});
    const name = props.clusterName;

    this.key = serviceKmsKey(this, 'key', {
      description: `Managed Prometheus workspace and alert topic of ${name}`,
      servicePrincipal: 'aps.amazonaws.com',
      serviceSid: 'ManagedPrometheusPublishesEncrypted',
      accountId: account.accountId,
      partition: partition.partition,
    });
    this.workspace = new PrometheusWorkspace(this, 'workspace', { alias: name, kmsKeyArn: this.key.arn });

    // The scraper acts in the cluster as AMP_SCRAPER_USER: read-only discovery and metrics.
    const role = new ClusterRoleV1(this, 'scraper-role', {
      metadata: { name: 'aps-collector-role', labels: { ...props.labels } },
      rule: [
        {
          apiGroups: [''],
          resources: ['nodes', 'nodes/proxy', 'nodes/metrics', 'services', 'endpoints', 'pods', 'configmaps'],
          verbs: ['get', 'list', 'watch'],
        },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        { nonResourceUrls: ['/metrics'], verbs: ['get'] },
      ],
    });
    new ClusterRoleBindingV1(this, 'scraper-binding', {
      metadata: { name: 'aps-collector-user-role-binding', labels: { ...props.labels } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
      subject: [{ kind: 'User', name: AMP_SCRAPER_USER, apiGroup: 'rbac.authorization.k8s.io' }],
    });

    const addon =
      (props.kubeStateMetricsAddon ?? true)
        ? new EksAddon(this, 'kube-state-metrics', { clusterName: name, addonName: 'kube-state-metrics' })
        : undefined;

    this.scraper = new PrometheusScraper(this, 'scraper', {
      alias: name,
      source: [
        {
          eks: [
            {
              clusterArn: props.clusterArn,
              subnetIds: props.subnetIds,
              securityGroupIds: props.securityGroupIds,
            },
          ],
        },
      ],
      destination: [{ amp: [{ workspaceArn: this.workspace.arn }] }],
      scrapeConfiguration: scrapeConfiguration(),
      ...(addon ? { dependsOn: [addon] } : {}),
    });
    new EksAccessEntry(this, 'scraper-access', {
      clusterName: name,
      principalArn: this.scraper.roleArn,
      userName: AMP_SCRAPER_USER,
    });

    for (const service of props.services) {
      new NetworkPolicyV1(this, `scraper-ingress-${service.namespace}`, {
        metadata: {
          name: 'metrics-from-managed-scraper',
          namespace: service.namespace,
          labels: { ...props.labels },
        },
        spec: {
          podSelector: { matchLabels: { ...service.selectorLabels } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [{ ipBlock: { cidr: props.vpcCidr } }],
              ports: [{ port: String(METRICS_PORT), protocol: 'TCP' }],
            },
          ],
        },
      });
    }

    new PrometheusRuleGroupNamespace(this, 'rules', {
      name: 'model-serving',
      workspaceId: this.workspace.id,
      // JSON is YAML: the rule file as generated, no YAML library at synth.
      data: JSON.stringify(props.rules),
    });

    this.topic = alertTopic(this, {
      name: `${name}-prometheus-alerts`,
      kmsKeyArn: this.key.arn,
      publisher: {
        sid: 'ManagedPrometheusPublishes',
        service: 'aps.amazonaws.com',
        actions: ['sns:Publish', 'sns:GetTopicAttributes'],
        condition: {
          ArnEquals: { 'aws:SourceArn': this.workspace.arn },
          StringEquals: { 'aws:SourceAccount': account.accountId },
        },
      },
      ...(props.notificationEmails ? { notificationEmails: props.notificationEmails } : {}),
    });
    const alertmanager = {
      route: { receiver: 'sns', group_by: ['alertname', 'service'] },
      receivers: [
        {
          name: 'sns',
          sns_configs: [
            {
              topic_arn: this.topic.arn,
              sigv4: { region: props.region },
              attributes: {
                severity: '{{ .CommonLabels.severity }}',
                service: '{{ .CommonLabels.service }}',
              },
            },
          ],
        },
      ],
    };
    new PrometheusAlertManagerDefinition(this, 'alert-manager', {
      workspaceId: this.workspace.id,
      // A YAML document whose one value is the configuration (JSON-quoted strings are YAML strings).
      definition: `alertmanager_config: ${JSON.stringify(JSON.stringify(alertmanager))}\n`,
    });
  }
}

/**
 * What the scraper collects: pods that opt in with the `prometheus.io/*` annotations (the serving pods do),
 * kube-state-metrics, and cAdvisor through the API server. `namespace` and `pod` labels are kept: the rules
 * select each service by namespace.
 */
function scrapeConfiguration(): string {
  const config = {
    global: { scrape_interval: '30s' },
    scrape_configs: [
      {
        job_name: 'pods',
        kubernetes_sd_configs: [{ role: 'pod' }],
        relabel_configs: [
          {
            source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
            action: 'keep',
            regex: 'true',
          },
          {
            source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
            action: 'replace',
            regex: '([^:]+)(?::\\d+)?;(\\d+)',
            replacement: '$1:$2',
            target_label: '__address__',
          },
          {
            source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'],
            action: 'replace',
            regex: '(.+)',
            target_label: '__metrics_path__',
          },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        ],
      },
      {
        job_name: 'kube-state-metrics',
        kubernetes_sd_configs: [{ role: 'endpoints' }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_service_name'], action: 'keep', regex: 'kube-state-metrics' },
        ],
        // The metrics' own namespace/pod labels name the workload, not kube-state-metrics' pod.
        honor_labels: true,
      },
      {
        job_name: 'cadvisor',
        scheme: 'https',
        authorization: { credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
        tls_config: { ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' },
        kubernetes_sd_configs: [{ role: 'node' }],
        relabel_configs: [
          { target_label: '__address__', replacement: 'kubernetes.default.svc:443' },
          {
            source_labels: ['__meta_kubernetes_node_name'],
            regex: '(.+)',
            target_label: '__metrics_path__',
            replacement: '/api/v1/nodes/$1/proxy/metrics/cadvisor',
          },
        ],
      },
    ],
  };
  return JSON.stringify(config);
}
