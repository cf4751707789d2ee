import { parseIpv4Cidr } from '../ipv4-cidr';
import { isKnown, PropsProblems } from '../props-problems';
import { DEFAULT_EKS_VERSION, eksVersionStatus, eksVersionsInStandardSupport } from './eks-versions';

export { DEFAULT_EKS_VERSION } from './eks-versions';

/** Control-plane log types EKS can send to CloudWatch Logs. */
export type EksControlPlaneLogType = 'api' | 'audit' | 'authenticator' | 'controllerManager' | 'scheduler';

/** The EKS add-ons this construct installs. */
export type EksAddonName = 'vpc-cni' | 'kube-proxy' | 'coredns' | 'eks-pod-identity-agent' | 'metrics-server';

export interface EksClusterProps {
  /** Name of the EKS cluster; also names its VPC, roles, log group and KMS alias. */
  readonly clusterName: string;
  /**
   * Kubernetes minor version, pinned so an apply never upgrades the control plane by surprise. Synth warns
   * within 60 days of the end of its standard support and refuses it after that with `supportType:
   * 'STANDARD'` (EKS cannot create such a cluster); see `EKS_STANDARD_SUPPORT_ENDS`.
   * @default DEFAULT_EKS_VERSION - the newest version in standard support when the table was checked
   */
  readonly kubernetesVersion?: string;
  /**
   * The day the support calendar is read on (tests pin it, so a commit never turns red by the calendar).
   * @default - the current date
   */
  readonly today?: Date;
  /**
   * `STANDARD` lets EKS upgrade the cluster when standard support ends; `EXTENDED` keeps the version and
   * costs six times more per hour.
   * @default 'STANDARD'
   */
  readonly supportType?: 'STANDARD' | 'EXTENDED';
  /**
   * CIDR block of the VPC, /16 to /20. Private subnets take the first /4-split blocks (one per AZ), public
   * subnets /8-split blocks at the top of the range.
   * @default '10.0.0.0/16'
   */
  readonly vpcCidr?: string;
  /**
   * Number of availability zones to spread subnets over (EKS needs at least 2). Ignored when
   * `availabilityZones` is set.
   * @default 2
   */
  readonly azCount?: number;
  /**
   * Availability zone names to use, e.g. `['eu-west-1a', 'eu-west-1b']`.
   * @default - the first `azCount` zones of the region that need no opt-in and are not among the zones
   * where EKS cannot place a control plane (`EKS_UNSUPPORTED_ZONE_IDS`)
   */
  readonly availabilityZones?: string[];
  /**
   * One NAT gateway for all private subnets (cheap, but egress depends on one AZ) instead of one per AZ.
   * @default true
   */
  readonly singleNatGateway?: boolean;
  /** @default ['t3.large'] */
  readonly nodeInstanceTypes?: string[];
  /** Lower bound for an autoscaler, if one is ever added; nothing scales the group here. @default 1 */
  readonly nodeMinSize?: number;
  /**
   * Nodes that run. Nothing scales the group: size it for every service at its HPA maximum (the
   * `eks-serving` stack refuses services that cannot fit). A change here is applied by the next deploy.
   * @default 4
   */
  readonly nodeDesiredSize?: number;
  /** Upper bound for an autoscaler, if one is ever added; at least `nodeDesiredSize`. @default 4 */
  readonly nodeMaxSize?: number;
  /** Size of each node's encrypted gp3 root volume. @default 20 */
  readonly nodeDiskSizeInGb?: number;
  /** @default 'ON_DEMAND' */
  readonly capacityType?: 'ON_DEMAND' | 'SPOT';
  /**
   * IAM role or user ARNs (`arn:aws:iam::<account>:role/<name>`) given cluster-admin through an EKS access
   * entry + `AmazonEKSClusterAdminPolicy`, besides the cluster creator (`clusterCreatorAdmin`). STS
   * assumed-role ARNs are rejected: use the role's ARN. Do not list the identity that deploys the stack
   * while `clusterCreatorAdmin` is on: EKS refuses a second access entry for one principal.
   * @default []
   */
  readonly adminPrincipalArns?: string[];
  /**
   * Give the identity that runs `cdktf deploy` (its IAM role, from `aws_caller_identity` and
   * `aws_iam_session_context`) an explicit cluster-admin access entry, so the serving stack deployed
   * right after can reach the Kubernetes API (terraform-aws-modules/eks
   * `enable_cluster_creator_admin_permissions`). The entry follows whoever applies this stack.
   * @default true
   */
  readonly clusterCreatorAdmin?: boolean;
  /**
   * Whether the Kubernetes API is reachable from the internet (still IAM-authenticated), from
   * `publicAccessCidrs` only. The private endpoint is always on so nodes talk to the control plane inside
   * the VPC. Turn it on (with your address in `publicAccessCidrs`) to run `kubectl` and the serving stack
   * from outside the VPC.
   * @default false - private: reachable from inside the VPC only
   */
  readonly endpointPublicAccess?: boolean;
  /**
   * CIDR blocks allowed to reach the public endpoint (e.g. `['203.0.113.7/32']`); required when
   * `endpointPublicAccess` is true. The security gate refuses `0.0.0.0/0`.
   * @default []
   */
  readonly publicAccessCidrs?: string[];
  /** Retention of the `/aws/eks/<name>/cluster` log group; a CloudWatch Logs retention value. @default 30 */
  readonly logRetentionInDays?: number;
  /** @default ['api', 'audit', 'authenticator'] */
  readonly controlPlaneLogTypes?: EksControlPlaneLogType[];
  /**
   * Add-on versions, e.g. `{ coredns: 'v1.12.1-eksbuild.2' }`.
   * @default - each add-on's default version for the cluster's Kubernetes version
   */
  readonly addonVersions?: Readonly<Partial<Record<EksAddonName, string>>>;
  /**
   * Tags for the nodes' EC2 instances and EBS volumes (launch template `tag_specifications`). The AWS
   * provider's `default_tags` reach only resources Terraform creates itself, not the instances and volumes
   * the node group launches, so pass the stack's tags here; `EksClusterStack` passes its own.
   * @default {} - the nodes carry only the tags EKS adds itself
   */
  readonly resourceTags?: Readonly<Record<string, string>>;
}

