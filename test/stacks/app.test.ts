import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { buildApp, STACK_NAMES } from '../../stacks/main';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const ROOT = path.join(__dirname, '../..');
const HASH = '9'.repeat(64);

describe('buildApp', () => {
  test('adds the six stacks under their CLI names', () => {
    const { app, stacks } = buildApp(parseConfig({}), Testing.app(), { imageSourceHash: HASH });
    expect(app.node.children.map((child) => child.node.id).sort()).toEqual(Object.values(STACK_NAMES).sort());
    expect(stacks.eksServing.node.id).toBe('eks-serving');
    expect(stacks.gkeCluster.node.id).toBe('gke-cluster');
  });

  test('config reaches every stack: names, regions, cluster settings, state backend', () => {
    const config = parseConfig({
      project: 'acme',
      environment: 'prod',
      stateBackend: { kind: 'gcs', bucket: 'acme-tf-state' },
      aws: { region: 'eu-west-1' },
      gcp: { projectId: 'acme-prod-1', region: 'europe-west4' },
      eks: { nodeMaxSize: 5 },
      gke: { deletionProtection: true, location: 'europe-west4-a' },
    });
    const { stacks } = buildApp(config, Testing.app(), { imageSourceHash: HASH });
    const eksCluster: Json = JSON.parse(Testing.synth(stacks.eksCluster));
    expect(Object.values(eksCluster.resource.aws_eks_cluster).map((c) => (c as Json).name)).toEqual([
      'acme-prod',
    ]);
    expect((Object.values(eksCluster.resource.aws_eks_node_group)[0] as Json).scaling_config.max_size).toBe(
      5,
    );
    expect(eksCluster.terraform.backend.gcs).toEqual({
      bucket: 'acme-tf-state',
      prefix: 'model-serving/eks-cluster',
    });
    const gkeCluster: Json = JSON.parse(Testing.synth(stacks.gkeCluster));
    expect(Object.values(gkeCluster.resource.google_container_cluster)[0]).toMatchObject({
      name: 'acme-prod',
      location: 'europe-west4-a',
      deletion_protection: true,
    });
    const eksServing: Json = JSON.parse(Testing.synth(stacks.eksServing));
    expect(eksServing.data.aws_eks_cluster.cluster.name).toBe('acme-prod');
    expect(eksServing.provider.aws[0].region).toBe('eu-west-1');
    const gkeServing: Json = JSON.parse(Testing.synth(stacks.gkeServing));
    expect(gkeServing.data.google_container_cluster.cluster).toMatchObject({
      name: 'acme-prod',
      location: 'europe-west4-a',
    });
    const awsImage: Json = JSON.parse(Testing.synth(stacks.awsImage));
    expect(Object.values(awsImage.resource.aws_ecr_repository).map((r) => (r as Json).name)).toEqual([
      'acme-prod',
    ]);
  });
});

describe('stacks/main.ts as the cdktf app', () => {
  const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
  const run = (env: Record<string, string>) => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'main-'));
    const result = spawnSync(tsx, ['stacks/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir, MODEL_SERVING_CONFIG: '', ...env },
      encoding: 'utf8',
    });
    return { ...result, outdir };
  };

  test('an invalid config prints every problem without a stack trace and exits 1', () => {
    const result = run({ MS_AWS_REGION: 'mars', MS_GCP_REGION: 'Europe' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'Invalid configuration (defaults):\n' +
        '  - aws.region (from MS_AWS_REGION): got "mars"; expected an AWS region such as us-east-1\n' +
        '  - gcp.region (from MS_GCP_REGION): got "Europe"; expected a GCP region such as us-central1\n',
    );
    expect(existsSync(path.join(result.outdir, 'manifest.json'))).toBe(false);
  });

  test('with no config file it synthesizes the demo set', () => {
    const result = run({});
    expect(result.stderr).toBe('');
    // The gate lists its one exemption (README, "Security gate") on stdout, which the cdktf CLI shows.
    expect(result.stdout).toMatch(
      /^security gate: gke-cluster: \S+ is exempt from iam\.gcp-grant-on-resource [^\n]*\n$/,
    );
    expect(result.status).toBe(0);
    expect(existsSync(path.join(result.outdir, 'manifest.json'))).toBe(true);
  });
});
