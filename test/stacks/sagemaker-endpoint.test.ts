import * as path from 'node:path';
import { Testing } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { InvalidPropsError } from '../../src/constructs/props-problems';
import { SagemakerEndpointStack } from '../../stacks/sagemaker-endpoint';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const ROOT = path.join(__dirname, '../..');
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/model-serving-demo@sha256:${'2'.repeat(64)}`;
const REPOSITORY_ARN = 'arn:aws:ecr:us-east-1:123456789012:repository/model-serving-demo';
const KMS = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const BANKCHURN_SHA256 = '7bdc9d4e51defe3cbf2f169cb5069b939b3afb0da887a470cbd1bbb755136fa5';

function synth(sagemaker: unknown = {}, extra: Record<string, unknown> = {}) {
  const config = parseConfig({ sagemaker, ...extra });
  const stack = new SagemakerEndpointStack(Testing.app(), 'sagemaker-endpoint', {
    stateBackend: config.stateBackend,
    project: config.project,
    environment: config.environment,
    region: config.aws.region,
    image: IMAGE,
    repositoryArn: REPOSITORY_ARN,
    sagemaker: config.sagemaker,
    rootDir: ROOT,
  });
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as Json, stack };
}

/** The one resource of a type (fails when there are more or none). */
function only(json: Json, type: string): Json {
  const all = Object.values(json.resource?.[type] ?? {}) as Json[];
  expect(all).toHaveLength(1);
  return all[0]!;
}
const count = (json: Json, type: string): number => Object.keys(json.resource?.[type] ?? {}).length;
const key = (json: Json, type: string): string => {
  const keys = Object.keys(json.resource[type]);
  expect(keys).toHaveLength(1);
  return keys[0]!;
};
const policyOf = (json: Json, name: string): Json =>
  JSON.parse(
    (Object.values(json.resource.aws_iam_role_policy) as Json[]).find((p) => p.name === name)!.policy,
  );

describe('sagemaker-endpoint stack', () => {
  const defaults = synth();
  const { json } = defaults;

  test('snapshot (defaults: bankchurn on one ml.t2.medium)', () => {
    expect(defaults.text).toMatchSnapshot();
  });

  test('snapshot (serverless, KMS, ttlHours)', () => {
    expect(
      synth({ serverless: { memorySizeInMb: 3072 }, kmsKeyArn: KMS, ttlHours: 8 }).text,
    ).toMatchSnapshot();
  });

  test('provider: region and default tags; state path relative', () => {
    expect(json.provider.aws[0]).toEqual({
      region: 'us-east-1',
      default_tags: [
        { tags: { project: 'model-serving', service: 'sagemaker-endpoint', environment: 'demo' } },
      ],
    });
    expect(json.terraform.backend.local.path).toBe('../../../terraform.sagemaker-endpoint.tfstate');
  });

  test('artifact: an asset with a relative path, uploaded under its sha256 with source_hash (no etag)', () => {
    const object = only(json, 'aws_s3_object');
    expect(object.source).toBe(`assets/artifact_F89CC651/${BANKCHURN_SHA256}/model.tar.gz`);
    expect(object.key).toBe(`models/bankchurn/${BANKCHURN_SHA256}/model.tar.gz`);
    expect(object.source_hash).toBe(BANKCHURN_SHA256);
    expect(object.etag).toBeUndefined();
    expect(object.bucket).toBe(`\${aws_s3_bucket.${key(json, 'aws_s3_bucket')}.id}`);
  });

  test('bucket: public access blocked, ACLs off, SSE-S3 by default, versioned, TLS only, emptied on destroy', () => {
    const bucketRef = `\${aws_s3_bucket.${key(json, 'aws_s3_bucket')}`;
    expect(only(json, 'aws_s3_bucket')).toEqual({
      bucket_prefix: 'model-serving-demo-models-',
      force_destroy: true,
    });
    expect(only(json, 'aws_s3_bucket_public_access_block')).toMatchObject({
      bucket: `${bucketRef}.id}`,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only(json, 'aws_s3_bucket_ownership_controls').rule).toEqual({
      object_ownership: 'BucketOwnerEnforced',
    });
    expect(only(json, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' }, bucket_key_enabled: false },
    ]);
    expect(only(json, 'aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
    expect(JSON.parse(only(json, 'aws_s3_bucket_policy').policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`${bucketRef}.arn}`, `${bucketRef}.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
  });

  test('KMS key: bucket and object encrypted with it, the role may decrypt with it, volumes use it', () => {
    const { json: kms } = synth({ kmsKeyArn: KMS });
    expect(only(kms, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: KMS },
        bucket_key_enabled: true,
      },
    ]);
    expect(only(kms, 'aws_s3_object')).toMatchObject({ server_side_encryption: 'aws:kms', kms_key_id: KMS });
    expect(only(kms, 'aws_sagemaker_endpoint_configuration').kms_key_arn).toBe(KMS);
    expect(policyOf(kms, 'least-privilege').Statement).toContainEqual({
      Sid: 'DecryptModelArtifact',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: KMS,
    });
    expect(policyOf(json, 'least-privilege').Statement.map((s: Json) => s.Sid)).not.toContain(
      'DecryptModelArtifact',
    );
  });

  test('execution role: trusted by SageMaker for this account only; exact actions on exact resources', () => {
    const role = (Object.values(json.resource.aws_iam_role) as Json[])[0]!;
    expect(count(json, 'aws_iam_role')).toBe(1);
    const account = `\${data.aws_caller_identity.${Object.keys(json.data.aws_caller_identity)[0]}.account_id}`;
    expect(JSON.parse(role.assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'sagemaker.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': account } },
        },
      ],
    });
    const bucket = key(json, 'aws_s3_bucket');
    const logGroup = key(json, 'aws_cloudwatch_log_group');
    const alarms = Object.entries(json.resource.aws_cloudwatch_metric_alarm as Record<string, Json>);
    const alarmArn = (name: string) =>
      `\${aws_cloudwatch_metric_alarm.${alarms.find(([, a]) => a.alarm_name === name)![0]}.arn}`;
    expect(policyOf(json, 'least-privilege')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'EcrToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Sid: 'PullImage',
          Effect: 'Allow',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Resource: REPOSITORY_ARN,
        },
        {
          Sid: 'ReadModelArtifact',
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: `\${aws_s3_bucket.${bucket}.arn}/models/bankchurn/${BANKCHURN_SHA256}/model.tar.gz`,
        },
        {
          Sid: 'WriteEndpointLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `\${aws_cloudwatch_log_group.${logGroup}.arn}:log-stream:*`,
        },
        {
          Sid: 'PutEndpointMetrics',
          Effect: 'Allow',
          Action: 'cloudwatch:PutMetricData',
          Resource: '*',
          Condition: { StringLike: { 'cloudwatch:namespace': ['AWS/SageMaker', '/aws/sagemaker/*'] } },
        },
        {
          Sid: 'ReadRollbackAlarms',
          Effect: 'Allow',
          Action: 'cloudwatch:DescribeAlarms',
          Resource: [
            alarmArn('model-serving-demo-invocation-5xx'),
            alarmArn('model-serving-demo-model-latency-p99'),
          ],
        },
      ],
    });
  });

  test('no wildcard action anywhere; the only "*" resources are the ECR token and PutMetricData; no CreateLogGroup', () => {
    for (const variant of [json, synth({ ttlHours: 2, kmsKeyArn: KMS }).json]) {
      for (const policy of Object.values(variant.resource.aws_iam_role_policy) as Json[]) {
        for (const statement of JSON.parse(policy.policy).Statement as Json[]) {
          const actions = [statement.Action].flat() as string[];
          for (const action of actions) expect(action).not.toMatch(/\*/);
          expect(actions).not.toContain('logs:CreateLogGroup');
          if ([statement.Resource].flat().includes('*')) {
            expect(actions).toEqual(
              expect.arrayContaining([
                expect.stringMatching(/^(ecr:GetAuthorizationToken|cloudwatch:PutMetricData)$/),
              ]),
            );
            expect(actions).toHaveLength(1);
          }
        }
      }
      expect(JSON.stringify(variant)).not.toContain('AmazonSageMakerFullAccess');
    }
  });

  test('log group /aws/sagemaker/Endpoints/<name> with retention, made before the endpoint', () => {
    expect(only(json, 'aws_cloudwatch_log_group')).toEqual({
      name: '/aws/sagemaker/Endpoints/model-serving-demo',
      retention_in_days: 30,
    });
    expect(only(json, 'aws_sagemaker_endpoint').depends_on).toEqual([
      `aws_cloudwatch_log_group.${key(json, 'aws_cloudwatch_log_group')}`,
    ]);
    expect(only(synth({ logRetentionInDays: 7 }).json, 'aws_cloudwatch_log_group').retention_in_days).toBe(7);
  });

  test('model: the image, the artifact, MODEL_NAME, LOG_LEVEL and WORKERS=auto, network isolation, after its policy', () => {
    const model = only(json, 'aws_sagemaker_model');
    expect(model.primary_container).toEqual({
      image: IMAGE,
      model_data_url: `s3://\${aws_s3_bucket.${key(json, 'aws_s3_bucket')}.bucket}/models/bankchurn/${BANKCHURN_SHA256}/model.tar.gz`,
      // WORKERS=auto: one serving process per vCPU of the instance.
      environment: { MODEL_NAME: 'bankchurn', LOG_LEVEL: 'info', WORKERS: 'auto' },
    });
    expect(model.enable_network_isolation).toBe(true);
    expect(model.execution_role_arn).toBe(`\${aws_iam_role.${key(json, 'aws_iam_role')}.arn}`);
    expect(model.depends_on).toEqual([`aws_iam_role_policy.${key(json, 'aws_iam_role_policy')}`]);
    const other = only(synth({ model: 'chicagotaxi', logLevel: 'debug' }).json, 'aws_sagemaker_model');
    expect(other.primary_container.environment).toEqual({
      MODEL_NAME: 'chicagotaxi',
      LOG_LEVEL: 'debug',
      WORKERS: 'auto',
    });
    expect(other.primary_container.model_data_url).toMatch(
      /\/models\/chicagotaxi\/[a-f0-9]{64}\/model\.tar\.gz$/,
    );
  });

  test('endpoint configuration: name prefix, create before destroy, instance variant, startup timeout 60 s', () => {
    const config = only(json, 'aws_sagemaker_endpoint_configuration');
    expect(config.name).toBeUndefined();
    expect(config.name_prefix).toBe('model-serving-demo-');
    expect(config.lifecycle).toEqual({ create_before_destroy: true });
    expect(config.kms_key_arn).toBeUndefined();
    expect(config.production_variants).toEqual([
      {
        variant_name: 'AllTraffic',
        model_name: `\${aws_sagemaker_model.${key(json, 'aws_sagemaker_model')}.name}`,
        instance_type: 'ml.t2.medium',
        initial_instance_count: 1,
        container_startup_health_check_timeout_in_seconds: 60,
      },
    ]);
  });

  test('endpoint: blue/green all at once with a bake, auto-rollback on the 5xx and latency alarms', () => {
    const endpoint = only(json, 'aws_sagemaker_endpoint');
    expect(endpoint.name).toBe('model-serving-demo');
    expect(endpoint.endpoint_config_name).toBe(
      `\${aws_sagemaker_endpoint_configuration.${key(json, 'aws_sagemaker_endpoint_configuration')}.name}`,
    );
    const alarms = json.resource.aws_cloudwatch_metric_alarm as Record<string, Json>;
    const ref = (name: string) =>
      `\${aws_cloudwatch_metric_alarm.${Object.entries(alarms).find(([, a]) => a.alarm_name === name)![0]}.alarm_name}`;
    expect(endpoint.deployment_config).toEqual({
      blue_green_update_policy: {
        traffic_routing_configuration: { type: 'ALL_AT_ONCE', wait_interval_in_seconds: 300 },
        termination_wait_in_seconds: 0,
      },
      auto_rollback_configuration: {
        alarms: [
          { alarm_name: ref('model-serving-demo-invocation-5xx') },
          { alarm_name: ref('model-serving-demo-model-latency-p99') },
        ],
      },
    });
  });

  test('autoscaling: endpoint/<ep>/variant/<variant>, desired instance count, invocations per instance per minute', () => {
    const target = only(json, 'aws_appautoscaling_target');
    expect(target).toEqual({
      service_namespace: 'sagemaker',
      resource_id: `endpoint/\${aws_sagemaker_endpoint.${key(json, 'aws_sagemaker_endpoint')}.name}/variant/AllTraffic`,
      scalable_dimension: 'sagemaker:variant:DesiredInstanceCount',
      min_capacity: 1,
      max_capacity: 2,
    });
    const policy = only(json, 'aws_appautoscaling_policy');
    expect(policy.policy_type).toBe('TargetTrackingScaling');
    expect(policy.resource_id).toBe(
      `\${aws_appautoscaling_target.${key(json, 'aws_appautoscaling_target')}.resource_id}`,
    );
    expect(policy.target_tracking_scaling_policy_configuration).toEqual({
      target_value: 300,
      predefined_metric_specification: { predefined_metric_type: 'SageMakerVariantInvocationsPerInstance' },
      scale_out_cooldown: 60,
      scale_in_cooldown: 300,
    });
    const scaled = synth({
      minInstanceCount: 2,
      maxInstanceCount: 4,
      targetInvocationsPerInstancePerMinute: 900,
    }).json;
    expect(only(scaled, 'aws_appautoscaling_target')).toMatchObject({ min_capacity: 2, max_capacity: 4 });
    expect(
      only(scaled, 'aws_sagemaker_endpoint_configuration').production_variants[0].initial_instance_count,
    ).toBe(2);
    expect(
      only(scaled, 'aws_appautoscaling_policy').target_tracking_scaling_policy_configuration.target_value,
    ).toBe(900);
  });

  test('alarms: 5xx sum per minute, p99 ModelLatency in microseconds, per-instance memory', () => {
    const alarms = Object.values(json.resource.aws_cloudwatch_metric_alarm) as Json[];
    const byName = Object.fromEntries(alarms.map((a) => [a.alarm_name, a]));
    const dimensions = { EndpointName: 'model-serving-demo', VariantName: 'AllTraffic' };
    expect(Object.keys(byName).sort()).toEqual([
      'model-serving-demo-invocation-5xx',
      'model-serving-demo-memory-utilization',
      'model-serving-demo-model-latency-p99',
    ]);
    expect(byName['model-serving-demo-invocation-5xx']).toMatchObject({
      namespace: 'AWS/SageMaker',
      metric_name: 'Invocation5XXErrors',
      statistic: 'Sum',
      period: 60,
      threshold: 1,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      treat_missing_data: 'notBreaching',
      dimensions,
    });
    const latency = byName['model-serving-demo-model-latency-p99']!;
    expect(latency).toMatchObject({
      namespace: 'AWS/SageMaker',
      metric_name: 'ModelLatency',
      extended_statistic: 'p99',
      threshold: 500_000,
      comparison_operator: 'GreaterThanThreshold',
      dimensions,
    });
    expect(latency.alarm_description).toContain('500000 microseconds (0.5 s)');
    expect(byName['model-serving-demo-memory-utilization']).toMatchObject({
      namespace: '/aws/sagemaker/Endpoints',
      metric_name: 'MemoryUtilization',
      threshold: 85,
      dimensions,
    });
  });

  test('serverless: serverless variant, no autoscaling, no per-instance alarm, no rollback, no isolation', () => {
    const { json: serverless } = synth({
      serverless: { memorySizeInMb: 3072, maxConcurrency: 10 },
      kmsKeyArn: KMS,
    });
    expect(only(serverless, 'aws_sagemaker_endpoint_configuration').production_variants).toEqual([
      {
        variant_name: 'AllTraffic',
        model_name: `\${aws_sagemaker_model.${key(serverless, 'aws_sagemaker_model')}.name}`,
        serverless_config: { memory_size_in_mb: 3072, max_concurrency: 10 },
      },
    ]);
    expect(only(serverless, 'aws_sagemaker_endpoint_configuration').kms_key_arn).toBeUndefined();
    expect(count(serverless, 'aws_appautoscaling_target')).toBe(0);
    expect(count(serverless, 'aws_appautoscaling_policy')).toBe(0);
    const names = (Object.values(serverless.resource.aws_cloudwatch_metric_alarm) as Json[]).map(
      (a) => a.metric_name,
    );
    expect(names.sort()).toEqual(['Invocation5XXErrors', 'ModelLatency']);
    expect(only(serverless, 'aws_sagemaker_endpoint').deployment_config).toBeUndefined();
    expect(policyOf(serverless, 'least-privilege').Statement.map((s: Json) => s.Sid)).not.toContain(
      'ReadRollbackAlarms',
    );
    expect(only(serverless, 'aws_sagemaker_model').enable_network_isolation).toBe(false);
  });

  test('no time-to-live by default: no schedule, no time provider, one role', () => {
    expect(count(json, 'aws_scheduler_schedule')).toBe(0);
    expect(count(json, 'time_offset')).toBe(0);
    expect(json.provider.time).toBeUndefined();
    expect(count(json, 'aws_iam_role')).toBe(1);
  });

  test('ttlHours: one-time UTC schedule from a Terraform time_offset tied to the endpoint, deleting only it', () => {
    const { json: ttl, text } = synth({ ttlHours: 8 });
    const endpoint = `aws_sagemaker_endpoint.${key(ttl, 'aws_sagemaker_endpoint')}`;
    const offsetKey = key(ttl, 'time_offset');
    expect(ttl.provider.time).toEqual([{}]);
    // Re-based whenever the endpoint is (re)created: its ARN is unknown at plan exactly then.
    expect(only(ttl, 'time_offset')).toEqual({
      offset_hours: 8,
      triggers: { endpoint_arn: `\${${endpoint}.arn}` },
    });
    const schedule = only(ttl, 'aws_scheduler_schedule');
    expect(schedule.schedule_expression).toBe(
      `at(\${formatdate("YYYY-MM-DD'T'hh:mm:ss", time_offset.${offsetKey}.rfc3339)})`,
    );
    expect(schedule.schedule_expression_timezone).toBe('UTC');
    expect(schedule.flexible_time_window).toEqual({ mode: 'OFF' });
    expect(schedule.action_after_completion).toBe('DELETE');
    expect(schedule.target.arn).toBe('arn:aws:scheduler:::aws-sdk:sagemaker:deleteEndpoint');
    expect(schedule.target.input).toBe(`\${jsonencode({"EndpointName" = ${endpoint}.name})}`);
    const roles = ttl.resource.aws_iam_role as Record<string, Json>;
    const [roleKey, role] = Object.entries(roles).find(([, r]) => r.name_prefix === 'sagemaker-ttl-')!;
    expect(schedule.target.role_arn).toBe(`\${aws_iam_role.${roleKey}.arn}`);
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({
      Service: 'scheduler.amazonaws.com',
    });
    expect(policyOf(ttl, 'delete-endpoint')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DeleteThisEndpoint',
          Effect: 'Allow',
          Action: 'sagemaker:DeleteEndpoint',
          Resource: `\${${endpoint}.arn}`,
        },
      ],
    });
    // Nothing computed from the clock at synth.
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  test('destroy needs nothing from a live endpoint: no data source reads it, no provisioner, no destroy-time call', () => {
    const { json: ttl } = synth({ ttlHours: 1 });
    // Only the account and partition (for ARNs in policies) are read; nothing reads the endpoint.
    for (const type of Object.keys(ttl.data))
      expect(['aws_caller_identity', 'aws_partition']).toContain(type);
    for (const resources of Object.values(ttl.resource) as Json[]) {
      for (const resource of Object.values(resources) as Json[]) {
        expect(resource.provisioner).toBeUndefined();
        expect(resource.lifecycle?.prevent_destroy).toBeUndefined();
      }
    }
    // The alarms and the log group name the endpoint by its literal name, not by a reference to it.
    for (const alarm of Object.values(ttl.resource.aws_cloudwatch_metric_alarm) as Json[]) {
      expect(alarm.dimensions.EndpointName).toBe('model-serving-demo');
    }
  });

  test('outputs: endpoint name, region, model, the invoke command', () => {
    expect(json.output.endpoint_name.value).toBe(
      `\${aws_sagemaker_endpoint.${key(json, 'aws_sagemaker_endpoint')}.name}`,
    );
    expect(json.output.region.value).toBe('us-east-1');
    expect(json.output.model_name.value).toBe('bankchurn');
    expect(json.output.invoke_command.value).toBe(
      'npm run invoke -- sagemaker --endpoint-name model-serving-demo --region us-east-1 --model bankchurn --explain',
    );
  });

  test('names follow endpointName and project/environment', () => {
    const { json: named } = synth({ endpointName: 'Churn-Prod' }, { project: 'acme', environment: 'prod' });
    expect(only(named, 'aws_sagemaker_endpoint').name).toBe('Churn-Prod');
    expect(only(named, 'aws_s3_bucket').bucket_prefix).toBe('churn-prod-models-');
    expect(only(named, 'aws_cloudwatch_log_group').name).toBe('/aws/sagemaker/Endpoints/Churn-Prod');
    expect(
      only(synth({}, { project: 'acme', environment: 'prod' }).json, 'aws_sagemaker_endpoint').name,
    ).toBe('acme-prod');
  });

  test('a modelDir that is not a bundle stops synth naming the field', () => {
    expect(() => synth({ modelDir: 'model-server/src' })).toThrow(InvalidPropsError);
    expect(() => synth({ modelDir: 'model-server/src' })).toThrow(
      'modelDir: got "model-server/src"; expected a model bundle directory (it holds neither metadata.json nor model.json)',
    );
    expect(() => synth({ modelDir: 'nowhere' })).toThrow('(no such directory)');
  });

  test('a modelDir bundle is packed and served under the configured model name', () => {
    const { json: custom } = synth({ modelDir: 'model-server/models/nlpinsight', model: 'reviews' });
    expect(only(custom, 'aws_sagemaker_model').primary_container.environment.MODEL_NAME).toBe('reviews');
    expect(only(custom, 'aws_s3_object').key).toMatch(/^models\/reviews\/[a-f0-9]{64}\/model\.tar\.gz$/);
  });
});