// Defaults: terraform-aws-modules/eks (variables.tf and its examples) unless a comment says otherwise.
/** Extended support costs $0.60/h instead of $0.10/h: a demo cluster should never slip into it. */
export const DEFAULT_EKS_SUPPORT_TYPE: 'STANDARD' | 'EXTENDED' = 'STANDARD';
/** terraform-aws-modules/eks examples: `vpc_cidr = "10.0.0.0/16"`. */
export const DEFAULT_EKS_VPC_CIDR = '10.0.0.0/16';
/** The minimum EKS accepts; the module's examples use 3, a demo pays less for NAT/subnets with 2. */
export const DEFAULT_EKS_AZ_COUNT = 2;
/** One NAT gateway (~$0.045/h each) is the cheap demo setting (terraform-aws-modules/vpc `single_nat_gateway`). */
export const DEFAULT_SINGLE_NAT_GATEWAY = true;
/** 2 vCPU / 8 GiB and 35 pods per node with the VPC CNI (the module's default t3.medium allows 17). */
export const DEFAULT_EKS_NODE_INSTANCE_TYPES: readonly string[] = ['t3.large'];
export const DEFAULT_EKS_NODE_MIN_SIZE = 1;
/**
 * Four t3.large hold the default services (3 x (6 + 1 surge) pods of 250m / 256Mi) plus coredns and
 * metrics-server: `nodesNeeded` in eks-node-capacity.ts computes it and a test keeps the two equal.
 */
export const DEFAULT_EKS_NODE_DESIRED_SIZE = 4;
export const DEFAULT_EKS_NODE_MAX_SIZE = 4;
export const DEFAULT_EKS_CLUSTER_CREATOR_ADMIN = true;
/**
 * Zones where EKS cannot place control-plane subnets (Amazon EKS user guide, "Cluster VPC and subnet
 * requirements"): us-east-1 use1-az3, us-west-1 usw1-az2, ca-central-1 cac1-az3.
 */
