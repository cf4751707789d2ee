import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Construct } from 'constructs';
import { alertTopic } from './alert-topic';
import { serviceKmsKey } from './service-kms-key';

/** The namespace of SageMaker's per-instance metrics (CPU, memory, disk). */
const INSTANCE_METRICS_NAMESPACE = '/aws/sagemaker/Endpoints';

export interface SagemakerEndpointMonitoringProps {
  readonly endpointName: string;
  readonly variantName: string;
  /** Region of the endpoint (the dashboard's widgets need it). */
  readonly region: string;
  /** Whether the endpoint runs on instances (CPU, memory and instance widgets) or is serverless (none). */
  readonly hasInstances: boolean;
  /** Alarms that notify the topic on ALARM and OK (the endpoint's 5xx, latency, memory alarms). @default [] */
  readonly alarms?: readonly CloudwatchMetricAlarm[];
  /** Create the CloudWatch dashboard. @default true */
  readonly dashboard?: boolean;
  /**
   * Create the encrypted SNS topic and point `alarms` at it.
   * @default - only when `notificationEmails` lists an address: without a subscriber the topic notifies nobody,
   * while its customer managed key bills by the month even when the endpoint is idle or deleted by its TTL
   */
  readonly alarmTopic?: boolean;
  /** Email addresses subscribed to the topic (each confirms by mail). @default [] */
  readonly notificationEmails?: readonly string[];
  /** An existing KMS key for the topic (its policy must let CloudWatch use it). @default - a key of its own */
  readonly kmsKeyArn?: string;
}

/**
 * Watching a SageMaker endpoint: a CloudWatch dashboard (invocations, 4xx/5xx, model latency, CPU and memory,
 * instances) and an SNS topic that the endpoint's alarms notify. The topic is encrypted with a customer
 * managed key because CloudWatch alarms cannot publish to a topic encrypted with the AWS managed `alias/aws/sns`
 * key (its key policy cannot grant CloudWatch); the topic policy lets only CloudWatch alarms of this account
 * named after the endpoint publish. Needs an `AwsProvider` in the stack.
 */
export class SagemakerEndpointMonitoring extends Construct {
  readonly topic?: SnsTopic;
  readonly key?: KmsKey;
  readonly dashboard?: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: SagemakerEndpointMonitoringProps) {
    super(scope, id);
    const name = props.endpointName;

    if (props.alarmTopic ?? (props.notificationEmails?.length ?? 0) > 0) {
      const account = new DataAwsCallerIdentity(this, 'account', {});
      const partition = new DataAwsPartition(this, 'partition', {});
      const alarmArns = `arn:${partition.partition}:cloudwatch:${props.region}:${account.accountId}:alarm:${name}-*`;
      const fromAlarms = {
        ArnLike: { 'aws:SourceArn': alarmArns },
        StringEquals: { 'aws:SourceAccount': account.accountId },
      };
      let keyArn = props.kmsKeyArn;
      if (keyArn === undefined) {
        this.key = serviceKmsKey(this, 'key', {
          description: `SNS topic of the ${name} endpoint alarms`,
          servicePrincipal: 'cloudwatch.amazonaws.com',
          serviceSid: 'CloudWatchAlarmsEncrypt',
          accountId: account.accountId,
          partition: partition.partition,
        });
        keyArn = this.key.arn;
      }
      this.topic = alertTopic(this, {
        name: `${name}-alarms`,
        kmsKeyArn: keyArn,
        publisher: {
          sid: 'CloudWatchAlarmsPublish',
          service: 'cloudwatch.amazonaws.com',
          actions: 'sns:Publish',
          condition: fromAlarms,
        },
        ...(props.notificationEmails ? { notificationEmails: props.notificationEmails } : {}),
      });
      for (const alarm of props.alarms ?? []) {
        alarm.alarmActions = [this.topic.arn];
        alarm.okActions = [this.topic.arn];
      }
    }

    if (props.dashboard ?? true) {
      this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
        dashboardName: `${name}-endpoint`,
        dashboardBody: JSON.stringify({ widgets: sagemakerWidgets(props) }),
      });
    }
  }
}

type Metric = (string | Record<string, unknown>)[];

function sagemakerWidgets(props: SagemakerEndpointMonitoringProps): object[] {
  const { region } = props;
  const dims = ['EndpointName', props.endpointName, 'VariantName', props.variantName];
  const widget = (title: string, metrics: Metric[], extra: object = {}) => ({
    type: 'metric',
    width: 12,
    height: 6,
    properties: { title, region, view: 'timeSeries', period: 60, metrics, ...extra },
  });
  const sm = (metric: string, options: Record<string, unknown>): Metric => [
    'AWS/SageMaker',
    metric,
    ...dims,
    options,
  ];
  const host = (metric: string, options: Record<string, unknown>): Metric => [
    INSTANCE_METRICS_NAMESPACE,
    metric,
    ...dims,
    options,
  ];
  const widgets = [
    widget('Invocations per minute', [sm('Invocations', { stat: 'Sum', label: 'invocations' })]),
    widget('Errors per minute', [
      sm('Invocation4XXErrors', { stat: 'Sum', label: '4xx' }),
      sm('Invocation5XXErrors', { stat: 'Sum', label: '5xx' }),
    ]),
    // ModelLatency is in microseconds.
    widget('Model latency (µs)', [
      sm('ModelLatency', { stat: 'p50', label: 'p50' }),
      sm('ModelLatency', { stat: 'p99', label: 'p99' }),
      sm('OverheadLatency', { stat: 'p99', label: 'overhead p99' }),
    ]),
  ];
  if (props.hasInstances) {
    widgets.push(
      // Summed over cores: up to 200% on 2 vCPUs.
      widget('CPU % (100% per vCPU) and memory %', [
        host('CPUUtilization', { stat: 'Average', label: 'CPU' }),
        host('MemoryUtilization', { stat: 'Average', label: 'memory' }),
      ]),
      // Each instance reports CPU once a minute, so the sample count is the number of instances.
      widget('Instances', [host('CPUUtilization', { stat: 'SampleCount', label: 'instances' })]),
    );
  }
  return widgets;
}
