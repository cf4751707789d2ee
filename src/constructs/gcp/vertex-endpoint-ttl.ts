import { CloudSchedulerJob } from '@cdktf/provider-google/lib/cloud-scheduler-job';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Offset } from '@cdktf/provider-time/lib/offset';
import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { PropsProblems } from '../props-problems';
import { MAX_VERTEX_TTL_HOURS } from './vertex-names';

/** The only permission the TTL job's identity holds: what `endpoints.undeployModel` checks. */
export const VERTEX_UNDEPLOY_PERMISSION = 'aiplatform.endpoints.undeploy';
/** Cloud Scheduler's OAuth token for a Google API: the broad scope; the custom role is what limits it. */
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface VertexEndpointTtlProps {
  readonly projectId: string;
  readonly region: string;
  /** Numeric endpoint id. */
  readonly endpointId: string;
  /** The deployed model to undeploy (its id changes with every deployment, which restarts the clock). */
  readonly deployedModelId: string;
  /** Hours after the deployment at which the model is undeployed. */
  readonly ttlHours: number;
  /** Prefix of the job's and service account's names (<= 19 characters). */
  readonly namePrefix: string;
  /** The Cloud Scheduler API enablement and the deployment. @default [] */
  readonly dependsOn?: ITerraformDependable[];
  /** The management API's base URL. @default `https://<region>-aiplatform.googleapis.com` */
  readonly apiBaseUrl?: string;
}

/**
 * Undeploys the model `ttlHours` after its deployment: a Cloud Scheduler job (cron schedules only, so a
 * date-pinned cron `<min> <hour> <day> <month> *` computed by Terraform's `time_offset` at deploy time,
 * never from the clock at synth) POSTs `:undeployModel` for the fixed deployed-model id with an OAuth
 * token of a service account whose only role is a custom role holding `aiplatform.endpoints.undeploy`.
 * The pinned provider has no endpoint-level IAM resource, so the role is granted on the project with an
 * IAM condition on the endpoint's resource name. The cron would fire again a year later: by then that id
 * is undeployed (or the stack destroyed with the job), and undeploying an absent id changes nothing.
 */
export class VertexEndpointTtl extends Construct {
  readonly job: CloudSchedulerJob;
  readonly serviceAccount: ServiceAccount;
  readonly role: ProjectIamCustomRole;
  readonly grant: ProjectIamMember;
  readonly offset: Offset;

  constructor(scope: Construct, id: string, props: VertexEndpointTtlProps) {
    super(scope, id);
    const problems = new PropsProblems('VertexEndpointTtl', id);
    if (!Number.isInteger(props.ttlHours) || props.ttlHours < 1 || props.ttlHours > MAX_VERTEX_TTL_HOURS) {
      problems.add(`ttlHours: got ${props.ttlHours}; expected an integer from 1 to ${MAX_VERTEX_TTL_HOURS}`);
    }
    if (!/^[a-z][a-z0-9-]{0,18}$/.test(props.namePrefix)) {
      problems.add(
        `namePrefix: got ${JSON.stringify(props.namePrefix)}; expected 1-19 lowercase letters, digits and -`,
      );
    }
    problems.throwIfAny();

    const endpointPath = `projects/${props.projectId}/locations/${props.region}/endpoints/${props.endpointId}`;
    this.serviceAccount = new ServiceAccount(this, 'service-account', {
      project: props.projectId,
      accountId: `${props.namePrefix}-ttl`,
      displayName: `Undeploys the model of Vertex AI endpoint ${props.endpointId} when its TTL is up`,
    });
    this.role = new ProjectIamCustomRole(this, 'role', {
      project: props.projectId,
      // Role ids allow letters, digits, _ and . only; one role per endpoint.
      roleId: `vertexUndeploy${props.endpointId}`,
      title: `Undeploy from Vertex AI endpoint ${props.endpointId}`,
      permissions: [VERTEX_UNDEPLOY_PERMISSION],
    });
    this.grant = new ProjectIamMember(this, 'grant', {
      project: props.projectId,
      role: this.role.name,
      member: this.serviceAccount.member,
      condition: {
        title: `only endpoint ${props.endpointId}`,
        description: 'Vertex AI endpoint of the TTL job',
        // endsWith: IAM may name the project by number in resource.name.
        expression: `resource.name.endsWith("/locations/${props.region}/endpoints/${props.endpointId}")`,
      },
    });
    this.offset = new Offset(this, 'expiry', {
      offsetHours: props.ttlHours,
      // A new deployment (new id) restarts the clock.
      triggers: { deployed_model_id: props.deployedModelId },
    });
    const base = props.apiBaseUrl ?? `https://${props.region}-aiplatform.googleapis.com`;
    this.job = new CloudSchedulerJob(this, 'job', {
      project: props.projectId,
      region: props.region,
      name: `${props.namePrefix}-ttl`,
      description: `Undeploys deployed model ${props.deployedModelId} from endpoint ${props.endpointId} after ${props.ttlHours} h`,
      schedule: `${this.offset.minute} ${this.offset.hour} ${this.offset.day} ${this.offset.month} *`,
      timeZone: 'Etc/UTC',
      attemptDeadline: '60s',
      retryConfig: { retryCount: 3, minBackoffDuration: '60s' },
      httpTarget: {
        httpMethod: 'POST',
        uri: `${base}/v1/${endpointPath}:undeployModel`,
        headers: { 'Content-Type': 'application/json' },
        // Cloud Scheduler takes the body base64-encoded.
        body: Fn.base64encode(Fn.jsonencode({ deployedModelId: props.deployedModelId })),
        oauthToken: { serviceAccountEmail: this.serviceAccount.email, scope: CLOUD_PLATFORM_SCOPE },
      },
      dependsOn: [this.grant, ...(props.dependsOn ?? [])],
    });
  }
}
