import { Testing } from 'cdktf';
import { checkEksNodeCapacity } from '../../../src/constructs/aws/eks-capacity-check';
import { DEFAULT_EKS_NODE_DESIRED_SIZE } from '../../../src/constructs/aws/eks-cluster-props';
import {
  INSTANCE_SHAPES,
  nodeRoom,
  nodesNeeded,
  podsAtPeak,
  podsFit,
} from '../../../src/constructs/aws/eks-node-capacity';
import { InvalidPropsError } from '../../../src/constructs/props-problems';

const service = (maxReplicas: number, cpu = '250m', memory = '256Mi') => ({
  hpa: { maxReplicas },
  resources: { requests: { cpu, memory } },
});
const DEFAULTS = { bankchurn: service(6), chicagotaxi: service(6), nlpinsight: service(6) };

describe('EKS node capacity (nothing scales the nodes, so they must hold every HPA maximum)', () => {
  test('a t3.large leaves 1805m CPU, about 7 GiB and 32 pods for workloads', () => {
    // 2000m - (60m + 10m) kube-reserved - 125m of DaemonSets; 8 GiB x 0.95 - (255 + 11 x 35) Mi - 100 Mi.
    expect(nodeRoom(INSTANCE_SHAPES['t3.large']!)).toEqual({ cpuMillis: 1805, memoryMib: 7042, pods: 32 });
  });

  test('requests x (max replicas + 1 surge) of every service, plus coredns and metrics-server', () => {
    const pods = podsAtPeak([{ name: 'a', maxReplicas: 6, requests: { cpu: '250m', memory: '256Mi' } }]);
    expect(pods).toHaveLength(4 + 7);
    expect(pods.reduce((sum, p) => sum + p.cpuMillis, 0)).toBe(400 + 7 * 250);
    expect(pods.reduce((sum, p) => sum + p.memoryMib, 0)).toBe(540 + 7 * 256);
  });

  test('the default services at 3 x 6 replicas need the default 4 t3.large nodes, and 3 are not enough', () => {
    const pods = podsAtPeak(
      Object.entries(DEFAULTS).map(([name, s]) => ({
        name,
        maxReplicas: s.hpa.maxReplicas,
        requests: s.resources.requests,
      })),
    );
    const room = nodeRoom(INSTANCE_SHAPES['t3.large']!);
    expect(nodesNeeded(pods, room)).toBe(4);
    expect(DEFAULT_EKS_NODE_DESIRED_SIZE).toBe(4);
    expect(podsFit(pods, room, 3)).toBe(false);
  });

  test('the pod limit counts too: many tiny pods do not fit on a t3.medium even with CPU to spare', () => {
    const room = nodeRoom(INSTANCE_SHAPES['t3.medium']!);
    const tiny = Array.from({ length: room.pods + 1 }, () => ({ cpuMillis: 1, memoryMib: 1 }));
    expect(podsFit(tiny, room, 1)).toBe(false);
    expect(podsFit(tiny.slice(1), room, 1)).toBe(true);
  });

  test('the check refuses HPA maxima the nodes cannot hold, naming the fields and the size that fits', () => {
    const scope = Testing.app();
    let error: unknown;
    try {
      checkEksNodeCapacity(scope, DEFAULTS, { instanceTypes: ['t3.large'], nodeCount: 2 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).problems).toEqual([
      'services at their HPA maximum (bankchurn 6+1 x 250m/256Mi, chicagotaxi 6+1 x 250m/256Mi, nlpinsight 6+1 x 250m/256Mi, plus coredns and metrics-server) need 4 t3.large node(s), room for 1805m CPU / 7042Mi / 32 pods each, but eks.nodeDesiredSize is 2 and nothing scales the nodes: raise eks.nodeDesiredSize (and eks.nodeMaxSize) to 4, use a larger eks.nodeInstanceTypes, or lower services.<name>.hpa.maxReplicas.',
    ]);
  });

  test('the check passes the defaults, and bounds mixed types by the smallest', () => {
    expect(() =>
      checkEksNodeCapacity(Testing.app(), DEFAULTS, { instanceTypes: ['t3.large'], nodeCount: 4 }),
    ).not.toThrow();
    expect(() =>
      checkEksNodeCapacity(Testing.app(), DEFAULTS, {
        instanceTypes: ['t3.xlarge', 't3.medium'],
        nodeCount: 3,
      }),
    ).toThrow(/need 4 t3\.medium node/);
    expect(() =>
      checkEksNodeCapacity(Testing.app(), DEFAULTS, { instanceTypes: ['t3.xlarge'], nodeCount: 3 }),
    ).not.toThrow();
  });

  test('an instance type with no known shape is not checked but warned about', () => {
    const scope = Testing.app();
    checkEksNodeCapacity(scope, DEFAULTS, { instanceTypes: ['r7g.large'], nodeCount: 1 });
    const warnings = scope.node.metadata.filter((m) => m.type === '@cdktf/warn');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.data)).toMatch(/^eks\.nodeInstanceTypes \[r7g\.large\] includes a type/);
  });
});
