import { ArtifactRegistryRepositoryIamMember } from '@cdktf/provider-google/lib/artifact-registry-repository-iam-member';
import { DataGoogleContainerCluster } from '@cdktf/provider-google/lib/data-google-container-cluster';
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Fn, TerraformOutput, type TerraformResource, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { guardedGcpProjectId } from '../src/common/gcp-project-guard';
import { ProjectStack, type ProjectStackProps } from '../src/common/project-stack';
import type { ServiceConfig } from '../src/config/resolve';
import { gkeNodeServiceAccountId } from '../src/constructs/gcp/gke-cluster';
import {
  GkeServingMonitoring,
  type GkeServingMonitoringProps,
} from '../src/constructs/gcp/gke-serving-monitoring';
import {
  GATEWAY_BACKEND_KEEP_ALIVE_SECONDS,
  GkeTlsGateway,
  GOOGLE_FRONT_END_CIDRS,
} from '../src/constructs/gcp/gke-tls-gateway';
import { GKE_LOAD_BALANCER_ANNOTATIONS } from '../src/constructs/k8s/load-balancer-annotations';
import {
  loadBalancerIp,
  type ModelServingService,
  SERVING_PORT,
} from '../src/constructs/k8s/model-serving-service';
import { gkeCredentialsCommand } from './gke-cluster';
import { addApiKeyAccess, addServingServices, deploymentWaitsFor } from './serving-services';

export interface GkeServingStackProps extends ProjectStackProps {
  readonly gcpProjectId: string;
  readonly region: string;
  /** Name of the GKE cluster (made by the `gke-cluster` stack); the Kubernetes provider looks it up. */
  readonly clusterName: string;
  /** Region or zone of the cluster. @default - the region */
  readonly clusterLocation?: string;
  /** The serving image, pinned by digest (`GcpImageStack.imageUri` or a prebuilt URI). */
  readonly image: string;
  /**
   * Artifact Registry repository (in `region`) of the image: the cluster's node service account gets
   * `roles/artifactregistry.reader` on it, and on nothing else.
   * @default - no grant (an image outside Artifact Registry, or a grant made elsewhere)
   */
  readonly imageRepositoryId?: string;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /** @default ['gmp-system'] (GKE Managed Prometheus collectors) */
  readonly metricsScraperNamespaces?: readonly string[];
  /** Stacks deployed before this one (the cluster and image stacks): declared for the CLI's manifest. @default [] */
  readonly dependsOn?: readonly TerraformStack[];
  /**
   * Cloud Monitoring alert policies and dashboards over Managed Prometheus (the `observability` section).
   * @default - none
   */
  readonly monitoring?: Pick<
    GkeServingMonitoringProps,
    'rules' | 'alertPolicies' | 'dashboard' | 'notificationEmails'
  >;
}

/**
 * Kubernetes client authentication through `gke-gcloud-auth-plugin`, which refreshes the token whenever
 * it expires; `google_client_config`'s access token lasts about an hour and cannot be refreshed.
 */
export const GKE_EXEC_AUTH = {
  apiVersion: 'client.authentication.k8s.io/v1beta1',
  command: 'gke-gcloud-auth-plugin',
};

/** Workload Identity member of a Kubernetes service account. */
export function workloadIdentityMember(projectId: string, namespace: string, serviceAccount: string): string {
  return `serviceAccount:${projectId}.svc.id.goog[${namespace}/${serviceAccount}]`;
}

/**
 * The `gke-serving` stack: the model services on the GKE cluster. The Kubernetes provider is configured
 * from a data source on the cluster's name (endpoint, CA) and `gke-gcloud-auth-plugin`, never from values
 * passed between stacks. A service's `gcpServiceAccount` gets the Workload Identity annotation and the
 * `roles/iam.workloadIdentityUser` binding that lets the Kubernetes service account act as it.
 */
export class GkeServingStack extends ProjectStack {
  readonly services: Readonly<Record<string, ModelServingService>>;
  readonly monitoring?: GkeServingMonitoring;
  /** The TLS Gateway of each service that has a `gcpDomain`, by service name. */
  readonly gateways: Readonly<Record<string, GkeTlsGateway>>;

