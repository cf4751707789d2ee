import { Testing } from 'cdktf';
import {
  EKS_UNSUPPORTED_ZONE_IDS,
  EksCluster,
  IAM_ROLE_NAME_PREFIX_MAX_LENGTH,
  NODE_GROUP_NAME_PREFIX_MAX_LENGTH,
} from '../../../src/constructs/aws/eks-cluster';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const TODAY = new Date('2026-12-01T00:00:00Z');
/** The longest name the config and the construct let through: 100 characters. */
const LONGEST_NAME = `a${'b'.repeat(98)}c`;

function synth(clusterName: string): Json {
  return JSON.parse(
    Testing.synthScope((scope) => {
      new EksCluster(scope, 'eks', { clusterName, today: TODAY });
    }),
  );
}

describe('EksCluster names at the longest cluster name', () => {
  const json = synth(LONGEST_NAME);

  test('the node group name prefix stays within 37 characters', () => {
    const groups = Object.values(json.resource.aws_eks_node_group) as Json[];
    expect(groups).toHaveLength(1);
    expect(groups[0]!.node_group_name_prefix.length).toBeLessThanOrEqual(NODE_GROUP_NAME_PREFIX_MAX_LENGTH);
    expect(NODE_GROUP_NAME_PREFIX_MAX_LENGTH).toBe(37);
  });

  test('every IAM role name prefix stays within 38 characters', () => {
    const roles = Object.values(json.resource.aws_iam_role) as Json[];
    for (const role of roles) {
      expect(role.name_prefix.length).toBeLessThanOrEqual(IAM_ROLE_NAME_PREFIX_MAX_LENGTH);
    }
    expect(roles).toHaveLength(3);
  });

  test('the launch template prefix and the KMS alias stay within their limits (125 and 256)', () => {
    const template = Object.values(json.resource.aws_launch_template)[0] as Json;
    expect(template.name_prefix.length).toBeLessThanOrEqual(125);
    const alias = Object.values(json.resource.aws_kms_alias)[0] as Json;
    expect(alias.name.length).toBeLessThanOrEqual(256);
  });

  test('a short name keeps its full form', () => {
    const short = synth('demo');
    const group = Object.values(short.resource.aws_eks_node_group)[0] as Json;
    expect(group.node_group_name_prefix).toBe('demo-node-');
  });
});

describe('EksCluster zones', () => {
  test('the zone look-up skips the zones where EKS cannot run (use1-az3, usw1-az2, cac1-az3)', () => {
    const json = synth('demo');
    const zones = Object.values(json.data.aws_availability_zones) as Json[];
    expect(zones).toHaveLength(1);
    expect(zones[0]!.exclude_zone_ids).toEqual(['use1-az3', 'usw1-az2', 'cac1-az3']);
    expect(EKS_UNSUPPORTED_ZONE_IDS).toEqual(['use1-az3', 'usw1-az2', 'cac1-az3']);
  });

  test('zones given in props are used as they are, with no look-up', () => {
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        new EksCluster(scope, 'eks', {
          clusterName: 'demo',
          today: TODAY,
          availabilityZones: ['eu-west-1b', 'eu-west-1c', 'eu-west-1a'],
          singleNatGateway: false,
        });
      }),
    );
    expect(json.data?.aws_availability_zones).toBeUndefined();
    const subnets = Object.values(json.resource.aws_subnet) as Json[];
    expect(new Set(subnets.map((s) => s.availability_zone))).toEqual(
      new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']),
    );
    expect(Object.keys(json.resource.aws_nat_gateway)).toHaveLength(3);
  });
});
