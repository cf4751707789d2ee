import type { TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';
import type { ServiceConfig } from '../src/config/resolve';
import type { LoadBalancerAnnotations } from '../src/constructs/k8s/load-balancer-annotations';
import { ModelServingService } from '../src/constructs/k8s/model-serving-service';

/** What the EKS and GKE serving stacks pass for their cloud; everything else comes from the config. */
export interface ServingServicesProps {
  /** The serving image (pinned by digest). */
  readonly image: string;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  readonly loadBalancerAnnotations: LoadBalancerAnnotations;
  readonly metricsScraperNamespaces: readonly string[];
  /** Create a PodMonitoring per service (GKE Managed Prometheus ignores the scrape annotations). */
  readonly podMonitoring: boolean;
  /** Service account annotations of one service (IRSA or Workload Identity), if any. */
  readonly serviceAccountAnnotations: (service: ServiceConfig) => Readonly<Record<string, string>>;
  /** `app.kubernetes.io/part-of` of every resource. */
  readonly project: string;
  /** Labels of every resource and pod: the stack's project, service and environment tags. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * One `ModelServingService` per configured service, construct id = service name (a stable logical id:
 * renaming a service replaces its resources, reordering the config does not). Each service gets its own
 * namespace named after it: its NetworkPolicy, quotas and RBAC stay its own, and removing a service
 * removes everything it had.
 */
export function addServingServices(
  scope: Construct,
  props: ServingServicesProps,
): Record<string, ModelServingService> {
  return Object.fromEntries(
    Object.entries(props.services).map(([name, service]) => [
      name,
      new ModelServingService(scope, name, {
        image: props.image,
        modelName: service.model,
        ...(service.modelDir ? { modelDir: service.modelDir } : {}),
        replicas: service.replicas,
        minReplicas: service.hpa.minReplicas,
        maxReplicas: service.hpa.maxReplicas,
        cpuTargetUtilizationPercent: service.hpa.cpuTargetPercent,
        scaleDownStabilizationWindowSeconds: service.hpa.scaleDownStabilizationSeconds,
        resources: service.resources,
        exposure: service.exposure,
        loadBalancerAnnotations: props.loadBalancerAnnotations,
        env: service.env,
        allowedIngressCidrs: service.allowedIngressCidrs,
        metricsScraperNamespaces: props.metricsScraperNamespaces,
        podMonitoring: props.podMonitoring,
        serviceAccountAnnotations: props.serviceAccountAnnotations(service),
        partOf: props.project,
        labels: props.labels,
      }),
    ]),
  );
}

/**
 * Makes a service's Deployment wait for resources of the stack (an identity binding, an image grant):
 * its pods must not start before they can use them.
 */
export function deploymentWaitsFor(
  service: ModelServingService,
  resources: readonly TerraformResource[],
): void {
  if (resources.length === 0) return;
  const references = resources.map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`);
  service.deployment.dependsOn = [...(service.deployment.dependsOn ?? []), ...references];
}
