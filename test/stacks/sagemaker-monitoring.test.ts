import * as path from 'node:path';
import { Testing } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { SagemakerEndpointStack } from '../../stacks/sagemaker-endpoint';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const ROOT = path.join(__dirname, '../..');
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/model-serving-demo@sha256:${'2'.repeat(64)}`;
const REPOSITORY_ARN = 'arn:aws:ecr:us-east-1:123456789012:repository/model-serving-demo';

function synth(input: Record<string, unknown> = {}): Json {
  const config = parseConfig(input);
  const stack = new SagemakerEndpointStack(Testing.app(), 'sagemaker-endpoint', {
    stateBackend: config.stateBackend,
    project: config.project,
    environment: config.environment,
    region: config.aws.region,
    image: IMAGE,
    repositoryArn: REPOSITORY_ARN,
    sagemaker: config.sagemaker,
    monitoring: {
      ...config.observability.sagemaker,
      notificationEmails: config.observability.notificationEmails,
    },
    rootDir: ROOT,
  });
  return JSON.parse(Testing.synth(stack)) as Json;
}
const all = (json: Json, type: string): Json[] => Object.values(json.resource?.[type] ?? {}) as Json[];
const only = (json: Json, type: string): Json => {
  const found = all(json, type);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const ref = (json: Json, type: string, attr: string) =>
  `\${${type}.${Object.keys(json.resource[type])[0]}.${attr}}`;

describe('sagemaker-endpoint monitoring', () => {
  const json = synth({ observability: { notificationEmails: ['oncall@example.com', 'ml@example.com'] } });

  it('sends every endpoint alarm to the topic, on ALARM and on OK', () => {
    const topic = ref(json, 'aws_sns_topic', 'arn');
    const alarms = all(json, 'aws_cloudwatch_metric_alarm');
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual(
      [
        'model-serving-demo-invocation-5xx',
        'model-serving-demo-memory-utilization',
        'model-serving-demo-model-latency-p99',
      ].sort(),
    );
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toEqual([topic]);
      expect(alarm.ok_actions).toEqual([topic]);
    }
  });

  it('encrypts the topic with a rotated customer managed key that CloudWatch may use', () => {
    const key = only(json, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    expect(only(json, 'aws_sns_topic').kms_master_key_id).toBe(ref(json, 'aws_kms_key', 'arn'));
    const statement = JSON.parse(key.policy).Statement.find((s: Json) => s.Sid === 'CloudWatchAlarmsEncrypt');
    expect(statement.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    expect(statement.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
  });

  it('lets only this account’s alarms of this endpoint publish, over TLS', () => {
    const policy = JSON.parse(only(json, 'aws_sns_topic_policy').policy);
    expect(policy.Statement).toHaveLength(2);
    const [allow, deny] = policy.Statement;
    expect(allow.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    expect(allow.Action).toBe('sns:Publish');
    expect(allow.Condition.ArnLike['aws:SourceArn']).toMatch(/:alarm:model-serving-demo-\*$/);
    expect(allow.Condition.StringEquals['aws:SourceAccount']).toContain('data.aws_caller_identity');
    expect(deny).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('subscribes the configured emails', () => {
    const subs = all(json, 'aws_sns_topic_subscription');
    expect(subs.map((s) => [s.protocol, s.endpoint]).sort()).toEqual([
      ['email', 'ml@example.com'],
      ['email', 'oncall@example.com'],
    ]);
  });

  it('draws a dashboard of invocations, errors, latency, CPU, memory and instances', () => {
    const dashboard = only(json, 'aws_cloudwatch_dashboard');
    expect(dashboard.dashboard_name).toBe('model-serving-demo-endpoint');
    const body = JSON.parse(dashboard.dashboard_body);
    const metrics = body.widgets.flatMap((w: Json) =>
      w.properties.metrics.map((m: unknown[]) => `${m[0]}/${m[1]}`),
    );
    expect(metrics).toEqual([
      'AWS/SageMaker/Invocations',
      'AWS/SageMaker/Invocation4XXErrors',
      'AWS/SageMaker/Invocation5XXErrors',
      'AWS/SageMaker/ModelLatency',
      'AWS/SageMaker/ModelLatency',
      'AWS/SageMaker/OverheadLatency',
      '/aws/sagemaker/Endpoints/CPUUtilization',
      '/aws/sagemaker/Endpoints/MemoryUtilization',
      '/aws/sagemaker/Endpoints/CPUUtilization',
    ]);
    expect(body.widgets[0].properties.metrics[0]).toEqual([
      'AWS/SageMaker',
      'Invocations',
      'EndpointName',
      'model-serving-demo',
      'VariantName',
      'AllTraffic',
      { stat: 'Sum', label: 'invocations' },
    ]);
  });

  it('has no instance widgets on a serverless endpoint', () => {
    const serverless = synth({ sagemaker: { serverless: { memorySizeInMb: 2048, maxConcurrency: 2 } } });
    const body = JSON.parse(only(serverless, 'aws_cloudwatch_dashboard').dashboard_body);
    expect(JSON.stringify(body)).not.toContain('/aws/sagemaker/Endpoints');
  });

  it('makes no topic (and no monthly key) by default, when nobody is to be notified', () => {
    const quiet = synth();
    for (const type of [
      'aws_sns_topic',
      'aws_kms_key',
      'aws_sns_topic_policy',
      'aws_sns_topic_subscription',
    ]) {
      expect(all(quiet, type)).toHaveLength(0);
    }
    expect(all(quiet, 'aws_cloudwatch_metric_alarm').length).toBeGreaterThanOrEqual(2);
    for (const alarm of all(quiet, 'aws_cloudwatch_metric_alarm'))
      expect(alarm.alarm_actions).toBeUndefined();
    expect(all(quiet, 'aws_cloudwatch_dashboard')).toHaveLength(1);
  });

  it('makes the topic without subscribers when asked to, for subscriptions made elsewhere', () => {
    const topicOnly = synth({ observability: { sagemaker: { alarmTopic: true } } });
    expect(all(topicOnly, 'aws_sns_topic')).toHaveLength(1);
    expect(all(topicOnly, 'aws_kms_key')).toHaveLength(1);
    expect(all(topicOnly, 'aws_sns_topic_subscription')).toHaveLength(0);
    const topicArn = ref(topicOnly, 'aws_sns_topic', 'arn');
    for (const alarm of all(topicOnly, 'aws_cloudwatch_metric_alarm')) {
      expect(alarm.alarm_actions).toEqual([topicArn]);
    }
  });

  it('turns each part off from config, leaving the alarms without actions', () => {
    const off = synth({
      observability: {
        notificationEmails: ['oncall@example.com'],
        sagemaker: { dashboard: false, alarmTopic: false },
      },
    });
    for (const type of ['aws_cloudwatch_dashboard', 'aws_sns_topic', 'aws_kms_key', 'aws_sns_topic_policy']) {
      expect(all(off, type)).toHaveLength(0);
    }
    for (const alarm of all(off, 'aws_cloudwatch_metric_alarm')) expect(alarm.alarm_actions).toBeUndefined();
  });
});
