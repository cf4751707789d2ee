import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SagemakerEndpoint } from '@cdktf/provider-aws/lib/sagemaker-endpoint';
import { SagemakerEndpointConfiguration } from '@cdktf/provider-aws/lib/sagemaker-endpoint-configuration';
import { SagemakerModel } from '@cdktf/provider-aws/lib/sagemaker-model';
import { Construct } from 'constructs';
import { PropsProblems } from '../props-problems';
import { checkLogRetention } from './log-retention';
import {
  checkCapacity,
  checkEndpointName,
  DEFAULT_BLUE_GREEN_BAKE_SECONDS,
  DEFAULT_INVOCATION_5XX_THRESHOLD,
  DEFAULT_MEMORY_UTILIZATION_THRESHOLD_PERCENT,
  DEFAULT_MODEL_LATENCY_P99_THRESHOLD_MICROSECONDS,
  DEFAULT_SAGEMAKER_INSTANCE_TYPE,
  DEFAULT_SAGEMAKER_LOG_RETENTION_IN_DAYS,
  DEFAULT_SAGEMAKER_MAX_INSTANCE_COUNT,
  DEFAULT_SAGEMAKER_MIN_INSTANCE_COUNT,
  DEFAULT_SAGEMAKER_TARGET_INVOCATIONS_PER_INSTANCE_PER_MINUTE,
  DEFAULT_SCALE_IN_COOLDOWN_SECONDS,
  DEFAULT_SCALE_OUT_COOLDOWN_SECONDS,
  SAGEMAKER_CONTAINER_STARTUP_TIMEOUT_SECONDS,
  SAGEMAKER_VARIANT_NAME,
  type SagemakerCapacity,
  type ServerLogLevel,
} from './sagemaker-model-endpoint-props';

export interface SagemakerModelEndpointProps {
  /** Endpoint name; also names its log group `/aws/sagemaker/Endpoints/<name>`, its alarms and its role. */
  readonly endpointName: string;
  /** The serving image, pinned by digest, in ECR. */
  readonly image: string;
  /** ARN of the ECR repository holding `image`: the only repository the execution role may pull from. */
  readonly repositoryArn: string;
  /** `s3://…/model.tar.gz` (`S3ModelArtifactBucket.modelDataUrl`). */
  readonly modelDataUrl: string;
  /** ARN of that object: the only object the execution role may read. */
  readonly modelDataObjectArn: string;
  /** The model's name (`MODEL_NAME`): names it in responses and prefixes its metrics. */
  readonly modelName: string;
  /** @default 'info' */
  readonly logLevel?: ServerLogLevel;
  /** Instances with target-tracking autoscaling, or serverless. @default - one ml.t2.medium, up to two */
  readonly capacity?: SagemakerCapacity;
  /**
   * Customer managed key: the role may decrypt the artifact with it, and it encrypts the instances' ML
   * storage volumes (instance mode). @default - SageMaker-managed keys
   */
  readonly kmsKeyArn?: string;
  /** Retention of `/aws/sagemaker/Endpoints/<name>`. @default 30 */
  readonly logRetentionInDays?: number;
  /** p99 ModelLatency alarm threshold, in MICROSECONDS (ModelLatency's unit). @default 500000 (0.5 s) */
  readonly modelLatencyP99ThresholdMicroseconds?: number;
  /** Invocation5XXErrors per minute that raise the error alarm. @default 1 */
  readonly invocation5xxThreshold?: number;
  /** Instance mode: MemoryUtilization (%) that raises the memory alarm. @default 85 */
  readonly memoryUtilizationThresholdPercent?: number;
  /**
   * Instance mode: blue/green updates roll back automatically when the 5xx or latency alarm fires while the
   * new fleet bakes for this long. @default 300
   */
  readonly blueGreenBakeSeconds?: number;
}

interface ResolvedInstances {
  readonly instanceType: string;
  readonly initialInstanceCount: number;
  readonly minInstanceCount: number;
  readonly maxInstanceCount: number;
  readonly targetInvocationsPerInstancePerMinute: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
}