export const EKS_UNSUPPORTED_ZONE_IDS: readonly string[] = ['use1-az3', 'usw1-az2', 'cac1-az3'];
/** The module's managed node group `disk_size` default. */
export const DEFAULT_EKS_NODE_DISK_SIZE_IN_GB = 20;
export const DEFAULT_EKS_CAPACITY_TYPE = 'ON_DEMAND';
/**
 * Private only, as terraform-aws-eks (v20+) defaults `cluster_endpoint_public_access` to false: no CIDR is
 * a safe default for a public API, so opening it takes the user's own networks (the security gate
 * refuses 0.0.0.0/0).
 */
export const DEFAULT_EKS_ENDPOINT_PUBLIC_ACCESS = false;
/** None: with `endpointPublicAccess` the user lists their networks (validation refuses an empty list). */
export const DEFAULT_EKS_PUBLIC_ACCESS_CIDRS: readonly string[] = [];
/** The module keeps 90 days; a demo cluster keeps 30. */
export const DEFAULT_EKS_LOG_RETENTION_IN_DAYS = 30;
/** The module's `cluster_enabled_log_types`. */
export const DEFAULT_EKS_CONTROL_PLANE_LOG_TYPES: readonly EksControlPlaneLogType[] = [
  'api',
  'audit',
  'authenticator',
];

/** Retention values CloudWatch Logs accepts. */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const LOG_TYPES: readonly string[] = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
/** EKS `CreateCluster` name rule. */
const CLUSTER_NAME_PATTERN = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const IAM_PRINCIPAL_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/;
const ASSUMED_ROLE_PATTERN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;
/** A VPC can be /16 to /28; this layout splits it /4 (private) and /8 (public), so /20 at most. */
const MIN_VPC_PREFIX = 16;
const MAX_VPC_PREFIX = 20;
/** The private subnets take /4 blocks 0..n-1 and public subnets the top /4 block: 15 AZs fit; no region has more than 6. */
const MAX_AZ_COUNT = 6;

/** Props with every default applied. */
export type ResolvedEksClusterProps = Required<Omit<EksClusterProps, 'availabilityZones'>> &
  Pick<EksClusterProps, 'availabilityZones'>;

/** Nodes launched under this prefix get a 26-character suffix; a node group name has at most 63. */
export const NODE_GROUP_NAME_PREFIX_MAX_LENGTH = 37;
/** IAM `name_prefix`: role names have at most 64 characters, Terraform adds 26. */
export const IAM_ROLE_NAME_PREFIX_MAX_LENGTH = 38;

export function resolveEksClusterProps(props: EksClusterProps): ResolvedEksClusterProps {
  return {
    clusterName: props.clusterName,
    kubernetesVersion: props.kubernetesVersion ?? DEFAULT_EKS_VERSION,
    supportType: props.supportType ?? DEFAULT_EKS_SUPPORT_TYPE,
    vpcCidr: props.vpcCidr ?? DEFAULT_EKS_VPC_CIDR,
    azCount: props.availabilityZones?.length ?? props.azCount ?? DEFAULT_EKS_AZ_COUNT,
    availabilityZones: props.availabilityZones,
    singleNatGateway: props.singleNatGateway ?? DEFAULT_SINGLE_NAT_GATEWAY,
    nodeInstanceTypes: props.nodeInstanceTypes ?? [...DEFAULT_EKS_NODE_INSTANCE_TYPES],
    nodeMinSize: props.nodeMinSize ?? DEFAULT_EKS_NODE_MIN_SIZE,
    nodeDesiredSize: props.nodeDesiredSize ?? DEFAULT_EKS_NODE_DESIRED_SIZE,
    nodeMaxSize: props.nodeMaxSize ?? DEFAULT_EKS_NODE_MAX_SIZE,
    nodeDiskSizeInGb: props.nodeDiskSizeInGb ?? DEFAULT_EKS_NODE_DISK_SIZE_IN_GB,
    capacityType: props.capacityType ?? DEFAULT_EKS_CAPACITY_TYPE,
    adminPrincipalArns: props.adminPrincipalArns ?? [],
    clusterCreatorAdmin: props.clusterCreatorAdmin ?? DEFAULT_EKS_CLUSTER_CREATOR_ADMIN,
    today: props.today ?? new Date(),
    endpointPublicAccess: props.endpointPublicAccess ?? DEFAULT_EKS_ENDPOINT_PUBLIC_ACCESS,
    publicAccessCidrs: props.publicAccessCidrs ?? [...DEFAULT_EKS_PUBLIC_ACCESS_CIDRS],
    logRetentionInDays: props.logRetentionInDays ?? DEFAULT_EKS_LOG_RETENTION_IN_DAYS,
    controlPlaneLogTypes: props.controlPlaneLogTypes ?? [...DEFAULT_EKS_CONTROL_PLANE_LOG_TYPES],
    addonVersions: props.addonVersions ?? {},
    resourceTags: props.resourceTags ?? {},
  };
}

