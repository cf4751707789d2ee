import { cidrsOverlap, type Ipv4Cidr, parseIpv4Cidr } from '../ipv4-cidr';
import { isKnown, PropsProblems } from '../props-problems';

export type GkeReleaseChannel = 'RAPID' | 'REGULAR' | 'STABLE' | 'EXTENDED';

/** A CIDR block allowed to reach the cluster's public endpoint. */
export interface GkeAuthorizedNetwork {
  /** e.g. '203.0.113.7/32' */
  readonly cidrBlock: string;
  /** @default - the CIDR block */
  readonly displayName?: string;
}

export interface GkeClusterProps {
  /** Name of the GKE cluster; also names its network, subnetwork, router and node service account. */
  readonly clusterName: string;
  /**
   * Project of every resource.
   * @default - the Google provider's project (data `google_client_config`); `GkeClusterStack` sets it
   */
  readonly projectId?: string;
  /**
   * Region of the subnetwork and Cloud NAT.
   * @default - the Google provider's region (data `google_client_config`); `GkeClusterStack` sets it
   */
  readonly region?: string;
  /**
   * Where the cluster runs: the region (regional control plane, nodes in 3 zones) or one of its zones
   * (zonal cluster: one control-plane replica, covered by GKE's free-tier credit).
   * @default - the region
   */
  readonly location?: string;
  /**
   * Zones of the node pool, all in the region.
   * @default - GKE picks the zones (3 for a regional cluster, the cluster's zone for a zonal one)
   */
  readonly nodeLocations?: string[];
  /** Release channel that picks and upgrades the Kubernetes version. @default 'REGULAR' */
  readonly releaseChannel?: GkeReleaseChannel;
  /** @default 'e2-standard-2' */
  readonly machineType?: string;
  /** Autoscaling lower bound, per zone. @default 1 */
  readonly nodeMinCountPerZone?: number;
  /** Autoscaling upper bound, per zone. @default 2 */
  readonly nodeMaxCountPerZone?: number;
  /** Boot disk size of each node (pd-balanced). @default 50 */
  readonly diskSizeInGb?: number;
  /** Spot VMs: about 60-90% cheaper, can be reclaimed at any time. @default false */
  readonly spot?: boolean;
  /** Whether Terraform refuses to destroy the cluster. @default false - demo clusters are meant to be destroyed */
  readonly deletionProtection?: boolean;
  /** /28 block of the control plane's private endpoint, unused elsewhere in the network. @default '172.16.0.0/28' */
  readonly masterIpv4CidrBlock?: string;
  /** Primary range of the subnetwork (node IPs). @default '10.0.0.0/20' */
  readonly subnetCidr?: string;
  /** Secondary range for Pod IPs (VPC-native). @default '10.4.0.0/14' */
  readonly podsCidr?: string;
  /** Secondary range for Service IPs (VPC-native). @default '10.8.0.0/20' */
  readonly servicesCidr?: string;
  /**
   * Only these blocks may reach the public endpoint (Google Cloud's own ranges are not implied); the
   * endpoint still requires Google credentials. List your address to run `kubectl` or the serving stack.
   * @default [] - no external address: the control plane is reachable from inside the VPC only
   */
  readonly masterAuthorizedNetworks?: GkeAuthorizedNetwork[];
  /**
   * Give the control plane no public endpoint at all (reachable only from inside the VPC).
   * @default false - so `kubectl` and the serving stack's Kubernetes provider work from a laptop
   */
  readonly privateEndpoint?: boolean;
  /**
   * Also collect Kubernetes state metrics (pods, deployments, HPAs) and cAdvisor/kubelet metrics with
   * Managed Prometheus, which the dashboards and alerts read. Billed as Managed Prometheus samples.
   * @default false
   */
  readonly kubeStateMetrics?: boolean;
}

/** `monitoring_config` components for `kubeStateMetrics` (the alerts' and dashboards' platform metrics). */
export const GKE_KUBE_STATE_COMPONENTS: readonly string[] = [
  'POD',
  'DEPLOYMENT',
  'HPA',
  'CADVISOR',
  'KUBELET',
];

