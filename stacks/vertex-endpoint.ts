import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { TerraformOutput, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { guardedGcpProjectId } from '../src/common/gcp-project-guard';
import { ProjectStack, type ProjectStackProps } from '../src/common/project-stack';
import type { ModelBundle } from '../src/config/model-bundle';
import type { VertexConfig } from '../src/config/resolve';
import { GcsModelArtifactBucket } from '../src/constructs/gcp/gcs-model-artifact-bucket';
import {
  VertexEndpointMonitoring,
  type VertexEndpointMonitoringProps,
} from '../src/constructs/gcp/vertex-endpoint-monitoring';
import {
  type ArtifactRegistryRepositoryRef,
  VertexModelEndpoint,
} from '../src/constructs/gcp/vertex-model-endpoint';
import { declareEncryptionKey } from '../src/security/exemptions';

/** APIs the stack uses; never disabled on destroy, since other stacks or users of the project may use them. */
export const VERTEX_REQUIRED_APIS: readonly string[] = [
  'aiplatform.googleapis.com',
  'storage.googleapis.com',
  'iam.googleapis.com',
];
export const VERTEX_TTL_API = 'cloudscheduler.googleapis.com';

/** What `npm run invoke -- vertex` needs is read from this stack's outputs file; this is how to call it. */
export const VERTEX_INVOKE_COMMAND = 'npm run invoke -- vertex --explain';

/** `<region>-docker.pkg.dev/<project>/<repository>/…`: an image in Artifact Registry. */
const ARTIFACT_REGISTRY_IMAGE =
  /^([a-z0-9-]+)-docker\.pkg\.dev\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/([a-z][a-z0-9-]*)\//;

export interface VertexEndpointStackProps extends ProjectStackProps {
  readonly gcpProjectId: string;
  readonly region: string;
  /** The serving image, pinned by digest (`GcpImageStack.imageUri` or a prebuilt URI). */
  readonly image: string;
  /**
   * The repository of the image, for the Vertex AI service agent's pull grant.
   * @default - parsed from `image` when it is a literal Artifact Registry URI, else none
   */
  readonly imageRepository?: ArtifactRegistryRepositoryRef;
  readonly vertex: VertexConfig;
  /** The bundle to serve, read at synth time (`readModelBundle`). */
  readonly bundle: ModelBundle;
  /** Stacks deployed before this one (the image stack): declared for the CLI's manifest. @default [] */
  readonly dependsOn?: readonly TerraformStack[];
  /**
   * Alert policies, notification channels and dashboard (the `observability` config section).
   * @default - none
   */
  readonly monitoring?: Pick<
    VertexEndpointMonitoringProps,
    | 'dashboard'
    | 'alertPolicies'
    | 'errorPercent'
    | 'latencyP99Milliseconds'
    | 'notificationEmails'
    | 'runbookUrl'
  >;
}

/**
 * The `vertex-endpoint` stack: one model on a Vertex AI endpoint from the project's own image, deployed and
 * undeployed by `cdktf deploy` / `cdktf destroy` through the deploy step. Needs no cluster.
 */
export class VertexEndpointStack extends ProjectStack {
  readonly artifacts: GcsModelArtifactBucket;
  readonly endpoint: VertexModelEndpoint;
  readonly monitoring?: VertexEndpointMonitoring;

  constructor(scope: Construct, id: string, props: VertexEndpointStackProps) {
    super(scope, id, props);
    for (const stack of props.dependsOn ?? []) this.addDependency(stack);
    const { vertex } = props;
    new GoogleProvider(this, 'google', {
      // A deploy with the placeholder project stops before any API call.
      project: guardedGcpProjectId(this, props.gcpProjectId),
      region: props.region,
      defaultLabels: { ...this.tags },
    });
    if (vertex.ttlHours !== undefined) new TimeProvider(this, 'time', {});
    // The security gate then holds the endpoint to this key.
    if (vertex.kmsKeyName) declareEncryptionKey(this, 'gcp', vertex.kmsKeyName);

    const apiNames = [...VERTEX_REQUIRED_APIS, ...(vertex.ttlHours !== undefined ? [VERTEX_TTL_API] : [])];
    const apis = apiNames.map(
      (service) =>
        new ProjectService(this, `api-${service.split('.')[0]}`, {
          project: props.gcpProjectId,
          service,
          disableOnDestroy: false,
          disableDependentServices: false,
        }),
    );

    this.artifacts = new GcsModelArtifactBucket(this, 'artifacts', {
      bucketName: vertex.bucketName,
      location: props.region,
      bundle: props.bundle,
      modelName: vertex.model,
      ...(vertex.kmsKeyName ? { kmsKeyName: vertex.kmsKeyName } : {}),
      dependsOn: apis,
    });

    const imageRepository = props.imageRepository ?? repositoryOf(props.image);
    this.endpoint = new VertexModelEndpoint(this, 'vertex', {
      projectId: props.gcpProjectId,
      region: props.region,
      endpointId: vertex.endpointId,
      displayName: `${this.tags.project}-${this.tags.environment}-${vertex.model}`,
      imageUri: props.image,
      ...(imageRepository ? { imageRepository } : {}),
      artifacts: this.artifacts,
      bundleHash: props.bundle.contentHash,
      modelName: vertex.model,
      machineType: vertex.machineType,
      minReplicas: vertex.minReplicas,
      maxReplicas: vertex.maxReplicas,
      cpuTargetPercent: vertex.cpuTargetPercent,
      dedicatedEndpoint: vertex.dedicatedEndpoint,
      ...(vertex.kmsKeyName ? { kmsKeyName: vertex.kmsKeyName } : {}),
      ...(vertex.ttlHours !== undefined ? { ttlHours: vertex.ttlHours } : {}),
      revision: vertex.revision,
      deployTimeoutMinutes: vertex.deployTimeoutMinutes,
      modelLabels: this.tags,
      dependsOn: apis,
    });

    if (
      props.monitoring &&
      (props.monitoring.dashboard !== false || props.monitoring.alertPolicies !== false)
    ) {
      const monitoringApi = new ProjectService(this, 'api-monitoring', {
        project: props.gcpProjectId,
        service: 'monitoring.googleapis.com',
        disableOnDestroy: false,
        disableDependentServices: false,
      });
      this.monitoring = new VertexEndpointMonitoring(this, 'monitoring', {
        ...props.monitoring,
        projectId: props.gcpProjectId,
        endpointId: this.endpoint.endpointId,
        displayName: `${this.tags.project}-${this.tags.environment}-${vertex.model} (Vertex AI)`,
        labels: this.tags,
        dependsOn: [monitoringApi],
      });
    }

    new TerraformOutput(this, 'endpoint_id', {
      value: this.endpoint.endpointId,
      description: 'Numeric Vertex AI endpoint id',
    });
    new TerraformOutput(this, 'project_id', { value: props.gcpProjectId });
    new TerraformOutput(this, 'region', { value: props.region });
    new TerraformOutput(this, 'model_name', { value: vertex.model });
    new TerraformOutput(this, 'deployed_model_id', { value: this.endpoint.deployedModelId });
    new TerraformOutput(this, 'artifact_uri', { value: this.artifacts.artifactUri });
    if (vertex.dedicatedEndpoint) {
      new TerraformOutput(this, 'dedicated_endpoint_dns', {
        value: this.endpoint.dedicatedEndpointDns,
        description: 'Predict calls must go to this host (the shared regional host refuses them)',
      });
    }
    new TerraformOutput(this, 'invoke_command', { value: VERTEX_INVOKE_COMMAND });
  }
}

function repositoryOf(image: string): ArtifactRegistryRepositoryRef | undefined {
  const match = ARTIFACT_REGISTRY_IMAGE.exec(image);
  return match ? { location: match[1]!, projectId: match[2]!, repositoryId: match[3]! } : undefined;
}
