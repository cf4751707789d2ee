import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import {
  NetworkPolicyV1,
  type NetworkPolicyV1SpecIngressFrom,
} from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { Construct } from 'constructs';
import {
  IMAGE_MODELS_DIR,
  LIVENESS_PATH,
  MAX_SHUTDOWN_TIMEOUT_SECONDS,
  METRICS_PATH,
  METRICS_PORT,
  METRICS_PORT_NAME,
  METRICS_SCRAPE_INTERVAL,
  READINESS_PATH,
  SERVER_UID,
  SERVING_PORT,
  type ServiceExposure,
  SHUTDOWN_MARGIN_SECONDS,
} from './model-serving-constants';
import { validateModelServingServiceProps } from './model-serving-service-validation';
import { API_KEYS_CHECKSUM_ANNOTATION, type ApiKeyVersions, ServingApiKeys } from './serving-api-keys';

export * from './model-serving-constants';

/** CPU and memory of the server container, as Kubernetes quantities. */
export interface ContainerResources {
  /** @default { cpu: '250m', memory: '256Mi' } */
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  /** @default { cpu: '1', memory: '512Mi' } */
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

export const DEFAULT_RESOURCES = {
  requests: { cpu: '250m', memory: '256Mi' },
  limits: { cpu: '1', memory: '512Mi' },
} as const;

export interface ModelServingServiceProps {
  /** Image of the model server; pin it by digest (`…@sha256:…`) or an immutable tag. */
  readonly image: string;
  /** Model that answers `/predict` (`MODEL_NAME` and `DEFAULT_MODEL` of the server). */
  readonly modelName: string;
  /**
   * Name of the Deployment, Service, HPA, PDB, NetworkPolicy and service account (DNS-1035 label).
   * @default - the construct id
   */
  readonly serviceName?: string;
  /**
   * Namespace of every resource.
   * @default - the service name
   */
  readonly namespace?: string;
  /**
   * Create the namespace. Leave false when the namespace is shared or made elsewhere.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Model directory inside the container (`MODEL_DIR`): one bundle, or a directory of bundles.
   * @default - the bundled model's own directory, `/opt/model-server/models/<modelName>`, so the pod loads only its model
   */
  readonly modelDir?: string;
  /**
   * Replicas the Deployment starts with; afterwards the HPA owns the count (Terraform ignores drift).
   * @default - minReplicas
   */
  readonly replicas?: number;
  /** @default 2 */
  readonly minReplicas?: number;
  /** @default 6 */
  readonly maxReplicas?: number;
  /** Average CPU utilisation (percent of the request) the HPA keeps. @default 70 */
  readonly cpuTargetUtilizationPercent?: number;
  /** Seconds the HPA looks back before scaling down, so bursts do not flap the replica count. @default 300 */
  readonly scaleDownStabilizationWindowSeconds?: number;
  /** @default DEFAULT_RESOURCES */
  readonly resources?: ContainerResources;
  /** @default 'internal' */
  readonly exposure?: ServiceExposure;
  /**
   * Annotations added to the Service for `exposure: 'loadBalancer'` (`internal`) and `'publicLoadBalancer'`
   * (`public`); see `EKS_LOAD_BALANCER_ANNOTATIONS` and `GKE_LOAD_BALANCER_ANNOTATIONS`.
   * @default - none (the cloud's default load balancer, usually internet-facing)
   */
  readonly loadBalancerAnnotations?: {
    readonly internal?: Readonly<Record<string, string>>;
    readonly public?: Readonly<Record<string, string>>;
  };
  /** Port of the Service; it forwards to the server's serving port 8080. @default 80 */
  readonly servicePort?: number;
  /**
   * More annotations of the Service, e.g. the load balancer's TLS certificate
   * (`service.beta.kubernetes.io/aws-load-balancer-ssl-cert`).
   * @default {}
   */
  readonly serviceAnnotations?: Readonly<Record<string, string>>;
  /**
   * Annotations of the service account: `eks.amazonaws.com/role-arn` for IRSA,
   * `iam.gke.io/gcp-service-account` for GKE Workload Identity.
   * @default {}
   */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /** More environment variables for the server (not the ones in `RESERVED_ENV`). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Seconds the pre-stop hook sleeps before Kubernetes sends SIGTERM, so endpoints and load balancers
   * stop routing to the pod first.
   * @default 5
   */
  readonly preStopSleepSeconds?: number;
  /** Seconds the server stays up answering 503 on readiness after SIGTERM (`SHUTDOWN_DELAY_SECONDS`). @default 5 */
  readonly shutdownDelaySeconds?: number;
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Source CIDRs allowed to the serving port (NetworkPolicy `ipBlock`; also the load balancer's source
   * ranges). When this and `allowedIngressNamespaces` are both empty, every source may reach the serving port.
   * @default []
   */
  readonly allowedIngressCidrs?: readonly string[];
  /** Namespaces whose pods may reach the serving port (by `kubernetes.io/metadata.name`). @default [] */
  readonly allowedIngressNamespaces?: readonly string[];
  /** Namespaces of the Prometheus scraper: the only sources allowed to the metrics port. @default ['monitoring'] */
  readonly metricsScraperNamespaces?: readonly string[];
  /**
   * Also create a `PodMonitoring` (`monitoring.googleapis.com/v1`) that tells GKE Managed Prometheus to
   * scrape the pods' `metrics` port: its collectors ignore the `prometheus.io/*` pod annotations, which
   * stay for EKS and plain Prometheus. Only for clusters that have the PodMonitoring CRD (GKE with managed
   * collection); `kubernetes_manifest` reads the CRD from the cluster at plan time, so elsewhere the plan fails.
   * @default false - not every cluster has the CRD
   */
  readonly podMonitoring?: boolean;
  /** Most pods down at once in a voluntary disruption (drain, upgrade). @default 1 */
  readonly maxUnavailable?: number;
  /** `app.kubernetes.io/part-of` label. @default 'model-serving' */
  readonly partOf?: string;
  /** More labels for every resource and pod (e.g. project and environment); never used in selectors. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The server requires an API key (`API_KEYS`, from a Secret of two keys Terraform generates). Needs the
   * `random` provider in the stack.
   * @default - true when the service is load-balanced (exposure other than 'internal'), else false
   */
  readonly requireApiKey?: boolean;
  /** Generations of the two API keys; raise one to replace that key (rotation). @default { a: 1, b: 1 } */
  readonly apiKeyVersions?: ApiKeyVersions;
  /**
   * The Service is the backend of a Gateway (an L7 load balancer that terminates TLS; see `GkeTlsGateway`)
   * rather than a load balancer of its own: a ClusterIP Service whose endpoints are network endpoint groups
   * (`cloud.google.com/neg`), whatever `exposure` says. `exposure` still decides whether an API key is required.
   * @default - no Gateway: `exposure` decides the Service type
   */
  readonly gatewayBackend?: GatewayBackend;
}

/** How a Gateway reaches the pods. */
export interface GatewayBackend {
  /**
   * Source ranges of the Gateway's proxies and health checks. The NetworkPolicy admits them to the serving
   * port when `allowedIngressCidrs` or `allowedIngressNamespaces` restrict it: the pods see the proxy's
   * address, not the client's (the Gateway enforces client ranges itself).
   */
  readonly proxySourceCidrs: readonly string[];
  /**
   * The server's `KEEP_ALIVE_TIMEOUT_SECONDS` (unless `env` sets it): longer than the load balancer's own
   * backend keep-alive, so the server never closes an idle connection the load balancer is about to reuse
   * (which the client would see as a 502).
   * @default - the server's default
   */
  readonly keepAliveTimeoutSeconds?: number;
}

/** Service annotation that makes GKE create network endpoint groups (pod IP:port endpoints) for the Service. */
export const GKE_NEG_ANNOTATION = { 'cloud.google.com/neg': '{"ingress":true}' } as const;

/**
 * Namespace labels that make the API server enforce the "restricted" Pod Security Standard (and warn and
 * audit against it), so no pod that breaks it can run in a serving namespace, whoever creates it.
 */
export const RESTRICTED_POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
} as const;