// Defaults: terraform-google-modules/kubernetes-engine (private-cluster module and its examples) unless a
// comment says otherwise.
export const DEFAULT_GKE_RELEASE_CHANNEL = 'REGULAR';
/** 2 vCPU / 8 GB, the smallest general-purpose shape that fits the serving Deployment with system pods. */
export const DEFAULT_GKE_MACHINE_TYPE = 'e2-standard-2';
export const DEFAULT_GKE_NODE_MIN_COUNT_PER_ZONE = 1;
export const DEFAULT_GKE_NODE_MAX_COUNT_PER_ZONE = 2;
/** The module (and GKE) default to 100 GB; 50 GB is plenty for one image and halves the disk cost. */
export const DEFAULT_GKE_DISK_SIZE_IN_GB = 50;
export const DEFAULT_GKE_SPOT = false;
/** The module (and the provider) default to true; demo clusters must be destroyable by `cdktf destroy`. */
export const DEFAULT_GKE_DELETION_PROTECTION = false;
/** The module's private-cluster examples: `master_ipv4_cidr_block = "172.16.0.0/28"`. */
export const DEFAULT_GKE_MASTER_CIDR = '172.16.0.0/28';
export const DEFAULT_GKE_SUBNET_CIDR = '10.0.0.0/20';
/** /14 gives 1024 node-sized /24 Pod blocks (110 Pods per node). */
export const DEFAULT_GKE_PODS_CIDR = '10.4.0.0/14';
export const DEFAULT_GKE_SERVICES_CIDR = '10.8.0.0/20';
export const GKE_PODS_RANGE_NAME = 'pods';
export const GKE_SERVICES_RANGE_NAME = 'services';

const RELEASE_CHANNELS: readonly string[] = ['RAPID', 'REGULAR', 'STABLE', 'EXTENDED'];
/** GKE cluster name rule: lowercase letters, digits and hyphens, starts with a letter, at most 40. */
const CLUSTER_NAME_PATTERN = /^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$/;
/** COS needs at least 10 GB. */
const MIN_DISK_SIZE_IN_GB = 10;

/** Props with every default applied (projectId and region stay optional: the provider's are used). */
export type ResolvedGkeClusterProps = Required<
  Omit<GkeClusterProps, 'projectId' | 'region' | 'location' | 'nodeLocations' | 'masterAuthorizedNetworks'>
> &
  Pick<GkeClusterProps, 'projectId' | 'region' | 'location' | 'nodeLocations' | 'masterAuthorizedNetworks'>;

export function resolveGkeClusterProps(props: GkeClusterProps): ResolvedGkeClusterProps {
  return {
    ...props,
    releaseChannel: props.releaseChannel ?? DEFAULT_GKE_RELEASE_CHANNEL,
    machineType: props.machineType ?? DEFAULT_GKE_MACHINE_TYPE,
    nodeMinCountPerZone: props.nodeMinCountPerZone ?? DEFAULT_GKE_NODE_MIN_COUNT_PER_ZONE,
    nodeMaxCountPerZone: props.nodeMaxCountPerZone ?? DEFAULT_GKE_NODE_MAX_COUNT_PER_ZONE,
    diskSizeInGb: props.diskSizeInGb ?? DEFAULT_GKE_DISK_SIZE_IN_GB,
    spot: props.spot ?? DEFAULT_GKE_SPOT,
    deletionProtection: props.deletionProtection ?? DEFAULT_GKE_DELETION_PROTECTION,
    masterIpv4CidrBlock: props.masterIpv4CidrBlock ?? DEFAULT_GKE_MASTER_CIDR,
    subnetCidr: props.subnetCidr ?? DEFAULT_GKE_SUBNET_CIDR,
    podsCidr: props.podsCidr ?? DEFAULT_GKE_PODS_CIDR,
    servicesCidr: props.servicesCidr ?? DEFAULT_GKE_SERVICES_CIDR,
    privateEndpoint: props.privateEndpoint ?? false,
    kubeStateMetrics: props.kubeStateMetrics ?? false,
  };
}

