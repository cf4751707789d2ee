import { z } from 'zod';
import {
  DEFAULT_EKS_CAPACITY_TYPE,
  DEFAULT_EKS_ENDPOINT_PUBLIC_ACCESS,
  DEFAULT_EKS_LOG_RETENTION_IN_DAYS,
  DEFAULT_EKS_NODE_DESIRED_SIZE,
  DEFAULT_EKS_NODE_DISK_SIZE_IN_GB,
  DEFAULT_EKS_NODE_INSTANCE_TYPES,
  DEFAULT_EKS_NODE_MAX_SIZE,
  DEFAULT_EKS_NODE_MIN_SIZE,
  DEFAULT_EKS_PUBLIC_ACCESS_CIDRS,
  DEFAULT_EKS_VERSION,
  DEFAULT_EKS_VPC_CIDR,
} from '../constructs/aws/eks-cluster-props';
import { DIGEST_PINNED_IMAGE } from '../constructs/docker/image-reference';
import {
  DEFAULT_GKE_DELETION_PROTECTION,
  DEFAULT_GKE_DISK_SIZE_IN_GB,
  DEFAULT_GKE_MACHINE_TYPE,
  DEFAULT_GKE_NODE_MAX_COUNT_PER_ZONE,
  DEFAULT_GKE_NODE_MIN_COUNT_PER_ZONE,
  DEFAULT_GKE_RELEASE_CHANNEL,
} from '../constructs/gcp/gke-cluster-props';
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
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/[\w/-]+$/;
const GCP_SERVICE_ACCOUNT =
  /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;
const ECR_REPOSITORY = /^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

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
    .describe('IAM roles/users given cluster-admin on EKS (access entries). List yours to use kubectl.'),
});

const gcpSchema = z.strictObject({
  projectId: name(GCP_PROJECT_ID, 'a GCP project id: 6-30 lowercase letters, digits and -')
    .default('model-serving-demo')
    .describe('GCP project of every Google resource.'),
  region: name(GCP_REGION, 'a GCP region such as us-central1').default('us-central1').describe('GCP region.'),
});

const eksSchema = z
  .strictObject({
    clusterName: name(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'an EKS cluster name: letters, digits, - and _')
      .optional()
      .meta({ description: 'EKS cluster name.', 'x-default': '`<project>-<environment>`' }),
    kubernetesVersion: name(/^1\.\d+$/, 'a Kubernetes minor version such as 1.33')
      .default(DEFAULT_EKS_VERSION)
      .describe('Kubernetes version of the control plane and nodes.'),
    vpcCidr: cidr.default(DEFAULT_EKS_VPC_CIDR).describe('CIDR block of the cluster VPC (/16 to /20).'),
    nodeInstanceTypes: z
      .array(z.string().min(1))
      .min(1, { message: 'at least one instance type' })
      .default([...DEFAULT_EKS_NODE_INSTANCE_TYPES])
      .describe('Instance types of the managed node group.'),
    nodeMinSize: count(0).default(DEFAULT_EKS_NODE_MIN_SIZE).describe('Node group minimum size.'),
    nodeDesiredSize: count(0).default(DEFAULT_EKS_NODE_DESIRED_SIZE).describe('Node group initial size.'),
    nodeMaxSize: count(1).default(DEFAULT_EKS_NODE_MAX_SIZE).describe('Node group maximum size.'),
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
      description: "EKS: IRSA role of the pods' service account.",
      'x-default': 'none (the server calls no AWS API)',
    }),
    gcpServiceAccount: name(
      GCP_SERVICE_ACCOUNT,
      'a GCP service account email (<name>@<project>.iam.gserviceaccount.com)',
    )
      .optional()
      .meta({
        description: 'GKE: Workload Identity service account.',
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
  })
  .superRefine((config, ctx) => {
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
