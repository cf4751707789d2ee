/**
 * Names, defaults and the serving contract of the Vertex AI endpoint, without provider imports (the config
 * schema uses them).
 */
import { createHash } from 'node:crypto';

/** The model the comparison this project automates deployed to Vertex AI. */
export const DEFAULT_VERTEX_MODEL = 'bankchurn';
/** The machine type of the comparison (~$0.095/h there); the smallest general-purpose type Vertex serves on. */
export const DEFAULT_VERTEX_MACHINE_TYPE = 'n1-standard-2';
/** Vertex AI has no scale to zero: one replica is the cheapest that serves. */
export const DEFAULT_VERTEX_MIN_REPLICAS = 1;
/** One spare replica under load; raise it for real traffic. */
export const DEFAULT_VERTEX_MAX_REPLICAS = 2;
/** The HPA target of the cluster deployments (70%), so both paths scale on the same signal. */
export const DEFAULT_VERTEX_CPU_TARGET_PERCENT = 70;
/** Deploying a custom container to a new endpoint takes 10-20 minutes; an hour leaves room for a slow pull. */
export const DEFAULT_VERTEX_DEPLOY_TIMEOUT_MINUTES = 60;
/** A time-to-live longer than 30 days is no longer a demo guard. */
export const MAX_VERTEX_TTL_HOURS = 720;

/** `google_vertex_ai_endpoint.name` and `DeployedModel.id`: numeric, at most 10 digits, no leading zero. */
export const VERTEX_ENDPOINT_ID = /^[1-9]\d{0,9}$/;

/** The serving port of the image (its default `PORT`); Vertex sends health and predict requests there. */
export const VERTEX_SERVING_PORT = 8080;
/**
 * Routes given to Vertex as `containerSpec.healthRoute` / `predictRoute`. Vertex passes them to the
 * container as `AIP_HEALTH_ROUTE` / `AIP_PREDICT_ROUTE`; the server answers them in its Vertex mode (they are
 * its native readiness route and default-model predict route: 200 only once every model loaded and passed
 * its self-test; `{instances, parameters}` in, `{predictions}` out, each explanation inside its prediction).
 */
export const VERTEX_HEALTH_ROUTE = '/health/ready';
export const VERTEX_PREDICT_ROUTE = '/predict';

/** Ten-digit ids from 24 bits of a SHA-256: 1,000,000,000 + (0 … 4,294,967,295). */
const ID_BASE = 1_000_000_000;

/**
 * A numeric id (10 digits, no leading zero) derived from `seed`: the same seed always gives the same id,
 * so two synths of one config are identical.
 */
export function numericIdFor(seed: string): string {
  const hash = createHash('sha256').update(seed).digest('hex');
  return String(ID_BASE + Number.parseInt(hash.slice(0, 8), 16));
}

/** The endpoint id of one deployment of the project: from the GCP project, region, project and environment. */
export function vertexEndpointId(
  gcpProjectId: string,
  region: string,
  project: string,
  environment: string,
): string {
  return numericIdFor(`vertex-endpoint/${gcpProjectId}/${region}/${project}/${environment}`);
}

/**
 * Bucket names are global: `<project>-<environment>-vertex-` plus 8 hex digits of the GCP project id, so two
 * GCP projects using the same project and environment names do not collide (at most 49 characters).
 */
export function vertexBucketName(gcpProjectId: string, project: string, environment: string): string {
  const hash = createHash('sha256').update(gcpProjectId).digest('hex').slice(0, 8);
  return `${project}-${environment}-vertex-${hash}`;
}
