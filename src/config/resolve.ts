import type { StateBackend } from '../common/project-stack';
import {
  DEFAULT_SAGEMAKER_INSTANCE_TYPE,
  DEFAULT_SAGEMAKER_MAX_INSTANCE_COUNT,
  DEFAULT_SAGEMAKER_MIN_INSTANCE_COUNT,
  DEFAULT_SAGEMAKER_TARGET_INVOCATIONS_PER_INSTANCE_PER_MINUTE,
  type SagemakerCapacity,
  type ServerLogLevel,
} from '../constructs/aws/sagemaker-model-endpoint-props';
import { vertexBucketName, vertexEndpointId } from '../constructs/gcp/vertex-names';
import type { ServiceExposure } from '../constructs/k8s/model-serving-constants';
import type { ParsedConfig } from './schema';

/** Where the bundled models live, relative to the project root. */
export const BUNDLED_MODELS_DIR = 'model-server/models';

/** Where an image stack gets the image: built from `model-server/` at deploy time, or given by digest. */
export type ImageSource = { readonly mode: 'build' } | { readonly mode: 'prebuilt'; readonly uri: string };

export interface AwsImageConfig {
  readonly source: ImageSource;
  readonly repositoryName: string;
  readonly encryption: 'AES256' | 'KMS';
  readonly kmsKeyArn?: string;
  readonly untaggedExpiryDays: number;
  readonly keepLastImages: number;
}

export interface GcpImageConfig {
  readonly source: ImageSource;
  readonly repositoryId: string;
  readonly untaggedExpiryDays: number;
  readonly keepMostRecent: number;
  readonly taggedExpiryDays: number;
  readonly vulnerabilityScanning: boolean;
}

/** The SageMaker endpoint, every default applied. */
export interface SagemakerConfig {
  readonly endpointName: string;
  readonly model: string;
  /** A bundle directory relative to the project root (or absolute). @default - the bundled model */
  readonly modelDir?: string;
  readonly capacity: SagemakerCapacity;
  readonly ttlHours?: number;
  readonly logRetentionInDays: number;
  readonly kmsKeyArn?: string;
  readonly logLevel: ServerLogLevel;
}
/** The Vertex AI endpoint, every default applied (names derived from the project when not given). */
export type VertexConfig = Omit<ParsedConfig['vertex'], 'modelDir' | 'endpointId' | 'bucketName'> & {
  /** Bundle directory relative to the project root. */
  readonly modelDir: string;
  readonly endpointId: string;
  readonly bucketName: string;
};

/** One model service, every default applied. */
export interface ServiceConfig {
  readonly model: string;
  readonly modelDir?: string;
  readonly replicas: number;
  readonly hpa: ParsedConfig['services'][string]['hpa'];
  readonly resources: ParsedConfig['services'][string]['resources'];
  readonly exposure: ServiceExposure;
  readonly allowedIngressCidrs: readonly string[];
  readonly awsRoleArn?: string;
  readonly gcpServiceAccount?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly apiKeyVersions: ParsedConfig['services'][string]['apiKeyVersions'];
  readonly awsCertificateArn?: string;
  readonly gcpDomain?: string;
}

/** The validated configuration with every default applied: what the stacks are built from. */
export interface ModelServingConfig {
  readonly project: string;
  readonly environment: string;
  readonly stateBackend: StateBackend;
  readonly aws: ParsedConfig['aws'];
  readonly gcp: ParsedConfig['gcp'];
  readonly eks: Omit<ParsedConfig['eks'], 'clusterName'> & { readonly clusterName: string };
  readonly gke: Omit<ParsedConfig['gke'], 'clusterName' | 'location'> & {
    readonly clusterName: string;
    readonly location: string;
  };
  readonly image: { readonly aws: AwsImageConfig; readonly gcp: GcpImageConfig };
  readonly vertex: VertexConfig;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  readonly sagemaker: SagemakerConfig;
  readonly observability: ParsedConfig['observability'];
}

const sourceOf = (image: { mode: 'build' | 'prebuilt'; uri?: string }): ImageSource =>
  image.mode === 'prebuilt' && image.uri !== undefined
    ? { mode: 'prebuilt', uri: image.uri }
    : { mode: 'build' };

