import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Fn, TerraformOutput, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { ProjectStack, type ProjectStackProps } from '../src/common/project-stack';
import type { ServiceConfig } from '../src/config/resolve';
import { checkEksNodeCapacity, type EksNodeCapacity } from '../src/constructs/aws/eks-capacity-check';
import { EksManagedPrometheus } from '../src/constructs/aws/eks-managed-prometheus';
import {
  EKS_LOAD_BALANCER_ANNOTATIONS,
  eksTlsAnnotations,
  TLS_SERVICE_PORT,
} from '../src/constructs/k8s/load-balancer-annotations';
import { loadBalancerHostname, type ModelServingService } from '../src/constructs/k8s/model-serving-service';
import type { PrometheusRuleFile } from '../src/observability/prometheus-rules';
import { addApiKeyAccess, addServingServices, deploymentWaitsFor } from './serving-services';

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
  /**
   * The cluster's node group: synth refuses services whose HPA maxima cannot fit on it (nothing scales
   * the nodes).
   * @default - not checked
   */
  readonly nodeCapacity?: EksNodeCapacity;
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
 * Kubernetes client authentication: a fresh token from `aws eks get-token` whenever the provider needs
 * one. A token read at plan time (`aws_eks_cluster_auth`) expires after 15 minutes, which an approval
 * prompt and three rollouts outlast.
 */
export function eksExecAuth(clusterName: string, region: string) {
  return {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: 'aws',
    args: ['eks', 'get-token', '--cluster-name', clusterName, '--region', region, '--output', 'json'],
  };
}

/**
 * The `eks-serving` stack: the model services on the EKS cluster. The Kubernetes provider is configured
 * from a data source on the cluster's name (endpoint, CA) and `aws eks get-token`, never from values passed
 * between stacks. A service's `awsRoleArn` gets an EKS Pod Identity association for its service account.
 */
export class EksServingStack extends ProjectStack {
  readonly services: Readonly<Record<string, ModelServingService>>;
  readonly managedPrometheus?: EksManagedPrometheus;

  constructor(scope: Construct, id: string, props: EksServingStackProps) {
    super(scope, id, props);
    if (props.nodeCapacity) checkEksNodeCapacity(this, props.services, props.nodeCapacity);
    for (const stack of props.dependsOn ?? []) this.addDependency(stack);
    new AwsProvider(this, 'aws', {
      region: props.region,
      defaultTags: [{ tags: { ...this.tags } }],
      ...(props.accountId ? { allowedAccountIds: [props.accountId] } : {}),
    });
    const cluster = new DataAwsEksCluster(this, 'cluster', { name: props.clusterName });
    new KubernetesProvider(this, 'kubernetes', {
      host: cluster.endpoint,
      clusterCaCertificate: Fn.base64decode(cluster.certificateAuthority.get(0).data),
      exec: [eksExecAuth(props.clusterName, props.region)],
    });

    this.services = addServingServices(this, {
      image: props.image,
      services: props.services,
      loadBalancerAnnotations: EKS_LOAD_BALANCER_ANNOTATIONS,
      metricsScraperNamespaces: props.metricsScraperNamespaces ?? ['monitoring'],
      // No PodMonitoring CRD on EKS: a Prometheus in the scraper namespace follows the pod annotations.
      podMonitoring: false,
      tls: (service) =>
        service.awsCertificateArn
          ? {
              port: TLS_SERVICE_PORT,
              annotations: eksTlsAnnotations(service.awsCertificateArn, TLS_SERVICE_PORT),
            }
          : undefined,
      // Pod Identity needs no annotation: the association below names the service account.
      serviceAccountAnnotations: (): Record<string, string> => ({}),
      project: this.tags.project!,
      labels: this.tags,
    });
    for (const [name, service] of Object.entries(props.services)) {
      if (!service.awsRoleArn) continue;
      const served = this.services[name]!;
      const association = new EksPodIdentityAssociation(this, `${name}-pod-identity`, {
        clusterName: props.clusterName,
        namespace: served.namespaceName,
        serviceAccount: served.serviceName,
        roleArn: service.awsRoleArn,
      });
      // Pods get credentials only if the association exists when they start.
      deploymentWaitsFor(served, [association]);
    }

    addApiKeyAccess(this, this.services);

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

    const services = Object.entries(this.services);
    new TerraformOutput(this, 'service_urls', {
      description: 'In-cluster URL of each service',
      value: Object.fromEntries(services.map(([name, service]) => [name, service.url])),
    });
    new TerraformOutput(this, 'kubeconfig_command', {
      description: 'Adds the cluster to ~/.kube/config (needs an identity with an access entry)',
      value: `aws eks update-kubeconfig --region ${props.region} --name ${props.clusterName}`,
    });
    new TerraformOutput(this, 'port_forward_commands', {
      description: 'Forwards localhost:8080 to each service (then: curl localhost:8080/v1/models)',
      value: Object.fromEntries(services.map(([name, service]) => [name, service.portForwardCommand])),
    });
    const balanced = services.filter(([, service]) => service.loadBalanced);
    if (balanced.length > 0) {
      new TerraformOutput(this, 'load_balancer_addresses', {
        description: 'DNS name of the Network Load Balancer of each load-balanced service (port 80)',
        value: Object.fromEntries(balanced.map(([name, service]) => [name, loadBalancerHostname(service)])),
      });
    }
  }
}
