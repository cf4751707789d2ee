import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import { DataGoogleContainerCluster } from '@cdktf/provider-google/lib/data-google-container-cluster';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Fn, TerraformOutput, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { ProjectStack, type ProjectStackProps } from '../src/common/project-stack';
import type { ServiceConfig } from '../src/config/resolve';
import {
  GkeServingMonitoring,
  type GkeServingMonitoringProps,
} from '../src/constructs/gcp/gke-serving-monitoring';
import { GKE_LOAD_BALANCER_ANNOTATIONS } from '../src/constructs/k8s/load-balancer-annotations';
import type { ModelServingService } from '../src/constructs/k8s/model-serving-service';
import { addServingServices } from './serving-services';

export interface GkeServingStackProps extends ProjectStackProps {
  readonly gcpProjectId: string;
  readonly region: string;
  /** Name of the GKE cluster (made by the `gke-cluster` stack); the Kubernetes provider looks it up. */
  readonly clusterName: string;
  /** Region or zone of the cluster. @default - the region */
  readonly clusterLocation?: string;
  /** The serving image, pinned by digest (`GcpImageStack.imageUri` or a prebuilt URI). */
  readonly image: string;
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
 * The `gke-serving` stack: the model services on the GKE cluster. The Kubernetes provider is configured
 * from data sources on the cluster's name (endpoint, CA, and the deploying identity's access token) read at
 * plan time, never from values passed between stacks. A service's `gcpServiceAccount` adds the Workload
 * Identity annotation; without it the pods run with no Google identity, which the server does not need.
 */
export class GkeServingStack extends ProjectStack {
  readonly services: Readonly<Record<string, ModelServingService>>;
  readonly monitoring?: GkeServingMonitoring;

  constructor(scope: Construct, id: string, props: GkeServingStackProps) {
    super(scope, id, props);
    for (const stack of props.dependsOn ?? []) this.addDependency(stack);
    new GoogleProvider(this, 'google', {
      project: props.gcpProjectId,
      region: props.region,
      defaultLabels: { ...this.tags },
    });
    const cluster = new DataGoogleContainerCluster(this, 'cluster', {
      name: props.clusterName,
      location: props.clusterLocation ?? props.region,
    });
    const client = new DataGoogleClientConfig(this, 'client', {});
    new KubernetesProvider(this, 'kubernetes', {
      host: `https://${cluster.endpoint}`,
      clusterCaCertificate: Fn.base64decode(cluster.masterAuth.get(0).clusterCaCertificate),
      token: client.accessToken,
    });

    this.services = addServingServices(this, {
      image: props.image,
      services: props.services,
      loadBalancerAnnotations: GKE_LOAD_BALANCER_ANNOTATIONS,
      metricsScraperNamespaces: props.metricsScraperNamespaces ?? ['gmp-system'],
      // The cluster runs managed collection (gke-cluster enables it), which scrapes only what a PodMonitoring names.
      podMonitoring: true,
      serviceAccountAnnotations: (service): Record<string, string> =>
        service.gcpServiceAccount ? { 'iam.gke.io/gcp-service-account': service.gcpServiceAccount } : {},
      project: this.tags.project!,
      labels: this.tags,
    });
    if (props.monitoring) {
      this.monitoring = new GkeServingMonitoring(this, 'monitoring', {
        ...props.monitoring,
        projectId: props.gcpProjectId,
        clusterName: props.clusterName,
        services: Object.entries(props.services).map(([name, s]) => ({ name, model: s.model })),
        labels: this.tags,
      });
    }
    new TerraformOutput(this, 'service_urls', {
      description: 'In-cluster URL of each service',
      value: Object.fromEntries(Object.entries(this.services).map(([name, service]) => [name, service.url])),
    });
  }
}
