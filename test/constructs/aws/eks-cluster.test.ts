import { Testing } from 'cdktf';
import { EksCluster, type EksClusterProps } from '../../../src/constructs/aws/eks-cluster';

type Resource = Record<string, unknown> & { depends_on?: string[]; tags?: Record<string, string> };
interface Synth {
  resource: Record<string, Record<string, Resource>>;
  data: Record<string, Record<string, Resource>>;
}

/** The support calendar is read on a fixed day, so these tests never turn red by the date. */
const TODAY = new Date('2026-12-01T00:00:00Z');

let construct: EksCluster | undefined;
function synth(props: Partial<EksClusterProps> = {}): Synth {
  return JSON.parse(
    Testing.synthScope((scope) => {
      construct = new EksCluster(scope, 'eks', { clusterName: 'demo', today: TODAY, ...props });
    }),
  ) as Synth;
}

/** All resources of a type, by logical id. */
function all(s: Synth, type: string): Record<string, Resource> {
  return s.resource[type] ?? {};
}

/** The only resource of a type (fails when there is not exactly one). */
function only(s: Synth, type: string): [string, Resource] {
  const entries = Object.entries(all(s, type));
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

/** A Terraform interpolation as synthesized: `${expression}`. */
function tf(expression: string): string {
  return `\${${expression}}`;
}

function ref(type: string, id: string, attribute?: string): string {
  return attribute ? `\${${type}.${id}.${attribute}}` : `${type}.${id}`;
}

function addon(s: Synth, name: string): Resource {
  const matches = Object.values(all(s, 'aws_eks_addon')).filter((a) => a.addon_name === name);
  expect(matches).toHaveLength(1);
  return matches[0]!;
}

describe('EksCluster', () => {
  const s = synth({
    adminPrincipalArns: ['arn:aws:iam::123456789012:role/Admin', 'arn:aws:iam::123456789012:user/ops'],
  });
  const [clusterId, cluster] = only(s, 'aws_eks_cluster');
  const [nodeGroupId, nodeGroup] = only(s, 'aws_eks_node_group');

  test('pins the Kubernetes version, stays in standard support and authenticates through the API only', () => {
    // 1.33 left standard support on 2026-07-29 and 1.34 leaves it on 2026-12-02: 1.35 runs to 2027-03-27.
    expect(cluster.version).toBe('1.35');
    expect(cluster.upgrade_policy).toEqual({ support_type: 'STANDARD' });
    expect(cluster.access_config).toEqual({
      authentication_mode: 'API',
      bootstrap_cluster_creator_admin_permissions: false,
    });
    expect(cluster.bootstrap_self_managed_addons).toBe(false);
  });

  test('installs exactly the five add-ons, each overwriting conflicts', () => {
    const addons = Object.values(all(s, 'aws_eks_addon'));
    expect(addons.map((a) => a.addon_name).sort()).toEqual(
      ['coredns', 'eks-pod-identity-agent', 'kube-proxy', 'metrics-server', 'vpc-cni'].sort(),
    );
    for (const a of addons) {
      expect(a.resolve_conflicts_on_create).toBe('OVERWRITE');
      expect(a.resolve_conflicts_on_update).toBe('OVERWRITE');
      expect(a.cluster_name).toBe(ref('aws_eks_cluster', clusterId, 'name'));
    }
  });

  test('metrics-server and coredns wait for the node group (they stay DEGRADED without nodes)', () => {
    expect(addon(s, 'metrics-server').depends_on).toEqual([ref('aws_eks_node_group', nodeGroupId)]);
    expect(addon(s, 'coredns').depends_on).toEqual([ref('aws_eks_node_group', nodeGroupId)]);
  });

  test('the node group waits for the CNI, kube-proxy and the Pod Identity agent', () => {
    for (const name of ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']) {
      const [id] = Object.entries(all(s, 'aws_eks_addon')).find(([, a]) => a.addon_name === name)!;
      expect(nodeGroup.depends_on).toContain(ref('aws_eks_addon', id));
    }
    expect(addon(s, 'kube-proxy').depends_on).toBeUndefined();
    expect(addon(s, 'eks-pod-identity-agent').depends_on).toBeUndefined();
  });

  test('the VPC CNI policy belongs to the aws-node service account (IRSA), not to the node role', () => {
    const [roleId, role] = Object.entries(all(s, 'aws_iam_role')).find(
      ([, r]) => r.name_prefix === 'demo-cni-',
    )!;
    const attachments = Object.entries(all(s, 'aws_iam_role_policy_attachment')).filter(
      ([, a]) => a.role === ref('aws_iam_role', roleId, 'name'),
    );
    expect(attachments.map(([, a]) => (a.policy_arn as string).split('/').pop())).toEqual([
      'AmazonEKS_CNI_Policy',
    ]);
    const trustId = /data\.aws_iam_policy_document\.([\w-]+)\.json/.exec(
      role.assume_role_policy as string,
    )![1]!;
    expect(JSON.stringify(s.data.aws_iam_policy_document![trustId])).toContain(
      'system:serviceaccount:kube-system:aws-node',
    );
    const cni = addon(s, 'vpc-cni');
    expect(cni.service_account_role_arn).toBe(ref('aws_iam_role', roleId, 'arn'));
    expect(cni.depends_on).toEqual([ref('aws_iam_role_policy_attachment', attachments[0]![0])]);
    expect(construct!.cniRoleArn).toBeDefined();
  });

  test('the VPC CNI enforces NetworkPolicy', () => {
    expect(JSON.parse(addon(s, 'vpc-cni').configuration_values as string)).toEqual({
      enableNetworkPolicy: 'true',
    });
  });

  test('add-on versions come from props, else are left to EKS', () => {
    const pinned = synth({ addonVersions: { coredns: 'v1.12.1-eksbuild.2' } });
    expect(addon(pinned, 'coredns').addon_version).toBe('v1.12.1-eksbuild.2');
    expect(addon(pinned, 'kube-proxy').addon_version).toBeUndefined();
  });

  test('nodes require IMDSv2 with hop limit 1 and boot from an encrypted gp3 volume', () => {
    const [templateId, template] = only(s, 'aws_launch_template');
    expect(template.metadata_options).toEqual({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
    });
    expect(template.block_device_mappings).toEqual([
      {
        device_name: '/dev/xvda',
        ebs: { volume_size: 20, volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true' },
      },
    ]);
    expect(nodeGroup.launch_template).toEqual({
      id: ref('aws_launch_template', templateId, 'id'),
      version: ref('aws_launch_template', templateId, 'latest_version'),
    });
    // With a launch template, EKS rejects disk_size on the node group.
    expect(nodeGroup.disk_size).toBeUndefined();
  });

  test('resourceTags tag the instances and volumes the node group launches', () => {
    const tags = { project: 'model-serving', service: 'eks-cluster', environment: 'demo' };
    const [, template] = only(synth({ resourceTags: tags }), 'aws_launch_template');
    expect(template.tag_specifications).toEqual([
      { resource_type: 'instance', tags },
      { resource_type: 'volume', tags },
    ]);
  });

  test('without resourceTags the launch template has no tag specifications', () => {
    expect(only(s, 'aws_launch_template')[1].tag_specifications).toBeUndefined();
  });

  test('node group: private subnets, sizes, instance types; the configured size is applied (no autoscaler)', () => {
    const privateIds = Object.entries(all(s, 'aws_subnet'))
      .filter(([, subnet]) => subnet.tags?.['kubernetes.io/role/internal-elb'] === '1')
      .map(([id]) => ref('aws_subnet', id, 'id'));
    expect(nodeGroup.subnet_ids).toEqual(privateIds);
    expect(cluster.vpc_config).toMatchObject({ subnet_ids: privateIds });
    expect(nodeGroup.scaling_config).toEqual({ min_size: 1, desired_size: 4, max_size: 4 });
    expect(nodeGroup.instance_types).toEqual(['t3.large']);
    expect(nodeGroup.capacity_type).toBe('ON_DEMAND');
    // Nothing else owns the count: a changed nodeDesiredSize must reach the group on the next deploy.
    expect(nodeGroup.lifecycle).toEqual({ create_before_destroy: true });
  });

  test('the node role carries exactly the worker and pull-only policies and the node group waits for them', () => {
    const [nodeRoleId] = Object.entries(all(s, 'aws_iam_role')).find(
      ([, r]) => r.name_prefix === 'demo-node-',
    )!;
    const nodeAttachments = Object.entries(all(s, 'aws_iam_role_policy_attachment')).filter(
      ([, a]) => a.role === ref('aws_iam_role', nodeRoleId, 'name'),
    );
    expect(nodeAttachments).toHaveLength(2);
    expect(nodeAttachments.map(([, a]) => (a.policy_arn as string).split('/').pop()).sort()).toEqual(
      ['AmazonEC2ContainerRegistryPullOnly', 'AmazonEKSWorkerNodePolicy'].sort(),
    );
    for (const [id] of nodeAttachments) {
      expect(nodeGroup.depends_on).toContain(ref('aws_iam_role_policy_attachment', id));
    }
    expect(nodeGroup.node_role_arn).toBe(ref('aws_iam_role', nodeRoleId, 'arn'));
  });

  test('secrets are encrypted with a rotating KMS key the cluster role may use', () => {
    const [keyId, key] = only(s, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    expect(cluster.encryption_config).toEqual({
      resources: ['secrets'],
      provider: { key_arn: ref('aws_kms_key', keyId, 'arn') },
    });
    const [, alias] = only(s, 'aws_kms_alias');
    expect(alias.name).toBe('alias/eks/demo');
    const grants = Object.values(s.data.aws_iam_policy_document ?? {}).filter((d) =>
      JSON.stringify(d).includes(ref('aws_kms_key', keyId, 'arn')),
    );
    expect(grants).toHaveLength(1);
  });

  test('creates the control-plane log group with retention before the cluster', () => {
    const [logGroupId, logGroup] = only(s, 'aws_cloudwatch_log_group');
    expect(logGroup.name).toBe('/aws/eks/demo/cluster');
    expect(logGroup.retention_in_days).toBe(30);
    expect(cluster.depends_on).toContain(ref('aws_cloudwatch_log_group', logGroupId));
    expect(cluster.enabled_cluster_log_types).toEqual(['api', 'audit', 'authenticator']);
  });

  test('log retention and log types come from props', () => {
    const custom = synth({ logRetentionInDays: 7, controlPlaneLogTypes: ['audit'] });
    expect(only(custom, 'aws_cloudwatch_log_group')[1].retention_in_days).toBe(7);
    expect(only(custom, 'aws_eks_cluster')[1].enabled_cluster_log_types).toEqual(['audit']);
  });

  test('one access entry and one cluster-admin association per admin ARN, plus the cluster creator', () => {
    const entries = Object.values(all(s, 'aws_eks_access_entry'));
    const associations = Object.values(all(s, 'aws_eks_access_policy_association'));
    const [sessionId, session] = Object.entries(s.data.aws_iam_session_context!)[0]!;
    const [callerId] = Object.keys(s.data.aws_caller_identity!);
    expect(session.arn).toBe(ref('data.aws_caller_identity', callerId!, 'arn'));
    const arns = [
      ref('data.aws_iam_session_context', sessionId, 'issuer_arn'),
      'arn:aws:iam::123456789012:role/Admin',
      'arn:aws:iam::123456789012:user/ops',
    ].sort();
    expect(entries.map((e) => e.principal_arn).sort()).toEqual(arns);
    expect(entries.every((e) => e.type === 'STANDARD')).toBe(true);
    expect(associations.map((a) => a.principal_arn).sort()).toEqual(arns);
    for (const a of associations) {
      expect(a.policy_arn).toMatch(
        /^arn:\$\{data\.aws_partition\.[\w-]+\.partition\}:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/,
      );
      expect(a.access_scope).toEqual({ type: 'cluster' });
      expect(a.depends_on).toHaveLength(1);
    }
  });

  test('the creator alone gets an access entry without admin ARNs; clusterCreatorAdmin false gives none', () => {
    const creatorOnly = synth();
    expect(Object.values(all(creatorOnly, 'aws_eks_access_entry')).map((e) => e.principal_arn)).toEqual([
      expect.stringMatching(/^\$\{data\.aws_iam_session_context\.[\w-]+\.issuer_arn\}$/),
    ]);
    const none = synth({ clusterCreatorAdmin: false });
    expect(none.data.aws_caller_identity).toBeUndefined();
    expect(all(none, 'aws_eks_access_entry')).toEqual({});
    expect(all(none, 'aws_eks_access_policy_association')).toEqual({});
  });

  test('the IRSA OIDC provider takes its URL from the cluster, with no thumbprint', () => {
    const [, oidc] = only(s, 'aws_iam_openid_connect_provider');
    expect(oidc.url).toBe(`\${aws_eks_cluster.${clusterId}.identity[0].oidc[0].issuer}`);
    expect(oidc.client_id_list).toEqual(['sts.amazonaws.com']);
    expect(oidc.thumbprint_list).toBeUndefined();
  });

  test('subnets: a private and a public one in each of 2 AZs, tagged for load balancers and the cluster', () => {
    const subnets = Object.values(all(s, 'aws_subnet'));
    expect(subnets).toHaveLength(4);
    const pub = subnets.filter((x) => x.tags?.['kubernetes.io/role/elb'] === '1');
    const priv = subnets.filter((x) => x.tags?.['kubernetes.io/role/internal-elb'] === '1');
    expect(pub).toHaveLength(2);
    expect(priv).toHaveLength(2);
    for (const group of [pub, priv]) {
      expect(new Set(group.map((x) => x.availability_zone)).size).toBe(2);
      expect(group.map((x) => x.availability_zone)).toEqual([
        tf('element(data.aws_availability_zones.eks_network_zones_E090FF4A.names, 0)'),
        tf('element(data.aws_availability_zones.eks_network_zones_E090FF4A.names, 1)'),
      ]);
    }
    for (const subnet of subnets) {
      expect(subnet.tags?.['kubernetes.io/cluster/demo']).toBe('shared');
    }
    expect(priv.map((x) => x.cidr_block)).toEqual([
      tf('cidrsubnet("10.0.0.0/16", 4, 0)'),
      tf('cidrsubnet("10.0.0.0/16", 4, 1)'),
    ]);
    expect(pub.map((x) => x.cidr_block)).toEqual([
      tf('cidrsubnet("10.0.0.0/16", 8, 240)'),
      tf('cidrsubnet("10.0.0.0/16", 8, 241)'),
    ]);
  });

  test('explicit availability zones are used as given, without the zone lookup', () => {
    const zones = synth({ availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] });
    const subnets = Object.values(all(zones, 'aws_subnet'));
    expect(subnets).toHaveLength(6);
    expect(new Set(subnets.map((x) => x.availability_zone))).toEqual(
      new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']),
    );
    expect(zones.data.aws_availability_zones).toBeUndefined();
  });

  test('one NAT gateway by default; one per AZ when singleNatGateway is false', () => {
    expect(Object.keys(all(s, 'aws_nat_gateway'))).toHaveLength(1);
    const privateRoutes = Object.values(all(s, 'aws_route_table')).filter((t) =>
      (t.route as Array<Record<string, unknown>>).some((r) => r.nat_gateway_id),
    );
    expect(privateRoutes).toHaveLength(1);
    const perAz = synth({ azCount: 3, singleNatGateway: false });
    expect(Object.keys(all(perAz, 'aws_nat_gateway'))).toHaveLength(3);
    expect(Object.keys(all(perAz, 'aws_eip'))).toHaveLength(3);
    expect(
      new Set(Object.values(all(perAz, 'aws_route_table_association')).map((a) => a.route_table_id)).size,
    ).toBe(4); // 3 private route tables + the public one
  });

  test('API endpoint private by default (no CIDR is a safe default), public only from the listed CIDRs', () => {
    expect(cluster.vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: false,
    });
    expect((cluster.vpc_config as Record<string, unknown>).public_access_cidrs).toBeUndefined();
    const open = only(
      synth({ endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.7/32'] }),
      'aws_eks_cluster',
    )[1];
    expect(open.vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: true,
      public_access_cidrs: ['203.0.113.7/32'],
    });
  });

  test('handles point at the synthesized resources', () => {
    synth();
    const c = construct!;
    expect(c.clusterName).toBe('demo');
    expect(c.clusterEndpoint).toMatch(/^\$\{TfToken\[/);
    expect(c.privateSubnetIds).toHaveLength(2);
    expect(c.nodeGroup).toBeDefined();
    expect(Object.keys(c.addons).sort()).toEqual(
      ['coredns', 'eks-pod-identity-agent', 'kube-proxy', 'metrics-server', 'vpc-cni'].sort(),
    );
  });

  test('serviceAccountTrustPolicy trusts exactly one service account through the OIDC provider', () => {
    let first = '';
    let second = '';
    const withTrust = JSON.parse(
      Testing.synthScope((scope) => {
        const eks = new EksCluster(scope, 'eks', { clusterName: 'demo', today: TODAY });
        first = eks.serviceAccountTrustPolicy('serving', 'model-server');
        second = eks.serviceAccountTrustPolicy('serving', 'model-server');
      }),
    ) as Synth;
    expect(second).toBe(first);
    const docs = Object.entries(withTrust.data.aws_iam_policy_document ?? {}).filter(([id]) =>
      id.includes('irsa-trust-serving'),
    );
    expect(docs).toHaveLength(1);
    const issuer = `\${replace(aws_eks_cluster.eks_cluster_55B0C966.identity[0].oidc[0].issuer, "https://", "")}`;
    expect(docs[0]![1].statement).toEqual([
      {
        actions: ['sts:AssumeRoleWithWebIdentity'],
        principals: [
          {
            type: 'Federated',
            identifiers: [tf('aws_iam_openid_connect_provider.eks_oidc-provider_07CEC079.arn')],
          },
        ],
        condition: [
          {
            test: 'StringEquals',
            variable: `${issuer}:sub`,
            values: ['system:serviceaccount:serving:model-server'],
          },
          { test: 'StringEquals', variable: `${issuer}:aud`, values: ['sts.amazonaws.com'] },
        ],
      },
    ]);
  });
});
