import { Annotations, App } from 'cdktf';
import type { ProjectStackProps } from '../src/common/project-stack';
import { ConfigError } from '../src/config/errors';
import { hashImageSources } from '../src/config/image-source';
import { loadConfig } from '../src/config/load';
import { readModelBundle } from '../src/config/model-bundle';
import type { ModelServingConfig } from '../src/config/resolve';
import { ecrRepositoryArnOf } from '../src/constructs/aws/ecr-repository-arn';
import { InvalidPropsError } from '../src/constructs/props-problems';
import { monitoredServices, ruleOptions } from '../src/observability/from-config';
import { ruleFile } from '../src/observability/prometheus-rules';
import { checkApp, SecurityGateError } from '../src/security/check-app';
import { AwsImageStack } from './aws-image';
import { EksClusterStack } from './eks-cluster';
import { EksServingStack } from './eks-serving';
import { GcpImageStack } from './gcp-image';
import { GkeClusterStack } from './gke-cluster';
import { GkeServingStack } from './gke-serving';
import { SagemakerEndpointStack } from './sagemaker-endpoint';
import { VertexEndpointStack } from './vertex-endpoint';

/** Stack names: the CLI's `cdktf deploy <name>` arguments and the keys of `cdktf.out/manifest.json`. */
export const STACK_NAMES = {
  awsImage: 'aws-image',
  gcpImage: 'gcp-image',
  eksCluster: 'eks-cluster',
  gkeCluster: 'gke-cluster',
  eksServing: 'eks-serving',
  gkeServing: 'gke-serving',
  sagemakerEndpoint: 'sagemaker-endpoint',
  vertexEndpoint: 'vertex-endpoint',
} as const;

export interface BuildAppOptions {
  /** Repository root: where the image sources are hashed. @default process.cwd() */
  readonly rootDir?: string;
  /** Content hash of the image sources (tests pin it). @default - hashed from `rootDir` when an image is built */
  readonly imageSourceHash?: string;
  /** The day EKS versions are checked against their end of standard support (tests pin it). @default - today */
  readonly today?: Date;
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
    /** Absent when the AWS image is a prebuilt image outside ECR (a synth warning says so). */
    readonly sagemakerEndpoint?: SagemakerEndpointStack;
    readonly vertexEndpoint: VertexEndpointStack;
  };
}

