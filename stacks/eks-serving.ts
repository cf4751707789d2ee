import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { DataAwsEksClusterAuth } from '@cdktf/provider-aws/lib/data-aws-eks-cluster-auth';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Fn, TerraformOutput, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { ProjectStack, type ProjectStackProps } from '../src/common/project-stack';
import type { ServiceConfig } from '../src/config/resolve';
import { EksManagedPrometheus } from '../src/constructs/aws/eks-managed-prometheus';
import { EKS_LOAD_BALANCER_ANNOTATIONS } from '../src/constructs/k8s/load-balancer-annotations';
import type { ModelServingService } from '../src/constructs/k8s/model-serving-service';
import type { PrometheusRuleFile } from '../src/observability/prometheus-rules';
import { addServingServices } from './serving-services';

export interface EksServingStackProps extends ProjectStackProps {
  readonly region: string;
  /** The AWS provider refuses to run in any other account. @default - any account */
  readonly accountId?: string;
  /** Name of the EKS cluster (made by the `eks-cluster` stack); the Kubernetes provider looks it up. */
  readonly clusterName: string;
  /** The serving image, pinned by digest (`AwsImageStack.imageUri` or a prebuilt URI). */
  readonly image: string;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /** @default ['monitoring'] */
  readonly metricsScraperNamespaces?: readonly string[];
  /** Stacks deployed before this one (the cluster and image stacks): declared for the CLI's manifest. @default [] */
  readonly dependsOn?: readonly TerraformStack[];
  /**
   * Amazon Managed Prometheus with a managed scraper, the rules and an alert manager to SNS (billed per hour
   * and per sample, so off unless given).
   * @default - none
   */
  readonly managedPrometheus?: {
    readonly rules: PrometheusRuleFile;
    readonly notificationEmails: readonly string[];
  };
}

/**
 * The `eks-serving` stack: the model services on the EKS cluster. The Kubernetes provider is configured
 * from data sources on the cluster's name (endpoint, CA, a token from `aws_eks_cluster_auth`) read at plan
 * time, never from values passed between stacks. No IRSA role is made: the server calls no AWS API; a
 * service's `awsRoleArn` only annotates its service account.
 */
export class EksServingStack extends ProjectStack {
  readonly services: Readonly<Record<string, ModelServingService>>;
  readonly managedPrometheus?: EksManagedPrometheus;

  constructor(scope: Construct, id: string, props: EksServingStackProps) {
    super(scope, id, props);
    for (const stack of props.dependsOn ?? []) this.addDependency(stack);
    new AwsProvider(this, 'aws', {
      region: props.region,
      defaultTags: [{ tags: { ...this.tags } }],
      ...(props.accountId ? { allowedAccountIds: [props.accountId] } : {}),
    });
    const cluster = new DataAwsEksCluster(this, 'cluster', { name: props.clusterName });
    const auth = new DataAwsEksClusterAuth(this, 'cluster-auth', { name: props.clusterName });
    new KubernetesProvider(this, 'kubernetes', {
      host: cluster.endpoint,
      clusterCaCertificate: Fn.base64decode(cluster.certificateAuthority.get(0).data),
      token: auth.token,
    });

    this.services = addServingServices(this, {
      image: props.image,
      services: props.services,
      loadBalancerAnnotations: EKS_LOAD_BALANCER_ANNOTATIONS,
      metricsScraperNamespaces: props.metricsScraperNamespaces ?? ['monitoring'],
      // No PodMonitoring CRD on EKS: a Prometheus in the scraper namespace follows the pod annotations.
      podMonitoring: false,
      serviceAccountAnnotations: (service): Record<string, string> =>
        service.awsRoleArn ? { 'eks.amazonaws.com/role-arn': service.awsRoleArn } : {},
      project: this.tags.project!,
      labels: this.tags,
    });
    if (props.managedPrometheus) {
      const vpcConfig = cluster.vpcConfig.get(0);
      this.managedPrometheus = new EksManagedPrometheus(this, 'prometheus', {
        ...props.managedPrometheus,
        clusterName: props.clusterName,
        clusterArn: cluster.arn,
        subnetIds: vpcConfig.subnetIds,
        securityGroupIds: [vpcConfig.clusterSecurityGroupId],
        vpcCidr: new DataAwsVpc(this, 'vpc', { id: vpcConfig.vpcId }).cidrBlock,
        region: props.region,
        labels: this.tags,
        services: Object.values(this.services).map((s) => ({
          namespace: s.namespaceName,
          selectorLabels: s.selectorLabels,
        })),
      });
      new TerraformOutput(this, 'prometheus_workspace_endpoint', {
        description: 'Query endpoint of the Managed Prometheus workspace (a Grafana data source with SigV4)',
        value: this.managedPrometheus.workspace.prometheusEndpoint,
      });
    }
    new TerraformOutput(this, 'service_urls', {
      description: 'In-cluster URL of each service',
      value: Object.fromEntries(Object.entries(this.services).map(([name, service]) => [name, service.url])),
    });
  }
}