/**
 * One model served on Kubernetes (EKS or GKE: cloud differences are props): namespace, service account,
 * hardened Deployment with probes on the server's health routes, Service on the serving port only, CPU
 * HPA, PodDisruptionBudget, a NetworkPolicy that admits the metrics port only to the scraper, and (for
 * GKE Managed Prometheus) optionally a PodMonitoring.
 */
export class ModelServingService extends Construct {
  readonly serviceName: string;
  readonly namespaceName: string;
  /** Labels that select this service's pods. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  readonly namespace?: NamespaceV1;
  readonly serviceAccount: ServiceAccountV1;
  readonly deployment: DeploymentV1;
  readonly service: ServiceV1;
  readonly autoscaler: HorizontalPodAutoscalerV2;
  readonly disruptionBudget: PodDisruptionBudgetV1;
  readonly networkPolicy: NetworkPolicyV1;
  /** The GKE Managed Prometheus scrape configuration, when `podMonitoring` is set. */
  readonly podMonitoring?: Manifest;
  /** The generated API keys and their Secret, when the server requires a key. */
  readonly apiKeys?: ServingApiKeys;
  /** In-cluster URL of the service (`http://<name>.<namespace>.svc.cluster.local[:port]`). */
  readonly url: string;
  /** `kubectl` command that forwards local port 8080 to the Service, for clients outside the cluster. */
  readonly portForwardCommand: string;
  /** Whether the Service is a `LoadBalancer` (its address is then in `loadBalancerHostname` / `loadBalancerIp`). */
  readonly loadBalanced: boolean;
  /** Port of the Service (it forwards to the server's serving port). */
  readonly servicePort: number;
  /** Whether the Service is a Gateway's backend (`gatewayBackend`) instead of a load balancer. */
  readonly gatewayBackend: boolean;

