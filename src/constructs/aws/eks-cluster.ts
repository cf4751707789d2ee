import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsIamSessionContext } from '@cdktf/provider-aws/lib/data-aws-iam-session-context';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import type { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Annotations, Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { EksAddons } from './eks-addons';
import type { EksAddonName, EksClusterProps } from './eks-cluster-props';
import {
  EKS_UNSUPPORTED_ZONE_IDS,
  resolveEksClusterProps,
  validateEksClusterProps,
} from './eks-cluster-props';
import { EKS_STANDARD_SUPPORT_ENDS, eksVersionStatus } from './eks-versions';
import { ClusterVpc } from './vpc';

export * from './eks-cluster-props';

// Secure node defaults from terraform-aws-modules/eks (launch template) and the EKS best-practices guide.
/** IMDSv2 only: session tokens defeat SSRF-style credential theft through the metadata service. */
const IMDS_HTTP_TOKENS = 'required';
/**
 * Hop limit 1 keeps pods (one network hop further) away from the node role's credentials; pods get their
 * own through IRSA or EKS Pod Identity. Host-network pods (the CNI, kube-proxy) still reach IMDS.
 */
const IMDS_HOP_LIMIT = 1;
/** Root device of the EKS-optimized Amazon Linux 2023 AMI. */
const ROOT_DEVICE_NAME = '/dev/xvda';
const NODE_AMI_TYPE = 'AL2023_x86_64_STANDARD';
/** terraform-aws-modules/eks `update_config = { max_unavailable_percentage = 33 }`. */
const NODE_MAX_UNAVAILABLE_PERCENTAGE = 33;
/** The shortest window KMS allows, so a destroyed demo does not keep a billed key for 30 days. */
const KMS_DELETION_WINDOW_IN_DAYS = 7;
/** Audience of the tokens EKS projects for IRSA. */
const IRSA_AUDIENCE = 'sts.amazonaws.com';
/** What the node group launches from the template: the nodes and their root volumes. */
const NODE_TAGGED_RESOURCE_TYPES = ['instance', 'volume'];
/**
 * The node role pulls images (PullOnly: no repository listing or describing, unlike ReadOnly) and joins
 * the cluster; the CNI's own rights (AmazonEKS_CNI_Policy) belong to the aws-node service account (IRSA),
 * not to every pod-reachable node identity (EKS best-practices guide, "Use IRSA for the CNI").
 */
export const EKS_NODE_POLICIES: readonly string[] = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEC2ContainerRegistryPullOnly',
];
/** Managed policy of the VPC CNI, attached to the aws-node service account's IRSA role. */
export const EKS_CNI_POLICY = 'AmazonEKS_CNI_Policy';

/**
 * An EKS cluster as terraform-aws-modules/eks builds it by default, from provider resources: its own VPC,
 * API-only authentication with access entries, secrets encrypted with a rotating KMS key, control-plane
 * logs kept for a set time, a managed node group on IMDSv2-only nodes in private subnets, the core add-ons
 * plus metrics-server, and an IAM OIDC provider for IRSA. Needs an `AwsProvider` in the stack.
 */
export class EksCluster extends Construct {
  /** The cluster's name (the literal from props, so using it elsewhere creates no cross-stack reference). */
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  readonly clusterArn: string;
  readonly clusterSecurityGroupId: string;
  /** Base64 PEM of the cluster's certificate authority. */
  readonly clusterCertificateAuthorityData: string;
  /** e.g. `https://oidc.eks.eu-west-1.amazonaws.com/id/ABC…` */
  readonly oidcIssuerUrl: string;
  readonly oidcProviderArn: string;
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
  readonly publicSubnetIds: string[];
  readonly nodeGroup: EksNodeGroup;
  readonly nodeRoleArn: string;
  /** IRSA role of the VPC CNI (`kube-system/aws-node`). */
  readonly cniRoleArn: string;
  readonly kmsKeyArn: string;
  readonly logGroupName: string;
  readonly addons: Readonly<Partial<Record<EksAddonName, EksAddon>>>;
  readonly cluster: EksClusterResource;

