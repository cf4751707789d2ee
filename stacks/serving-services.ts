import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TerraformOutput, type TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';
import type { ServiceConfig } from '../src/config/resolve';
import type { LoadBalancerAnnotations } from '../src/constructs/k8s/load-balancer-annotations';
import { type GatewayBackend, ModelServingService } from '../src/constructs/k8s/model-serving-service';

/** What the EKS and GKE serving stacks pass for their cloud; everything else comes from the config. */
export interface ServingServicesProps {
  /** The serving image (pinned by digest). */
  readonly image: string;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  readonly loadBalancerAnnotations: LoadBalancerAnnotations;
  readonly metricsScraperNamespaces: readonly string[];
  /** Create a PodMonitoring per service (GKE Managed Prometheus ignores the scrape annotations). */
  readonly podMonitoring: boolean;
  /** Service port and annotations of one service when its load balancer terminates TLS. @default - plain HTTP on 80 */
  readonly tls?: (
    service: ServiceConfig,
  ) => { readonly port: number; readonly annotations: Record<string, string> } | undefined;
  /** How a Gateway reaches one service, when a Gateway (not a load balancer of its own) exposes it. @default - none */
  readonly gatewayBackend?: (service: ServiceConfig) => GatewayBackend | undefined;
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
    Object.entries(props.services).map(([name, service]) => {
      const tls = props.tls?.(service);
      const gatewayBackend = props.gatewayBackend?.(service);
      return [
        name,
        new ModelServingService(scope, name, {
          ...(tls ? { servicePort: tls.port, serviceAnnotations: tls.annotations } : {}),
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
          apiKeyVersions: service.apiKeyVersions,
          ...(gatewayBackend ? { gatewayBackend } : {}),
          partOf: props.project,
          labels: props.labels,
        }),
      ];
    }),
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

/**
 * For services whose server requires an API key: the `random` provider that generates the keys, where to
 * read them (`kubectl get secret`), and the keys themselves as a sensitive output (`cdktf output` hides
 * it; `terraform output -json` shows it to whoever may read the state).
 */
export function addApiKeyAccess(
  scope: Construct,
  services: Readonly<Record<string, ModelServingService>>,
): void {
  const keyed = Object.entries(services).filter(([, service]) => service.apiKeys !== undefined);
  if (keyed.length === 0) return;
  new RandomProvider(scope, 'random');
  new TerraformOutput(scope, 'api_key_commands', {
    description: 'Prints the valid API keys of each service (comma-separated) from its Kubernetes Secret',
    value: Object.fromEntries(
      keyed.map(([name, service]) => [
        name,
        `kubectl -n ${service.namespaceName} get secret ${service.apiKeys!.secretName} -o jsonpath='{.data.api-keys}' | base64 -d`,
      ]),
    ),
  });
  new TerraformOutput(scope, 'api_keys', {
    description: 'Valid API keys of each service, comma-separated (sensitive)',
    sensitive: true,
    value: Object.fromEntries(keyed.map(([name, service]) => [name, service.apiKeys!.keys])),
  });
}