/** Builds every stack of the project from a validated configuration. */
export function buildApp(
  config: ModelServingConfig,
  app: App = new App(),
  options: BuildAppOptions = {},
): ModelServingApp {
  const images = addImageStacks(app, config, options);
  const clusters = addClusterStacks(app, config, options);
  const serving = addServingStacks(app, config, images, clusters);
  const managed = addManagedEndpointStacks(app, config, images, options);
  return { app, stacks: { ...images, ...clusters, ...serving, ...managed } };
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

export function addClusterStacks(app: App, config: ModelServingConfig, options: BuildAppOptions = {}) {
  const { eks, gke } = config;
  const eksCluster = new EksClusterStack(app, STACK_NAMES.eksCluster, {
    ...common(config),
    region: config.aws.region,
    ...(config.aws.accountId ? { accountId: config.aws.accountId } : {}),
    cluster: {
      clusterName: eks.clusterName,
      kubernetesVersion: eks.kubernetesVersion,
      supportType: eks.supportType,
      ...(options.today ? { today: options.today } : {}),
      vpcCidr: eks.vpcCidr,
      ...(eks.availabilityZones ? { availabilityZones: [...eks.availabilityZones] } : {}),
      singleNatGateway: eks.singleNatGateway,
      clusterCreatorAdmin: eks.clusterCreatorAdmin,
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
      ...(gke.nodeLocations ? { nodeLocations: [...gke.nodeLocations] } : {}),
      privateEndpoint: gke.privateEndpoint,
      subnetCidr: gke.subnetCidr,
      podsCidr: gke.podsCidr,
      servicesCidr: gke.servicesCidr,
      masterIpv4CidrBlock: gke.masterIpv4CidrBlock,
      kubeStateMetrics: config.observability.gke.kubeStateMetrics,
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
    nodeCapacity: { instanceTypes: config.eks.nodeInstanceTypes, nodeCount: config.eks.nodeDesiredSize },
    ...(config.observability.eks.managedPrometheus
      ? {
          managedPrometheus: {
            rules: ruleFile(monitoredServices(config), ruleOptions(config)),
            notificationEmails: config.observability.notificationEmails,
          },
        }
      : {}),
    dependsOn: [clusters.eksCluster, images.awsImage],
  });
  const gkeServing = new GkeServingStack(app, STACK_NAMES.gkeServing, {
    ...common(config),
    gcpProjectId: config.gcp.projectId,
    region: config.gcp.region,
    clusterName: config.gke.clusterName,
    clusterLocation: config.gke.location,
    image: images.gcpImage.imageUri,
    imageRepositoryId: config.image.gcp.repositoryId,
    services: config.services,
    metricsScraperNamespaces: config.gke.metricsScraperNamespaces,
    monitoring: {
      rules: ruleOptions(config),
      alertPolicies: config.observability.gke.alertPolicies,
      dashboard: config.observability.gke.dashboard,
      notificationEmails: config.observability.notificationEmails,
    },
    dependsOn: [clusters.gkeCluster, images.gcpImage],
  });
  return { eksServing, gkeServing };
}

/**
 * Endpoints on managed platforms: each needs its cloud's image stack, never a cluster. SageMaker pulls only
 * from ECR: with a prebuilt image elsewhere (which EKS can run), the SageMaker stack is left out with a
 * warning instead of failing the synth of every other stack.
 */
export function addManagedEndpointStacks(
  app: App,
  config: ModelServingConfig,
  images: { awsImage: AwsImageStack; gcpImage: GcpImageStack },
  options: BuildAppOptions = {},
): { sagemakerEndpoint?: SagemakerEndpointStack; vertexEndpoint: VertexEndpointStack } {
  const rootDir = options.rootDir ?? process.cwd();
  const image = config.image.aws.source;
  const repositoryArn =
    image.mode === 'prebuilt' ? ecrRepositoryArnOf(image.uri) : images.awsImage.image.repositoryArn;
  let sagemakerEndpoint: SagemakerEndpointStack | undefined;
  if (repositoryArn === undefined) {
    Annotations.of(images.awsImage).addWarning(
      `${STACK_NAMES.sagemakerEndpoint} is not synthesized: image.aws.uri ${JSON.stringify(image.mode === 'prebuilt' ? image.uri : '')} is not an ECR image (<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:…), and SageMaker pulls only from ECR`,
    );
  } else {
    sagemakerEndpoint = new SagemakerEndpointStack(app, STACK_NAMES.sagemakerEndpoint, {
      ...common(config),
      region: config.aws.region,
      ...(config.aws.accountId ? { accountId: config.aws.accountId } : {}),
      image: images.awsImage.imageUri,
      repositoryArn,
      sagemaker: config.sagemaker,
      monitoring: {
        ...config.observability.sagemaker,
        notificationEmails: config.observability.notificationEmails,
      },
      rootDir,
      dependsOn: [images.awsImage],
    });
  }

  const { vertex } = config;
  const vertexEndpoint = new VertexEndpointStack(app, STACK_NAMES.vertexEndpoint, {
    ...common(config),
    gcpProjectId: config.gcp.projectId,
    region: config.gcp.region,
    image: images.gcpImage.imageUri,
    // The repository by its names from config (the image stack's token would add nothing but a reference).
    ...(config.image.gcp.source.mode === 'build'
      ? {
          imageRepository: {
            projectId: config.gcp.projectId,
            location: config.gcp.region,
            repositoryId: config.image.gcp.repositoryId,
          },
        }
      : {}),
    vertex,
    bundle: readModelBundle(rootDir, vertex.modelDir),
    dependsOn: [images.gcpImage],
    monitoring: {
      ...config.observability.vertex,
      errorPercent: config.observability.serverErrorPercent,
      latencyP99Milliseconds: config.observability.latencyThresholdSeconds * 1000,
      notificationEmails: config.observability.notificationEmails,
      runbookUrl: config.observability.runbookBaseUrl,
    },
  });
  return { ...(sagemakerEndpoint ? { sagemakerEndpoint } : {}), vertexEndpoint };
}

/** Errors that are the user's input, not a bug: printed without a stack trace. */
function isInputError(error: unknown): error is Error {
  return (
    error instanceof ConfigError || error instanceof InvalidPropsError || error instanceof SecurityGateError
  );
}

/**
 * `MODEL_SERVING_TODAY=YYYY-MM-DD` reads the EKS support calendar on another day: tests pin it, and it
 * shows ahead of time whether a config will still synthesize on a given date.
 */
export const TODAY_ENV = 'MODEL_SERVING_TODAY';

export function main(): void {
  try {
    const today = process.env[TODAY_ENV];
    const { app } = buildApp(loadConfig(), new App(), today ? { today: new Date(`${today}T00:00:00Z`) } : {});
    // The gate runs again in each stack's validation during synth; here it fails with a clear message
    // first and lists the exemptions and warnings on stdout.
    for (const line of checkApp(app)) process.stdout.write(`${line}\n`);
    app.synth();
  } catch (error) {
    if (!isInputError(error)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) main();
