import { z } from 'zod';
import { PLACEHOLDER_GCP_PROJECT_ID } from '../common/gcp-project-guard';
import {
  DEFAULT_EKS_CAPACITY_TYPE,
  DEFAULT_EKS_CLUSTER_CREATOR_ADMIN,
  DEFAULT_EKS_ENDPOINT_PUBLIC_ACCESS,
  DEFAULT_EKS_LOG_RETENTION_IN_DAYS,
  DEFAULT_EKS_NODE_DESIRED_SIZE,
  DEFAULT_EKS_NODE_DISK_SIZE_IN_GB,
  DEFAULT_EKS_NODE_INSTANCE_TYPES,
  DEFAULT_EKS_NODE_MAX_SIZE,
  DEFAULT_EKS_NODE_MIN_SIZE,
  DEFAULT_EKS_PUBLIC_ACCESS_CIDRS,
  DEFAULT_EKS_SUPPORT_TYPE,
  DEFAULT_EKS_VERSION,
  DEFAULT_EKS_VPC_CIDR,
  DEFAULT_SINGLE_NAT_GATEWAY,
} from '../constructs/aws/eks-cluster-props';
import {
  DEFAULT_SAGEMAKER_INSTANCE_TYPE,
  DEFAULT_SAGEMAKER_LOG_RETENTION_IN_DAYS,
  DEFAULT_SAGEMAKER_MAX_INSTANCE_COUNT,
  DEFAULT_SAGEMAKER_MIN_INSTANCE_COUNT,
  DEFAULT_SAGEMAKER_TARGET_INVOCATIONS_PER_INSTANCE_PER_MINUTE,
  LOG_RETENTION_DAYS,
  SAGEMAKER_ENDPOINT_NAME,
  SAGEMAKER_INSTANCE_TYPE,
  SERVER_LOG_LEVELS,
  SERVERLESS_MAX_CONCURRENCY_LIMIT,
  SERVERLESS_MEMORY_SIZES_IN_MB,
} from '../constructs/aws/sagemaker-model-endpoint-props';
import { DIGEST_PINNED_IMAGE } from '../constructs/docker/image-reference';
import {
  DEFAULT_GKE_DELETION_PROTECTION,
  DEFAULT_GKE_DISK_SIZE_IN_GB,
  DEFAULT_GKE_MACHINE_TYPE,
  DEFAULT_GKE_MASTER_CIDR,
  DEFAULT_GKE_NODE_MAX_COUNT_PER_ZONE,
  DEFAULT_GKE_NODE_MIN_COUNT_PER_ZONE,
  DEFAULT_GKE_PODS_CIDR,
  DEFAULT_GKE_RELEASE_CHANNEL,
  DEFAULT_GKE_SERVICES_CIDR,
  DEFAULT_GKE_SUBNET_CIDR,
} from '../constructs/gcp/gke-cluster-props';
import {
  DEFAULT_VERTEX_CPU_TARGET_PERCENT,
  DEFAULT_VERTEX_DEPLOY_TIMEOUT_MINUTES,
  DEFAULT_VERTEX_MACHINE_TYPE,
  DEFAULT_VERTEX_MAX_REPLICAS,
  DEFAULT_VERTEX_MIN_REPLICAS,
  DEFAULT_VERTEX_MODEL,
  MAX_VERTEX_TTL_HOURS,
  VERTEX_ENDPOINT_ID,
} from '../constructs/gcp/vertex-names';
import {
  RESERVED_ENV,
  SERVICE_EXPOSURES,
  type ServiceExposure,
} from '../constructs/k8s/model-serving-constants';
import {
  CPU_QUANTITY,
  CPU_QUANTITY_HINT,
  MEMORY_QUANTITY,
  MEMORY_QUANTITY_HINT,
  parseQuantity,
} from '../constructs/k8s/quantity';
import { observabilitySchema } from './observability-schema';

/**
 * The one configuration of the project. Messages of refinements are the "expected …" half of an error;
 * `errors.ts` adds the field path and the value it got.
 */

/** Models bundled in the serving image (`model-server/models/<name>/`). */
export const BUNDLED_MODELS = ['bankchurn', 'chicagotaxi', 'nlpinsight'] as const;

