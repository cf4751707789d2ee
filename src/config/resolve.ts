import type { StateBackend } from '../common/project-stack';
import type { ServiceExposure } from '../constructs/k8s/model-serving-constants';
import type { ParsedConfig } from './schema';

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
}

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
  readonly services: Readonly<Record<string, ServiceConfig>>;
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
    services: Object.fromEntries(
      Object.entries(parsed.services).map(([name, service]) => [
        name,
        { ...service, model: service.model ?? name, replicas: service.replicas ?? service.hpa.minReplicas },
      ]),
    ),
  };
}
