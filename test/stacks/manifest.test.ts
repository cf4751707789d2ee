import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { buildApp } from '../../stacks/main';

const ROOT = path.join(__dirname, '../..');

/** Synthesizes the whole app into a fresh folder; returns the folder. */
function synthApp(input: unknown = {}, imageSourceHash?: string): string {
  const outdir = mkdtempSync(path.join(tmpdir(), 'app-synth-'));
  const app = new App({ outdir });
  // The EKS support calendar is read on a fixed day, so this never turns red by the date.
  buildApp(parseConfig(input), app, {
    rootDir: ROOT,
    today: new Date('2026-12-01T00:00:00Z'),
    ...(imageSourceHash ? { imageSourceHash } : {}),
  });
  app.synth();
  return outdir;
}

const readManifest = (outdir: string) =>
  JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<
      string,
      { dependencies: string[]; synthesizedStackPath: string; workingDirectory: string }
    >;
  };

function stackFiles(outdir: string): Record<string, string> {
  const stacksDir = path.join(outdir, 'stacks');
  return Object.fromEntries(
    readdirSync(stacksDir).map((name) => [
      name,
      readFileSync(path.join(stacksDir, name, 'cdk.tf.json'), 'utf8'),
    ]),
  );
}

describe('cdktf.out/manifest.json of the whole app', () => {
  const outdir = synthApp({}, '7'.repeat(64));
  const manifest = readManifest(outdir);

  test('lists the eight stacks by name', () => {
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      'aws-image',
      'eks-cluster',
      'eks-serving',
      'gcp-image',
      'gke-cluster',
      'gke-serving',
      'sagemaker-endpoint',
      'vertex-endpoint',
    ]);
  });

  test('serving stacks depend on their cluster and image stacks, SageMaker on aws-image only; the others on nothing', () => {
    const deps = Object.fromEntries(
      Object.entries(manifest.stacks).map(([name, s]) => [name, [...s.dependencies].sort()]),
    );
    expect(deps).toEqual({
      'aws-image': [],
      'gcp-image': [],
      'eks-cluster': [],
      'gke-cluster': [],
      'eks-serving': ['aws-image', 'eks-cluster'],
      'gke-serving': ['gcp-image', 'gke-cluster'],
      'sagemaker-endpoint': ['aws-image'],
      // Vertex AI needs the image, never a cluster.
      'vertex-endpoint': ['gcp-image'],
    });
  });

  test('sagemaker-endpoint: image and repository from aws-image by cross-stack reference; the artifact is an asset', () => {
    const sagemaker = JSON.parse(stackFiles(outdir)['sagemaker-endpoint']!);
    // `${data.terraform_remote_state.cross-stack-reference-input-aws-image.outputs.<name>}`
    const remote = String.raw`\$\{data\.terraform_remote_state\.cross-stack-reference-input-aws-image\.outputs\.[^}]+`;
    expect(sagemaker.data.terraform_remote_state['cross-stack-reference-input-aws-image'].config.path).toBe(
      '../../../terraform.aws-image.tfstate',
    );
    const model = Object.values(sagemaker.resource.aws_sagemaker_model)[0] as {
      primary_container: { image: string };
    };
    expect(model.primary_container.image).toMatch(new RegExp(`^${remote}\\}@${remote}sha256_digest\\}$`));
    const policy = JSON.parse(
      (Object.values(sagemaker.resource.aws_iam_role_policy)[0] as { policy: string }).policy,
    ) as { Statement: { Sid: string; Resource: string }[] };
    expect(policy.Statement.find((s) => s.Sid === 'PullImage')!.Resource).toMatch(
      new RegExp(`^${remote}\\}$`),
    );
    const object = Object.values(sagemaker.resource.aws_s3_object)[0] as { source: string };
    expect(object.source).toMatch(/^assets\/artifact_[0-9A-F]+\/[a-f0-9]{64}\/model\.tar\.gz$/);
    // The copied file is the packed artifact its path and key name, byte for byte.
    const copied = readFileSync(path.join(outdir, 'stacks', 'sagemaker-endpoint', object.source));
    expect(createHash('sha256').update(copied).digest('hex')).toBe(object.source.split('/')[2]);
  });

  test('build mode: serving stacks take the image from the image stacks by cross-stack reference', () => {
    const eks = JSON.parse(stackFiles(outdir)['eks-serving']!);
    expect(eks.data.terraform_remote_state['cross-stack-reference-input-aws-image'].config.path).toBe(
      '../../../terraform.aws-image.tfstate',
    );
    const deployment = Object.values(eks.resource.kubernetes_deployment_v1)[0] as {
      spec: { template: { spec: { container: { image: string }[] } } };
    };
    expect(deployment.spec.template.spec.container[0]!.image).toMatch(
      /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-aws-image\.outputs\.[^}]+\}@\$\{data\.terraform_remote_state\.cross-stack-reference-input-aws-image\.outputs\.[^}]+sha256_digest\}$/,
    );
    const vertex = JSON.parse(stackFiles(outdir)['vertex-endpoint']!);
    const step = Object.entries(
      vertex.resource.terraform_data as Record<string, { input: { image_uri: string } }>,
    ).find(([key]) => key.startsWith('vertex_deployment_deploy_'))![1];
    expect(step.input.image_uri).toMatch(
      /^us-central1-docker\.pkg\.dev\/\$\{data\.terraform_remote_state\.cross-stack-reference-input-gcp-image\.outputs\.[^}]+\}.*@\$\{data\.terraform_remote_state\.cross-stack-reference-input-gcp-image\.outputs\.[^}]+sha256_digest\}$/,
    );
    const gke = JSON.parse(stackFiles(outdir)['gke-serving']!);
    expect(gke.data.terraform_remote_state['cross-stack-reference-input-gcp-image'].config.path).toBe(
      '../../../terraform.gcp-image.tfstate',
    );
  });

  test('prebuilt images: no cross-stack reference, the dependencies stay declared', () => {
    const digest = `@sha256:${'8'.repeat(64)}`;
    const prebuilt = synthApp({
      image: {
        aws: { mode: 'prebuilt', uri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/ms${digest}` },
        gcp: { mode: 'prebuilt', uri: `us-central1-docker.pkg.dev/p-123456/r/model-server${digest}` },
      },
    });
    expect(readManifest(prebuilt).stacks['eks-serving']!.dependencies.sort()).toEqual([
      'aws-image',
      'eks-cluster',
    ]);
    expect(readManifest(prebuilt).stacks['sagemaker-endpoint']!.dependencies).toEqual(['aws-image']);
    const sagemaker = JSON.parse(stackFiles(prebuilt)['sagemaker-endpoint']!);
    expect(sagemaker.data.terraform_remote_state).toBeUndefined();
    const policy = JSON.parse(
      (Object.values(sagemaker.resource.aws_iam_role_policy)[0] as { policy: string }).policy,
    ) as { Statement: { Sid: string; Resource: string }[] };
    expect(policy.Statement.find((s) => s.Sid === 'PullImage')!.Resource).toBe(
      'arn:aws:ecr:us-east-1:123456789012:repository/ms',
    );
    expect(readManifest(prebuilt).stacks['gke-serving']!.dependencies.sort()).toEqual([
      'gcp-image',
      'gke-cluster',
    ]);
    const eksServing = JSON.parse(stackFiles(prebuilt)['eks-serving']!);
    expect(eksServing.data.terraform_remote_state).toBeUndefined();
    expect(JSON.stringify(eksServing)).toContain(`ms${digest}`);
  });

  test('no machine paths in any synthesized stack; local state paths are relative', () => {
    // The outdir lies in the temp folder, so it stands for it (a bare "/tmp" is a legitimate mount path).
    const forbidden = [outdir, ROOT, `${homedir()}/`, process.cwd()];
    for (const [name, text] of Object.entries(stackFiles(outdir))) {
      for (const machinePath of forbidden) expect(text).not.toContain(machinePath);
      const json = JSON.parse(text);
      expect(json.terraform.backend.local.path).toBe(`../../../terraform.${name}.tfstate`);
    }
  });

  test('synthesis is deterministic (no clock values): two synths of the real sources are identical', () => {
    // Hashes the repository's real image sources, as `cdktf synth` does.
    const first = stackFiles(synthApp());
    const second = stackFiles(synthApp());
    expect(second).toEqual(first);
    for (const text of Object.values(first)) expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(first['aws-image']).toMatch(/:src-[a-f0-9]{16}"/);
  });
});