export const AWS_REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const GCP_REGION = /^[a-z]+-[a-z]+\d{1,2}$/;
export const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** DNS-1035 label: Kubernetes Service names. */
export const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const IPV4_CIDR = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\/(?:3[0-2]|[12]?\d)$/;
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(?:role|user)\/[\w+=,.@/-]+$/;
const IAM_ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
/** A fully qualified domain name: at least two labels of lowercase letters, digits and -, at most 253 characters. */
const DOMAIN_NAME =
  /^(?=.{4,253}$)(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/[\w/-]+$/;
const GCP_SERVICE_ACCOUNT =
  /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;
const KMS_CRYPTO_KEY =
  /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/locations\/[a-z0-9-]+\/keyRings\/[\w-]+\/cryptoKeys\/[\w-]+$/;
const ECR_REPOSITORY = /^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** A model's name: the server's metric prefix, so only characters a Prometheus metric name takes. */
const MODEL_NAME = /^[a-z][a-z0-9_]{0,62}$/;

const name = (pattern: RegExp, expected: string) => z.string().regex(pattern, { message: expected });
const count = (min: number, max?: number) => {
  const base = z
    .number()
    .int({ message: `an integer >= ${min}` })
    .min(min, { message: `an integer >= ${min}` });
  return max === undefined ? base : base.max(max, { message: `an integer from ${min} to ${max}` });
};
const isCount = (value: unknown, min: number): value is number =>
  Number.isInteger(value) && (value as number) >= min;
const cidr = name(IPV4_CIDR, 'an IPv4 CIDR block such as 10.0.0.0/8');
const cpu = name(CPU_QUANTITY, CPU_QUANTITY_HINT);
const memory = name(MEMORY_QUANTITY, MEMORY_QUANTITY_HINT);

const stateBackendSchema = z
  .strictObject({
    kind: z.enum(['local', 's3', 'gcs']).default('local').describe('Where Terraform state is kept.'),
    directory: z
      .string()
      .optional()
      .describe(
        'local: folder of the state files, relative to `cdktf.out/stacks/<stack>`. Default `../../..` (the project root).',
      ),
    bucket: z
      .string()
      .min(3, { message: 'a bucket name' })
      .optional()
      .describe('s3/gcs: state bucket (required).'),
    region: name(AWS_REGION, 'an AWS region such as us-east-1')
      .optional()
      .describe('s3: bucket region. Default `aws.region`.'),
    keyPrefix: z.string().optional().describe('s3: key prefix. Default `model-serving`.'),
    prefix: z.string().optional().describe('gcs: object prefix. Default `model-serving`.'),
  })
  .superRefine((backend, ctx) => {
    const allowed: Record<typeof backend.kind, readonly string[]> = {
      local: ['directory'],
      s3: ['bucket', 'region', 'keyPrefix'],
      gcs: ['bucket', 'prefix'],
    };
    for (const key of ['directory', 'bucket', 'region', 'keyPrefix', 'prefix'] as const) {
      if (backend[key] !== undefined && !allowed[backend.kind].includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `no ${key} for kind ${backend.kind} (allowed: ${['kind', ...allowed[backend.kind]].join(', ')})`,
        });
      }
    }
    if (backend.kind !== 'local' && backend.bucket === undefined) {
      ctx.addIssue({ code: 'custom', path: ['bucket'], message: `a bucket name for kind ${backend.kind}` });
    }
    const dir = backend.directory;
    if (dir !== undefined && (dir.startsWith('/') || /^[A-Za-z]:[\\/]/.test(dir))) {
      ctx.addIssue({
        code: 'custom',
        path: ['directory'],
        message: 'a relative path (an absolute path differs between machines and breaks snapshots)',
      });
    }
  })
  .describe('Terraform state backend of every stack (one state file per stack).');

const awsSchema = z.strictObject({
  region: name(AWS_REGION, 'an AWS region such as us-east-1').default('us-east-1').describe('AWS region.'),
  accountId: name(/^\d{12}$/, 'a 12-digit AWS account id')
    .optional()
    .describe('Account the AWS provider must run in (`allowed_account_ids`). Default: any.'),
  adminPrincipalArns: z
    .array(
      name(
        IAM_PRINCIPAL,
        'an IAM role or user ARN (arn:aws:iam::<account>:role/<name>; not an sts assumed-role ARN)',
      ),
    )
    .default([])
    .describe(
      'IAM roles/users given cluster-admin on EKS (access entries) besides the identity that deploys eks-cluster; do not list that one (EKS refuses a second entry for it).',
    ),
});

const gcpSchema = z.strictObject({
  projectId: name(GCP_PROJECT_ID, 'a GCP project id: 6-30 lowercase letters, digits and -')
    .default(PLACEHOLDER_GCP_PROJECT_ID)
    .describe(
      `GCP project of every Google resource. The default is a placeholder: synth works with it, a deploy of a GKE stack refuses it before any API call.`,
    ),
  region: name(GCP_REGION, 'a GCP region such as us-central1').default('us-central1').describe('GCP region.'),
});