/** Throws one error naming every invalid field, its value and the fix. Unresolved tokens are skipped. */
export function validateGkeClusterProps(id: string, p: ResolvedGkeClusterProps): void {
  const problems = new PropsProblems('GkeCluster', id);
  if (isKnown(p.clusterName) && !CLUSTER_NAME_PATTERN.test(p.clusterName)) {
    problems.add(
      `clusterName '${p.clusterName}' is not a valid GKE cluster name: use 1-40 lowercase letters, digits or '-', starting with a letter and not ending with '-'.`,
    );
  }
  if (isKnown(p.releaseChannel) && !RELEASE_CHANNELS.includes(p.releaseChannel)) {
    problems.add(
      `releaseChannel '${p.releaseChannel}' is unknown: use one of ${RELEASE_CHANNELS.join(', ')}.`,
    );
  }
  const region = isKnown(p.region) ? p.region : undefined;
  if (
    region !== undefined &&
    isKnown(p.location) &&
    p.location !== region &&
    !p.location.startsWith(`${region}-`)
  ) {
    problems.add(
      `location '${p.location}' is not region '${region}' or one of its zones: use '${region}' or a zone such as '${region}-a'.`,
    );
  }
  (p.nodeLocations ?? []).forEach((zone, i) => {
    if (region !== undefined && isKnown(zone) && !zone.startsWith(`${region}-`)) {
      problems.add(
        `nodeLocations[${i}] '${zone}' is not a zone of region '${region}': use a zone such as '${region}-b'.`,
      );
    }
  });
  const counts = { nodeMinCountPerZone: p.nodeMinCountPerZone, nodeMaxCountPerZone: p.nodeMaxCountPerZone };
  for (const [field, value] of Object.entries(counts)) {
    if (isKnown(value) && (!Number.isInteger(value) || value < 0)) {
      problems.add(`${field} is ${value}: use a whole number >= 0.`);
    }
  }
  if (isKnown(p.nodeMaxCountPerZone) && p.nodeMaxCountPerZone < 1) {
    problems.add(
      `nodeMaxCountPerZone is ${p.nodeMaxCountPerZone}: the node pool needs nodeMaxCountPerZone >= 1.`,
    );
  }
  if (
    isKnown(p.nodeMinCountPerZone) &&
    isKnown(p.nodeMaxCountPerZone) &&
    p.nodeMinCountPerZone > p.nodeMaxCountPerZone
  ) {
    problems.add(
      `nodeMinCountPerZone ${p.nodeMinCountPerZone} is above nodeMaxCountPerZone ${p.nodeMaxCountPerZone}: use nodeMinCountPerZone <= nodeMaxCountPerZone.`,
    );
  }
  if (
    isKnown(p.diskSizeInGb) &&
    (!Number.isInteger(p.diskSizeInGb) || p.diskSizeInGb < MIN_DISK_SIZE_IN_GB)
  ) {
    problems.add(`diskSizeInGb is ${p.diskSizeInGb}: use a whole number >= ${MIN_DISK_SIZE_IN_GB}.`);
  }
  if (isKnown(p.machineType) && p.machineType.trim() === '') {
    problems.add(
      `machineType is empty: name a Compute Engine machine type, e.g. '${DEFAULT_GKE_MACHINE_TYPE}'.`,
    );
  }
  const ranges: Array<[string, string]> = [
    ['subnetCidr', p.subnetCidr],
    ['podsCidr', p.podsCidr],
    ['servicesCidr', p.servicesCidr],
    ['masterIpv4CidrBlock', p.masterIpv4CidrBlock],
  ];
  const parsed: Array<[string, string, Ipv4Cidr]> = [];
  for (const [field, cidr] of ranges) {
    if (!isKnown(cidr)) continue;
    const block = parseIpv4Cidr(cidr);
    if (!block) {
      problems.add(`${field} '${cidr}' is not an IPv4 CIDR block: use the form '10.0.0.0/20'.`);
    } else {
      parsed.push([field, cidr, block]);
    }
  }
  const master = parsed.find(([field]) => field === 'masterIpv4CidrBlock');
  if (master && master[2].prefixLength !== 28) {
    problems.add(
      `masterIpv4CidrBlock '${master[1]}' is not a /28: GKE needs a /28, e.g. '${DEFAULT_GKE_MASTER_CIDR}'.`,
    );
  }
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      const [fa, ca, a] = parsed[i]!;
      const [fb, cb, b] = parsed[j]!;
      if (cidrsOverlap(a, b)) {
        problems.add(`${fa} '${ca}' overlaps ${fb} '${cb}': give each range its own addresses.`);
      }
    }
  }
  (p.masterAuthorizedNetworks ?? []).forEach((network, i) => {
    if (isKnown(network.cidrBlock) && !parseIpv4Cidr(network.cidrBlock)) {
      problems.add(
        `masterAuthorizedNetworks[${i}].cidrBlock '${network.cidrBlock}' is not an IPv4 CIDR block: use the form '203.0.113.7/32'.`,
      );
    }
  });
  problems.throwIfAny();
}
