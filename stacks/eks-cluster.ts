import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { ProjectStack, type ProjectStackProps } from '../src/common/project-stack';
import { EksCluster, type EksClusterProps } from '../src/constructs/aws/eks-cluster';

export interface EksClusterStackProps extends ProjectStackProps {
  /** AWS region of the cluster, e.g. 'eu-west-1'. */
  readonly region: string;
  /** The AWS provider refuses to run in any other account. @default - any account */
  readonly accountId?: string;
  /** `resourceTags` in here are added to the stack's project, service and environment tags. */
  readonly cluster: EksClusterProps;
}

/**
 * The `eks-cluster` stack: an EKS cluster with its VPC, node group and add-ons. Workloads go in a separate
 * stack (`eks-serving`) that finds the cluster by name.
 */
export class EksClusterStack extends ProjectStack {
  readonly cluster: EksCluster;

  constructor(scope: Construct, id: string, props: EksClusterStackProps) {
    super(scope, id, props);
    new AwsProvider(this, 'aws', {
      region: props.region,
      defaultTags: [{ tags: { ...this.tags } }],
      ...(props.accountId ? { allowedAccountIds: [props.accountId] } : {}),
    });
    this.cluster = new EksCluster(this, 'eks', {
      ...props.cluster,
      resourceTags: { ...this.tags, ...props.cluster.resourceTags },
    });

    new TerraformOutput(this, 'cluster_name', { value: this.cluster.clusterName });
    new TerraformOutput(this, 'cluster_endpoint', { value: this.cluster.clusterEndpoint });
    new TerraformOutput(this, 'region', { value: props.region });
    new TerraformOutput(this, 'kubeconfig_command', {
      description:
        'Adds the cluster to ~/.kube/config (needs the identity that deployed this stack, or one in adminPrincipalArns)',
      value: `aws eks update-kubeconfig --region ${props.region} --name ${this.cluster.clusterName}`,
    });
    new TerraformOutput(this, 'oidc_provider_arn', { value: this.cluster.oidcProviderArn });
  }
}