const eksSchema = z
  .strictObject({
    clusterName: name(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'an EKS cluster name: letters, digits, - and _')
      .optional()
      .meta({ description: 'EKS cluster name.', 'x-default': '`<project>-<environment>`' }),
    kubernetesVersion: name(/^1\.\d+$/, `a Kubernetes minor version such as ${DEFAULT_EKS_VERSION}`)
      .default(DEFAULT_EKS_VERSION)
      .describe(
        'Kubernetes version of the control plane and nodes. Synth warns 60 days before its end of standard support and refuses it after (table in src/constructs/aws/eks-versions.ts).',
      ),
    supportType: z
      .enum(['STANDARD', 'EXTENDED'])
      .default(DEFAULT_EKS_SUPPORT_TYPE)
      .describe(
        '`STANDARD`: EKS upgrades the cluster when standard support ends; `EXTENDED` keeps the version at six times the hourly price.',
      ),
    vpcCidr: cidr.default(DEFAULT_EKS_VPC_CIDR).describe('CIDR block of the cluster VPC (/16 to /20).'),
    availabilityZones: z
      .array(name(/^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}[a-z]$/, 'an availability zone name such as us-east-1a'))
      .min(2, { message: 'at least 2 zones (EKS needs subnets in two)' })
      .max(6, { message: 'at most 6 zones' })
      .optional()
      .meta({
        description: 'Availability zones of the subnets and nodes, in `aws.region`.',
        'x-default':
          'the first 2 zones that need no opt-in, skipping use1-az3, usw1-az2 and cac1-az3 (no EKS)',
      }),
    singleNatGateway: z
      .boolean()
      .default(DEFAULT_SINGLE_NAT_GATEWAY)
      .describe(
        'One NAT gateway for all zones (cheaper) instead of one per zone (egress survives a zone outage).',
      ),
    clusterCreatorAdmin: z
      .boolean()
      .default(DEFAULT_EKS_CLUSTER_CREATOR_ADMIN)
      .describe('Give the identity that deploys eks-cluster a cluster-admin access entry.'),
    nodeInstanceTypes: z
      .array(z.string().min(1))
      .min(1, { message: 'at least one instance type' })
      .default([...DEFAULT_EKS_NODE_INSTANCE_TYPES])
      .describe('Instance types of the managed node group.'),
    nodeMinSize: count(0)
      .default(DEFAULT_EKS_NODE_MIN_SIZE)
      .describe('Node group minimum size (a bound for an autoscaler you may add).'),
    nodeDesiredSize: count(0)
      .default(DEFAULT_EKS_NODE_DESIRED_SIZE)
      .describe(
        'Nodes that run: nothing scales them, so synth refuses services whose HPA maxima do not fit (see README).',
      ),
    nodeMaxSize: count(1)
      .default(DEFAULT_EKS_NODE_MAX_SIZE)
      .describe('Node group maximum size (a bound for an autoscaler you may add; >= nodeDesiredSize).'),
    nodeDiskSizeInGb: count(20)
      .default(DEFAULT_EKS_NODE_DISK_SIZE_IN_GB)
      .describe('Root volume of each node.'),
    capacityType: z
      .enum(['ON_DEMAND', 'SPOT'])
      .default(DEFAULT_EKS_CAPACITY_TYPE)
      .describe('Node capacity type.'),
    endpointPublicAccess: z
      .boolean()
      .default(DEFAULT_EKS_ENDPOINT_PUBLIC_ACCESS)
      .describe(
        'Kubernetes API reachable from `publicAccessCidrs` (IAM-authenticated); off: from inside the VPC only.',
      ),
    publicAccessCidrs: z
      .array(cidr)
      .default([...DEFAULT_EKS_PUBLIC_ACCESS_CIDRS])
      .describe('CIDR blocks allowed to the public API endpoint (required with endpointPublicAccess).'),
    logRetentionInDays: count(1)
      .default(DEFAULT_EKS_LOG_RETENTION_IN_DAYS)
      .describe('Retention of the control-plane log group.'),
    metricsScraperNamespaces: z
      .array(name(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace name'))
      .min(1, { message: 'at least one namespace' })
      .default(['monitoring'])
      .describe('Namespaces allowed to scrape the metrics port of the serving pods.'),
  })
  .superRefine((eks, ctx) => {
    const sizes = [eks.nodeMinSize, eks.nodeDesiredSize, eks.nodeMaxSize];
    if (sizes.every((size) => isCount(size, 0)) && !(sizes[0]! <= sizes[1]! && sizes[1]! <= sizes[2]!)) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodeDesiredSize'],
        params: { effective: eks.nodeDesiredSize },
        message: `nodeMinSize (${eks.nodeMinSize}) <= nodeDesiredSize <= nodeMaxSize (${eks.nodeMaxSize})`,
      });
    }
  });