/** Throws one error naming every invalid field, its value and the fix. Unresolved tokens are skipped. */
export function validateEksClusterProps(id: string, p: ResolvedEksClusterProps): void {
  const problems = new PropsProblems('EksCluster', id);
  const { clusterName } = p;
  if (isKnown(clusterName) && !CLUSTER_NAME_PATTERN.test(clusterName)) {
    problems.add(
      `clusterName '${clusterName}' is not a valid EKS cluster name: use 1-100 letters, digits, '-' or '_', starting with a letter or digit.`,
    );
  }
  if (isKnown(p.kubernetesVersion) && !/^1\.\d+$/.test(p.kubernetesVersion)) {
    problems.add(
      `kubernetesVersion '${p.kubernetesVersion}' is not a Kubernetes minor version: use the form '${DEFAULT_EKS_VERSION}'.`,
    );
  } else if (isKnown(p.kubernetesVersion) && p.supportType === 'STANDARD') {
    const status = eksVersionStatus(p.kubernetesVersion, p.today);
    if (status.kind === 'ended') {
      problems.add(
        `kubernetesVersion '${p.kubernetesVersion}' left EKS standard support on ${status.endsOn}: EKS cannot create a cluster on it with supportType STANDARD; use ${eksVersionsInStandardSupport(p.today).join(' or ')} (or supportType EXTENDED, billed at six times the hourly rate).`,
      );
    }
  }
  if (isKnown(p.vpcCidr)) {
    const vpc = parseIpv4Cidr(p.vpcCidr);
    if (!vpc) {
      problems.add(`vpcCidr '${p.vpcCidr}' is not an IPv4 CIDR block: use the form '10.0.0.0/16'.`);
    } else if (vpc.prefixLength < MIN_VPC_PREFIX || vpc.prefixLength > MAX_VPC_PREFIX) {
      problems.add(
        `vpcCidr '${p.vpcCidr}' has prefix /${vpc.prefixLength}: use a block from /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}.`,
      );
    }
  }
  const azSource = p.availabilityZones ? 'availabilityZones' : 'azCount';
  if (isKnown(p.azCount) && (!Number.isInteger(p.azCount) || p.azCount < 2 || p.azCount > MAX_AZ_COUNT)) {
    problems.add(
      `${azSource} gives ${p.azCount} availability zone(s): EKS needs subnets in at least 2; use 2 to ${MAX_AZ_COUNT}.`,
    );
  }
  if (p.availabilityZones && new Set(p.availabilityZones).size !== p.availabilityZones.length) {
    problems.add(
      `availabilityZones [${p.availabilityZones.join(', ')}] repeats a zone: list each zone once.`,
    );
  }
  if (p.nodeInstanceTypes.length === 0) {
    problems.add(`nodeInstanceTypes is empty: list at least one instance type, e.g. ['t3.large'].`);
  }
  const sizes = {
    nodeMinSize: p.nodeMinSize,
    nodeDesiredSize: p.nodeDesiredSize,
    nodeMaxSize: p.nodeMaxSize,
  };
  for (const [field, value] of Object.entries(sizes)) {
    if (isKnown(value) && (!Number.isInteger(value) || value < 0)) {
      problems.add(`${field} is ${value}: use a whole number >= 0.`);
    }
  }
  if (isKnown(p.nodeMaxSize) && p.nodeMaxSize < 1) {
    problems.add(`nodeMaxSize is ${p.nodeMaxSize}: a managed node group needs nodeMaxSize >= 1.`);
  }
  if (
    isKnown(p.nodeMinSize) &&
    isKnown(p.nodeDesiredSize) &&
    isKnown(p.nodeMaxSize) &&
    !(p.nodeMinSize <= p.nodeDesiredSize && p.nodeDesiredSize <= p.nodeMaxSize)
  ) {
    problems.add(
      `node sizes min ${p.nodeMinSize}, desired ${p.nodeDesiredSize}, max ${p.nodeMaxSize} are out of order: use nodeMinSize <= nodeDesiredSize <= nodeMaxSize.`,
    );
  }
  if (isKnown(p.nodeDiskSizeInGb) && (!Number.isInteger(p.nodeDiskSizeInGb) || p.nodeDiskSizeInGb < 20)) {
    problems.add(
      `nodeDiskSizeInGb is ${p.nodeDiskSizeInGb}: the EKS-optimized AMI needs a root volume of at least 20 GiB.`,
    );
  }
  p.adminPrincipalArns.forEach((arn, i) => {
    if (!isKnown(arn) || IAM_PRINCIPAL_PATTERN.test(arn)) return;
    const assumed = ASSUMED_ROLE_PATTERN.exec(arn);
    if (assumed) {
      const [, partition, account, role] = assumed;
      problems.add(
        `adminPrincipalArns[${i}] '${arn}' is an STS assumed-role session, which an access entry cannot take: use the role ARN 'arn:${partition}:iam::${account}:role/${role}' (with the role's path, if it has one; 'aws sts get-caller-identity' shows the session, 'aws iam get-role --role-name ${role}' the role ARN).`,
      );
    } else {
      problems.add(
        `adminPrincipalArns[${i}] '${arn}' is not an IAM role or user ARN: use 'arn:aws:iam::<account-id>:role/<name>' or 'arn:aws:iam::<account-id>:user/<name>'.`,
      );
    }
  });
  if (new Set(p.adminPrincipalArns).size !== p.adminPrincipalArns.length) {
    problems.add(`adminPrincipalArns lists a principal more than once: list each ARN once.`);
  }
  p.publicAccessCidrs.forEach((cidr, i) => {
    if (isKnown(cidr) && !parseIpv4Cidr(cidr)) {
      problems.add(
        `publicAccessCidrs[${i}] '${cidr}' is not an IPv4 CIDR block: use the form '203.0.113.7/32'.`,
      );
    }
  });
  if (p.endpointPublicAccess && p.publicAccessCidrs.length === 0) {
    problems.add(
      `publicAccessCidrs is empty while endpointPublicAccess is true: list the CIDR blocks allowed to reach the API, or set endpointPublicAccess to false.`,
    );
  }
  if (isKnown(p.logRetentionInDays) && !CLOUDWATCH_RETENTION_DAYS.includes(p.logRetentionInDays)) {
    problems.add(
      `logRetentionInDays is ${p.logRetentionInDays}: CloudWatch Logs accepts ${CLOUDWATCH_RETENTION_DAYS.join(', ')}.`,
    );
  }
  for (const type of p.controlPlaneLogTypes) {
    if (!LOG_TYPES.includes(type)) {
      problems.add(`controlPlaneLogTypes has '${type}': use any of ${LOG_TYPES.join(', ')}.`);
    }
  }
  problems.throwIfAny();
}