  private readonly partition: DataAwsPartition;
  private readonly oidcProvider: IamOpenidConnectProvider;
  private readonly trustPolicies = new Map<string, string>();

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const p = resolveEksClusterProps(props);
    validateEksClusterProps(id, p);
    const name = p.clusterName;
    this.clusterName = name;
    this.warnAboutSupport(p.kubernetesVersion, p.supportType, p.today);
    this.partition = new DataAwsPartition(this, 'partition');
    const managedPolicy = (policy: string) => `arn:${this.partition.partition}:iam::aws:policy/${policy}`;

    const network = new ClusterVpc(this, 'network', {
      name,
      clusterName: name,
      cidr: p.vpcCidr,
      azCount: p.azCount,
      availabilityZones: p.availabilityZones,
      excludeZoneIds: EKS_UNSUPPORTED_ZONE_IDS,
      singleNatGateway: p.singleNatGateway,
    });
    this.vpcId = network.vpcId;
    this.privateSubnetIds = network.privateSubnetIds;
    this.publicSubnetIds = network.publicSubnetIds;

    // Control plane ---------------------------------------------------------------------------------
    const clusterRole = new IamRole(this, 'cluster-role', {
      namePrefix: `${name.slice(0, 29)}-cluster-`,
      description: `EKS control plane of ${name}`,
      assumeRolePolicy: this.servicePrincipalTrust('cluster-role-trust', 'eks.amazonaws.com', [
        'sts:AssumeRole',
        // terraform-aws-modules/eks allows session tags for the control plane (needed by EKS Auto Mode).
        'sts:TagSession',
      ]),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, 'cluster-role-AmazonEKSClusterPolicy', {
      role: clusterRole.name,
      policyArn: managedPolicy('AmazonEKSClusterPolicy'),
    });

    const key = new KmsKey(this, 'secrets-key', {
      description: `Encrypts Kubernetes secrets of EKS cluster ${name}`,
      enableKeyRotation: true,
      deletionWindowInDays: KMS_DELETION_WINDOW_IN_DAYS,
    });
    new KmsAlias(this, 'secrets-key-alias', { name: `alias/eks/${name}`, targetKeyId: key.keyId });
    this.kmsKeyArn = key.arn;
    // The default key policy delegates to IAM, so an identity policy on the cluster role is enough.
    const keyUse = new IamRolePolicy(this, 'cluster-role-secrets-key', {
      role: clusterRole.name,
      name: 'secrets-encryption',
      policy: new DataAwsIamPolicyDocument(this, 'cluster-role-secrets-key-policy', {
        statement: [
          {
            actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
            resources: [key.arn],
          },
        ],
      }).json,
    });

    // EKS creates this group on its own, without retention, unless it exists before the cluster.
    const logGroup = new CloudwatchLogGroup(this, 'control-plane-logs', {
      name: `/aws/eks/${name}/cluster`,
      retentionInDays: p.logRetentionInDays,
    });
    this.logGroupName = logGroup.name;

    this.cluster = new EksClusterResource(this, 'cluster', {
      name,
      version: p.kubernetesVersion,
      roleArn: clusterRole.arn,
      upgradePolicy: { supportType: p.supportType },
      vpcConfig: {
        subnetIds: network.privateSubnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: p.endpointPublicAccess,
        publicAccessCidrs: p.endpointPublicAccess ? p.publicAccessCidrs : undefined,
      },
      accessConfig: {
        authenticationMode: 'API',
        // The creator gets an explicit, visible access entry below instead (clusterCreatorAdmin): an
        // implicit one cannot be removed by Terraform and changing this flag replaces the cluster.
        bootstrapClusterCreatorAdminPermissions: false,
      },
      // The managed add-ons below replace the self-managed copies EKS would otherwise install.
      bootstrapSelfManagedAddons: false,
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: key.arn } },
      enabledClusterLogTypes: p.controlPlaneLogTypes,
      // The role's policies must outlive the cluster on destroy, or EKS cannot clean up its ENIs.
      dependsOn: [logGroup, clusterPolicy, keyUse],
    });
    this.clusterEndpoint = this.cluster.endpoint;
    this.clusterArn = this.cluster.arn;
    this.clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;
    this.clusterCertificateAuthorityData = this.cluster.certificateAuthority.get(0).data;
    this.oidcIssuerUrl = this.cluster.identity.get(0).oidc.get(0).issuer;

    this.oidcProvider = new IamOpenidConnectProvider(this, 'oidc-provider', {
      url: this.oidcIssuerUrl,
      clientIdList: [IRSA_AUDIENCE],
      // No thumbprintList: optional since hashicorp/aws 5.81 (terraform-provider-aws#37255); IAM then gets
      // the issuer's thumbprint itself and verifies EKS's issuer against its library of trusted root CAs.
    });
    this.oidcProviderArn = this.oidcProvider.arn;

    if (p.clusterCreatorAdmin) {
      // An assumed-role session cannot be an access entry: the session context gives the role's ARN.
      const caller = new DataAwsCallerIdentity(this, 'caller');
      const session = new DataAwsIamSessionContext(this, 'caller-session', { arn: caller.arn });
      this.addClusterAdmin('cluster-creator', session.issuerArn);
    }
    p.adminPrincipalArns.forEach((principalArn, i) => {
      // Keyed by the ARN so adding or removing one admin leaves the others in place.
      const key = Token.isUnresolved(principalArn)
        ? `admin-${i}`
        : `admin-${principalArn.replace(/[^A-Za-z0-9]+/g, '-')}`;
      this.addClusterAdmin(key, principalArn);
    });

    // Nodes -----------------------------------------------------------------------------------------
    const nodeRole = new IamRole(this, 'node-role', {
      namePrefix: `${name.slice(0, 32)}-node-`,
      description: `EKS managed nodes of ${name}`,
      assumeRolePolicy: this.servicePrincipalTrust('node-role-trust', 'ec2.amazonaws.com', [
        'sts:AssumeRole',
      ]),
    });
    this.nodeRoleArn = nodeRole.arn;
    const nodePolicies = EKS_NODE_POLICIES.map(
      (policy) =>
        new IamRolePolicyAttachment(this, `node-role-${policy}`, {
          role: nodeRole.name,
          policyArn: managedPolicy(policy),
        }),
    );

    const launchTemplate = new LaunchTemplate(this, 'node-launch-template', {
      namePrefix: `${name.slice(0, 32)}-node-`,
      description: `Nodes of EKS cluster ${name}`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: IMDS_HTTP_TOKENS,
        httpPutResponseHopLimit: IMDS_HOP_LIMIT,
      },
      blockDeviceMappings: [
        {
          deviceName: ROOT_DEVICE_NAME,
          ebs: {
            volumeSize: p.nodeDiskSizeInGb,
            volumeType: 'gp3',
            encrypted: 'true',
            deleteOnTermination: 'true',
          },
        },
      ],
      // Instances and volumes launched by the node group get no provider default_tags: tag them here.
      ...(Object.keys(p.resourceTags).length > 0
        ? {
            tagSpecifications: NODE_TAGGED_RESOURCE_TYPES.map((resourceType) => ({
              resourceType,
              tags: { ...p.resourceTags },
            })),
          }
        : {}),
    });

    const cniRole = new IamRole(this, 'cni-role', {
      namePrefix: `${name.slice(0, 33)}-cni-`,
      description: `VPC CNI (kube-system/aws-node) of EKS cluster ${name}`,
      assumeRolePolicy: this.serviceAccountTrustPolicy('kube-system', 'aws-node'),
    });
    const cniPolicy = new IamRolePolicyAttachment(this, `cni-role-${EKS_CNI_POLICY}`, {
      role: cniRole.name,
      policyArn: managedPolicy(EKS_CNI_POLICY),
    });
    this.cniRoleArn = cniRole.arn;

    const addons = new EksAddons(this, {
      clusterName: this.cluster.name,
      versions: p.addonVersions,
      serviceAccountRoleArns: { 'vpc-cni': cniRole.arn },
      dependsOn: { 'vpc-cni': [cniPolicy] },
    });
    const beforeNodes = addons.beforeNodes();

    this.nodeGroup = new EksNodeGroup(this, 'nodes', {
      clusterName: this.cluster.name,
      // 31 + '-node-' = 37, the longest prefix a node group name takes.
      nodeGroupNamePrefix: `${name.slice(0, 31)}-node-`,
      nodeRoleArn: nodeRole.arn,
      subnetIds: network.privateSubnetIds,
      amiType: NODE_AMI_TYPE,
      capacityType: p.capacityType,
      instanceTypes: p.nodeInstanceTypes,
      scalingConfig: { minSize: p.nodeMinSize, desiredSize: p.nodeDesiredSize, maxSize: p.nodeMaxSize },
      updateConfig: { maxUnavailablePercentage: NODE_MAX_UNAVAILABLE_PERCENTAGE },
      launchTemplate: { id: launchTemplate.id, version: Token.asString(launchTemplate.latestVersion) },
      // Nodes pull images through NAT and need the CNI running to become Ready.
      dependsOn: [...nodePolicies, ...network.natGateways, ...beforeNodes],
      lifecycle: {
        // No autoscaler runs: the configured size is the size, so drift on it is corrected by a deploy.
        // A new launch template version or instance type replaces the group: keep serving meanwhile.
        createBeforeDestroy: true,
      },
    });
    addons.afterNodes(this.nodeGroup);
    this.addons = addons.addons;
  }

  /**
   * Trust policy (JSON) that lets the Kubernetes service account `namespace/serviceAccount` assume an IAM
   * role through IRSA. Use it as an `IamRole`'s `assumeRolePolicy` and annotate the service account with
   * `eks.amazonaws.com/role-arn`.
   */
  serviceAccountTrustPolicy(namespace: string, serviceAccount: string): string {
    const cacheKey = `${namespace}:${serviceAccount}`;
    let policy = this.trustPolicies.get(cacheKey);
    if (policy === undefined) {
      const issuer = Fn.replace(this.oidcIssuerUrl, 'https://', '');
      policy = new DataAwsIamPolicyDocument(this, `irsa-trust-${namespace}-${serviceAccount}`, {
        statement: [
          {
            actions: ['sts:AssumeRoleWithWebIdentity'],
            principals: [{ type: 'Federated', identifiers: [this.oidcProviderArn] }],
            condition: [
              {
                test: 'StringEquals',
                variable: `${issuer}:sub`,
                values: [`system:serviceaccount:${namespace}:${serviceAccount}`],
              },
              { test: 'StringEquals', variable: `${issuer}:aud`, values: [IRSA_AUDIENCE] },
            ],
          },
        ],
      }).json;
      this.trustPolicies.set(cacheKey, policy);
    }
    return policy;
  }

  /** Cluster-admin through an access entry and `AmazonEKSClusterAdminPolicy`. */
  private addClusterAdmin(key: string, principalArn: string): void {
    const entry = new EksAccessEntry(this, key, {
      clusterName: this.cluster.name,
      principalArn,
      type: 'STANDARD',
    });
    new EksAccessPolicyAssociation(this, `${key}-cluster-admin`, {
      clusterName: this.cluster.name,
      principalArn,
      policyArn: `arn:${this.partition.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
      accessScope: { type: 'cluster' },
      dependsOn: [entry],
    });
  }

  /** Refusal past the date is a props problem; this warns ahead of it, or when the table lacks the version. */
  private warnAboutSupport(version: string, supportType: string, today: Date): void {
    if (Token.isUnresolved(version)) return;
    const status = eksVersionStatus(version, today);
    if (status.kind === 'ending') {
      Annotations.of(this).addWarning(
        `kubernetesVersion '${version}' leaves EKS standard support on ${status.endsOn} (${status.daysLeft === 1 ? '1 day' : `${status.daysLeft} days`} left): ${supportType === 'STANDARD' ? 'EKS then upgrades the cluster by itself' : 'extended support then bills six times the hourly rate'}; move to a newer version before then.`,
      );
    } else if (status.kind === 'unknown' && /^1\.\d+$/.test(version)) {
      Annotations.of(this).addWarning(
        `kubernetesVersion '${version}' is not in the support table (${Object.keys(EKS_STANDARD_SUPPORT_ENDS).join(', ')}): its end of standard support is not checked.`,
      );
    }
  }

  private servicePrincipalTrust(id: string, service: string, actions: string[]): string {
    return new DataAwsIamPolicyDocument(this, id, {
      statement: [
        {
          actions,
          principals: [{ type: 'Service', identifiers: [service] }],
        },
      ],
    }).json;
  }
}
