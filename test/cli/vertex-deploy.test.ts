import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/main';
import { VERTEX_HEALTH_ROUTE, VERTEX_PREDICT_ROUTE } from '../../src/constructs/gcp/vertex-names';
import { FakeVertex } from './support/fake-vertex';

const PARENT = 'projects/demo-project/locations/us-central1';
const ENDPOINT = `${PARENT}/endpoints/1234567890`;
const DEPLOYED = '1987654321';
const IMAGE = `us-central1-docker.pkg.dev/demo-project/ms/model-server@sha256:${'a'.repeat(64)}`;

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { GOOGLE_OAUTH_ACCESS_TOKEN: 'test-token' },
    cwd: process.cwd(),
  };
}

const where = (fake: FakeVertex, deployedModelId = DEPLOYED) => [
  '--project',
  'demo-project',
  '--region',
  'us-central1',
  '--endpoint-id',
  '1234567890',
  '--deployed-model-id',
  deployedModelId,
  '--display-name',
  'model-serving-demo-bankchurn',
  '--base-url',
  fake.url,
  '--poll-seconds',
  '0.001',
  '--retry-base-ms',
  '1',
];

const deployArgs = (fake: FakeVertex, deployedModelId = DEPLOYED) => [
  'vertex-deploy',
  'deploy',
  ...where(fake, deployedModelId),
  '--image-uri',
  IMAGE,
  '--artifact-uri',
  'gs://model-serving-demo-vertex-12345678/bankchurn/0123456789abcdef',
  '--model-name',
  'bankchurn',
  '--machine-type',
  'n1-standard-2',
  '--min-replicas',
  '1',
  '--max-replicas',
  '2',
  '--cpu-target-percent',
  '70',
  '--service-account',
  'vertex-model-1234567890@demo-project.iam.gserviceaccount.com',
  '--kms-key-name',
  '',
  '--label',
  'project=model-serving',
  '--label',
  'environment=demo',
];
const undeployArgs = (fake: FakeVertex, deployedModelId = DEPLOYED) => [
  'vertex-deploy',
  'undeploy',
  ...where(fake, deployedModelId),
];