/**
 * One model on a SageMaker real-time endpoint, from the project's own image: a least-privilege execution
 * role, the endpoint's log group made in advance with retention (so it is not left behind, or re-created by
 * SageMaker without one), the model, an endpoint configuration that is replaced before it is destroyed,
 * and the endpoint. Instance mode adds blue/green updates with automatic rollback on the 5xx and latency
 * alarms, target-tracking autoscaling on invocations per instance, and a memory alarm; serverless mode has
 * none of these (no instances), only the 5xx and latency alarms. Needs an `AwsProvider` in the stack.
 */
export class SagemakerModelEndpoint extends Construct {
  readonly endpoint: SagemakerEndpoint;
  readonly endpointConfiguration: SagemakerEndpointConfiguration;
  readonly model: SagemakerModel;
  readonly executionRole: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  /** Alarms that roll a blue/green update back (instance mode), and page in both modes. */
  readonly invocation5xxAlarm: CloudwatchMetricAlarm;
  readonly modelLatencyAlarm: CloudwatchMetricAlarm;
  /** Instance mode only. */
  readonly memoryAlarm?: CloudwatchMetricAlarm;
  readonly scalableTarget?: AppautoscalingTarget;
  readonly scalingPolicy?: AppautoscalingPolicy;
  /** The endpoint's name (from props: referencing it creates no dependency). */
  readonly endpointName: string;
  /** The endpoint's ARN (SageMaker lowercases the name in it). */
  readonly endpointArn: string;
  readonly variantName = SAGEMAKER_VARIANT_NAME;