  constructor(scope: Construct, id: string, props: GkeServingStackProps) {
    super(scope, id, props);
    for (const stack of props.dependsOn ?? []) this.addDependency(stack);
    new GoogleProvider(this, 'google', {
      project: guardedGcpProjectId(this, props.gcpProjectId),
      region: props.region,
      defaultLabels: { ...this.tags },
    });
    const location = props.clusterLocation ?? props.region;
    const cluster = new DataGoogleContainerCluster(this, 'cluster', { name: props.clusterName, location });
    new KubernetesProvider(this, 'kubernetes', {
      host: `https://${cluster.endpoint}`,
      clusterCaCertificate: Fn.base64decode(cluster.masterAuth.get(0).clusterCaCertificate),
      exec: [GKE_EXEC_AUTH],
    });

    const imagePull = props.imageRepositoryId
      ? new ArtifactRegistryRepositoryIamMember(this, 'node-image-pull', {
          project: props.gcpProjectId,
          location: props.region,
          repository: props.imageRepositoryId,
          role: 'roles/artifactregistry.reader',
          member: `serviceAccount:${gkeNodeServiceAccountId(props.clusterName)}@${props.gcpProjectId}.iam.gserviceaccount.com`,
        })
      : undefined;

    this.services = addServingServices(this, {
      image: props.image,
      services: props.services,
      loadBalancerAnnotations: GKE_LOAD_BALANCER_ANNOTATIONS,
      metricsScraperNamespaces: props.metricsScraperNamespaces ?? ['gmp-system'],
      // The cluster runs managed collection (gke-cluster enables it), which scrapes only what a PodMonitoring names.
      podMonitoring: true,
      gatewayBackend: (service) =>
        service.gcpDomain
          ? {
              proxySourceCidrs: GOOGLE_FRONT_END_CIDRS,
              keepAliveTimeoutSeconds: GATEWAY_BACKEND_KEEP_ALIVE_SECONDS,
            }
          : undefined,
      serviceAccountAnnotations: (service): Record<string, string> =>
        service.gcpServiceAccount ? { 'iam.gke.io/gcp-service-account': service.gcpServiceAccount } : {},
      project: this.tags.project!,
      labels: this.tags,
    });
    for (const [name, service] of Object.entries(this.services)) {
      const dependsOn: TerraformResource[] = imagePull ? [imagePull] : [];
      const account = props.services[name]!.gcpServiceAccount;
      if (account) {
        const binding = new ServiceAccountIamMember(this, `${name}-workload-identity`, {
          serviceAccountId: `projects/${account.split('@')[1]!.split('.')[0]}/serviceAccounts/${account}`,
          role: 'roles/iam.workloadIdentityUser',
          member: workloadIdentityMember(props.gcpProjectId, service.namespaceName, service.serviceName),
        });
        dependsOn.push(binding);
      }
      // Pods start only once they can pull the image and, if they have one, act as their Google account.
      deploymentWaitsFor(service, dependsOn);
    }

    addApiKeyAccess(this, this.services);

    const gateways: Record<string, GkeTlsGateway> = {};
    const certificateManagerApi = Object.values(props.services).some((s) => s.gcpDomain)
      ? new ProjectService(this, 'api-certificatemanager', {
          project: props.gcpProjectId,
          service: 'certificatemanager.googleapis.com',
          // Other stacks of the project may use it too.
          disableOnDestroy: false,
          disableDependentServices: false,
        })
      : undefined;
    for (const [name, service] of Object.entries(this.services)) {
      const domain = props.services[name]!.gcpDomain;
      if (!domain) continue;
      gateways[name] = new GkeTlsGateway(this, `${name}-tls-gateway`, {
        domain,
        namespace: service.namespaceName,
        serviceName: service.serviceName,
        servicePort: service.servicePort,
        servingPort: SERVING_PORT,
        gcpBaseName: `${this.tags.project}-${this.tags.environment}-${name}`,
        allowedSourceCidrs: props.services[name]!.allowedIngressCidrs,
        labels: { ...this.tags, 'app.kubernetes.io/part-of': this.tags.project! },
        googleDependsOn: certificateManagerApi ? [certificateManagerApi] : [],
        dependsOn: [service.service],
      });
    }
    this.gateways = gateways;

    if (props.monitoring) {
      this.monitoring = new GkeServingMonitoring(this, 'monitoring', {
        ...props.monitoring,
        projectId: props.gcpProjectId,
        clusterName: props.clusterName,
        services: Object.entries(props.services).map(([name, s]) => ({ name, model: s.model })),
        labels: this.tags,
      });
    }

    const services = Object.entries(this.services);
    new TerraformOutput(this, 'service_urls', {
      description: 'In-cluster URL of each service',
      value: Object.fromEntries(services.map(([name, service]) => [name, service.url])),
    });
    new TerraformOutput(this, 'kubeconfig_command', {
      description: 'Adds the cluster to ~/.kube/config (needs the gke-gcloud-auth-plugin)',
      value: gkeCredentialsCommand(props.clusterName, location, props.region, props.gcpProjectId),
    });
    new TerraformOutput(this, 'port_forward_commands', {
      description: 'Forwards localhost:8080 to each service (then: curl localhost:8080/v1/models)',
      value: Object.fromEntries(services.map(([name, service]) => [name, service.portForwardCommand])),
    });
    const balanced = services.filter(([, service]) => service.loadBalanced);
    if (balanced.length > 0) {
      new TerraformOutput(this, 'load_balancer_addresses', {
        description:
          'IP address of the passthrough Network Load Balancer of each load-balanced service (port 80)',
        value: Object.fromEntries(balanced.map(([name, service]) => [name, loadBalancerIp(service)])),
      });
    }
    const tls = Object.entries(this.gateways);
    if (tls.length > 0) {
      new TerraformOutput(this, 'gateway_addresses', {
        description:
          "Reserved IP address of each service's TLS Gateway: the A record of its domain points here (the certificate is issued after)",
        value: Object.fromEntries(tls.map(([name, gateway]) => [name, gateway.address.address])),
      });
      new TerraformOutput(this, 'https_urls', {
        description: 'URL of each service behind a TLS Gateway (npm run invoke -- gke --url <url>)',
        value: Object.fromEntries(tls.map(([name, gateway]) => [name, gateway.url])),
      });
    }
  }
}
