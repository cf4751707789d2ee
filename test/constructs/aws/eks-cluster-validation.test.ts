import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { EksCluster, type EksClusterProps } from '../../../src/constructs/aws/eks-cluster';
import { InvalidPropsError } from '../../../src/constructs/props-problems';

/** The support calendar is read on a fixed day, so an unchanged commit never turns red by the date. */
const TODAY = new Date('2026-12-01T00:00:00Z');

function build(props: Partial<EksClusterProps>): EksCluster {
  const stack = new TerraformStack(Testing.app(), 'test');
  return new EksCluster(stack, 'eks', { clusterName: 'demo', today: TODAY, ...props });
}

function warningsOf(props: Partial<EksClusterProps>): string[] {
  return build(props)
    .node.metadata.filter((entry) => entry.type === '@cdktf/warn')
    .map((entry) => String(entry.data));
}

function problemsOf(props: Partial<EksClusterProps>): string[] {
  try {
    build(props);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPropsError);
    const { message, problems } = error as InvalidPropsError;
    expect(message.startsWith('Invalid EksCluster props for "eks":\n  - ')).toBe(true);
    return [...problems];
  }
  throw new Error('expected the props to be rejected');
}

describe('EksCluster props validation', () => {
  test('the defaults are valid', () => {
    expect(() => build({})).not.toThrow();
  });

  describe('the support calendar (read on an injected day)', () => {
    test('the default version is in standard support with no warning', () => {
      expect(warningsOf({})).toEqual([]);
    });

    test('a version within 60 days of its end of standard support warns', () => {
      expect(warningsOf({ kubernetesVersion: '1.34' })).toEqual([
        "kubernetesVersion '1.34' leaves EKS standard support on 2026-12-02 (1 day left): EKS then upgrades the cluster by itself; move to a newer version before then.",
      ]);
      expect(warningsOf({ kubernetesVersion: '1.35', today: new Date('2027-01-26T00:00:00Z') })).toHaveLength(
        1,
      );
      expect(warningsOf({ kubernetesVersion: '1.35', today: new Date('2027-01-25T00:00:00Z') })).toEqual([]);
    });

    test('the last day of standard support is still accepted; the day after is refused', () => {
      expect(() =>
        build({ kubernetesVersion: '1.34', today: new Date('2026-12-02T23:00:00Z') }),
      ).not.toThrow();
      expect(() => build({ kubernetesVersion: '1.34', today: new Date('2026-12-03T00:00:00Z') })).toThrow(
        /left EKS standard support on 2026-12-02/,
      );
    });

    test('EXTENDED support may keep a version past standard support', () => {
      expect(() => build({ kubernetesVersion: '1.33', supportType: 'EXTENDED' })).not.toThrow();
    });

    test('a version missing from the table warns that it is not checked', () => {
      expect(warningsOf({ kubernetesVersion: '1.37' })).toEqual([
        "kubernetesVersion '1.37' is not in the support table (1.31, 1.32, 1.33, 1.34, 1.35): its end of standard support is not checked.",
      ]);
    });
  });

  test.each<[string, Partial<EksClusterProps>, string]>([
    [
      'cluster name',
      { clusterName: '-bad name' },
      "clusterName '-bad name' is not a valid EKS cluster name: use 1-100 letters, digits, '-' or '_', starting with a letter or digit.",
    ],
    [
      'Kubernetes version',
      { kubernetesVersion: '1.33.1' },
      "kubernetesVersion '1.33.1' is not a Kubernetes minor version: use the form '1.35'.",
    ],
    [
      'Kubernetes version past standard support with STANDARD',
      { kubernetesVersion: '1.33' },
      "kubernetesVersion '1.33' left EKS standard support on 2026-07-29: EKS cannot create a cluster on it with supportType STANDARD; use 1.35 or 1.34 (or supportType EXTENDED, billed at six times the hourly rate).",
    ],
    [
      'VPC CIDR syntax',
      { vpcCidr: '10.0.0.1/16' },
      "vpcCidr '10.0.0.1/16' is not an IPv4 CIDR block: use the form '10.0.0.0/16'.",
    ],
    [
      'VPC CIDR size',
      { vpcCidr: '10.0.0.0/24' },
      "vpcCidr '10.0.0.0/24' has prefix /24: use a block from /16 to /20.",
    ],
    [
      'AZ count',
      { azCount: 1 },
      'azCount gives 1 availability zone(s): EKS needs subnets in at least 2; use 2 to 6.',
    ],
    [
      'AZ list too short',
      { availabilityZones: ['eu-west-1a'] },
      'availabilityZones gives 1 availability zone(s): EKS needs subnets in at least 2; use 2 to 6.',
    ],
    [
      'repeated AZ',
      { availabilityZones: ['eu-west-1a', 'eu-west-1a'] },
      'availabilityZones [eu-west-1a, eu-west-1a] repeats a zone: list each zone once.',
    ],
    [
      'no instance types',
      { nodeInstanceTypes: [] },
      "nodeInstanceTypes is empty: list at least one instance type, e.g. ['t3.large'].",
    ],
    ['negative size', { nodeMinSize: -1 }, 'nodeMinSize is -1: use a whole number >= 0.'],
    [
      'max size zero',
      { nodeMinSize: 0, nodeDesiredSize: 0, nodeMaxSize: 0 },
      'nodeMaxSize is 0: a managed node group needs nodeMaxSize >= 1.',
    ],
    [
      'size order',
      { nodeMinSize: 3, nodeDesiredSize: 2, nodeMaxSize: 1 },
      'node sizes min 3, desired 2, max 1 are out of order: use nodeMinSize <= nodeDesiredSize <= nodeMaxSize.',
    ],
    [
      'disk size',
      { nodeDiskSizeInGb: 8 },
      'nodeDiskSizeInGb is 8: the EKS-optimized AMI needs a root volume of at least 20 GiB.',
    ],
    [
      'assumed-role ARN',
      { adminPrincipalArns: ['arn:aws:sts::123456789012:assumed-role/Admin/jane@example.com'] },
      "adminPrincipalArns[0] 'arn:aws:sts::123456789012:assumed-role/Admin/jane@example.com' is an STS assumed-role session, which an access entry cannot take: use the role ARN 'arn:aws:iam::123456789012:role/Admin' (with the role's path, if it has one; 'aws sts get-caller-identity' shows the session, 'aws iam get-role --role-name Admin' the role ARN).",
    ],
    [
      'not an IAM principal',
      { adminPrincipalArns: ['arn:aws:iam::123456789012:group/admins'] },
      "adminPrincipalArns[0] 'arn:aws:iam::123456789012:group/admins' is not an IAM role or user ARN: use 'arn:aws:iam::<account-id>:role/<name>' or 'arn:aws:iam::<account-id>:user/<name>'.",
    ],
    [
      'duplicate admin',
      {
        adminPrincipalArns: ['arn:aws:iam::123456789012:role/Admin', 'arn:aws:iam::123456789012:role/Admin'],
      },
      'adminPrincipalArns lists a principal more than once: list each ARN once.',
    ],
    [
      'public access CIDR',
      { publicAccessCidrs: ['203.0.113.7'] },
      "publicAccessCidrs[0] '203.0.113.7' is not an IPv4 CIDR block: use the form '203.0.113.7/32'.",
    ],
    [
      'no public access CIDRs',
      { endpointPublicAccess: true },
      'publicAccessCidrs is empty while endpointPublicAccess is true: list the CIDR blocks allowed to reach the API, or set endpointPublicAccess to false.',
    ],
    [
      'log retention',
      { logRetentionInDays: 10 },
      'logRetentionInDays is 10: CloudWatch Logs accepts 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.',
    ],
    [
      'log type',
      { controlPlaneLogTypes: ['audit', 'kubelet' as 'audit'] },
      "controlPlaneLogTypes has 'kubelet': use any of api, audit, authenticator, controllerManager, scheduler.",
    ],
  ])('%s: one message naming the value and the fix', (_what, props, message) => {
    expect(problemsOf(props)).toEqual([message]);
  });

  test('lists every problem in one error', () => {
    const problems = problemsOf({ azCount: 1, nodeDiskSizeInGb: 8, logRetentionInDays: 10 });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^azCount/);
    expect(problems[1]).toMatch(/^nodeDiskSizeInGb/);
    expect(problems[2]).toMatch(/^logRetentionInDays/);
  });

  test('an empty public-access list is fine when the public endpoint is off', () => {
    expect(() => build({ endpointPublicAccess: false, publicAccessCidrs: [] })).not.toThrow();
  });

  test('values only known at deploy time are not checked', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const admin = new TerraformVariable(stack, 'admin', { type: 'string' });
    const size = new TerraformVariable(stack, 'size', { type: 'number' });
    expect(
      () =>
        new EksCluster(stack, 'eks', {
          clusterName: 'demo',
          today: TODAY,
          adminPrincipalArns: [admin.stringValue],
          nodeMinSize: size.numberValue,
          nodeDiskSizeInGb: size.numberValue,
          vpcCidr: admin.stringValue,
        }),
    ).not.toThrow();
  });
});