describe('vertex-deploy against a local Vertex AI API', () => {
  let fake: FakeVertex;
  beforeEach(async () => {
    fake = await new FakeVertex().start();
    fake.addEndpoint(ENDPOINT);
  });
  afterEach(() => fake.stop());

  test('happy path: uploads the model with the container contract, deploys it under the fixed id with all traffic', async () => {
    const io = capture();
    await expect(runCli(deployArgs(fake), io)).resolves.toBe(0);
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /v1/${ENDPOINT}`,
      `GET /v1/${PARENT}/models`,
      `POST /v1/${PARENT}/models:upload`,
      expect.stringMatching(/^GET \/v1\/projects\/demo-project\/locations\/us-central1\/operations\/\d+$/),
      `POST /v1/${ENDPOINT}:deployModel`,
      expect.stringMatching(/^GET \/v1\/.*\/endpoints\/1234567890\/operations\/\d+$/),
    ]);
    expect(fake.calls.every((c) => c.authorization === 'Bearer test-token')).toBe(true);
    const upload = fake.callsTo(/models:upload$/)[0]!.body as { model: Record<string, unknown> };
    expect(upload.model).toEqual({
      displayName: 'model-serving-demo-bankchurn',
      labels: {
        project: 'model-serving',
        environment: 'demo',
        'managed-by': 'model-serving-cdktf',
        deployed_model_id: DEPLOYED,
      },
      artifactUri: 'gs://model-serving-demo-vertex-12345678/bankchurn/0123456789abcdef',
      containerSpec: {
        imageUri: IMAGE,
        ports: [{ containerPort: 8080 }],
        healthRoute: VERTEX_HEALTH_ROUTE,
        predictRoute: VERTEX_PREDICT_ROUTE,
        // One worker per vCPU of the machine.
        env: [
          { name: 'MODEL_NAME', value: 'bankchurn' },
          { name: 'WORKERS', value: 'auto' },
        ],
      },
    });
    const model = [...fake.models.values()][0]!;
    expect(fake.callsTo(/:deployModel$/)[0]!.body).toEqual({
      deployedModel: {
        id: DEPLOYED,
        model: model.name,
        displayName: 'model-serving-demo-bankchurn',
        serviceAccount: 'vertex-model-1234567890@demo-project.iam.gserviceaccount.com',
        dedicatedResources: {
          machineSpec: { machineType: 'n1-standard-2' },
          minReplicaCount: 1,
          maxReplicaCount: 2,
          autoscalingMetricSpecs: [
            { metricName: 'aiplatform.googleapis.com/prediction/online/cpu/utilization', target: 70 },
          ],
        },
      },
      trafficSplit: { '0': 100 },
    });
    expect(fake.endpoints.get(ENDPOINT)!.trafficSplit).toEqual({ [DEPLOYED]: 100 });
    // A progress line per poll, naming the operation.
    expect(io.err.join('')).toMatch(
      /endpoints\.deployModel: running for \d+s \(operation .*\/operations\/\d+\)/,
    );
  });

  test('the filter for the model lookup names the deployed-model label', async () => {
    await runCli(deployArgs(fake), capture());
    expect(fake.callsTo(/\/models$/)[0]!.query).toBe(`?filter=labels.deployed_model_id%3D${DEPLOYED}`);
  });

  test('CMEK reaches the uploaded model', async () => {
    const args = deployArgs(fake);
    args[args.indexOf('--kms-key-name') + 1] =
      'projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/k';
    await expect(runCli(args, capture())).resolves.toBe(0);
    const upload = fake.callsTo(/models:upload$/)[0]!.body as { model: Record<string, unknown> };
    expect(upload.model.encryptionSpec).toEqual({
      kmsKeyName: 'projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/k',
    });
  });

  test('re-run after success: finds the deployment and changes nothing', async () => {
    await runCli(deployArgs(fake), capture());
    const before = fake.calls.length;
    const io = capture();
    await expect(runCli(deployArgs(fake), io)).resolves.toBe(0);
    expect(fake.calls.slice(before).map((c) => `${c.method} ${c.path}`)).toEqual([`GET /v1/${ENDPOINT}`]);
    expect(fake.models.size).toBe(1);
    expect(io.err.join('')).toContain('already on endpoint');
  });

  test('re-run after a failed deployModel: reuses the uploaded model, deploys once', async () => {
    fake.failOperations.set('deployModel', 'Model server never became ready. Please check the logs.');
    await expect(runCli(deployArgs(fake), capture())).resolves.toBe(1);
    fake.failOperations.clear();
    const io = capture();
    await expect(runCli(deployArgs(fake), io)).resolves.toBe(0);
    expect(fake.callsTo(/models:upload$/)).toHaveLength(1);
    expect(fake.models.size).toBe(1);
    expect(fake.endpoints.get(ENDPOINT)!.deployedModels.map((d) => d.id)).toEqual([DEPLOYED]);
    expect(io.err.join('')).toContain('already uploaded');
  });

  test('re-run while the first deployModel is still under way: waits for it instead of deploying twice', async () => {
    fake.hangOperations.add('deployModel');
    const first = deployArgs(fake);
    first.push('--timeout-minutes', '0.0005');
    await expect(runCli(first, capture())).resolves.toBe(1);
    // The cloud finishes the first run's operation while the second run waits on the endpoint.
    setTimeout(() => fake.finishOperations('deployModel'), 50);
    const io = capture();
    await expect(runCli(deployArgs(fake), io)).resolves.toBe(0);
    expect(fake.callsTo(/:deployModel$/)).toHaveLength(2);
    expect(io.err.join('')).toContain('is being deployed already');
    expect(fake.endpoints.get(ENDPOINT)!.deployedModels.map((d) => d.id)).toEqual([DEPLOYED]);
    expect(fake.models.size).toBe(1);
  });

  test('a failed operation exits 1 with the API message and the operation name', async () => {
    fake.failOperations.set('deployModel', 'Model server never became ready. Please check the logs.');
    const io = capture();
    await expect(runCli(deployArgs(fake), io)).resolves.toBe(1);
    expect(io.err.at(-1)).toMatch(
      /^error: endpoints\.deployModel failed: Model server never became ready\. Please check the logs\. \(code 9\) \[operation projects\/demo-project\/locations\/us-central1\/endpoints\/1234567890\/operations\/\d+\]\n$/,
    );
  });

  test('an API error answer exits 1 with the API message', async () => {
    fake.failNext(/models:upload$/, 400);
    fake.failNext(/models:upload$/); // consumed: the 400 is not retried
    const io = capture();
    await expect(runCli(deployArgs(fake), io)).resolves.toBe(1);
    expect(io.err.at(-1)).toBe('error: deploy: HTTP 400 The service is unavailable\n');
    expect(fake.callsTo(/models:upload$/)).toHaveLength(1);
  });

  test('an operation still running at the timeout fails naming it', async () => {
    fake.hangOperations.add('upload');
    const args = deployArgs(fake);
    args.push('--timeout-minutes', '0.0005'); // 30 ms
    const io = capture();
    await expect(runCli(args, io)).resolves.toBe(1);
    expect(io.err.at(-1)).toMatch(
      /^error: models\.upload timed out after 0s: operation projects\/demo-project\/locations\/us-central1\/operations\/\d+ is still running\n$/,
    );
  });

  test('429 and 503 are retried with backoff; then the call goes through', async () => {
    fake.failNext(/models:upload$/, 429, 503);
    const io = capture();
    await expect(runCli(deployArgs(fake), io)).resolves.toBe(0);
    expect(fake.callsTo(/models:upload$/)).toHaveLength(3);
    const log = io.err.join('');
    expect(log).toMatch(/: 429 Quota exceeded, retry later; retry 1\/4 in \d+\.\ds/);
    expect(log).toMatch(/: 503 The service is unavailable; retry 2\/4 in \d+\.\ds/);
    expect(fake.models.size).toBe(1);
  });

  test('gives up after five tries with the last API message', async () => {
    fake.failNext(/GET .*endpoints\/1234567890$/, 503, 503, 503, 503, 503);
    const io = capture();
    await expect(runCli(deployArgs(fake), io)).resolves.toBe(1);
    expect(fake.callsTo(/endpoints\/1234567890$/)).toHaveLength(5);
    expect(io.err.at(-1)).toBe('error: deploy: HTTP 503 The service is unavailable\n');
  });

  test('deploy onto an endpoint that does not exist fails clearly', async () => {
    fake.endpoints.clear();
    const io = capture();
    await expect(runCli(deployArgs(fake), io)).resolves.toBe(1);
    expect(io.err.at(-1)).toContain(`endpoint ${ENDPOINT} does not exist`);
  });

  test('destroy: undeploys exactly its id and deletes its model', async () => {
    await runCli(deployArgs(fake), capture());
    const before = fake.calls.length;
    await expect(runCli(undeployArgs(fake), capture())).resolves.toBe(0);
    const calls = fake.calls.slice(before);
    expect(calls.filter((c) => c.path.endsWith(':undeployModel')).map((c) => c.body)).toEqual([
      { deployedModelId: DEPLOYED },
    ]);
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1);
    expect(fake.endpoints.get(ENDPOINT)!.deployedModels).toEqual([]);
    expect(fake.models.size).toBe(0);
  });

  test('destroy after a partial deploy (model uploaded, never deployed): deletes the model, exit 0', async () => {
    fake.failOperations.set('deployModel', 'quota exceeded for n1-standard-2');
    await runCli(deployArgs(fake), capture());
    expect(fake.models.size).toBe(1);
    const before = fake.calls.length;
    const io = capture();
    await expect(runCli(undeployArgs(fake), io)).resolves.toBe(0);
    expect(fake.calls.slice(before).some((c) => c.path.endsWith(':undeployModel'))).toBe(false);
    expect(fake.models.size).toBe(0);
    expect(io.err.join('')).toContain(
      `deployed model ${DEPLOYED} is not on endpoint 1234567890 (already undeployed)`,
    );
  });

  test('destroy after the TTL job already undeployed: nothing to undeploy, the model is deleted', async () => {
    await runCli(deployArgs(fake), capture());
    fake.undeployDirectly(ENDPOINT, DEPLOYED);
    const before = fake.calls.length;
    await expect(runCli(undeployArgs(fake), capture())).resolves.toBe(0);
    expect(fake.calls.slice(before).some((c) => c.path.endsWith(':undeployModel'))).toBe(false);
    expect(fake.models.size).toBe(0);
  });

  test('destroy when the endpoint and the model are gone already: exit 0', async () => {
    fake.endpoints.clear();
    const io = capture();
    await expect(runCli(undeployArgs(fake), io)).resolves.toBe(0);
    expect(io.err.join('')).toContain('does not exist: nothing to undeploy');
    expect(io.err.join('')).toContain('nothing to delete');
  });

  test('a swap (create before destroy): the new id takes the traffic, the old destroy undeploys only the old id', async () => {
    const OLD = '1111111111';
    await runCli(deployArgs(fake, OLD), capture());
    await runCli(deployArgs(fake, DEPLOYED), capture());
    expect(fake.endpoints.get(ENDPOINT)!.trafficSplit).toEqual({ [DEPLOYED]: 100 });
    await expect(runCli(undeployArgs(fake, OLD), capture())).resolves.toBe(0);
    expect(fake.endpoints.get(ENDPOINT)!.deployedModels.map((d) => d.id)).toEqual([DEPLOYED]);
    expect([...fake.models.values()].map((m) => m.labels.deployed_model_id)).toEqual([DEPLOYED]);
  });

  test('undeploying a model that still has traffic hands it to the newest other model', async () => {
    const OLD = '1111111111';
    await runCli(deployArgs(fake, OLD), capture());
    await runCli(deployArgs(fake, DEPLOYED), capture());
    await expect(runCli(undeployArgs(fake, DEPLOYED), capture())).resolves.toBe(0);
    expect(fake.callsTo(/:undeployModel$/).at(-1)!.body).toEqual({
      deployedModelId: DEPLOYED,
      trafficSplit: { [OLD]: 100 },
    });
  });

  test('service-agent: asks Service Usage to create the Vertex AI service agent', async () => {
    const io = capture();
    const args = ['vertex-deploy', 'service-agent', '--project', 'demo-project', '--base-url', fake.url];
    await expect(runCli([...args, '--poll-seconds', '0.001'], io)).resolves.toBe(0);
    expect(fake.calls[0]).toMatchObject({
      method: 'POST',
      path: '/v1beta1/projects/demo-project/services/aiplatform.googleapis.com:generateServiceIdentity',
    });
    expect(fake.calls[1]!.path).toMatch(/^\/v1beta1\/operations\/\d+$/);
    expect(io.err.join('')).toContain('service-123456789@gcp-sa-aiplatform.iam.gserviceaccount.com');
  });

  test('bad usage exits 2 naming the flag', async () => {
    const io = capture();
    const args = deployArgs(fake).filter(
      (a, i, all) => a !== '--model-name' && all[i - 1] !== '--model-name',
    );
    await expect(runCli(args, io)).resolves.toBe(2);
    expect(io.err[0]).toMatch(/^error: --model-name is required\nusage: npm run vertex-deploy/);
    const bad = capture();
    const wrongId = deployArgs(fake, '0123');
    await expect(runCli(wrongId, bad)).resolves.toBe(2);
    expect(bad.err[0]).toMatch(/^error: --deployed-model-id 0123: expected 1-10 digits, no leading zero\n/);
  });
});