  constructor(scope: Construct, id: string, props: SagemakerModelEndpointProps) {
    super(scope, id);
    const capacity = props.capacity ?? { kind: 'instances' };
    validate(id, props, capacity);
    const name = props.endpointName;
    this.endpointName = name;
    const instances = capacity.kind === 'instances' ? resolveInstances(capacity) : undefined;
    const account = new DataAwsCallerIdentity(this, 'account', {});

    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: `/aws/sagemaker/Endpoints/${name}`,
      retentionInDays: props.logRetentionInDays ?? DEFAULT_SAGEMAKER_LOG_RETENTION_IN_DAYS,
    });

    const dimensions = { EndpointName: name, VariantName: SAGEMAKER_VARIANT_NAME };
    const latencyThreshold =
      props.modelLatencyP99ThresholdMicroseconds ?? DEFAULT_MODEL_LATENCY_P99_THRESHOLD_MICROSECONDS;
    this.invocation5xxAlarm = new CloudwatchMetricAlarm(this, 'invocation-5xx-alarm', {
      alarmName: `${name}-invocation-5xx`,
      alarmDescription: `SageMaker endpoint ${name}: the model answered with 5xx errors`,
      namespace: 'AWS/SageMaker',
      metricName: 'Invocation5XXErrors',
      dimensions,
      statistic: 'Sum',
      period: 60,
      evaluationPeriods: 1,
      threshold: props.invocation5xxThreshold ?? DEFAULT_INVOCATION_5XX_THRESHOLD,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      // No traffic is no error: an idle demo endpoint stays OK.
      treatMissingData: 'notBreaching',
    });
    this.modelLatencyAlarm = new CloudwatchMetricAlarm(this, 'model-latency-alarm', {
      alarmName: `${name}-model-latency-p99`,
      // ModelLatency is reported in microseconds, not milliseconds.
      alarmDescription: `SageMaker endpoint ${name}: p99 ModelLatency above ${latencyThreshold} microseconds (${latencyThreshold / 1e6} s)`,
      namespace: 'AWS/SageMaker',
      metricName: 'ModelLatency',
      dimensions,
      extendedStatistic: 'p99',
      period: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      threshold: latencyThreshold,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    });
    const rollbackAlarms = instances ? [this.invocation5xxAlarm, this.modelLatencyAlarm] : [];
    if (instances) {
      this.memoryAlarm = new CloudwatchMetricAlarm(this, 'memory-alarm', {
        alarmName: `${name}-memory-utilization`,
        alarmDescription: `SageMaker endpoint ${name}: an instance's memory utilization is high`,
        // Per-instance metrics live in this namespace, one datapoint per instance.
        namespace: '/aws/sagemaker/Endpoints',
        metricName: 'MemoryUtilization',
        dimensions,
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 5,
        threshold: props.memoryUtilizationThresholdPercent ?? DEFAULT_MEMORY_UTILIZATION_THRESHOLD_PERCENT,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      });
    }

    this.executionRole = new IamRole(this, 'execution-role', {
      namePrefix: `${name.slice(0, 24)}-sagemaker-`,
      description: `Execution role of SageMaker endpoint ${name}`,
      assumeRolePolicy: JSON.stringify(serviceTrust('sagemaker.amazonaws.com', account.accountId)),
    });
    const policy = new IamRolePolicy(this, 'execution-policy', {
      role: this.executionRole.id,
      name: 'least-privilege',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: executionStatements({
          repositoryArn: props.repositoryArn,
          objectArn: props.modelDataObjectArn,
          logGroupArn: this.logGroup.arn,
          ...(props.kmsKeyArn ? { kmsKeyArn: props.kmsKeyArn } : {}),
          rollbackAlarmArns: rollbackAlarms.map((alarm) => alarm.arn),
        }),
      }),
    });

    this.model = new SagemakerModel(this, 'model', {
      executionRoleArn: this.executionRole.arn,
      primaryContainer: {
        image: props.image,
        modelDataUrl: props.modelDataUrl,
        environment: {
          // Without it the server would name the model after /opt/ml/model: its metrics would be model_*.
          MODEL_NAME: props.modelName,
          LOG_LEVEL: props.logLevel ?? 'info',
          // One serving process per vCPU the instance gives the container (one process uses one core).
          WORKERS: 'auto',
        },
      },
      // The server calls nothing: no outbound network at all. Serverless endpoints do not support it.
      enableNetworkIsolation: capacity.kind === 'instances',
      // SageMaker checks at CreateModel that the role can pull the image and read the artifact.
      dependsOn: [policy],
    });

    this.endpointConfiguration = new SagemakerEndpointConfiguration(this, 'config', {
      // At most 37 characters (Terraform appends 26). A prefix, not a name: every change makes a new configuration, created before the old is destroyed,
      // so the endpoint moves to it (a fixed name would leave the endpoint on the old one or fail).
      namePrefix: `${name.slice(0, 36)}-`,
      ...(props.kmsKeyArn && instances ? { kmsKeyArn: props.kmsKeyArn } : {}),
      productionVariants: [
        instances
          ? {
              variantName: SAGEMAKER_VARIANT_NAME,
              modelName: this.model.name,
              instanceType: instances.instanceType,
              initialInstanceCount: instances.initialInstanceCount,
              containerStartupHealthCheckTimeoutInSeconds: SAGEMAKER_CONTAINER_STARTUP_TIMEOUT_SECONDS,
            }
          : {
              variantName: SAGEMAKER_VARIANT_NAME,
              modelName: this.model.name,
              serverlessConfig: {
                memorySizeInMb: capacity.kind === 'serverless' ? capacity.memorySizeInMb : 0,
                maxConcurrency: capacity.kind === 'serverless' ? capacity.maxConcurrency : 0,
              },
            },
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    this.endpoint = new SagemakerEndpoint(this, 'endpoint', {
      name,
      endpointConfigName: this.endpointConfiguration.name,
      ...(instances
        ? {
            deploymentConfig: {
              blueGreenUpdatePolicy: {
                trafficRoutingConfiguration: {
                  type: 'ALL_AT_ONCE',
                  waitIntervalInSeconds: props.blueGreenBakeSeconds ?? DEFAULT_BLUE_GREEN_BAKE_SECONDS,
                },
                terminationWaitInSeconds: 0,
              },
              autoRollbackConfiguration: {
                alarms: rollbackAlarms.map((alarm) => ({ alarmName: alarm.alarmName })),
              },
            },
          }
        : {}),
      // SageMaker writes here from the first container start.
      dependsOn: [this.logGroup],
    });
    this.endpointArn = this.endpoint.arn;

    if (instances) {
      this.scalableTarget = new AppautoscalingTarget(this, 'scalable-target', {
        serviceNamespace: 'sagemaker',
        resourceId: `endpoint/${this.endpoint.name}/variant/${SAGEMAKER_VARIANT_NAME}`,
        scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        minCapacity: instances.minInstanceCount,
        maxCapacity: instances.maxInstanceCount,
      });
      this.scalingPolicy = new AppautoscalingPolicy(this, 'scaling-policy', {
        name: `${name}-invocations-per-instance`,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: this.scalableTarget.serviceNamespace,
        resourceId: this.scalableTarget.resourceId,
        scalableDimension: this.scalableTarget.scalableDimension,
        targetTrackingScalingPolicyConfiguration: {
          // SageMakerVariantInvocationsPerInstance is a per-minute count.
          targetValue: instances.targetInvocationsPerInstancePerMinute,
          predefinedMetricSpecification: { predefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
          scaleOutCooldown: instances.scaleOutCooldownSeconds,
          scaleInCooldown: instances.scaleInCooldownSeconds,
        },
      });
    }
  }
}

/** Trust for one AWS service, limited to calls made on behalf of this account (confused deputy). */
export function serviceTrust(service: string, accountId: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  };
}

/** The execution role's statements: exactly what the container and the platform need, on these resources. */
export function executionStatements(grants: {
  readonly repositoryArn: string;
  readonly objectArn: string;
  readonly logGroupArn: string;
  readonly kmsKeyArn?: string;
  readonly rollbackAlarmArns: readonly string[];
}) {
  return [
    // ECR's token is account-wide: AWS accepts no narrower resource for it.
    { Sid: 'EcrToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'PullImage',
      Effect: 'Allow',
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: grants.repositoryArn,
    },
    { Sid: 'ReadModelArtifact', Effect: 'Allow', Action: 's3:GetObject', Resource: grants.objectArn },
    ...(grants.kmsKeyArn
      ? [{ Sid: 'DecryptModelArtifact', Effect: 'Allow', Action: 'kms:Decrypt', Resource: grants.kmsKeyArn }]
      : []),
    {
      Sid: 'WriteEndpointLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: `${grants.logGroupArn}:log-stream:*`,
    },
    {
      // PutMetricData has no resource type; the namespace condition narrows it to SageMaker's own.
      Sid: 'PutEndpointMetrics',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringLike: { 'cloudwatch:namespace': ['AWS/SageMaker', '/aws/sagemaker/*'] } },
    },
    ...(grants.rollbackAlarmArns.length > 0
      ? [
          {
            // Blue/green deployments read the rollback alarms with the execution role.
            Sid: 'ReadRollbackAlarms',
            Effect: 'Allow',
            Action: 'cloudwatch:DescribeAlarms',
            Resource: [...grants.rollbackAlarmArns],
          },
        ]
      : []),
  ];
}