  constructor(scope: Construct, id: string, props: ModelServingServiceProps) {
    super(scope, id);
    const name = props.serviceName ?? id;
    const minReplicas = props.minReplicas ?? 2;
    const maxReplicas = props.maxReplicas ?? 6;
    const settings = {
      name,
      namespace: props.namespace ?? name,
      minReplicas,
      maxReplicas,
      replicas: props.replicas ?? minReplicas,
      cpuTarget: props.cpuTargetUtilizationPercent ?? 70,
      scaleDownWindow: props.scaleDownStabilizationWindowSeconds ?? 300,
      exposure: props.exposure ?? 'internal',
      servicePort: props.servicePort ?? 80,
      preStopSleep: props.preStopSleepSeconds ?? 5,
      shutdownDelay: props.shutdownDelaySeconds ?? 5,
      gracePeriod: props.terminationGracePeriodSeconds ?? 30,
      maxUnavailable: props.maxUnavailable ?? 1,
      requests: { ...DEFAULT_RESOURCES.requests, ...props.resources?.requests },
      limits: { ...DEFAULT_RESOURCES.limits, ...props.resources?.limits },
      allowedIngressCidrs: props.allowedIngressCidrs ?? [],
      allowedIngressNamespaces: props.allowedIngressNamespaces ?? [],
      metricsScraperNamespaces: props.metricsScraperNamespaces ?? ['monitoring'],
      env: props.env ?? {},
    };
    validateModelServingServiceProps(id, { ...settings, modelName: props.modelName, image: props.image });

    this.serviceName = name;
    this.servicePort = settings.servicePort;
    const portSuffix = settings.servicePort === 80 ? '' : `:${settings.servicePort}`;
    this.url = `http://${name}.${settings.namespace}.svc.cluster.local${portSuffix}`;
    this.portForwardCommand = `kubectl -n ${settings.namespace} port-forward svc/${name} ${SERVING_PORT}:${settings.servicePort}`;
    this.selectorLabels = {
      'app.kubernetes.io/name': 'model-server',
      'app.kubernetes.io/instance': name,
    };
    const labels = {
      ...props.labels,
      ...this.selectorLabels,
      'app.kubernetes.io/component': 'inference',
      'app.kubernetes.io/part-of': props.partOf ?? 'model-serving',
      'app.kubernetes.io/managed-by': 'cdktf',
    };

    if (props.createNamespace ?? true) {
      this.namespace = new NamespaceV1(this, 'namespace', {
        metadata: {
          name: settings.namespace,
          labels: {
            ...props.labels,
            'app.kubernetes.io/part-of': labels['app.kubernetes.io/part-of'],
            ...RESTRICTED_POD_SECURITY_LABELS,
          },
        },
      });
    }
    // Referencing the namespace resource (not its name as a string) orders creation and deletion.
    const namespace = this.namespace ? this.namespace.metadata.name : settings.namespace;
    this.namespaceName = settings.namespace;
    const metadata = { name, namespace, labels };

    this.serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { ...metadata, ...nonEmpty('annotations', props.serviceAccountAnnotations) },
      // The server calls no Kubernetes API: no token in the pod.
      automountServiceAccountToken: false,
    });

    const env: Record<string, string> = {
      MODEL_NAME: props.modelName,
      DEFAULT_MODEL: props.modelName,
      PORT: String(SERVING_PORT),
      METRICS_PORT: String(METRICS_PORT),
      MODEL_DIR: props.modelDir ?? `${IMAGE_MODELS_DIR}/${props.modelName}`,
      // One serving process per pod: the HorizontalPodAutoscaler adds pods on CPU, each the size of its
      // request, so a pod needs no workers of its own (and its /metrics stays one process's).
      WORKERS: '1',
      SHUTDOWN_DELAY_SECONDS: String(settings.shutdownDelay),
      // The server's deadline, counted from SIGTERM (after the pre-stop sleep), ends before Kubernetes kills it.
      SHUTDOWN_TIMEOUT_SECONDS: String(
        Math.min(
          MAX_SHUTDOWN_TIMEOUT_SECONDS,
          settings.gracePeriod - settings.preStopSleep - SHUTDOWN_MARGIN_SECONDS,
        ),
      ),
      ...(props.gatewayBackend?.keepAliveTimeoutSeconds !== undefined
        ? { KEEP_ALIVE_TIMEOUT_SECONDS: String(props.gatewayBackend.keepAliveTimeoutSeconds) }
        : {}),
      ...settings.env,
    };
    const httpProbe = { path: READINESS_PATH, port: String(SERVING_PORT) };
    if (props.requireApiKey ?? settings.exposure !== 'internal') {
      this.apiKeys = new ServingApiKeys(this, 'api-keys', {
        namespace,
        secretName: `${name}-api-keys`,
        labels,
        ...(props.apiKeyVersions ? { versions: props.apiKeyVersions } : {}),
      });
    }

    this.deployment = new DeploymentV1(this, 'deployment', {
      metadata,
      // The HPA owns the replica count once running; Terraform keeps only the initial value.
      lifecycle: { ignoreChanges: ['spec[0].replicas'] },
      waitForRollout: true,
      spec: {
        replicas: String(settings.replicas),
        revisionHistoryLimit: 5,
        selector: { matchLabels: this.selectorLabels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '0' } },
        template: {
          metadata: {
            labels,
            annotations: {
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(METRICS_PORT),
              'prometheus.io/path': METRICS_PATH,
              ...(this.apiKeys ? { [API_KEYS_CHECKSUM_ANNOTATION]: this.apiKeys.checksum } : {}),
            },
          },
          spec: {
            serviceAccountName: this.serviceAccount.metadata.name,
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: settings.gracePeriod,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: String(SERVER_UID),
              runAsGroup: String(SERVER_UID),
              fsGroup: String(SERVER_UID),
              seccompProfile: { type: 'RuntimeDefault' },
            },
            topologySpreadConstraint: [
              spread('topology.kubernetes.io/zone', this.selectorLabels),
              spread('kubernetes.io/hostname', this.selectorLabels),
            ],
            volume: [{ name: 'tmp', emptyDir: { sizeLimit: '128Mi' } }],
            container: [
              {
                name: 'model-server',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                port: [
                  { name: 'http', containerPort: SERVING_PORT, protocol: 'TCP' },
                  { name: METRICS_PORT_NAME, containerPort: METRICS_PORT, protocol: 'TCP' },
                ],
                env: [
                  ...Object.entries(env).map(([envName, value]) => ({ name: envName, value })),
                  ...(this.apiKeys ? [this.apiKeys.envVar] : []),
                ],
                resources: { requests: settings.requests, limits: settings.limits },
                // Model loading plus the self-test may take a while: up to 5 s x 24 = 120 s before liveness counts.
                startupProbe: {
                  httpGet: httpProbe,
                  periodSeconds: 5,
                  failureThreshold: 24,
                  timeoutSeconds: 2,
                },
                readinessProbe: {
                  httpGet: httpProbe,
                  periodSeconds: 5,
                  failureThreshold: 2,
                  timeoutSeconds: 2,
                },
                livenessProbe: {
                  httpGet: { path: LIVENESS_PATH, port: String(SERVING_PORT) },
                  periodSeconds: 10,
                  failureThreshold: 3,
                  timeoutSeconds: 2,
                },
                lifecycle: { preStop: [{ exec: { command: ['sleep', String(settings.preStopSleep)] } }] },
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: String(SERVER_UID),
                  runAsGroup: String(SERVER_UID),
                  readOnlyRootFilesystem: true,
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                volumeMount: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
          },
        },
      },
    });

    const gateway = props.gatewayBackend;
    this.gatewayBackend = gateway !== undefined;
    const loadBalanced = settings.exposure !== 'internal' && gateway === undefined;
    this.loadBalanced = loadBalanced;
    const serviceAnnotations = gateway
      ? GKE_NEG_ANNOTATION
      : settings.exposure === 'loadBalancer'
        ? props.loadBalancerAnnotations?.internal
        : settings.exposure === 'publicLoadBalancer'
          ? props.loadBalancerAnnotations?.public
          : undefined;
    this.service = new ServiceV1(this, 'service', {
      metadata: {
        ...metadata,
        ...nonEmpty('annotations', { ...serviceAnnotations, ...props.serviceAnnotations }),
      },
      spec: {
        type: loadBalanced ? 'LoadBalancer' : 'ClusterIP',
        selector: this.selectorLabels,
        // Only the serving port: metrics stay reachable by the scraper through the pod IPs alone.
        port: [{ name: 'http', port: settings.servicePort, targetPort: 'http', protocol: 'TCP' }],
        // Local: no SNAT to a node address, so the pod (and its NetworkPolicy's ipBlock rules) sees the
        // client's address; the load balancer's health checks send traffic only to nodes with a ready pod.
        ...(loadBalanced ? { externalTrafficPolicy: 'Local' } : {}),
        // Client CIDRs are also enforced at the load balancer (node security group / firewall rules).
        ...(loadBalanced && settings.allowedIngressCidrs.length > 0
          ? { loadBalancerSourceRanges: [...settings.allowedIngressCidrs] }
          : {}),
      },
    });

    this.autoscaler = new HorizontalPodAutoscalerV2(this, 'autoscaler', {
      metadata,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.deployment.metadata.name },
        minReplicas: settings.minReplicas,
        maxReplicas: settings.maxReplicas,
        metric: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: settings.cpuTarget },
            },
          },
        ],
        behavior: {
          scaleUp: [
            {
              stabilizationWindowSeconds: 0,
              selectPolicy: 'Max',
              policy: [
                { type: 'Percent', value: 100, periodSeconds: 30 },
                { type: 'Pods', value: 4, periodSeconds: 30 },
              ],
            },
          ],
          scaleDown: [
            {
              stabilizationWindowSeconds: settings.scaleDownWindow,
              // The slower of the two: at most half the pods, and at most two pods, per minute.
              selectPolicy: 'Min',
              policy: [
                { type: 'Percent', value: 50, periodSeconds: 60 },
                { type: 'Pods', value: 2, periodSeconds: 60 },
              ],
            },
          ],
        },
      },
    });

    this.disruptionBudget = new PodDisruptionBudgetV1(this, 'disruption-budget', {
      metadata,
      // maxUnavailable (not minAvailable) so a single-replica service still lets nodes drain.
      spec: {
        maxUnavailable: String(settings.maxUnavailable),
        selector: { matchLabels: this.selectorLabels },
      },
    });

    const byNamespace = (ns: string): NetworkPolicyV1SpecIngressFrom => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
    });
    const restrictedSources = [
      ...settings.allowedIngressCidrs.map((cidr) => ({ ipBlock: { cidr } })),
      ...settings.allowedIngressNamespaces.map(byNamespace),
    ];
    const servingSources: NetworkPolicyV1SpecIngressFrom[] =
      restrictedSources.length > 0 && gateway
        ? [...restrictedSources, ...gateway.proxySourceCidrs.map((cidr) => ({ ipBlock: { cidr } }))]
        : restrictedSources;
    this.networkPolicy = new NetworkPolicyV1(this, 'network-policy', {
      metadata,
      spec: {
        podSelector: { matchLabels: this.selectorLabels },
        // Ingress only: with policy type Ingress listed, anything not matched below is denied.
        policyTypes: ['Ingress'],
        ingress: [
          {
            // No `from` admits every source: in-cluster clients and load balancer traffic.
            ...(servingSources.length > 0 ? { from: servingSources } : {}),
            ports: [{ port: String(SERVING_PORT), protocol: 'TCP' }],
          },
          {
            from: settings.metricsScraperNamespaces.map(byNamespace),
            ports: [{ port: String(METRICS_PORT), protocol: 'TCP' }],
          },
        ],
      },
    });

    if (props.podMonitoring ?? false) {
      this.podMonitoring = new Manifest(this, 'pod-monitoring', {
        manifest: {
          apiVersion: 'monitoring.googleapis.com/v1',
          kind: 'PodMonitoring',
          metadata,
          spec: {
            selector: { matchLabels: { ...this.selectorLabels } },
            endpoints: [{ port: METRICS_PORT_NAME, path: METRICS_PATH, interval: METRICS_SCRAPE_INTERVAL }],
          },
        },
      });
    }
  }
}

/** Address of the Service's load balancer once the cloud made it (DNS name on AWS). */
export function loadBalancerHostname(service: ModelServingService): string {
  return service.service.status.get(0).loadBalancer.get(0).ingress.get(0).hostname;
}

/** Address of the Service's load balancer once the cloud made it (IP address on Google Cloud). */
export function loadBalancerIp(service: ModelServingService): string {
  return service.service.status.get(0).loadBalancer.get(0).ingress.get(0).ip;
}

function spread(topologyKey: string, matchLabels: Readonly<Record<string, string>>) {
  return {
    topologyKey,
    maxSkew: 1,
    // ScheduleAnyway: prefer spreading, but never leave a pod pending for it (small demo clusters).
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: [{ matchLabels: { ...matchLabels } }],
  };
}

/** `{ [key]: value }` when the record has entries, else `{}` (keeps empty maps out of the plan). */
function nonEmpty<K extends string>(
  key: K,
  value: Readonly<Record<string, string>> | undefined,
): Partial<Record<K, Record<string, string>>> {
  return value && Object.keys(value).length > 0
    ? ({ [key]: { ...value } } as Record<K, Record<string, string>>)
    : {};
}
