import { ArtifactRegistryRepositoryIamMember } from '@cdktf/provider-google/lib/artifact-registry-repository-iam-member';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { VertexAiEndpoint } from '@cdktf/provider-google/lib/vertex-ai-endpoint';
import { DataResource, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { checkPositiveIntegers, isKnown, PropsProblems } from '../props-problems';
import type { GcsModelArtifactBucket } from './gcs-model-artifact-bucket';
import { DEFAULT_DEPLOY_COMMAND, DEFAULT_DEPLOY_WORKING_DIR, VertexDeployStep } from './vertex-deploy-step';
import { VertexEndpointTtl } from './vertex-endpoint-ttl';
import {
  DEFAULT_VERTEX_CPU_TARGET_PERCENT,
  DEFAULT_VERTEX_DEPLOY_TIMEOUT_MINUTES,
  DEFAULT_VERTEX_MACHINE_TYPE,
  DEFAULT_VERTEX_MAX_REPLICAS,
  DEFAULT_VERTEX_MIN_REPLICAS,
  VERTEX_ENDPOINT_ID,
} from './vertex-names';

/**
 * Least privilege of the container's own identity: the server writes logs and metrics and reads its
 * bundle (granted on the bucket alone); it calls no other Google API.
 */
export const VERTEX_MODEL_ROLES: readonly string[] = [
  'roles/logging.logWriter',
  'roles/monitoring.metricWriter',
];
/** Encrypt and decrypt with a CMEK, and nothing else (Cloud KMS's role for service agents). */
const KMS_AGENT_ROLE = 'roles/cloudkms.cryptoKeyEncrypterDecrypter';

/** An Artifact Registry repository the image is pulled from. */
export interface ArtifactRegistryRepositoryRef {
  readonly projectId: string;
  readonly location: string;
  readonly repositoryId: string;
}

export interface VertexModelEndpointProps {
  readonly projectId: string;
  readonly region: string;
  /** Numeric endpoint id (`name`): 1-10 digits, no leading zero. */
  readonly endpointId: string;
  /** Display name of the endpoint and the uploaded model. */
  readonly displayName: string;
  /** The serving image, pinned by digest. */
  readonly imageUri: string;
  /**
   * The repository holding the image: the Vertex AI service agent (which pulls it) gets read on it.
   * @default - no grant (an image in the endpoint's own project is readable by the agent already)
   */
  readonly imageRepository?: ArtifactRegistryRepositoryRef;
  /** The bucket with the bundle. */
  readonly artifacts: GcsModelArtifactBucket;
  /** Content hash of the bundle (a trigger of the deployment). */
  readonly bundleHash: string;
  /** `MODEL_NAME` of the container: otherwise the server names the model after its download folder. */
  readonly modelName: string;
  /** @default 'n1-standard-2' */
  readonly machineType?: string;
  /** @default 1 */
  readonly minReplicas?: number;
  /** @default 2 */
  readonly maxReplicas?: number;
  /** CPU utilisation the autoscaler keeps, in percent. @default 70 */
  readonly cpuTargetPercent?: number;
  /** A dedicated endpoint (own DNS name; predict works only there). @default false */
  readonly dedicatedEndpoint?: boolean;
  /** CMEK of the endpoint and the model. @default - Google-managed keys */
  readonly kmsKeyName?: string;
  /** Undeploy the model this many hours after each deployment. @default - never */
  readonly ttlHours?: number;
  /** Bump to redeploy unchanged settings. @default 1 */
  readonly revision?: number;
  /** @default 60 */
  readonly deployTimeoutMinutes?: number;
  /** Labels of the uploaded model (resources get theirs from the provider's `default_labels`). @default {} */
  readonly modelLabels?: Readonly<Record<string, string>>;
  /** Working directory of the deploy command, relative to `cdktf.out/stacks/<stack>`. @default '../../..' */
  readonly deployWorkingDir?: string;
  /** @default 'npx --no-install tsx src/cli/main.ts vertex-deploy' */
  readonly deployCommand?: string;
  /** API enablements to wait for (aiplatform, iam, cloudscheduler). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A custom-container model served from a Vertex AI endpoint: the endpoint (its traffic left to the deploy
 * step), a dedicated service account for the container, what the Vertex AI service agent needs (its
 * creation on a fresh project, pull from the repository, read of the bundle, the CMEK), the deploy step, and
 * the optional time-to-live. Needs a `GoogleProvider` (and a `TimeProvider` with `ttlHours`) in the stack.
 */
export class VertexModelEndpoint extends Construct {
  readonly endpoint: VertexAiEndpoint;
  readonly endpointId: string;
  /** `projects/<p>/locations/<r>/endpoints/<id>` */
  readonly endpointPath: string;
  /** The DNS name predict calls must use on a dedicated endpoint (empty on a shared one). */
  readonly dedicatedEndpointDns: string;
  readonly serviceAccount: ServiceAccount;
  /** `service-<number>@gcp-sa-aiplatform.iam.gserviceaccount.com` */
  readonly serviceAgentEmail: string;
  readonly deployStep: VertexDeployStep;
  readonly deployedModelId: string;
  readonly ttl?: VertexEndpointTtl;

  constructor(scope: Construct, id: string, props: VertexModelEndpointProps) {
    super(scope, id);
    validate(id, props);
    const { projectId, region, endpointId } = props;
    this.endpointId = endpointId;
    this.endpointPath = `projects/${projectId}/locations/${region}/endpoints/${endpointId}`;
    const deps = props.dependsOn ?? [];
    const workingDir = props.deployWorkingDir ?? DEFAULT_DEPLOY_WORKING_DIR;
    const command = props.deployCommand ?? DEFAULT_DEPLOY_COMMAND;

    // The agent exists on a fresh project only once asked for (or first used): the provider's
    // google_project_service_identity is google-beta only, so the deploy command makes the same
    // serviceusage generateServiceIdentity call before anything is granted to the agent.
    const project = new DataGoogleProject(this, 'project', { projectId });
    this.serviceAgentEmail = `service-${project.number}@gcp-sa-aiplatform.iam.gserviceaccount.com`;
    const agent = new DataResource(this, 'service-agent', {
      input: { project: projectId, email: this.serviceAgentEmail },
      provisioners: [
        {
          type: 'local-exec',
          when: 'create',
          workingDir,
          command: `${command} service-agent --project '\${self.input.project}'`,
        },
      ],
      dependsOn: deps,
    });
    const agentMember = `serviceAccount:${this.serviceAgentEmail}`;
    const agentGrants: ITerraformDependable[] = [
      props.artifacts.grantRead('service-agent-read', agentMember, [agent]),
    ];
    if (props.imageRepository) {
      agentGrants.push(
        new ArtifactRegistryRepositoryIamMember(this, 'service-agent-pull', {
          project: props.imageRepository.projectId,
          location: props.imageRepository.location,
          repository: props.imageRepository.repositoryId,
          role: 'roles/artifactregistry.reader',
          member: agentMember,
          dependsOn: [agent],
        }),
      );
    }
    if (props.kmsKeyName) {
      agentGrants.push(
        new KmsCryptoKeyIamMember(this, 'service-agent-kms', {
          cryptoKeyId: props.kmsKeyName,
          role: KMS_AGENT_ROLE,
          member: agentMember,
          dependsOn: [agent],
        }),
      );
    }

    this.serviceAccount = new ServiceAccount(this, 'model-service-account', {
      project: projectId,
      accountId: `vertex-model-${endpointId}`,
      displayName: `Container of Vertex AI endpoint ${endpointId}`,
      dependsOn: deps,
    });
    const accountGrants: ITerraformDependable[] = VERTEX_MODEL_ROLES.map(
      (role) =>
        new ProjectIamMember(this, `model-${role.replace('roles/', '').replace(/\./g, '-')}`, {
          project: projectId,
          role,
          member: this.serviceAccount.member,
        }),
    );
    // The server downloads AIP_STORAGE_URI with this account's token: read on the bundle's bucket only.
    accountGrants.push(props.artifacts.grantRead('model-read', this.serviceAccount.member));

    this.endpoint = new VertexAiEndpoint(this, 'endpoint', {
      name: endpointId,
      displayName: props.displayName,
      description: `Serves ${props.modelName} from the model-server image`,
      location: region,
      region,
      project: projectId,
      dedicatedEndpointEnabled: props.dedicatedEndpoint ?? false,
      ...(props.kmsKeyName ? { encryptionSpec: { kmsKeyName: props.kmsKeyName } } : {}),
      // No traffic_split: the deploy step owns traffic (100% to the model it deploys).
      dependsOn: [...deps, ...agentGrants],
    });
    this.dedicatedEndpointDns = this.endpoint.dedicatedEndpointDns;

    this.deployStep = new VertexDeployStep(this, 'deployment', {
      projectId,
      region,
      endpointId: this.endpoint.name,
      displayName: props.displayName,
      imageUri: props.imageUri,
      artifactUri: props.artifacts.artifactUri,
      bundleHash: props.bundleHash,
      modelName: props.modelName,
      machineType: props.machineType ?? DEFAULT_VERTEX_MACHINE_TYPE,
      minReplicas: props.minReplicas ?? DEFAULT_VERTEX_MIN_REPLICAS,
      maxReplicas: props.maxReplicas ?? DEFAULT_VERTEX_MAX_REPLICAS,
      cpuTargetPercent: props.cpuTargetPercent ?? DEFAULT_VERTEX_CPU_TARGET_PERCENT,
      serviceAccountEmail: this.serviceAccount.email,
      ...(props.kmsKeyName ? { kmsKeyName: props.kmsKeyName } : {}),
      revision: props.revision ?? 1,
      timeoutMinutes: props.deployTimeoutMinutes ?? DEFAULT_VERTEX_DEPLOY_TIMEOUT_MINUTES,
      labels: props.modelLabels ?? {},
      workingDir,
      command,
      dependsOn: [this.endpoint, ...props.artifacts.objects, ...agentGrants, ...accountGrants],
    });
    this.deployedModelId = this.deployStep.deployedModelId;

    if (props.ttlHours !== undefined) {
      this.ttl = new VertexEndpointTtl(this, 'ttl', {
        projectId,
        region,
        endpointId,
        deployedModelId: this.deployedModelId,
        ttlHours: props.ttlHours,
        namePrefix: `vertex-${endpointId}`,
        dependsOn: deps,
      });
    }
  }
}

function validate(id: string, props: VertexModelEndpointProps): void {
  const problems = new PropsProblems('VertexModelEndpoint', id);
  if (isKnown(props.endpointId) && !VERTEX_ENDPOINT_ID.test(props.endpointId)) {
    problems.add(
      `endpointId: got ${JSON.stringify(props.endpointId)}; expected 1-10 digits without a leading zero`,
    );
  }
  checkPositiveIntegers(problems, props, ['minReplicas', 'maxReplicas', 'revision', 'deployTimeoutMinutes']);
  const { minReplicas, maxReplicas, cpuTargetPercent } = props;
  if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) {
    problems.add(`minReplicas: got ${minReplicas}; expected <= maxReplicas (${maxReplicas})`);
  }
  if (
    cpuTargetPercent !== undefined &&
    (!Number.isInteger(cpuTargetPercent) || cpuTargetPercent < 1 || cpuTargetPercent > 100)
  ) {
    problems.add(`cpuTargetPercent: got ${cpuTargetPercent}; expected an integer from 1 to 100`);
  }
  if (isKnown(props.modelName) && !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(props.modelName)) {
    problems.add(
      `modelName: got ${JSON.stringify(props.modelName)}; expected lowercase letters, digits, - and _`,
    );
  }
  problems.throwIfAny();
}
