/** Contracts between the Kubernetes resources and the model server (docs/design.md, "The model server"). */

/** The model server's serving port (native, SageMaker, Vertex and V2 routes; docs/design.md, "Routes"). */
export const SERVING_PORT = 8080;
/** The model server's Prometheus port; the Service never exposes it. */
export const METRICS_PORT = 9090;
/** Name of the metrics container port, which the PodMonitoring scrapes by. */
export const METRICS_PORT_NAME = 'metrics';
/** Route of the Prometheus text on the metrics port. */
export const METRICS_PATH = '/metrics';
/** How often GKE Managed Prometheus scrapes a pod (its PodMonitoring default is 1m). */
export const METRICS_SCRAPE_INTERVAL = '30s';
/** Probe routes of the model server. */
export const READINESS_PATH = '/health/ready';
export const LIVENESS_PATH = '/health/live';
/** The numeric non-root user and group of the image (`USER 10001` in model-server/Dockerfile). */
export const SERVER_UID = 10001;
/**
 * Seconds of the grace period kept free for in-flight requests after the pre-stop sleep and the server's
 * own shutdown delay: the validation refuses settings that would leave less.
 */
export const DRAIN_ALLOWANCE_SECONDS = 10;
/** Environment variables the construct sets itself; `env` may not override them. */
export const RESERVED_ENV = [
  'MODEL_NAME',
  'DEFAULT_MODEL',
  'MODEL_DIR',
  'PORT',
  'METRICS_PORT',
  'SHUTDOWN_DELAY_SECONDS',
  'SHUTDOWN_TIMEOUT_SECONDS',
  'API_KEYS',
] as const;
/**
 * Where the image keeps the bundled models (`WORKDIR /opt/model-server` + `COPY model-server/models
 * ./models` in model-server/Dockerfile). Pointing `MODEL_DIR` at one bundle makes a pod load only its model.
 */
export const IMAGE_MODELS_DIR = '/opt/model-server/models';
/** Seconds kept between the server's own shutdown deadline and Kubernetes' SIGKILL. */
export const SHUTDOWN_MARGIN_SECONDS = 2;
/** The server accepts SHUTDOWN_TIMEOUT_SECONDS up to this. */
export const MAX_SHUTDOWN_TIMEOUT_SECONDS = 120;

/**
 * How a service is reached: `internal` is a ClusterIP Service (in-cluster only); `loadBalancer` a
 * LoadBalancer Service made internal with the cloud's annotations; `publicLoadBalancer` an internet-facing one.
 */
export type ServiceExposure = 'internal' | 'loadBalancer' | 'publicLoadBalancer';
export const SERVICE_EXPOSURES: readonly ServiceExposure[] = [
  'internal',
  'loadBalancer',
  'publicLoadBalancer',
];
