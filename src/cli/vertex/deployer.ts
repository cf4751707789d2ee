import {
  VERTEX_HEALTH_ROUTE,
  VERTEX_PREDICT_ROUTE,
  VERTEX_SERVING_PORT,
} from '../../constructs/gcp/vertex-names';
import { CommandError } from '../usage-error';
import { type Operation, waitForOperation } from './operations';
import { GoogleApiError, type RestClient } from './rest-client';

/** The label that ties an uploaded model to its deployment: how a re-run or destroy finds it. */
export const DEPLOYED_MODEL_LABEL = 'deployed_model_id';
export const MANAGED_BY_LABEL = 'managed-by';
export const MANAGED_BY = 'model-serving-cdktf';
/** Vertex AI's CPU metric for `autoscalingMetricSpecs`. */
export const CPU_UTILIZATION_METRIC = 'aiplatform.googleapis.com/prediction/online/cpu/utilization';

/** Where and what: identifies one deployment. */
export interface DeploymentRef {
  readonly project: string;
  readonly region: string;
  readonly endpointId: string;
  readonly deployedModelId: string;
  readonly displayName: string;
}

export interface DeploySpec extends DeploymentRef {
  readonly imageUri: string;
  readonly artifactUri: string;
  readonly modelName: string;
  readonly machineType: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly cpuTargetPercent: number;
  readonly serviceAccount: string;
  readonly kmsKeyName?: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface VertexContext {
  readonly client: RestClient;
  /** e.g. `https://us-central1-aiplatform.googleapis.com` */
  readonly baseUrl: string;
  readonly log: (line: string) => void;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

interface Endpoint {
  readonly deployedModels?: readonly { readonly id: string; readonly createTime?: string }[];
  readonly trafficSplit?: Readonly<Record<string, number>>;
}
interface Model {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
}

const parentOf = (ref: DeploymentRef) => `projects/${ref.project}/locations/${ref.region}`;
const endpointPathOf = (ref: DeploymentRef) => `${parentOf(ref)}/endpoints/${ref.endpointId}`;
const isNotFound = (error: unknown) => error instanceof GoogleApiError && error.status === 404;

/**
 * Uploads the model (unless a model labelled with this deployed-model id exists) and deploys it to the
 * endpoint under the fixed id with all traffic (unless the endpoint already has that id). Running it again
 * after any partial run finishes the job without duplicating anything.
 */
export async function deployModel(spec: DeploySpec, ctx: VertexContext): Promise<void> {
  const endpointPath = endpointPathOf(spec);
  const endpoint = await getEndpoint(spec, ctx);
  if (!endpoint) {
    throw new CommandError(
      `endpoint ${endpointPath} does not exist: it is created by the vertex-endpoint stack`,
    );
  }
  if (endpoint.deployedModels?.some((m) => m.id === spec.deployedModelId)) {
    ctx.log(
      `deployed model ${spec.deployedModelId} is already on endpoint ${spec.endpointId}: nothing to do`,
    );
    return;
  }

  let model = (await findModels(spec, ctx))[0]?.name;
  if (model) {
    ctx.log(`model ${model} already uploaded for deployed model ${spec.deployedModelId}`);
  } else {
    ctx.log(`uploading model ${spec.displayName} (image ${spec.imageUri}, artifacts ${spec.artifactUri})`);
    const upload = await ctx.client.request<Operation>(
      'POST',
      `${ctx.baseUrl}/v1/${parentOf(spec)}/models:upload`,
      {
        model: modelBody(spec),
      },
    );
    const done = await wait(ctx, upload, 'models.upload');
    model = String(done.response?.model ?? '');
    if (!model) throw new CommandError(`models.upload returned no model name [operation ${upload.name}]`);
    ctx.log(`uploaded ${model}`);
  }

  ctx.log(
    `deploying ${model} to endpoint ${spec.endpointId} as ${spec.deployedModelId} on ${spec.machineType} ` +
      `(${spec.minReplicas}-${spec.maxReplicas} replicas, CPU target ${spec.cpuTargetPercent}%)`,
  );
  let deploy: Operation;
  try {
    deploy = await ctx.client.request<Operation>('POST', `${ctx.baseUrl}/v1/${endpointPath}:deployModel`, {
      deployedModel: {
        id: spec.deployedModelId,
        model,
        displayName: spec.displayName,
        serviceAccount: spec.serviceAccount,
        dedicatedResources: {
          machineSpec: { machineType: spec.machineType },
          minReplicaCount: spec.minReplicas,
          maxReplicaCount: spec.maxReplicas,
          autoscalingMetricSpecs: [{ metricName: CPU_UTILIZATION_METRIC, target: spec.cpuTargetPercent }],
        },
      },
      // "0" is the model being deployed: all traffic moves to it once it is up.
      trafficSplit: { '0': 100 },
    });
  } catch (error) {
    if (error instanceof GoogleApiError && error.status === 409) {
      // An earlier run's deployModel of this id is still under way: wait for it instead of failing.
      ctx.log(
        `deployed model ${spec.deployedModelId} is being deployed already (${error.message}); waiting for it`,
      );
      await waitUntilDeployed(spec, ctx);
      return;
    }
    throw error;
  }
  await wait(ctx, deploy, 'endpoints.deployModel');
  ctx.log(`deployed model ${spec.deployedModelId} serves all traffic of endpoint ${spec.endpointId}`);
}

/**
 * Undeploys exactly the deployed model `deployedModelId` and deletes the models uploaded for it. What is
 * already gone (the endpoint, the deployed model after the TTL job, the model) counts as done.
 */
export async function undeployModel(ref: DeploymentRef, ctx: VertexContext): Promise<void> {
  const endpointPath = endpointPathOf(ref);
  const endpoint = await getEndpoint(ref, ctx);
  const deployed = endpoint?.deployedModels ?? [];
  if (!endpoint) {
    ctx.log(`endpoint ${endpointPath} does not exist: nothing to undeploy`);
  } else if (!deployed.some((m) => m.id === ref.deployedModelId)) {
    ctx.log(
      `deployed model ${ref.deployedModelId} is not on endpoint ${ref.endpointId} (already undeployed)`,
    );
  } else {
    const others = deployed.filter((m) => m.id !== ref.deployedModelId);
    const share = endpoint.trafficSplit?.[ref.deployedModelId] ?? 0;
    // A model with traffic can only go if its traffic goes elsewhere: to the newest other model.
    const newest = [...others].sort((a, b) => (b.createTime ?? '').localeCompare(a.createTime ?? ''))[0];
    const body =
      share > 0 && newest
        ? { deployedModelId: ref.deployedModelId, trafficSplit: { [newest.id]: 100 } }
        : { deployedModelId: ref.deployedModelId };
    ctx.log(`undeploying deployed model ${ref.deployedModelId} from endpoint ${ref.endpointId}`);
    try {
      const op = await ctx.client.request<Operation>(
        'POST',
        `${ctx.baseUrl}/v1/${endpointPath}:undeployModel`,
        body,
      );
      await wait(ctx, op, 'endpoints.undeployModel');
    } catch (error) {
      if (!isNotFound(error)) throw error;
      ctx.log(`deployed model ${ref.deployedModelId} was undeployed meanwhile`);
    }
  }

  const models = await findModels(ref, ctx);
  if (models.length === 0)
    ctx.log(`no model uploaded for deployed model ${ref.deployedModelId}: nothing to delete`);
  for (const model of models) {
    ctx.log(`deleting model ${model.name}`);
    try {
      const op = await ctx.client.request<Operation>('DELETE', `${ctx.baseUrl}/v1/${model.name}`);
      await wait(ctx, op, 'models.delete');
    } catch (error) {
      if (!isNotFound(error)) throw error;
      ctx.log(`model ${model.name} was deleted meanwhile`);
    }
  }
}

/**
 * Makes the project's Vertex AI service agent exist (serviceusage `generateServiceIdentity`, what
 * google-beta's `google_project_service_identity` calls): on a fresh project it is otherwise created only
 * on first use, and granting roles to an absent account fails. Returns its email.
 */
export async function ensureServiceAgent(
  project: string,
  ctx: VertexContext,
  service = 'aiplatform.googleapis.com',
): Promise<string> {
  const op = await ctx.client.request<Operation>(
    'POST',
    `${ctx.baseUrl}/v1beta1/projects/${project}/services/${service}:generateServiceIdentity`,
    {},
  );
  const done = await waitForOperation(ctx.client, op, {
    label: 'services.generateServiceIdentity',
    pollUrl: (name) => `${ctx.baseUrl}/v1beta1/${name}`,
    timeoutMs: ctx.timeoutMs,
    pollIntervalMs: ctx.pollIntervalMs,
    progress: ctx.log,
    ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
    ...(ctx.now ? { now: ctx.now } : {}),
  });
  const email = String(done.response?.email ?? '');
  ctx.log(email ? `service agent of ${service}: ${email}` : `service agent of ${service} exists`);
  return email;
}

function modelBody(spec: DeploySpec) {
  return {
    displayName: spec.displayName,
    labels: {
      ...spec.labels,
      [MANAGED_BY_LABEL]: MANAGED_BY,
      [DEPLOYED_MODEL_LABEL]: spec.deployedModelId,
    },
    // Vertex copies this prefix and hands the container the copy as AIP_STORAGE_URI.
    artifactUri: spec.artifactUri,
    containerSpec: {
      imageUri: spec.imageUri,
      ports: [{ containerPort: VERTEX_SERVING_PORT }],
      healthRoute: VERTEX_HEALTH_ROUTE,
      predictRoute: VERTEX_PREDICT_ROUTE,
      // Without it the server would name the model after the download folder.
      // WORKERS=auto: one serving process per vCPU of the machine (one process uses one core).
      env: [
        { name: 'MODEL_NAME', value: spec.modelName },
        { name: 'WORKERS', value: 'auto' },
      ],
    },
    ...(spec.kmsKeyName ? { encryptionSpec: { kmsKeyName: spec.kmsKeyName } } : {}),
  };
}

async function getEndpoint(ref: DeploymentRef, ctx: VertexContext): Promise<Endpoint | undefined> {
  try {
    return await ctx.client.request<Endpoint>('GET', `${ctx.baseUrl}/v1/${endpointPathOf(ref)}`);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Models labelled with this deployment's id (checked again here: the filter is only a pre-selection). */
async function findModels(ref: DeploymentRef, ctx: VertexContext): Promise<Model[]> {
  const found: Model[] = [];
  let pageToken: string | undefined;
  do {
    const query = new URLSearchParams({ filter: `labels.${DEPLOYED_MODEL_LABEL}=${ref.deployedModelId}` });
    if (pageToken) query.set('pageToken', pageToken);
    const page = await ctx.client.request<{ models?: Model[]; nextPageToken?: string }>(
      'GET',
      `${ctx.baseUrl}/v1/${parentOf(ref)}/models?${query}`,
    );
    found.push(
      ...(page.models ?? []).filter((m) => m.labels?.[DEPLOYED_MODEL_LABEL] === ref.deployedModelId),
    );
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return found;
}

async function waitUntilDeployed(spec: DeploySpec, ctx: VertexContext): Promise<void> {
  const now = ctx.now ?? Date.now;
  const started = now();
  for (;;) {
    const endpoint = await getEndpoint(spec, ctx);
    if (endpoint?.deployedModels?.some((m) => m.id === spec.deployedModelId)) {
      ctx.log(`deployed model ${spec.deployedModelId} is on endpoint ${spec.endpointId}`);
      return;
    }
    if (now() - started >= ctx.timeoutMs) {
      throw new CommandError(
        `endpoints.deployModel of ${spec.deployedModelId} (started by an earlier run) timed out after ${Math.round(ctx.timeoutMs / 1000)}s`,
      );
    }
    await (ctx.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms))))(ctx.pollIntervalMs);
  }
}

function wait(ctx: VertexContext, op: Operation, label: string): Promise<Operation> {
  return waitForOperation(ctx.client, op, {
    label,
    pollUrl: (name) => `${ctx.baseUrl}/v1/${name}`,
    timeoutMs: ctx.timeoutMs,
    pollIntervalMs: ctx.pollIntervalMs,
    progress: ctx.log,
    ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
    ...(ctx.now ? { now: ctx.now } : {}),
  });
}
