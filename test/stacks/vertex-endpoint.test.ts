import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { COMMANDS } from '../../src/cli/main';
import { parseConfig } from '../../src/config/load';
import { readModelBundle } from '../../src/config/model-bundle';
import { vertexBucketName, vertexEndpointId } from '../../src/constructs/gcp/vertex-names';
import { VertexEndpointStack } from '../../stacks/vertex-endpoint';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const ROOT = path.join(__dirname, '../..');
const IMAGE = `us-central1-docker.pkg.dev/model-serving-demo/model-serving-demo/model-server@sha256:${'4'.repeat(64)}`;
const KMS = 'projects/model-serving-demo/locations/us-central1/keyRings/ring/cryptoKeys/key';

function synth(input: Json = {}): { text: string; json: Json } {
  const config = parseConfig(input);
  const stack = new VertexEndpointStack(Testing.app(), 'vertex-endpoint', {
    stateBackend: config.stateBackend,
    project: config.project,
    environment: config.environment,
    gcpProjectId: config.gcp.projectId,
    region: config.gcp.region,
    image: IMAGE,
    vertex: config.vertex,
    bundle: readModelBundle(ROOT, config.vertex.modelDir),
  });
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) };
}

const resources = (json: Json, type: string): Json[] => Object.values(json.resource?.[type] ?? {});
const only = (json: Json, type: string): Json => {
  const found = resources(json, type);
  expect(found).toHaveLength(1);
  return found[0]!;
};
/** A resource by the start of its logical id (`<construct path>_<hash>`). */
const byKey = (json: Json, type: string, prefix: string): Json =>
  Object.entries(json.resource[type] as Json).find(([key]) => key.startsWith(prefix))![1];
const deployStep = (json: Json): Json => byKey(json, 'terraform_data', 'vertex_deployment_deploy_');
const settingsLocal = (json: Json): Json => {
  const name = /^\$\{local\.(\w+)\}$/.exec(deployStep(json).triggers_replace)![1]!;
  return json.locals[name];
};

