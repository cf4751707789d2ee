import { parseQuantity } from '../k8s/quantity';

/**
 * What a node of the EKS managed node group can hold, and whether every service fits at its HPA maximum.
 * Nothing scales the node group (the README says why): the nodes that run must hold every pod the HPAs
 * can ask for, so synth refuses settings that cannot fit.
 */

/** vCPUs, memory (GiB) and the VPC CNI's pod limit (awslabs/amazon-eks-ami `eni-max-pods.txt`). */
export interface InstanceShape {
  readonly vcpus: number;
  readonly memoryGib: number;
  readonly maxPods: number;
}

/** Common general-purpose types; others are not checked (synth warns). */
export const INSTANCE_SHAPES: Readonly<Record<string, InstanceShape>> = {
  't3.medium': { vcpus: 2, memoryGib: 4, maxPods: 17 },
  't3.large': { vcpus: 2, memoryGib: 8, maxPods: 35 },
  't3.xlarge': { vcpus: 4, memoryGib: 16, maxPods: 58 },
  't3.2xlarge': { vcpus: 8, memoryGib: 32, maxPods: 58 },
  't3a.large': { vcpus: 2, memoryGib: 8, maxPods: 35 },
  't3a.xlarge': { vcpus: 4, memoryGib: 16, maxPods: 58 },
  'm5.large': { vcpus: 2, memoryGib: 8, maxPods: 29 },
  'm5.xlarge': { vcpus: 4, memoryGib: 16, maxPods: 58 },
  'm6i.large': { vcpus: 2, memoryGib: 8, maxPods: 29 },
  'm6i.xlarge': { vcpus: 4, memoryGib: 16, maxPods: 58 },
  'm7i.large': { vcpus: 2, memoryGib: 8, maxPods: 29 },
  'm7i.xlarge': { vcpus: 4, memoryGib: 16, maxPods: 58 },
  'c5.large': { vcpus: 2, memoryGib: 4, maxPods: 29 },
  'c5.xlarge': { vcpus: 4, memoryGib: 8, maxPods: 58 },
};

/**
 * The kubelet reports less memory than the instance's nominal size (firmware and kernel keep some); the
 * check counts 95% of it so a borderline setting is refused rather than left with a pending pod.
 */
const VISIBLE_MEMORY_FRACTION = 0.95;
/** Eviction threshold of the EKS AMI's kubelet (`memory.available<100Mi`). */
const EVICTION_HARD_MIB = 100;

/** Requests of one pod, in millicores and MiB. */
export interface PodRequests {
  readonly cpuMillis: number;
  readonly memoryMib: number;
}

/** Per node, with the add-ons this project installs: vpc-cni (aws-node) 25m, kube-proxy 100m, pod identity agent. */
export const DAEMONSET_PODS: readonly PodRequests[] = [
  { cpuMillis: 25, memoryMib: 0 },
  { cpuMillis: 100, memoryMib: 0 },
  { cpuMillis: 0, memoryMib: 0 },
];
/** Cluster-wide add-on pods: coredns (2 x 100m/70Mi) and metrics-server (2 x 100m/200Mi). */
export const SYSTEM_PODS: readonly PodRequests[] = [
  { cpuMillis: 100, memoryMib: 70 },
  { cpuMillis: 100, memoryMib: 70 },
  { cpuMillis: 100, memoryMib: 200 },
  { cpuMillis: 100, memoryMib: 200 },
];

/** What pods can request on one node after the kubelet's reservations and the DaemonSets. */
export interface NodeRoom {
  readonly cpuMillis: number;
  readonly memoryMib: number;
  readonly pods: number;
}

/**
 * Allocatable capacity as the EKS AMI computes kube-reserved: CPU 6% of the first core, 1% of the second,
 * 0.5% of the third and fourth, 0.25% of the rest; memory 11 MiB per pod + 255 MiB; plus the eviction
 * threshold. DaemonSet requests are taken off.
 */
export function nodeRoom(shape: InstanceShape): NodeRoom {
  const cores = shape.vcpus;
  const reservedCpu =
    60 + (cores > 1 ? 10 : 0) + 5 * Math.max(0, Math.min(cores, 4) - 2) + 2.5 * Math.max(0, cores - 4);
  const memoryMib = shape.memoryGib * 1024 * VISIBLE_MEMORY_FRACTION;
  const reservedMemory = 255 + 11 * shape.maxPods + EVICTION_HARD_MIB;
  const sum = (key: keyof PodRequests) => DAEMONSET_PODS.reduce((total, pod) => total + pod[key], 0);
  return {
    cpuMillis: Math.floor(cores * 1000 - reservedCpu - sum('cpuMillis')),
    memoryMib: Math.floor(memoryMib - reservedMemory - sum('memoryMib')),
    pods: shape.maxPods - DAEMONSET_PODS.length,
  };
}

/** One service as the HPA can grow it: its pods at maxReplicas, plus one rollout surge pod. */
export interface ServiceDemand {
  readonly name: string;
  readonly maxReplicas: number;
  readonly requests: { readonly cpu: string; readonly memory: string };
}

/** Rolling updates run with maxSurge 1 and maxUnavailable 0: one extra pod while a service at its maximum rolls. */
export const ROLLOUT_SURGE_PODS = 1;

export function podsAtPeak(services: readonly ServiceDemand[]): PodRequests[] {
  const pods: PodRequests[] = [...SYSTEM_PODS];
  for (const service of services) {
    const cpu = parseQuantity('cpu', service.requests.cpu) ?? 0;
    const memory = parseQuantity('memory', service.requests.memory) ?? 0;
    const pod = { cpuMillis: Math.ceil(cpu * 1000), memoryMib: Math.ceil(memory / 2 ** 20) };
    for (let i = 0; i < service.maxReplicas + ROLLOUT_SURGE_PODS; i++) pods.push(pod);
  }
  return pods;
}

/** First-fit decreasing: true when every pod finds a node (the scheduler does no better than this bound). */
export function podsFit(pods: readonly PodRequests[], room: NodeRoom, nodeCount: number): boolean {
  const free = Array.from({ length: nodeCount }, () => ({ ...room }));
  const sorted = [...pods].sort((a, b) => b.cpuMillis - a.cpuMillis || b.memoryMib - a.memoryMib);
  for (const pod of sorted) {
    const node = free.find(
      (n) => n.cpuMillis >= pod.cpuMillis && n.memoryMib >= pod.memoryMib && n.pods >= 1,
    );
    if (!node) return false;
    node.cpuMillis -= pod.cpuMillis;
    node.memoryMib -= pod.memoryMib;
    node.pods -= 1;
  }
  return true;
}

/** Fewest nodes of this shape that hold the pods, up to `limit`; undefined when even that is not enough. */
export function nodesNeeded(pods: readonly PodRequests[], room: NodeRoom, limit = 100): number | undefined {
  for (let n = 1; n <= limit; n++) if (podsFit(pods, room, n)) return n;
  return undefined;
}

/** The smallest known shape among the node group's types (the group may launch any of them). */
export function smallestShape(
  instanceTypes: readonly string[],
): { readonly type: string; readonly shape: InstanceShape } | undefined {
  const known = instanceTypes
    .filter((t) => INSTANCE_SHAPES[t] !== undefined)
    .map((type) => ({ type, shape: INSTANCE_SHAPES[type]! }));
  if (known.length !== instanceTypes.length || known.length === 0) return undefined;
  return known.sort((a, b) => a.shape.vcpus - b.shape.vcpus || a.shape.memoryGib - b.shape.memoryGib)[0];
}