function resolveInstances(capacity: SagemakerCapacity & { kind: 'instances' }): ResolvedInstances {
  const minInstanceCount = capacity.minInstanceCount ?? DEFAULT_SAGEMAKER_MIN_INSTANCE_COUNT;
  return {
    instanceType: capacity.instanceType ?? DEFAULT_SAGEMAKER_INSTANCE_TYPE,
    initialInstanceCount: capacity.initialInstanceCount ?? minInstanceCount,
    minInstanceCount,
    maxInstanceCount: capacity.maxInstanceCount ?? DEFAULT_SAGEMAKER_MAX_INSTANCE_COUNT,
    targetInvocationsPerInstancePerMinute:
      capacity.targetInvocationsPerInstancePerMinute ??
      DEFAULT_SAGEMAKER_TARGET_INVOCATIONS_PER_INSTANCE_PER_MINUTE,
    scaleOutCooldownSeconds: capacity.scaleOutCooldownSeconds ?? DEFAULT_SCALE_OUT_COOLDOWN_SECONDS,
    scaleInCooldownSeconds: capacity.scaleInCooldownSeconds ?? DEFAULT_SCALE_IN_COOLDOWN_SECONDS,
  };
}

function validate(id: string, props: SagemakerModelEndpointProps, capacity: SagemakerCapacity): void {
  const problems = new PropsProblems('SagemakerModelEndpoint', id);
  checkEndpointName(problems, props.endpointName);
  checkCapacity(problems, capacity);
  checkLogRetention(problems, props.logRetentionInDays);
  for (const field of [
    'modelLatencyP99ThresholdMicroseconds',
    'invocation5xxThreshold',
    'memoryUtilizationThresholdPercent',
  ] as const) {
    const value = props[field];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      problems.add(`${field}: got ${value}; expected a number > 0`);
    }
  }
  const bake = props.blueGreenBakeSeconds;
  if (bake !== undefined && !(Number.isInteger(bake) && bake >= 0 && bake <= 3600)) {
    problems.add(`blueGreenBakeSeconds: got ${bake}; expected an integer from 0 to 3600`);
  }
  problems.throwIfAny();
}
