import * as path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { TerraformOutput, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { bundleProblem } from '../src/artifact/bundle-dir';
import { ProjectStack, type ProjectStackProps } from '../src/common/project-stack';
import type { SagemakerConfig } from '../src/config/resolve';
import { EndpointTimeToLive } from '../src/constructs/aws/endpoint-time-to-live';
import { S3ModelArtifactBucket } from '../src/constructs/aws/s3-model-artifact-bucket';
import { SagemakerEndpointMonitoring } from '../src/constructs/aws/sagemaker-endpoint-monitoring';
import { SagemakerModelEndpoint } from '../src/constructs/aws/sagemaker-model-endpoint';
import { InvalidPropsError } from '../src/constructs/props-problems';
import { declareEncryptionKey } from '../src/security/exemptions';

export interface SagemakerEndpointStackProps extends ProjectStackProps {
  readonly region: string;
  /** The AWS provider refuses to run in any other account. @default - any account */
  readonly accountId?: string;
  /** The serving image, pinned by digest (`AwsImageStack.imageUri`, or the prebuilt URI). */
  readonly image: string;
  /** The ECR repository of `image`, the only one the execution role may pull from. */
  readonly repositoryArn: string;
  readonly sagemaker: SagemakerConfig;
  /** Project root: where the bundled models and a relative `sagemaker.modelDir` are. @default process.cwd() */
  readonly rootDir?: string;
  /** Stacks deployed before this one (`aws-image`): declared for the CLI's manifest. @default [] */
  readonly dependsOn?: readonly TerraformStack[];
  /**
   * Dashboard and alarm notifications (the `observability` config section).
   * @default - a dashboard; no alarm topic (the alarms exist, visible in the console, and notify nobody)
   */
  readonly monitoring?: {
    readonly dashboard: boolean;
    /** @default - only when `notificationEmails` lists an address */
    readonly alarmTopic?: boolean | undefined;
    readonly notificationEmails: readonly string[];
  };
}

/**
 * The `sagemaker-endpoint` stack: one model (bankchurn by default) on a SageMaker real-time endpoint, served
 * by the project's own image from `aws-image`, so the managed endpoint keeps exact SHAP explanations. The
 * bundle is packed into a reproducible model.tar.gz at synth and uploaded to a private bucket. An optional
 * time-to-live deletes the endpoint after `ttlHours`. No cluster is needed.
 */
export class SagemakerEndpointStack extends ProjectStack {
  readonly artifact: S3ModelArtifactBucket;
  readonly endpoint: SagemakerModelEndpoint;
  readonly timeToLive?: EndpointTimeToLive;
  readonly monitoring: SagemakerEndpointMonitoring;

  constructor(scope: Construct, id: string, props: SagemakerEndpointStackProps) {
    super(scope, id, props);
    for (const stack of props.dependsOn ?? []) this.addDependency(stack);
    const config = props.sagemaker;
    new AwsProvider(this, 'aws', {
      region: props.region,
      defaultTags: [{ tags: { ...this.tags } }],
      ...(props.accountId ? { allowedAccountIds: [props.accountId] } : {}),
    });

    // The security gate then holds the endpoint configuration to this key.
    if (config.kmsKeyArn) declareEncryptionKey(this, 'aws', config.kmsKeyArn);
    const rootDir = props.rootDir ?? process.cwd();
    const bundleDir = config.modelDir
      ? path.resolve(rootDir, config.modelDir)
      : path.join(rootDir, 'model-server', 'models', config.model);
    const problem = bundleProblem(bundleDir);
    if (problem) {
      const field = config.modelDir
        ? `modelDir: got ${JSON.stringify(config.modelDir)}`
        : `model: got ${JSON.stringify(config.model)}`;
      throw new InvalidPropsError('SagemakerEndpointStack', id, [
        `${field}; expected a model bundle directory (${problem})`,
      ]);
    }

    this.artifact = new S3ModelArtifactBucket(this, 'artifact', {
      bundleDir,
      bucketPrefix: `${config.endpointName.toLowerCase().slice(0, 26)}-models-`,
      keyPrefix: `models/${config.model}`,
      ...(config.kmsKeyArn ? { kmsKeyArn: config.kmsKeyArn } : {}),
    });
    this.endpoint = new SagemakerModelEndpoint(this, 'endpoint', {
      endpointName: config.endpointName,
      image: props.image,
      repositoryArn: props.repositoryArn,
      modelDataUrl: this.artifact.modelDataUrl,
      modelDataObjectArn: this.artifact.objectArn,
      modelName: config.model,
      logLevel: config.logLevel,
      capacity: config.capacity,
      logRetentionInDays: config.logRetentionInDays,
      ...(config.kmsKeyArn ? { kmsKeyArn: config.kmsKeyArn } : {}),
    });
    const endpoint = this.endpoint;
    this.monitoring = new SagemakerEndpointMonitoring(this, 'monitoring', {
      endpointName: config.endpointName,
      variantName: endpoint.variantName,
      region: props.region,
      hasInstances: config.capacity.kind === 'instances',
      alarms: [
        endpoint.invocation5xxAlarm,
        endpoint.modelLatencyAlarm,
        ...(endpoint.memoryAlarm ? [endpoint.memoryAlarm] : []),
      ],
      ...props.monitoring,
    });
    if (config.ttlHours !== undefined) {
      new TimeProvider(this, 'time', {});
      this.timeToLive = new EndpointTimeToLive(this, 'ttl', {
        endpointName: this.endpoint.endpoint.name,
        endpointArn: this.endpoint.endpointArn,
        ttlHours: config.ttlHours,
      });
    }

    new TerraformOutput(this, 'endpoint_name', { value: this.endpoint.endpoint.name });
    new TerraformOutput(this, 'region', { value: props.region });
    new TerraformOutput(this, 'model_name', { value: config.model });
    new TerraformOutput(this, 'invoke_command', {
      value: `npm run invoke -- sagemaker --endpoint-name ${config.endpointName} --region ${props.region} --model ${config.model} --explain`,
      description: 'Calls the endpoint with the model example and prints prediction and contributions',
    });
  }
}