const gkeSchema = z
  .strictObject({
    clusterName: name(
      /^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$/,
      'a GKE cluster name: 1-40 lowercase letters, digits and -',
    )
      .optional()
      .meta({ description: 'GKE cluster name.', 'x-default': '`<project>-<environment>`' }),
    location: z.string().optional().meta({
      description: 'Region (regional cluster) or one of its zones (zonal cluster).',
      'x-default': '`gcp.region`',
    }),
    releaseChannel: z
      .enum(['RAPID', 'REGULAR', 'STABLE', 'EXTENDED'])
      .default(DEFAULT_GKE_RELEASE_CHANNEL)
      .describe('Release channel that picks the Kubernetes version.'),
    machineType: z.string().min(1).default(DEFAULT_GKE_MACHINE_TYPE).describe('Node machine type.'),
    nodeMinCountPerZone: count(0)
      .default(DEFAULT_GKE_NODE_MIN_COUNT_PER_ZONE)
      .describe('Autoscaling minimum per zone.'),
    nodeMaxCountPerZone: count(1)
      .default(DEFAULT_GKE_NODE_MAX_COUNT_PER_ZONE)
      .describe('Autoscaling maximum per zone.'),
    diskSizeInGb: count(10).default(DEFAULT_GKE_DISK_SIZE_IN_GB).describe('Boot disk of each node.'),
    spot: z.boolean().default(false).describe('Spot VMs for the nodes.'),
    deletionProtection: z
      .boolean()
      .default(DEFAULT_GKE_DELETION_PROTECTION)
      .describe('Terraform refuses to destroy the cluster.'),
    masterAuthorizedNetworks: z.array(cidr).optional().meta({
      description: 'CIDR blocks allowed to the public endpoint (Google credentials still required).',
      'x-default': 'none: reachable from inside the VPC only',
    }),
    nodeLocations: z
      .array(name(/^[a-z]+-[a-z]+\d{1,2}-[a-z]$/, 'a zone such as us-central1-b'))
      .min(1, { message: 'at least one zone' })
      .optional()
      .meta({
        description: 'Zones of the node pool, in `gcp.region` (node counts are per zone).',
        'x-default': 'GKE picks (3 zones for a regional cluster)',
      }),
    privateEndpoint: z
      .boolean()
      .default(false)
      .describe('Control plane reachable only from inside the VPC (kubectl and gke-serving must run there).'),
    subnetCidr: cidr.default(DEFAULT_GKE_SUBNET_CIDR).describe('Primary range of the subnetwork (node IPs).'),
    podsCidr: cidr.default(DEFAULT_GKE_PODS_CIDR).describe('Secondary range for Pod IPs.'),
    servicesCidr: cidr.default(DEFAULT_GKE_SERVICES_CIDR).describe('Secondary range for Service IPs.'),
    masterIpv4CidrBlock: cidr
      .default(DEFAULT_GKE_MASTER_CIDR)
      .describe("/28 of the control plane's private endpoint, unused elsewhere."),
    metricsScraperNamespaces: z
      .array(name(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace name'))
      .min(1, { message: 'at least one namespace' })
      .default(['gmp-system'])
      .describe('Namespaces allowed to scrape the metrics port (GKE Managed Prometheus collectors).'),
  })
  .superRefine((gke, ctx) => {
    const { nodeMinCountPerZone: min, nodeMaxCountPerZone: max } = gke;
    if (isCount(min, 0) && isCount(max, 1) && min > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodeMinCountPerZone'],
        params: { effective: min },
        message: `<= nodeMaxCountPerZone (${gke.nodeMaxCountPerZone})`,
      });
    }
  });

const imageFields = {
  mode: z
    .enum(['build', 'prebuilt'])
    .default('build')
    .describe('`build`: build model-server/ for linux/amd64 and push (needs Docker); `prebuilt`: use `uri`.'),
  uri: z
    .string()
    .optional()
    .describe('prebuilt: image URI pinned by digest, `<registry>/<repo>@sha256:<64 hex>`.'),
  untaggedExpiryDays: count(1).default(7).describe('Untagged images are deleted after this many days.'),
};
const checkImageMode = (image: { mode: 'build' | 'prebuilt'; uri?: string }, ctx: z.RefinementCtx) => {
  if (image.mode === 'prebuilt' && image.uri === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['uri'],
      message: 'an image URI pinned by digest for mode prebuilt',
    });
  } else if (image.mode === 'prebuilt' && image.uri !== undefined && !DIGEST_PINNED_IMAGE.test(image.uri)) {
    ctx.addIssue({
      code: 'custom',
      path: ['uri'],
      message: 'an image pinned by digest: <registry>/<repository>@sha256:<64 hex digits>',
    });
  } else if (image.mode === 'build' && image.uri !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['uri'],
      message: 'no uri for mode build (set mode: prebuilt to use it)',
    });
  }
};

const awsImageSchema = z
  .strictObject({
    ...imageFields,
    repositoryName: name(ECR_REPOSITORY, 'an ECR repository name: lowercase letters, digits, . _ - and /')
      .optional()
      .meta({ description: 'ECR repository name.', 'x-default': '`<project>-<environment>`' }),
    encryption: z.enum(['AES256', 'KMS']).default('AES256').describe('ECR encryption at rest.'),
    kmsKeyArn: name(KMS_KEY_ARN, 'a KMS key ARN')
      .optional()
      .meta({ description: 'KMS: customer managed key.', 'x-default': 'the AWS managed key' }),
    keepLastImages: count(1).default(10).describe('Images kept; older ones expire.'),
  })
  .superRefine((image, ctx) => {
    checkImageMode(image, ctx);
    if (image.kmsKeyArn !== undefined && image.encryption !== 'KMS') {
      ctx.addIssue({ code: 'custom', path: ['kmsKeyArn'], message: 'no kmsKeyArn unless encryption is KMS' });
    }
  })
  .describe('The image in ECR (aws-image stack).');

const gcpImageSchema = z
  .strictObject({
    ...imageFields,
    repositoryId: name(
      /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/,
      'an Artifact Registry repository id: lowercase letters, digits and -',
    )
      .optional()
      .meta({ description: 'Artifact Registry repository id.', 'x-default': '`<project>-<environment>`' }),
    keepMostRecent: count(1).default(10).describe('Versions kept whatever their age.'),
    taggedExpiryDays: count(1)
      .default(30)
      .describe('Tagged versions older than this are deleted (except the kept ones).'),
    vulnerabilityScanning: z
      .boolean()
      .default(false)
      .describe(
        'Artifact Analysis scans each pushed image for known vulnerabilities (the stack enables containerscanning.googleapis.com); billed per image scanned, so off by default (the repository opts out).',
      ),
  })
  .superRefine(checkImageMode)
  .describe('The image in Artifact Registry (gcp-image stack).');

