import { App } from 'cdktf';
import type { ProjectStackProps } from '../src/common/project-stack';
import { ConfigError } from '../src/config/errors';
import { hashImageSources } from '../src/config/image-source';
import { loadConfig } from '../src/config/load';
import type { ModelServingConfig } from '../src/config/resolve';
import { InvalidPropsError } from '../src/constructs/props-problems';
import { checkApp, SecurityGateError } from '../src/security/check-app';
import { AwsImageStack } from './aws-image';
import { EksClusterStack } from './eks-cluster';
import { EksServingStack } from './eks-serving';
import { GcpImageStack } from './gcp-image';
import { GkeClusterStack } from './gke-cluster';
import { GkeServingStack } from './gke-serving';

/** Stack names: the CLI's `cdktf deploy <name>` arguments and the keys of `cdktf.out/manifest.json`. */
export const STACK_NAMES = {
  awsImage: 'aws-image',
  gcpImage: 'gcp-image',
  eksCluster: 'eks-cluster',
  gkeCluster: 'gke-cluster',
  eksServing: 'eks-serving',
  gkeServing: 'gke-serving',
} as const;

export interface BuildAppOptions {
  /** Repository root: where the image sources are hashed. @default process.cwd() */
  readonly rootDir?: string;
  /** Content hash of the image sources (tests pin it). @default - hashed from `rootDir` when an image is built */
  readonly imageSourceHash?: string;
}

export interface ModelServingApp {
  readonly app: App;
  readonly stacks: {
    readonly awsImage: AwsImageStack;
    readonly gcpImage: GcpImageStack;
    readonly eksCluster: EksClusterStack;
    readonly gkeCluster: GkeClusterStack;
    readonly eksServing: EksServingStack;
    readonly gkeServing: GkeServingStack;
  };
}

/** Builds every stack of the project from a validated configuration. */
export function buildApp(
  config: ModelServingConfig,
  app: App = new App(),
  options: BuildAppOptions = {},
): ModelServingApp {
  const images = addImageStacks(app, config, options);
  const clusters = addClusterStacks(app, config);
  const serving = addServingStacks(app, config, images, clusters);
  return { app, stacks: { ...images, ...clusters, ...serving } };
}

function common(config: ModelServingConfig): ProjectStackProps {
  return { stateBackend: config.stateBackend, project: config.project, environment: config.environment };
}

export function addImageStacks(app: App, config: ModelServingConfig, options: BuildAppOptions = {}) {
  const needsBuild = config.image.aws.source.mode === 'build' || config.image.gcp.source.mode === 'build';
  // Hashed once, only when something is built: a prebuilt-only config reads no files.
  const sourceHash = needsBuild
    ? (options.imageSourceHash ?? hashImageSources(options.rootDir ?? process.cwd()))
    : undefined;
  const build = sourceHash ? { sourceHash } : undefined;
  const awsImage = new AwsImageStack(app, STACK_NAMES.awsImage, {
    ...common(config),
    region: config.aws.region,
    ...(config.aws.accountId ? { accountId: config.aws.accountId } : {}),
    image: config.image.aws,
    ...(build ? { build } : {}),
  });
  const gcpImage = new GcpImageStack(app, STACK_NAMES.gcpImage, {
    ...common(config),
    gcpProjectId: config.gcp.projectId,
    region: config.gcp.region,
    image: config.image.gcp,
    ...(build ? { build } : {}),
  });
  return { awsImage, gcpImage };
}

export function addClusterStacks(app: App, config: ModelServingConfig) {
  const { eks, gke } = config;
  const eksCluster = new EksClusterStack(app, STACK_NAMES.eksCluster, {
    ...common(config),
    region: config.aws.region,
    cluster: {
      clusterName: eks.clusterName,
      kubernetesVersion: eks.kubernetesVersion,
      vpcCidr: eks.vpcCidr,
      nodeInstanceTypes: [...eks.nodeInstanceTypes],
      nodeMinSize: eks.nodeMinSize,
      nodeDesiredSize: eks.nodeDesiredSize,
      nodeMaxSize: eks.nodeMaxSize,
      nodeDiskSizeInGb: eks.nodeDiskSizeInGb,
      capacityType: eks.capacityType,
      adminPrincipalArns: [...config.aws.adminPrincipalArns],
      endpointPublicAccess: eks.endpointPublicAccess,
      publicAccessCidrs: [...eks.publicAccessCidrs],
      logRetentionInDays: eks.logRetentionInDays,
    },
  });
  const gkeCluster = new GkeClusterStack(app, STACK_NAMES.gkeCluster, {
    ...common(config),
    gcpProjectId: config.gcp.projectId,
    region: config.gcp.region,
    cluster: {
      clusterName: gke.clusterName,
      location: gke.location,
      releaseChannel: gke.releaseChannel,
      machineType: gke.machineType,
      nodeMinCountPerZone: gke.nodeMinCountPerZone,
      nodeMaxCountPerZone: gke.nodeMaxCountPerZone,
      diskSizeInGb: gke.diskSizeInGb,
      spot: gke.spot,
      deletionProtection: gke.deletionProtection,
      ...(gke.masterAuthorizedNetworks
        ? { masterAuthorizedNetworks: gke.masterAuthorizedNetworks.map((cidrBlock) => ({ cidrBlock })) }
        : {}),
    },
  });
  return { eksCluster, gkeCluster };
}

export function addServingStacks(
  app: App,
  config: ModelServingConfig,
  images: { awsImage: AwsImageStack; gcpImage: GcpImageStack },
  clusters: { eksCluster: EksClusterStack; gkeCluster: GkeClusterStack },
) {
  const eksServing = new EksServingStack(app, STACK_NAMES.eksServing, {
    ...common(config),
    region: config.aws.region,
    ...(config.aws.accountId ? { accountId: config.aws.accountId } : {}),
    // The cluster name from config, not the cluster stack's token: the provider looks the cluster up.
    clusterName: config.eks.clusterName,
    image: images.awsImage.imageUri,
    services: config.services,
    metricsScraperNamespaces: config.eks.metricsScraperNamespaces,
    dependsOn: [clusters.eksCluster, images.awsImage],
  });
  const gkeServing = new GkeServingStack(app, STACK_NAMES.gkeServing, {
    ...common(config),
    gcpProjectId: config.gcp.projectId,
    region: config.gcp.region,
    clusterName: config.gke.clusterName,
    clusterLocation: config.gke.location,
    image: images.gcpImage.imageUri,
    services: config.services,
    metricsScraperNamespaces: config.gke.metricsScraperNamespaces,
    dependsOn: [clusters.gkeCluster, images.gcpImage],
  });
  return { eksServing, gkeServing };
}

/** Errors that are the user's input, not a bug: printed without a stack trace. */
function isInputError(error: unknown): error is Error {
  return (
    error instanceof ConfigError || error instanceof InvalidPropsError || error instanceof SecurityGateError
  );
}

export function main(): void {
  try {
    const { app } = buildApp(loadConfig());
    // The gate runs again in each stack's validation during synth; here it fails with a clear message
    // first and lists the exemptions and warnings on stderr.
    for (const line of checkApp(app)) process.stdout.write(`${line}\n`);
    app.synth();
  } catch (error) {
    if (!isInputError(error)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) main();