/** Fills the defaults that depend on other fields (names from project and environment, regions). */
export function resolveConfig(parsed: ParsedConfig): ModelServingConfig {
  const baseName = `${parsed.project}-${parsed.environment}`;
  const backend = parsed.stateBackend;
  const stateBackend: StateBackend =
    backend.kind === 's3'
      ? {
          kind: 's3',
          bucket: backend.bucket!,
          region: backend.region ?? parsed.aws.region,
          ...(backend.keyPrefix !== undefined ? { keyPrefix: backend.keyPrefix } : {}),
        }
      : backend.kind === 'gcs'
        ? {
            kind: 'gcs',
            bucket: backend.bucket!,
            ...(backend.prefix !== undefined ? { prefix: backend.prefix } : {}),
          }
        : { kind: 'local', ...(backend.directory !== undefined ? { directory: backend.directory } : {}) };
  const { uri: _awsUri, mode: _awsMode, ...awsImage } = parsed.image.aws;
  const { uri: _gcpUri, mode: _gcpMode, ...gcpImage } = parsed.image.gcp;
  return {
    project: parsed.project,
    environment: parsed.environment,
    stateBackend,
    aws: parsed.aws,
    gcp: parsed.gcp,
    eks: { ...parsed.eks, clusterName: parsed.eks.clusterName ?? baseName },
    gke: {
      ...parsed.gke,
      clusterName: parsed.gke.clusterName ?? baseName,
      location: parsed.gke.location ?? parsed.gcp.region,
    },
    image: {
      aws: {
        ...awsImage,
        source: sourceOf(parsed.image.aws),
        repositoryName: parsed.image.aws.repositoryName ?? baseName,
      },
      gcp: {
        ...gcpImage,
        source: sourceOf(parsed.image.gcp),
        repositoryId: parsed.image.gcp.repositoryId ?? baseName,
      },
    },
    sagemaker: resolveSagemaker(parsed.sagemaker, baseName),
    observability: parsed.observability,
    vertex: {
      ...parsed.vertex,
      modelDir: parsed.vertex.modelDir ?? `${BUNDLED_MODELS_DIR}/${parsed.vertex.model}`,
      endpointId:
        parsed.vertex.endpointId ??
        vertexEndpointId(parsed.gcp.projectId, parsed.gcp.region, parsed.project, parsed.environment),
      bucketName:
        parsed.vertex.bucketName ??
        vertexBucketName(parsed.gcp.projectId, parsed.project, parsed.environment),
    },
    services: Object.fromEntries(
      Object.entries(parsed.services).map(([name, service]) => [
        name,
        { ...service, model: service.model ?? name, replicas: service.replicas ?? service.hpa.minReplicas },
      ]),
    ),
  };
}

function resolveSagemaker(sagemaker: ParsedConfig['sagemaker'], baseName: string): SagemakerConfig {
  const minInstanceCount = sagemaker.minInstanceCount ?? DEFAULT_SAGEMAKER_MIN_INSTANCE_COUNT;
  const capacity: SagemakerCapacity = sagemaker.serverless
    ? { kind: 'serverless', ...sagemaker.serverless }
    : {
        kind: 'instances',
        instanceType: sagemaker.instanceType ?? DEFAULT_SAGEMAKER_INSTANCE_TYPE,
        initialInstanceCount: sagemaker.initialInstanceCount ?? minInstanceCount,
        minInstanceCount,
        maxInstanceCount: sagemaker.maxInstanceCount ?? DEFAULT_SAGEMAKER_MAX_INSTANCE_COUNT,
        targetInvocationsPerInstancePerMinute:
          sagemaker.targetInvocationsPerInstancePerMinute ??
          DEFAULT_SAGEMAKER_TARGET_INVOCATIONS_PER_INSTANCE_PER_MINUTE,
      };
  return {
    endpointName: sagemaker.endpointName ?? baseName,
    model: sagemaker.model,
    ...(sagemaker.modelDir !== undefined ? { modelDir: sagemaker.modelDir } : {}),
    capacity,
    ...(sagemaker.ttlHours !== undefined ? { ttlHours: sagemaker.ttlHours } : {}),
    logRetentionInDays: sagemaker.logRetentionInDays,
    ...(sagemaker.kmsKeyArn !== undefined ? { kmsKeyArn: sagemaker.kmsKeyArn } : {}),
    logLevel: sagemaker.logLevel,
  };
}