const hpaSchema = z
  .strictObject({
    minReplicas: count(1).default(2).describe('HPA minimum replicas.'),
    maxReplicas: count(1).default(6).describe('HPA maximum replicas.'),
    cpuTargetPercent: count(1, 100)
      .default(70)
      .describe('Average CPU utilisation (% of request) the HPA keeps.'),
    scaleDownStabilizationSeconds: count(0, 3600).default(300).describe('Scale-down look-back window.'),
  })
  .superRefine((hpa, ctx) => {
    // Refinements run even when a field failed its own check: compare only values that are valid alone.
    if (isCount(hpa.minReplicas, 1) && isCount(hpa.maxReplicas, 1) && hpa.minReplicas > hpa.maxReplicas) {
      ctx.addIssue({
        code: 'custom',
        path: ['minReplicas'],
        params: { effective: hpa.minReplicas },
        message: `<= maxReplicas (${hpa.maxReplicas})`,
      });
    }
  });

const resourcesSchema = z
  .strictObject({
    requests: z
      .strictObject({
        cpu: cpu.default('250m').describe('CPU request (Kubernetes quantity).'),
        memory: memory.default('256Mi').describe('Memory request (Kubernetes quantity).'),
      })
      .prefault({})
      .describe('Container requests (the HPA target is a percentage of the CPU request).'),
    limits: z
      .strictObject({
        cpu: cpu.default('1').describe('CPU limit (Kubernetes quantity).'),
        memory: memory.default('512Mi').describe('Memory limit (Kubernetes quantity).'),
      })
      .prefault({})
      .describe('Container limits.'),
  })
  .superRefine((resources, ctx) => {
    for (const kind of ['cpu', 'memory'] as const) {
      const request = parseQuantity(kind, resources.requests[kind]);
      const limit = parseQuantity(kind, resources.limits[kind]);
      if (request !== undefined && limit !== undefined && request > limit) {
        ctx.addIssue({
          code: 'custom',
          path: ['requests', kind],
          params: { effective: resources.requests[kind] },
          message: `<= limits.${kind} (${resources.limits[kind]})`,
        });
      }
    }
  });

const serviceSchema = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .optional()
      .meta({
        description: `Model served: one of ${BUNDLED_MODELS.join(', ')} unless \`modelDir\` is set.`,
        'x-default': 'the service name',
      }),
    modelDir: z.string().regex(/^\//, { message: 'an absolute path inside the container' }).optional().meta({
      description: 'Model directory inside the container (`MODEL_DIR`).',
      'x-default': 'the bundled models',
    }),
    replicas: count(1)
      .optional()
      .meta({ description: 'Initial replicas (then the HPA decides).', 'x-default': '`hpa.minReplicas`' }),
    hpa: hpaSchema.prefault({}),
    resources: resourcesSchema.prefault({}),
    exposure: z
      .enum(SERVICE_EXPOSURES as [ServiceExposure, ...ServiceExposure[]])
      .default('internal')
      .describe('`internal` ClusterIP, `loadBalancer` internal LB, `publicLoadBalancer` internet-facing LB.'),
    allowedIngressCidrs: z
      .array(cidr)
      .default([])
      .describe('Sources allowed to the serving port (and LB source ranges); empty: any.'),
    awsRoleArn: name(IAM_ROLE, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)').optional().meta({
      description:
        "EKS: IAM role of the pods, through an EKS Pod Identity association the stack creates; the role's trust policy must allow `pods.eks.amazonaws.com` `sts:AssumeRole` and `sts:TagSession`.",
      'x-default': 'none (the server calls no AWS API)',
    }),
    gcpServiceAccount: name(
      GCP_SERVICE_ACCOUNT,
      'a GCP service account email (<name>@<project>.iam.gserviceaccount.com)',
    )
      .optional()
      .meta({
        description:
          "GKE: Google service account of the pods (Workload Identity); the stack binds `roles/iam.workloadIdentityUser` on it for the pods' Kubernetes service account.",
        'x-default': 'none (the server calls no GCP API)',
      }),
    env: z
      .record(
        name(ENV_NAME, 'an environment variable name (A-Z, 0-9, _)').refine(
          (envName) => !(RESERVED_ENV as readonly string[]).includes(envName),
          { message: `a variable the stacks do not set themselves (reserved: ${RESERVED_ENV.join(', ')})` },
        ),
        z.string(),
      )
      .default({})
      .describe('Extra environment variables of the server.'),
    awsCertificateArn: name(
      ACM_CERTIFICATE_ARN,
      'an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)',
    )
      .optional()
      .meta({
        description:
          "EKS: ACM certificate for the service's domain; the load balancer terminates TLS on port 443.",
        'x-default': 'none: plain HTTP on port 80',
      }),
    gcpDomain: name(
      DOMAIN_NAME,
      'a DNS name such as models.example.com (lowercase, no scheme, no trailing dot)',
    )
      .optional()
      .meta({
        description:
          'GKE: domain of the service. With it a Gateway (global external Application Load Balancer) terminates TLS on 443 with a Google-managed certificate for it, in front of a ClusterIP Service; point the DNS name at the `gateway_addresses` output. Needs exposure `publicLoadBalancer`.',
        'x-default': 'none: an L4 load balancer, plain HTTP on port 80',
      }),
    apiKeyVersions: z
      .strictObject({
        a: count(1).default(1).describe('Generation of API key slot a; raise it to replace that key.'),
        b: count(1).default(1).describe('Generation of API key slot b; raise it to replace that key.'),
      })
      .prefault({})
      .describe('Load-balanced services: the two valid API keys (rotate one at a time, see README).'),
  })
  .superRefine((service, ctx) => {
    if (service.awsCertificateArn !== undefined && service.exposure === 'internal') {
      ctx.addIssue({
        code: 'custom',
        path: ['awsCertificateArn'],
        message: 'no certificate for exposure internal (TLS is terminated by a load balancer: set exposure)',
      });
    }
    if (service.gcpDomain !== undefined && service.exposure !== 'publicLoadBalancer') {
      ctx.addIssue({
        code: 'custom',
        path: ['gcpDomain'],
        message: `no domain for exposure ${service.exposure} (set exposure publicLoadBalancer: the stacks make only the global external Gateway; an internal one, gke-l7-rilb, needs a proxy-only subnet and a regional Certificate Manager certificate with DNS authorization)`,
      });
    }
    const { replicas, hpa } = service;
    const boundsValid =
      isCount(hpa.minReplicas, 1) && isCount(hpa.maxReplicas, 1) && hpa.minReplicas <= hpa.maxReplicas;
    if (isCount(replicas, 1) && boundsValid && (replicas < hpa.minReplicas || replicas > hpa.maxReplicas)) {
      ctx.addIssue({
        code: 'custom',
        path: ['replicas'],
        message: `between hpa.minReplicas (${hpa.minReplicas}) and hpa.maxReplicas (${hpa.maxReplicas})`,
      });
    }
  });