describe('vertex-endpoint stack', () => {
  test('snapshot (defaults)', () => {
    expect(synth().text).toMatchSnapshot();
  });

  test('snapshot (dedicated, CMEK, TTL)', () => {
    expect(
      synth({ vertex: { dedicatedEndpoint: true, kmsKeyName: KMS, ttlHours: 4 } }).text,
    ).toMatchSnapshot();
  });

  test('enables aiplatform, storage and iam, never disabling them on destroy; no scheduler API without a TTL', () => {
    const { json } = synth();
    const apis = resources(json, 'google_project_service');
    expect(apis.map((a) => a.service).sort()).toEqual([
      'aiplatform.googleapis.com',
      'iam.googleapis.com',
      'storage.googleapis.com',
    ]);
    for (const api of apis)
      expect(api).toMatchObject({ disable_on_destroy: false, disable_dependent_services: false });
  });

  test('provider: project, region and the default labels every resource carries', () => {
    const { json } = synth({ gcp: { projectId: 'my-project-1', region: 'europe-west4' } });
    expect(json.provider.google[0]).toEqual({
      project: `\${var.gcp_project_id}`,
      region: 'europe-west4',
      default_labels: { project: 'model-serving', service: 'vertex-endpoint', environment: 'demo' },
    });
    expect(json.provider.time).toBeUndefined();
    expect(json.variable.gcp_project_id.default).toBe('my-project-1');
  });

  test('bucket: uniform access, public access prevention, versioning, force destroy, old versions expire', () => {
    const { json } = synth();
    const bucket = only(json, 'google_storage_bucket');
    expect(bucket).toMatchObject({
      name: vertexBucketName('model-serving-demo', 'model-serving', 'demo'),
      location: 'us-central1',
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      versioning: { enabled: true },
      force_destroy: true,
      lifecycle_rule: [
        { action: { type: 'Delete' }, condition: { days_since_noncurrent_time: 30, with_state: 'ARCHIVED' } },
      ],
    });
    expect(bucket.encryption).toBeUndefined();
    expect(bucket.name).toMatch(/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/);
  });

  test('the bundle is uploaded object by object: relative sources, MD5 replaces, prefix from the content hash', () => {
    const { json } = synth();
    const bundle = readModelBundle(ROOT, 'model-server/models/bankchurn');
    const prefix = `bankchurn/${bundle.contentHash.slice(0, 16)}`;
    const objects = resources(json, 'google_storage_bucket_object');
    expect(objects.map((o) => o.name).sort()).toEqual([`${prefix}/metadata.json`, `${prefix}/model.json`]);
    for (const object of objects) {
      const file = object.name.slice(prefix.length + 1);
      expect(object.source).toBe(`../../../model-server/models/bankchurn/${file}`);
      // The source resolves from Terraform's working directory cdktf.out/stacks/vertex-endpoint.
      const absolute = path.resolve(ROOT, 'cdktf.out/stacks/vertex-endpoint', object.source);
      expect(object.source_md5hash).toBe(createHash('md5').update(readFileSync(absolute)).digest('base64'));
    }
    expect(deployStep(json).input.artifact_uri).toBe(
      `gs://\${google_storage_bucket.${Object.keys(json.resource.google_storage_bucket)[0]}.name}/${prefix}`,
    );
    expect(settingsLocal(json).bundle_hash).toBe(bundle.contentHash);
  });

  test('a bundle directory from config is uploaded instead, the model named by config', () => {
    const { json } = synth({ vertex: { model: 'taxi', modelDir: 'model-server/models/chicagotaxi' } });
    const sources = resources(json, 'google_storage_bucket_object').map((o) => o.source);
    expect(sources.every((s) => s.startsWith('../../../model-server/models/chicagotaxi/'))).toBe(true);
    expect(deployStep(json).input.model_name).toBe('taxi');
  });

  test('the container runs as a dedicated service account with only log and metric writing plus bucket read', () => {
    const { json } = synth();
    const accounts = resources(json, 'google_service_account');
    expect(accounts.map((a) => a.account_id)).toEqual([
      `vertex-model-${vertexEndpointId('model-serving-demo', 'us-central1', 'model-serving', 'demo')}`,
    ]);
    const [account] = Object.keys(json.resource.google_service_account);
    const member = `\${google_service_account.${account}.member}`;
    const projectRoles = resources(json, 'google_project_iam_member').filter((m) => m.member === member);
    expect(projectRoles.map((m) => m.role).sort()).toEqual([
      'roles/logging.logWriter',
      'roles/monitoring.metricWriter',
    ]);
    const bucketRoles = resources(json, 'google_storage_bucket_iam_member').filter(
      (m) => m.member === member,
    );
    expect(bucketRoles.map((m) => m.role)).toEqual(['roles/storage.objectViewer']);
    expect(deployStep(json).input.service_account).toBe(`\${google_service_account.${account}.email}`);
  });

  test('the Vertex AI service agent is created first, then may pull from the repository and read the bundle', () => {
    const { json } = synth();
    const agent = byKey(json, 'terraform_data', 'vertex_service-agent_');
    expect(agent.provisioner[0]['local-exec']).toEqual({
      when: 'create',
      working_dir: '../../..',
      command: `npx --no-install tsx src/cli/main.ts vertex-deploy service-agent --project '\${self.input.project}'`,
    });
    const agentId = `terraform_data.${Object.entries(json.resource.terraform_data).find(([, r]) => r === agent)![0]}`;
    const email =
      /^service-\$\{data\.google_project\.\w+\.number\}@gcp-sa-aiplatform\.iam\.gserviceaccount\.com$/;
    const pull = only(json, 'google_artifact_registry_repository_iam_member');
    expect(pull).toMatchObject({
      project: 'model-serving-demo',
      location: 'us-central1',
      repository: 'model-serving-demo',
      role: 'roles/artifactregistry.reader',
      depends_on: [agentId],
    });
    expect(pull.member.replace('serviceAccount:', '')).toMatch(email);
    const read = resources(json, 'google_storage_bucket_iam_member').find((m) => m.member === pull.member)!;
    expect(read).toMatchObject({ role: 'roles/storage.objectViewer', depends_on: [agentId] });
  });

  test('no primitive roles, no project-level grant for the agents', () => {
    const { json } = synth({ vertex: { ttlHours: 2, kmsKeyName: KMS } });
    const roles = Object.keys(json.resource)
      .filter((type) => type.endsWith('_iam_member'))
      .flatMap((type) => resources(json, type).map((m) => m.role as string));
    for (const role of roles) expect(role).not.toMatch(/^roles\/(owner|editor|viewer)$/);
    const projectMembers = resources(json, 'google_project_iam_member').map((m) => m.member as string);
    expect(projectMembers.some((m) => m.includes('gcp-sa-aiplatform'))).toBe(false);
  });

  test('CMEK: bucket, endpoint and model use the key; the Vertex and Storage agents may use it', () => {
    const { json } = synth({ vertex: { kmsKeyName: KMS } });
    expect(only(json, 'google_storage_bucket').encryption).toEqual({ default_kms_key_name: KMS });
    expect(only(json, 'google_vertex_ai_endpoint').encryption_spec).toEqual({ kms_key_name: KMS });
    expect(deployStep(json).input.kms_key_name).toBe(KMS);
    const grants = resources(json, 'google_kms_crypto_key_iam_member');
    expect(grants.map((g) => [g.crypto_key_id, g.role])).toEqual([
      [KMS, 'roles/cloudkms.cryptoKeyEncrypterDecrypter'],
      [KMS, 'roles/cloudkms.cryptoKeyEncrypterDecrypter'],
    ]);
    const members = grants.map((g) => g.member as string).sort();
    expect(members[0]).toMatch(/^\$\{data\.google_storage_project_service_account\.[\w-]+\.member\}$/);
    expect(members[1]).toMatch(
      /^serviceAccount:service-\$\{data\.google_project\.\w+\.number\}@gcp-sa-aiplatform/,
    );
    const storageGrant = Object.keys(json.resource.google_kms_crypto_key_iam_member).find((k) =>
      k.includes('storage'),
    );
    expect(only(json, 'google_storage_bucket').depends_on).toContain(
      `google_kms_crypto_key_iam_member.${storageGrant}`,
    );
  });

  test('endpoint: numeric name from config (<= 10 digits, no leading zero), no traffic_split', () => {
    const { json } = synth();
    const endpoint = only(json, 'google_vertex_ai_endpoint');
    expect(endpoint.name).toMatch(/^[1-9]\d{0,9}$/);
    expect(endpoint.name).toBe(
      vertexEndpointId('model-serving-demo', 'us-central1', 'model-serving', 'demo'),
    );
    expect(endpoint).not.toHaveProperty('traffic_split');
    expect(endpoint).toMatchObject({ location: 'us-central1', dedicated_endpoint_enabled: false });
    expect(synth().json.resource.google_vertex_ai_endpoint).toEqual(json.resource.google_vertex_ai_endpoint);
    const other = only(synth({ environment: 'prod' }).json, 'google_vertex_ai_endpoint');
    expect(other.name).not.toBe(endpoint.name);
    expect(only(synth({ vertex: { endpointId: '42' } }).json, 'google_vertex_ai_endpoint').name).toBe('42');
  });

  test('deploy step: inputs, triggers, create-before-destroy, both provisioners relative and self-only', () => {
    const { json } = synth();
    const step = deployStep(json);
    expect(Object.keys(step.input).sort()).toEqual(
      [
        'artifact_uri',
        'cpu_target_percent',
        'deployed_model_id',
        'display_name',
        'endpoint_id',
        'image_uri',
        'kms_key_name',
        'machine_type',
        'max_replicas',
        'min_replicas',
        'model_name',
        'project',
        'region',
        'service_account',
        'timeout_minutes',
      ].sort(),
    );
    expect(step.input).toMatchObject({
      project: 'model-serving-demo',
      region: 'us-central1',
      image_uri: IMAGE,
      model_name: 'bankchurn',
      machine_type: 'n1-standard-2',
      min_replicas: 1,
      max_replicas: 2,
      cpu_target_percent: 70,
      display_name: 'model-serving-demo-bankchurn',
      timeout_minutes: 60,
    });
    const [endpointKey] = Object.keys(json.resource.google_vertex_ai_endpoint);
    expect(step.input.endpoint_id).toBe(`\${google_vertex_ai_endpoint.${endpointKey}.name}`);
    const local = /^\$\{local\.(\w+)\}$/.exec(step.triggers_replace)![1];
    expect(step.input.deployed_model_id).toBe(
      `\${tostring((1000000000 + parseint(substr(sha256(jsonencode(local.${local})), 0, 8), 16)))}`,
    );
    expect(Object.keys(settingsLocal(json)).sort()).toEqual(
      [
        'artifact_uri',
        'bundle_hash',
        'cpu_target_percent',
        'endpoint_id',
        'image_uri',
        'kms_key_name',
        'machine_type',
        'max_replicas',
        'min_replicas',
        'model_name',
        'project',
        'region',
        'revision',
        'service_account',
      ].sort(),
    );
    expect(settingsLocal(json).image_uri).toBe(IMAGE);
    expect(step.lifecycle).toEqual({ create_before_destroy: true });
    expect(step.depends_on).toEqual(
      expect.arrayContaining([
        `google_vertex_ai_endpoint.${endpointKey}`,
        ...Object.keys(json.resource.google_storage_bucket_object).map(
          (k) => `google_storage_bucket_object.${k}`,
        ),
        ...Object.keys(json.resource.google_project_iam_member).map((k) => `google_project_iam_member.${k}`),
        `google_artifact_registry_repository_iam_member.${Object.keys(json.resource.google_artifact_registry_repository_iam_member)[0]}`,
      ]),
    );

    const [create, destroy] = step.provisioner.map((p: Json) => p['local-exec']);
    expect(create).toMatchObject({ when: 'create', working_dir: '../../..' });
    expect(destroy).toMatchObject({ when: 'destroy', working_dir: '../../..' });
    expect(create.command).toMatch(/^npx --no-install tsx src\/cli\/main\.ts vertex-deploy deploy /);
    expect(destroy.command).toBe(
      `npx --no-install tsx src/cli/main.ts vertex-deploy undeploy --project '\${self.input.project}' ` +
        `--region '\${self.input.region}' --endpoint-id '\${self.input.endpoint_id}' ` +
        `--deployed-model-id '\${self.input.deployed_model_id}' --display-name '\${self.input.display_name}' ` +
        `--timeout-minutes '\${self.input.timeout_minutes}'`,
    );
    // Destroy-time provisioners may reference only self; every reference names a key of input.
    for (const command of [create.command, destroy.command]) {
      for (const [, reference] of command.matchAll(/\$\{([^}]*)\}/g)) {
        expect(reference).toMatch(/^self\.input\.\w+$/);
        expect(Object.keys(step.input)).toContain(reference.replace('self.input.', ''));
      }
    }
  });

  test('the deploy command is reachable from the stack working directory and registered as a verb', () => {
    const workingDir = path.resolve(ROOT, 'cdktf.out/stacks/vertex-endpoint', '../../..');
    expect(workingDir).toBe(ROOT);
    expect(existsSync(path.join(workingDir, 'src/cli/main.ts'))).toBe(true);
    expect(COMMANDS['vertex-deploy']).toBeDefined();
  });

  test('revision: bumping it changes the settings the step is replaced on (and so the deployed-model id)', () => {
    expect(settingsLocal(synth().json).revision).toBe(1);
    expect(settingsLocal(synth({ vertex: { revision: 2 } }).json).revision).toBe(2);
    expect(settingsLocal(synth({ vertex: { machineType: 'n1-standard-4' } }).json).machine_type).toBe(
      'n1-standard-4',
    );
  });

  test('TTL: a date-pinned cron from time_offset calls undeployModel with a token of a single-permission account', () => {
    const { json } = synth({ vertex: { ttlHours: 6 } });
    expect(json.provider.time).toEqual([{}]);
    expect(resources(json, 'google_project_service').map((a) => a.service)).toContain(
      'cloudscheduler.googleapis.com',
    );
    const offset = only(json, 'time_offset');
    const [stepKey] = Object.entries(json.resource.terraform_data).find(([k]) =>
      k.includes('deployment_deploy'),
    )!;
    const deployedModelId = `\${terraform_data.${stepKey}.output["deployed_model_id"]}`;
    expect(offset).toMatchObject({ offset_hours: 6, triggers: { deployed_model_id: deployedModelId } });
    const [offsetKey] = Object.keys(json.resource.time_offset);
    const t = (attribute: string) => `\${time_offset.${offsetKey}.${attribute}}`;
    const job = only(json, 'google_cloud_scheduler_job');
    const endpointId = vertexEndpointId('model-serving-demo', 'us-central1', 'model-serving', 'demo');
    expect(job).toMatchObject({
      region: 'us-central1',
      schedule: `${t('minute')} ${t('hour')} ${t('day')} ${t('month')} *`,
      time_zone: 'Etc/UTC',
    });
    expect(job.http_target).toMatchObject({
      http_method: 'POST',
      uri: `https://us-central1-aiplatform.googleapis.com/v1/projects/model-serving-demo/locations/us-central1/endpoints/${endpointId}:undeployModel`,
      headers: { 'Content-Type': 'application/json' },
      body: `\${base64encode(jsonencode({"deployedModelId" = terraform_data.${stepKey}.output["deployed_model_id"]}))}`,
      oauth_token: { scope: 'https://www.googleapis.com/auth/cloud-platform' },
    });
    const accounts = Object.entries(json.resource.google_service_account as Json);
    const [ttlKey, ttlAccount] = accounts.find(([, a]) => (a as Json).account_id.endsWith('-ttl'))!;
    expect((ttlAccount as Json).account_id).toBe(`vertex-${endpointId}-ttl`);
    expect(job.http_target.oauth_token.service_account_email).toBe(
      `\${google_service_account.${ttlKey}.email}`,
    );
    const role = only(json, 'google_project_iam_custom_role');
    expect(role.permissions).toEqual(['aiplatform.endpoints.undeploy']);
    const [roleKey] = Object.keys(json.resource.google_project_iam_custom_role);
    const grants = resources(json, 'google_project_iam_member').filter(
      (m) => m.member === `\${google_service_account.${ttlKey}.member}`,
    );
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({
      role: `\${google_project_iam_custom_role.${roleKey}.name}`,
      condition: {
        expression: `resource.name.endsWith("/locations/us-central1/endpoints/${endpointId}")`,
      },
    });
    expect(resources(json, 'google_storage_bucket_iam_member').some((m) => m.member.includes(ttlKey))).toBe(
      false,
    );
  });

  test('no TTL by default: no job, no offset, no custom role', () => {
    const { json } = synth();
    for (const type of ['google_cloud_scheduler_job', 'time_offset', 'google_project_iam_custom_role']) {
      expect(json.resource[type]).toBeUndefined();
    }
  });

  test('outputs: endpoint id, region, project, deployed model, invoke command; DNS name only when dedicated', () => {
    const shared = synth().json.output;
    expect(Object.keys(shared).sort()).toEqual(
      [
        'artifact_uri',
        'deployed_model_id',
        'endpoint_id',
        'invoke_command',
        'model_name',
        'project_id',
        'region',
      ].sort(),
    );
    expect(shared.invoke_command.value).toBe('npm run invoke -- vertex --explain');
    expect(shared.endpoint_id.value).toMatch(/^[1-9]\d{0,9}$/);
    const dedicated = synth({ vertex: { dedicatedEndpoint: true } }).json;
    expect(only(dedicated, 'google_vertex_ai_endpoint').dedicated_endpoint_enabled).toBe(true);
    expect(dedicated.output.dedicated_endpoint_dns.value).toMatch(
      /^\$\{google_vertex_ai_endpoint\.\w+\.dedicated_endpoint_dns\}$/,
    );
  });

  test('a prebuilt image outside Artifact Registry gets no pull grant', () => {
    const config = parseConfig({});
    const stack = new VertexEndpointStack(Testing.app(), 'vertex-endpoint', {
      gcpProjectId: config.gcp.projectId,
      region: config.gcp.region,
      image: `docker.io/acme/model-server@sha256:${'5'.repeat(64)}`,
      vertex: config.vertex,
      bundle: readModelBundle(ROOT, config.vertex.modelDir),
    });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.google_artifact_registry_repository_iam_member).toBeUndefined();
  });
});
