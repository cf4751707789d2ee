import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { readModelBundle } from '../../src/config/model-bundle';
import { VertexEndpointStack } from '../../stacks/vertex-endpoint';
import { FakeVertex } from '../cli/support/fake-vertex';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON
type Json = Record<string, any>;

const ROOT = path.join(__dirname, '../..');
const IMAGE = `us-central1-docker.pkg.dev/model-serving-demo/model-serving-demo/model-server@sha256:${'4'.repeat(64)}`;

/** What Terraform knows after apply, for the values the synthesized input leaves to it. */
const APPLIED: Record<string, string> = {
  endpoint_id: '1234567890',
  deployed_model_id: '1987654321',
  artifact_uri: 'gs://model-serving-demo-vertex-8eeedce6/bankchurn/0123456789abcdef',
  service_account: 'vertex-model-1234567890@model-serving-demo.iam.gserviceaccount.com',
};

/** Runs a command line in a shell from `cwd`, as local-exec does (`/bin/sh -c`). */
function sh(
  command: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

describe('the deploy step as Terraform runs it', () => {
  let fake: FakeVertex;
  beforeAll(async () => {
    fake = await new FakeVertex().start();
    fake.pollsPerOperation = 0;
    fake.addEndpoint('projects/model-serving-demo/locations/us-central1/endpoints/1234567890');
  });
  afterAll(() => fake.stop());

  test('create and destroy command lines run the project CLI from the stack working directory', async () => {
    const config = parseConfig({});
    const stack = new VertexEndpointStack(Testing.app(), 'vertex-endpoint', {
      gcpProjectId: config.gcp.projectId,
      region: config.gcp.region,
      image: IMAGE,
      vertex: config.vertex,
      bundle: readModelBundle(ROOT, config.vertex.modelDir),
    });
    const json: Json = JSON.parse(Testing.synth(stack));
    const step = Object.entries(json.resource.terraform_data as Json).find(([k]) =>
      k.startsWith('vertex_deployment_deploy_'),
    )![1];
    const input: Record<string, string> = Object.fromEntries(
      Object.entries(step.input as Json).map(([key, value]) => [key, APPLIED[key] ?? String(value)]),
    );
    // Terraform's interpolation of self.input.<key>, nothing else.
    const render = (command: string) =>
      command.replace(/\$\{self\.input\.(\w+)\}/g, (_, key: string) => input[key]!);
    const cwd = path.resolve(ROOT, 'cdktf.out/stacks/vertex-endpoint');
    const env = { GOOGLE_OAUTH_ACCESS_TOKEN: 'test-token', VERTEX_API_BASE_URL: fake.url };
    const [create, destroy] = step.provisioner.map((p: Json) => p['local-exec']);

    const created = await sh(render(create.command), path.resolve(cwd, create.working_dir), env);
    expect(created.output).toContain('serves all traffic of endpoint 1234567890');
    expect(created.code).toBe(0);
    const upload = fake.callsTo(/models:upload$/)[0]!.body as Json;
    expect(upload.model.artifactUri).toBe(APPLIED.artifact_uri);
    expect(upload.model.labels).toMatchObject({
      project: 'model-serving',
      service: 'vertex-endpoint',
      deployed_model_id: '1987654321',
    });
    expect(
      fake.endpoints
        .values()
        .next()
        .value!.deployedModels.map((d) => d.id),
    ).toEqual(['1987654321']);

    const destroyed = await sh(render(destroy.command), path.resolve(cwd, destroy.working_dir), env);
    expect(destroyed.code).toBe(0);
    expect(fake.endpoints.values().next().value!.deployedModels).toEqual([]);
    expect(fake.models.size).toBe(0);
  }, 60_000);
});