/** Instance-mode fields: a serverless endpoint has none of them. */
const SAGEMAKER_INSTANCE_FIELDS = [
  'instanceType',
  'initialInstanceCount',
  'minInstanceCount',
  'maxInstanceCount',
  'targetInvocationsPerInstancePerMinute',
] as const;

const sagemakerSchema = z
  .strictObject({
    endpointName: name(
      SAGEMAKER_ENDPOINT_NAME,
      'a SageMaker endpoint name: 1-63 letters, digits and -, starting and ending with a letter or digit',
    )
      .optional()
      .meta({
        description: 'Endpoint name (also names its log group, alarms and schedule).',
        'x-default': '`<project>-<environment>`',
      }),
    model: name(MODEL_NAME, 'a model name: lowercase letters, digits and _, starting with a letter')
      .default('bankchurn')
      .describe(
        `Model served (\`MODEL_NAME\`, and its metrics' prefix): one of ${BUNDLED_MODELS.join(', ')} unless \`modelDir\` is set.`,
      ),
    modelDir: z.string().min(1, { message: 'a directory path' }).optional().meta({
      description:
        'A bundle directory on the machine that synthesizes (relative to the project root), packed into model.tar.gz.',
      'x-default': '`model-server/models/<model>`',
    }),
    instanceType: name(
      SAGEMAKER_INSTANCE_TYPE,
      'a SageMaker instance type such as ml.t2.medium (ml.<family>.<size>)',
    )
      .optional()
      .meta({
        description: 'Instance type (instance mode).',
        'x-default': `\`${DEFAULT_SAGEMAKER_INSTANCE_TYPE}\``,
      }),
    initialInstanceCount: count(1)
      .optional()
      .meta({ description: 'Instances at creation (instance mode).', 'x-default': '`minInstanceCount`' }),
    minInstanceCount: count(1)
      .optional()
      .meta({
        description: 'Autoscaling minimum (instance mode).',
        'x-default': `\`${DEFAULT_SAGEMAKER_MIN_INSTANCE_COUNT}\``,
      }),
    maxInstanceCount: count(1)
      .optional()
      .meta({
        description: 'Autoscaling maximum (instance mode).',
        'x-default': `\`${DEFAULT_SAGEMAKER_MAX_INSTANCE_COUNT}\``,
      }),
    targetInvocationsPerInstancePerMinute: count(1)
      .optional()
      .meta({
        description: 'Invocations per instance per minute that target tracking keeps (instance mode).',
        'x-default': `\`${DEFAULT_SAGEMAKER_TARGET_INVOCATIONS_PER_INSTANCE_PER_MINUTE}\``,
      }),
    serverless: z
      .strictObject({
        memorySizeInMb: z
          .number()
          .refine((mb) => (SERVERLESS_MEMORY_SIZES_IN_MB as readonly number[]).includes(mb), {
            message: `a memory size in MB (allowed: ${SERVERLESS_MEMORY_SIZES_IN_MB.join(', ')})`,
          })
          .default(2048)
          .describe('Memory of the serverless endpoint, 1024-6144 in steps of 1024.'),
        maxConcurrency: count(1, SERVERLESS_MAX_CONCURRENCY_LIMIT)
          .default(5)
          .describe('Concurrent invocations before SageMaker throttles.'),
      })
      .optional()
      .meta({
        description: 'Serverless mode instead of instances: no instance autoscaling, no per-instance alarms.',
        'x-default': 'instance mode',
      }),
    ttlHours: count(1, 8760).optional().meta({
      description:
        'Delete the endpoint this many hours after it was (re)created, by an EventBridge Scheduler one-time schedule.',
      'x-default': 'no time-to-live',
    }),
    logRetentionInDays: z
      .number()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        message: `a CloudWatch Logs retention (allowed: ${LOG_RETENTION_DAYS.join(', ')})`,
      })
      .default(DEFAULT_SAGEMAKER_LOG_RETENTION_IN_DAYS)
      .describe('Retention of the endpoint log group `/aws/sagemaker/Endpoints/<name>`.'),
    kmsKeyArn: name(KMS_KEY_ARN, 'a KMS key ARN').optional().meta({
      description: 'Customer managed key for the artifact bucket and the instance volumes.',
      'x-default': 'S3-managed keys (SSE-S3) and SageMaker-managed volume keys',
    }),
    logLevel: z.enum(SERVER_LOG_LEVELS).default('info').describe('`LOG_LEVEL` of the server.'),
  })
  .superRefine((sagemaker, ctx) => {
    if (sagemaker.serverless !== undefined) {
      for (const field of SAGEMAKER_INSTANCE_FIELDS) {
        if (sagemaker[field] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message:
              'no instance setting with serverless (a serverless endpoint scales by serverless.maxConcurrency; remove one of the two)',
          });
        }
      }
      return;
    }
    const min = sagemaker.minInstanceCount ?? DEFAULT_SAGEMAKER_MIN_INSTANCE_COUNT;
    const max = sagemaker.maxInstanceCount ?? DEFAULT_SAGEMAKER_MAX_INSTANCE_COUNT;
    if (isCount(min, 1) && isCount(max, 1) && min > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['minInstanceCount'],
        params: { effective: min },
        message: `<= maxInstanceCount (${max})`,
      });
      return;
    }
    const initial = sagemaker.initialInstanceCount;
    if (isCount(initial, 1) && isCount(min, 1) && isCount(max, 1) && (initial < min || initial > max)) {
      ctx.addIssue({
        code: 'custom',
        path: ['initialInstanceCount'],
        message: `between minInstanceCount (${min}) and maxInstanceCount (${max})`,
      });
    }
  })
  .superRefine((sagemaker, ctx) => {
    const { model } = sagemaker;
    if (
      sagemaker.modelDir === undefined &&
      MODEL_NAME.test(model) &&
      !(BUNDLED_MODELS as readonly string[]).includes(model)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: `a bundled model, or set modelDir (allowed: ${BUNDLED_MODELS.join(', ')})`,
      });
    }
  });

