import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { GkeCluster, type GkeClusterProps } from '../../../src/constructs/gcp/gke-cluster';
import { InvalidPropsError } from '../../../src/constructs/props-problems';

function build(props: Partial<GkeClusterProps>): void {
  const stack = new TerraformStack(Testing.app(), 'test');
  new GkeCluster(stack, 'gke', {
    clusterName: 'demo',
    projectId: 'my-project',
    region: 'europe-west1',
    ...props,
  });
}

function problemsOf(props: Partial<GkeClusterProps>): string[] {
  try {
    build(props);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPropsError);
    const { message, problems } = error as InvalidPropsError;
    expect(message.startsWith('Invalid GkeCluster props for "gke":\n  - ')).toBe(true);
    return [...problems];
  }
  throw new Error('expected the props to be rejected');
}

describe('GkeCluster props validation', () => {
  test('the defaults are valid', () => {
    expect(() => build({})).not.toThrow();
  });

  test.each<[string, Partial<GkeClusterProps>, string]>([
    [
      'cluster name',
      { clusterName: 'Demo_1' },
      "clusterName 'Demo_1' is not a valid GKE cluster name: use 1-40 lowercase letters, digits or '-', starting with a letter and not ending with '-'.",
    ],
    [
      'release channel',
      { releaseChannel: 'FAST' as 'RAPID' },
      "releaseChannel 'FAST' is unknown: use one of RAPID, REGULAR, STABLE, EXTENDED.",
    ],
    [
      'location outside the region',
      { location: 'us-central1-a' },
      "location 'us-central1-a' is not region 'europe-west1' or one of its zones: use 'europe-west1' or a zone such as 'europe-west1-a'.",
    ],
    [
      'node zone outside the region',
      { nodeLocations: ['europe-west1-b', 'us-east1-b'] },
      "nodeLocations[1] 'us-east1-b' is not a zone of region 'europe-west1': use a zone such as 'europe-west1-b'.",
    ],
    [
      'negative node count',
      { nodeMinCountPerZone: -1 },
      'nodeMinCountPerZone is -1: use a whole number >= 0.',
    ],
    [
      'max node count zero',
      { nodeMinCountPerZone: 0, nodeMaxCountPerZone: 0 },
      'nodeMaxCountPerZone is 0: the node pool needs nodeMaxCountPerZone >= 1.',
    ],
    [
      'min above max',
      { nodeMinCountPerZone: 3, nodeMaxCountPerZone: 2 },
      'nodeMinCountPerZone 3 is above nodeMaxCountPerZone 2: use nodeMinCountPerZone <= nodeMaxCountPerZone.',
    ],
    ['disk size', { diskSizeInGb: 5 }, 'diskSizeInGb is 5: use a whole number >= 10.'],
    [
      'machine type',
      { machineType: ' ' },
      "machineType is empty: name a Compute Engine machine type, e.g. 'e2-standard-2'.",
    ],
    [
      'CIDR syntax',
      { podsCidr: '10.4.0.0/33' },
      "podsCidr '10.4.0.0/33' is not an IPv4 CIDR block: use the form '10.0.0.0/20'.",
    ],
    [
      'control-plane block size',
      { masterIpv4CidrBlock: '172.16.0.0/24' },
      "masterIpv4CidrBlock '172.16.0.0/24' is not a /28: GKE needs a /28, e.g. '172.16.0.0/28'.",
    ],
    [
      'overlapping ranges',
      { servicesCidr: '10.0.8.0/24' },
      "subnetCidr '10.0.0.0/20' overlaps servicesCidr '10.0.8.0/24': give each range its own addresses.",
    ],
    [
      'authorized network',
      { masterAuthorizedNetworks: [{ cidrBlock: 'office' }] },
      "masterAuthorizedNetworks[0].cidrBlock 'office' is not an IPv4 CIDR block: use the form '203.0.113.7/32'.",
    ],
  ])('%s: one message naming the value and the fix', (_what, props, message) => {
    expect(problemsOf(props)).toEqual([message]);
  });

  test('lists every problem in one error', () => {
    const problems = problemsOf({ clusterName: 'X', diskSizeInGb: 5, masterIpv4CidrBlock: '172.16.0.0/24' });
    expect(problems).toHaveLength(3);
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'clusterName',
      'diskSizeInGb',
      'masterIpv4CidrBlock',
    ]);
  });

  test('a zone of the region is a valid location', () => {
    expect(() => build({ location: 'europe-west1-c' })).not.toThrow();
  });

  test('values only known at deploy time are not checked', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const text = new TerraformVariable(stack, 'text', { type: 'string' });
    const count = new TerraformVariable(stack, 'count', { type: 'number' });
    expect(
      () =>
        new GkeCluster(stack, 'gke', {
          clusterName: 'demo',
          projectId: text.stringValue,
          region: text.stringValue,
          location: 'anywhere-else',
          podsCidr: text.stringValue,
          nodeMinCountPerZone: count.numberValue,
          masterAuthorizedNetworks: [{ cidrBlock: text.stringValue }],
        }),
    ).not.toThrow();
  });
});
