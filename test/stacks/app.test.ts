import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AnnotationMetadataEntryType, Testing } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { buildApp, STACK_NAMES } from '../../stacks/main';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const ROOT = path.join(__dirname, '../..');
const HASH = '9'.repeat(64);
/** The EKS support calendar is read on a fixed day, so these tests never turn red by the date. */
const TODAY = new Date('2026-12-01T00:00:00Z');
const OPTIONS = { imageSourceHash: HASH, today: TODAY };

describe('buildApp', () => {
  test('adds every stack under its CLI name', () => {
    const { app, stacks } = buildApp(parseConfig({}), Testing.app(), OPTIONS);
    expect(app.node.children.map((child) => child.node.id).sort()).toEqual(Object.values(STACK_NAMES).sort());
    expect(stacks.eksServing.node.id).toBe('eks-serving');
    expect(stacks.gkeCluster.node.id).toBe('gke-cluster');
    expect(stacks.sagemakerEndpoint?.node.id).toBe('sagemaker-endpoint');
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
    const { stacks } = buildApp(config, Testing.app(), OPTIONS);
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

describe('buildApp with a prebuilt image outside ECR', () => {
  test('leaves sagemaker-endpoint out with a warning naming the image, and builds every other stack', () => {
    const config = parseConfig({
      image: { aws: { mode: 'prebuilt', uri: `ghcr.io/acme/model-server@sha256:${'1'.repeat(64)}` } },
    });
    const { app, stacks } = buildApp(config, Testing.app(), OPTIONS);
    expect(stacks.sagemakerEndpoint).toBeUndefined();
    expect(app.node.tryFindChild('sagemaker-endpoint')).toBeUndefined();
    expect(app.node.children.map((child) => child.node.id)).toEqual(
      expect.arrayContaining(['aws-image', 'eks-serving', 'vertex-endpoint']),
    );
    const warnings = stacks.awsImage.node.metadata.filter(
      (entry) => entry.type === AnnotationMetadataEntryType.WARN,
    );
    expect(warnings.map((entry) => entry.data)).toEqual([
      expect.stringMatching(
        /^sagemaker-endpoint is not synthesized: image\.aws\.uri "ghcr\.io\/acme\/model-server@sha256:1+" is not an ECR image .*SageMaker pulls only from ECR$/,
      ),
    ]);
  });
});

describe('buildApp: cluster settings and the node bound', () => {
  test('zones, NAT, creator access, CIDRs, node locations and private endpoint reach the cluster stacks', () => {
    const config = parseConfig({
      aws: { region: 'eu-west-1', accountId: '123456789012' },
      gcp: { projectId: 'acme-prod-1', region: 'europe-west4' },
      eks: {
        availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
        singleNatGateway: false,
        clusterCreatorAdmin: false,
      },
      gke: {
        nodeLocations: ['europe-west4-a', 'europe-west4-b'],
        privateEndpoint: true,
        subnetCidr: '10.10.0.0/20',
        podsCidr: '10.20.0.0/14',
        servicesCidr: '10.30.0.0/20',
        masterIpv4CidrBlock: '172.16.1.0/28',
      },
    });
    const { stacks } = buildApp(config, Testing.app(), OPTIONS);
    const eks: Json = JSON.parse(Testing.synth(stacks.eksCluster));
    expect(eks.provider.aws[0].allowed_account_ids).toEqual(['123456789012']);
    const zones = new Set(Object.values(eks.resource.aws_subnet).map((s) => (s as Json).availability_zone));
    expect(zones).toEqual(new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']));
    expect(Object.keys(eks.resource.aws_nat_gateway)).toHaveLength(3);
    expect(eks.resource.aws_eks_access_entry).toBeUndefined();
    const gke: Json = JSON.parse(Testing.synth(stacks.gkeCluster));
    const cluster = Object.values(gke.resource.google_container_cluster)[0] as Json;
    expect(cluster.private_cluster_config).toMatchObject({
      enable_private_endpoint: true,
      master_ipv4_cidr_block: '172.16.1.0/28',
    });
    const pool = Object.values(gke.resource.google_container_node_pool)[0] as Json;
    expect(pool.node_locations).toEqual(['europe-west4-a', 'europe-west4-b']);
    const subnet = Object.values(gke.resource.google_compute_subnetwork)[0] as Json;
    expect(subnet.ip_cidr_range).toBe('10.10.0.0/20');
    expect(subnet.secondary_ip_range.map((r: Json) => r.ip_cidr_range)).toEqual([
      '10.20.0.0/14',
      '10.30.0.0/20',
    ]);
  });

  test('the longest names the config lets through stay within every name limit of the clouds', () => {
    const service = `s${'v'.repeat(61)}z`; // 63: the longest DNS-1035 label
    const config = parseConfig({
      project: `p${'r'.repeat(18)}j`, // 20
      environment: `e${'n'.repeat(10)}v`, // 12
      gcp: { projectId: 'acme-prod-1' },
      eks: { clusterName: `c${'l'.repeat(98)}r`, supportType: 'EXTENDED' }, // 100
      gke: { clusterName: `g${'k'.repeat(38)}e` }, // 40
      services: { [service]: { model: 'bankchurn' } },
    });
    const { stacks } = buildApp(config, Testing.app(), OPTIONS);
    const eks: Json = JSON.parse(Testing.synth(stacks.eksCluster));
    const group = Object.values(eks.resource.aws_eks_node_group)[0] as Json;
    expect(group.node_group_name_prefix.length).toBeLessThanOrEqual(37);
    for (const role of Object.values(eks.resource.aws_iam_role) as Json[]) {
      expect(role.name_prefix.length).toBeLessThanOrEqual(38);
    }
    expect((Object.values(eks.resource.aws_eks_cluster)[0] as Json).upgrade_policy).toEqual({
      support_type: 'EXTENDED',
    });
    const gke: Json = JSON.parse(Testing.synth(stacks.gkeCluster));
    const account = Object.values(gke.resource.google_service_account)[0] as Json;
    expect(account.account_id.length).toBeLessThanOrEqual(30);
    for (const type of ['google_compute_network', 'google_compute_subnetwork', 'google_compute_router']) {
      for (const resource of Object.values(gke.resource[type]) as Json[]) {
        expect(resource.name.length).toBeLessThanOrEqual(63);
      }
    }
    const serving: Json = JSON.parse(Testing.synth(stacks.gkeServing));
    const grant = Object.values(serving.resource.google_artifact_registry_repository_iam_member)[0] as Json;
    expect(grant.member).toBe(`serviceAccount:${account.account_id}@acme-prod-1.iam.gserviceaccount.com`);
    const namespaces = Object.values(serving.resource.kubernetes_namespace_v1) as Json[];
    expect(namespaces.map((n) => n.metadata.name)).toEqual([service]);
  });

  test('HPA maxima the EKS nodes cannot hold stop synth with the size that fits', () => {
    const config = parseConfig({ services: { bankchurn: { hpa: { maxReplicas: 30 } } } });
    expect(() => buildApp(config, Testing.app(), OPTIONS)).toThrow(
      /need 5 t3\.large node\(s\).*eks\.nodeDesiredSize is 4 and nothing scales the nodes: raise eks\.nodeDesiredSize \(and eks\.nodeMaxSize\) to 5/,
    );
    const bigger = parseConfig({
      eks: { nodeDesiredSize: 5, nodeMaxSize: 5 },
      services: { bankchurn: { hpa: { maxReplicas: 30 } } },
    });
    expect(() => buildApp(bigger, Testing.app(), OPTIONS)).not.toThrow();
  });
});

describe('stacks/main.ts as the cdktf app', () => {
  const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
  const run = (env: Record<string, string>) => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'main-'));
    const result = spawnSync(tsx, ['stacks/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        CDKTF_OUTDIR: outdir,
        MODEL_SERVING_CONFIG: '',
        MODEL_SERVING_TODAY: '2026-12-01',
        ...env,
      },
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

  test('a version past standard support stops synth with the versions to use', () => {
    const result = run({ MODEL_SERVING_TODAY: '2027-03-28' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "kubernetesVersion '1.35' left EKS standard support on 2027-03-27: EKS cannot create a cluster on it with supportType STANDARD",
    );
  });

  test('with no config file it synthesizes the demo set', () => {
    const result = run({});
    expect(result.stderr).toBe('');
    // The default stacks pass the security gate with no exemption and no warning: nothing to list.
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
    expect(existsSync(path.join(result.outdir, 'manifest.json'))).toBe(true);
  });
});