const vertexSchema = z
  .strictObject({
    model: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { message: 'a model name: lowercase letters, digits, - and _' })
      .default(DEFAULT_VERTEX_MODEL)
      .describe(
        `Model served (\`MODEL_NAME\`): one of ${BUNDLED_MODELS.join(', ')} unless \`modelDir\` is set.`,
      ),
    modelDir: z.string().min(1).optional().meta({
      description: 'Bundle directory to upload, relative to the project root (e.g. `my-models/churn-v2`).',
      'x-default': '`model-server/models/<model>`',
    }),
    machineType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, { message: 'a Compute Engine machine type such as n1-standard-2' })
      .default(DEFAULT_VERTEX_MACHINE_TYPE)
      .describe('Machine type of each replica.'),
    minReplicas: count(1)
      .default(DEFAULT_VERTEX_MIN_REPLICAS)
      .describe('Replicas always running (Vertex has no scale to zero).'),
    maxReplicas: count(1).default(DEFAULT_VERTEX_MAX_REPLICAS).describe('Autoscaling maximum.'),
    cpuTargetPercent: count(1, 100)
      .default(DEFAULT_VERTEX_CPU_TARGET_PERCENT)
      .describe('CPU utilisation (%) the autoscaler keeps.'),
    dedicatedEndpoint: z
      .boolean()
      .default(false)
      .describe(
        'Dedicated endpoint (its own DNS name, the only place predict works) instead of the shared regional one.',
      ),
    kmsKeyName: name(
      KMS_CRYPTO_KEY,
      'a Cloud KMS key name: projects/<p>/locations/<region>/keyRings/<ring>/cryptoKeys/<key>',
    )
      .optional()
      .meta({
        description: 'CMEK for the endpoint, the model and the bucket.',
        'x-default': 'Google-managed keys',
      }),
    ttlHours: count(1, MAX_VERTEX_TTL_HOURS).optional().meta({
      description: 'Undeploy the model this many hours after each deploy (Cloud Scheduler).',
      'x-default': 'never',
    }),
    endpointId: name(VERTEX_ENDPOINT_ID, 'a numeric endpoint id: 1-10 digits, no leading zero')
      .optional()
      .meta({
        description: 'Numeric endpoint id (name).',
        'x-default': 'derived from the GCP project, region, project and environment',
      }),
    bucketName: name(
      /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/,
      'a bucket name: 3-63 lowercase letters, digits, - and _',
    )
      .optional()
      .meta({
        description: 'Bucket holding the uploaded bundle.',
        'x-default': '`<project>-<environment>-vertex-<hash of gcp.projectId>`',
      }),
    revision: count(1)
      .default(1)
      .describe(
        'Bump to redeploy the same model (e.g. after the TTL undeployed it): `cdktf deploy` then replaces the deployment.',
      ),
    deployTimeoutMinutes: count(5, 180)
      .default(DEFAULT_VERTEX_DEPLOY_TIMEOUT_MINUTES)
      .describe('How long the deploy step waits for each Vertex operation.'),
  })
  .superRefine((vertex, ctx) => {
    if (
      isCount(vertex.minReplicas, 1) &&
      isCount(vertex.maxReplicas, 1) &&
      vertex.minReplicas > vertex.maxReplicas
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['minReplicas'],
        params: { effective: vertex.minReplicas },
        message: `<= maxReplicas (${vertex.maxReplicas})`,
      });
    }
    const dir = vertex.modelDir;
    if (dir !== undefined && (dir.startsWith('/') || /^[A-Za-z]:[\\/]/.test(dir))) {
      ctx.addIssue({
        code: 'custom',
        path: ['modelDir'],
        message: 'a path relative to the project root (an absolute path differs between machines)',
      });
    }
    if (vertex.modelDir === undefined && !(BUNDLED_MODELS as readonly string[]).includes(vertex.model)) {
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: `a bundled model, or set modelDir (allowed: ${BUNDLED_MODELS.join(', ')})`,
      });
    }
  })
  .describe('Vertex AI endpoint (vertex-endpoint stack).');
