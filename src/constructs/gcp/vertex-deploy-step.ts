import { DataResource, Fn, type ITerraformDependable, Op, TerraformLocal, Token } from 'cdktf';
import { Construct } from 'constructs';

/**
 * How Terraform runs the project's deploy command: from the project root, reached from its working
 * directory `cdktf.out/stacks/<stack>` by a relative path (an absolute one would differ per machine), with
 * the locally installed tsx (`npm ci` installs it).
 */
export const DEFAULT_DEPLOY_WORKING_DIR = '../../..';
export const DEFAULT_DEPLOY_COMMAND = 'npx --no-install tsx src/cli/main.ts vertex-deploy';

/** What the deploy step deploys; every field is a deployment setting, so a change replaces the step. */
export interface VertexDeploySettings {
  readonly projectId: string;
  readonly region: string;
  /** Numeric endpoint id (`google_vertex_ai_endpoint.name`). */
  readonly endpointId: string;
  /** Display name of the uploaded model (also how a re-run recognises it, with its labels). */
  readonly displayName: string;
  /** The serving image, pinned by digest. */
  readonly imageUri: string;
  /** `gs://…` prefix of the bundle. */
  readonly artifactUri: string;
  /** Content hash of the bundle. */
  readonly bundleHash: string;
  /** `MODEL_NAME` of the container. */
  readonly modelName: string;
  readonly machineType: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly cpuTargetPercent: number;
  /** Email of the service account the container runs as. */
  readonly serviceAccountEmail: string;
  /** CMEK of the uploaded model. @default - Google-managed keys */
  readonly kmsKeyName?: string;
  /** Bumping it redeploys the same settings. @default 1 */
  readonly revision?: number;
}

export interface VertexDeployStepProps extends VertexDeploySettings {
  /** How long the command waits for each long-running operation. @default 60 */
  readonly timeoutMinutes?: number;
  /** Labels of the uploaded model (besides the deployed-model id the command adds). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Working directory of the command, relative to `cdktf.out/stacks/<stack>`. @default '../../..' */
  readonly workingDir?: string;
  /** The command, without its action. @default 'npx --no-install tsx src/cli/main.ts vertex-deploy' */
  readonly command?: string;
  /** What must exist first: endpoint, bundle objects, service account and grants. @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** Keys of `input` the destroy provisioner reads through `self` (the only reference it may make). */
const INPUT_KEYS = [
  'project',
  'region',
  'endpoint_id',
  'deployed_model_id',
  'display_name',
  'image_uri',
  'artifact_uri',
  'model_name',
  'machine_type',
  'min_replicas',
  'max_replicas',
  'cpu_target_percent',
  'service_account',
  'kms_key_name',
  'timeout_minutes',
] as const;
type InputKey = (typeof INPUT_KEYS)[number];

/** `--flag '${self.input.key}'`: single quotes keep the shell from reading anything in the value. */
const flag = (name: string, key: InputKey): string => `--${name} '\${self.input.${key}}'`;

/**
 * The step the Google provider lacks: a `terraform_data` whose create provisioner uploads the model and
 * deploys it to the endpoint with the project's own command, and whose destroy provisioner undeploys it and
 * deletes the model. Everything destroy needs travels in `input`. `triggers_replace` holds every deployment
 * setting; the deployed model's id is derived from them by Terraform (10 digits), so a replacement deploys
 * a new id before the old resource's destroy undeploys exactly the old one (create before destroy).
 */
export class VertexDeployStep extends Construct {
  readonly resource: DataResource;
  /** The deployed model's id: numeric, derived from the triggers. */
  readonly deployedModelId: string;
  /** The create and destroy command lines, as Terraform runs them. */
  readonly createCommand: string;
  readonly destroyCommand: string;

  constructor(scope: Construct, id: string, props: VertexDeployStepProps) {
    super(scope, id);
    const triggers = {
      project: props.projectId,
      region: props.region,
      endpoint_id: props.endpointId,
      image_uri: props.imageUri,
      artifact_uri: props.artifactUri,
      bundle_hash: props.bundleHash,
      model_name: props.modelName,
      machine_type: props.machineType,
      min_replicas: props.minReplicas,
      max_replicas: props.maxReplicas,
      cpu_target_percent: props.cpuTargetPercent,
      service_account: props.serviceAccountEmail,
      kms_key_name: props.kmsKeyName ?? '',
      revision: props.revision ?? 1,
    };
    // A local, so the functions below take one reference (cdktf cannot pass strings holding references
    // into Terraform functions).
    const settings = new TerraformLocal(this, 'settings', triggers);
    // 1,000,000,000 + 32 bits of the settings' SHA-256: ten digits, no leading zero, new for new settings.
    const deployedModelId = Fn.tostring(
      Op.add(1_000_000_000, Fn.parseint(Fn.substr(Fn.sha256(Fn.jsonencode(settings.expression)), 0, 8), 16)),
    );
    const input: Record<InputKey, string | number> = {
      project: props.projectId,
      region: props.region,
      endpoint_id: props.endpointId,
      deployed_model_id: deployedModelId,
      display_name: props.displayName,
      image_uri: props.imageUri,
      artifact_uri: props.artifactUri,
      model_name: props.modelName,
      machine_type: props.machineType,
      min_replicas: props.minReplicas,
      max_replicas: props.maxReplicas,
      cpu_target_percent: props.cpuTargetPercent,
      service_account: props.serviceAccountEmail,
      kms_key_name: props.kmsKeyName ?? '',
      timeout_minutes: props.timeoutMinutes ?? 60,
    };
    const base = props.command ?? DEFAULT_DEPLOY_COMMAND;
    const where = [
      flag('project', 'project'),
      flag('region', 'region'),
      flag('endpoint-id', 'endpoint_id'),
      flag('deployed-model-id', 'deployed_model_id'),
      flag('display-name', 'display_name'),
      flag('timeout-minutes', 'timeout_minutes'),
    ];
    const labels = Object.entries(props.labels ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => `--label '${key}=${value}'`);
    this.createCommand = [
      `${base} deploy`,
      ...where,
      flag('image-uri', 'image_uri'),
      flag('artifact-uri', 'artifact_uri'),
      flag('model-name', 'model_name'),
      flag('machine-type', 'machine_type'),
      flag('min-replicas', 'min_replicas'),
      flag('max-replicas', 'max_replicas'),
      flag('cpu-target-percent', 'cpu_target_percent'),
      flag('service-account', 'service_account'),
      flag('kms-key-name', 'kms_key_name'),
      ...labels,
    ].join(' ');
    this.destroyCommand = [`${base} undeploy`, ...where].join(' ');
    const workingDir = props.workingDir ?? DEFAULT_DEPLOY_WORKING_DIR;

    this.resource = new DataResource(this, 'deploy', {
      input,
      triggersReplace: settings.expression,
      lifecycle: { createBeforeDestroy: true },
      provisioners: [
        { type: 'local-exec', when: 'create', workingDir, command: this.createCommand },
        { type: 'local-exec', when: 'destroy', workingDir, command: this.destroyCommand },
      ],
      ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
    });
    // Read back from the resource, so whatever uses the id (the TTL job, outputs) comes after the deployment.
    this.deployedModelId = Token.asString(this.resource.output.lookup('deployed_model_id'));
  }
}