/** Namespaces Kubernetes, EKS and GKE keep for themselves: a service (namespace = its name) cannot use them. */
export const SYSTEM_NAMESPACES: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'gmp-system',
  'gmp-public',
  'gke-managed-system',
  'amazon-cloudwatch',
];

export const DEFAULT_SERVICES = Object.fromEntries(BUNDLED_MODELS.map((model) => [model, {}]));

export const configSchema = z
  .strictObject({
    project: name(/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/, 'a project name: 2-20 lowercase letters, digits and -')
      .default('model-serving')
      .describe('Project name: tag/label of every resource, prefix of names.'),
    environment: name(
      /^[a-z][a-z0-9-]{0,10}[a-z0-9]$/,
      'an environment name: 2-12 lowercase letters, digits and -',
    )
      .default('demo')
      .describe('Environment name: tag/label of every resource, suffix of names.'),
    stateBackend: stateBackendSchema.prefault({}),
    aws: awsSchema.prefault({}),
    gcp: gcpSchema.prefault({}),
    eks: eksSchema.prefault({}).describe('EKS cluster (eks-cluster stack) and serving on it.'),
    gke: gkeSchema.prefault({}).describe('GKE cluster (gke-cluster stack) and serving on it.'),
    image: z
      .strictObject({ aws: awsImageSchema.prefault({}), gcp: gcpImageSchema.prefault({}) })
      .prefault({}),
    sagemaker: sagemakerSchema
      .prefault({})
      .describe('The SageMaker endpoint (sagemaker-endpoint stack): one model from the aws-image image.'),
    services: z
      .record(
        name(
          DNS_1035,
          'a DNS-1035 label: lowercase letters, digits and -, starting with a letter, at most 63',
        ),
        serviceSchema,
      )
      .superRefine((services, ctx) => {
        // Here, not in the service schema: the model defaults to the service's name, known only at this level.
        for (const [serviceName, service] of Object.entries(services)) {
          const model = service.model ?? serviceName;
          if (service.modelDir === undefined && !(BUNDLED_MODELS as readonly string[]).includes(model)) {
            ctx.addIssue({
              code: 'custom',
              path: [serviceName, 'model'],
              params: { effective: model },
              message: `a bundled model, or set modelDir (allowed: ${BUNDLED_MODELS.join(', ')})`,
            });
          }
        }
      })
      .prefault(DEFAULT_SERVICES)
      .meta({
        description:
          'Services deployed on EKS and GKE, keyed by name (namespace and Kubernetes names). Replaces the default set.',
      }),
    vertex: vertexSchema.prefault({}),
    observability: observabilitySchema,
  })
  .superRefine((config, ctx) => {
    // A service's namespace is its name: it must not take over a namespace Kubernetes or a scraper owns.
    const taken = new Set([
      ...SYSTEM_NAMESPACES,
      ...config.eks.metricsScraperNamespaces,
      ...config.gke.metricsScraperNamespaces,
    ]);
    for (const serviceName of Object.keys(config.services)) {
      if (taken.has(serviceName)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', serviceName],
          message: `a service name that is not a system or scraper namespace (taken: ${[...taken].join(', ')})`,
        });
      }
    }
    const { location } = config.gke;
    const region = config.gcp.region;
    if (location !== undefined && location !== region && !new RegExp(`^${region}-[a-z]$`).test(location)) {
      ctx.addIssue({
        code: 'custom',
        path: ['gke', 'location'],
        message: `gcp.region (${region}) or one of its zones such as ${region}-a`,
      });
    }
  });

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
