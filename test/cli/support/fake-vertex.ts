import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Vertex AI v1 and Service Usage REST APIs: it records every call and answers
 * with long-running operations that finish after a number of polls, like the real services. Faults are
 * switched on per test. It stands in for the cloud only; the code under test is the real client.
 */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly body: unknown;
  readonly authorization: string | undefined;
}

interface FakeOperation {
  readonly name: string;
  readonly kind: string;
  pollsLeft: number;
  done: boolean;
  error?: { code: number; message: string };
  response?: Record<string, unknown>;
  readonly effect: () => Record<string, unknown> | undefined;
  /** What the operation is about (a deployed model's id), to refuse a second deployModel of it. */
  readonly subject?: string;
}

export interface FakeDeployedModel {
  id: string;
  model: string;
  createTime: string;
  body?: unknown;
}
export interface FakeEndpoint {
  deployedModels: FakeDeployedModel[];
  trafficSplit: Record<string, number>;
}
export interface FakeModel {
  name: string;
  labels: Record<string, string>;
  body: Record<string, unknown>;
}

export class FakeVertex {
  readonly calls: RecordedCall[] = [];
  readonly endpoints = new Map<string, FakeEndpoint>();
  readonly models = new Map<string, FakeModel>();
  readonly operations = new Map<string, FakeOperation>();
  /** Answers `:predict` (none: 400, as an endpoint without a model). */
  predict?: (body: Record<string, unknown>) => unknown;
  /** Polls each operation needs before it is done. */
  pollsPerOperation = 1;
  /** Operation kinds (e.g. `deployModel`) that finish with this error. */
  readonly failOperations = new Map<string, string>();
  /** Operation kinds that never finish. */
  readonly hangOperations = new Set<string>();
  /** The next answers to requests matching `match`: these statuses, in order, before real answers. */
  private readonly faults: { match: RegExp; statuses: number[] }[] = [];
  private server?: Server;
  private counter = 0;
  private clock = 0;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 500, message: String(error), status: 'INTERNAL' } }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Answers the next requests whose `METHOD path` matches with these statuses first. */
  failNext(match: RegExp, ...statuses: number[]): void {
    this.faults.push({ match, statuses });
  }

  addEndpoint(path: string): FakeEndpoint {
    const endpoint = { deployedModels: [], trafficSplit: {} };
    this.endpoints.set(path, endpoint);
    return endpoint;
  }

  addModel(parent: string, labels: Record<string, string>): FakeModel {
    const name = `${parent}/models/${++this.counter}`;
    const model = { name, labels, body: { labels } };
    this.models.set(name, model);
    return model;
  }

  /** What the TTL job's call does: undeploy without our client. */
  undeployDirectly(endpointPath: string, id: string): void {
    const endpoint = this.endpoints.get(endpointPath)!;
    endpoint.deployedModels = endpoint.deployedModels.filter((m) => m.id !== id);
    delete endpoint.trafficSplit[id];
  }

  /** Finishes every pending operation of `kind` now (what the cloud does while a client is not polling). */
  finishOperations(kind: string): void {
    this.hangOperations.delete(kind);
    for (const op of this.operations.values()) {
      if (op.kind === kind && !op.done) {
        op.pollsLeft = 1;
        this.poll(op);
      }
    }
  }

  callsTo(pattern: RegExp): RecordedCall[] {
    return this.calls.filter((c) => pattern.test(`${c.method} ${c.path}`));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = decodeURIComponent(url.pathname);
    const method = req.method ?? 'GET';
    this.calls.push({
      method,
      path,
      query: url.search,
      body: text ? JSON.parse(text) : undefined,
      authorization: req.headers.authorization,
    });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, message: string, apiStatus: string) =>
      send(status, { error: { code: status, message, status: apiStatus } });

    const fault = this.faults.find((f) => f.match.test(`${method} ${path}`) && f.statuses.length > 0);
    if (fault) {
      const status = fault.statuses.shift()!;
      return error(
        status,
        status === 429 ? 'Quota exceeded, retry later' : 'The service is unavailable',
        'UNAVAILABLE',
      );
    }
    if (req.headers.authorization !== 'Bearer test-token') return error(401, 'bad token', 'UNAUTHENTICATED');
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    /** The route's match, kept in `hit.m` for the block it selects. */
    const hit: { m: string[] } = { m: [] };
    const match = (pattern: RegExp): boolean => {
      const found = pattern.exec(path);
      hit.m = found ? [...found] : [];
      return found !== null;
    };

    if (method === 'GET' && match(/^\/(v1|v1beta1)\/(.*\/operations\/[^/]+|operations\/[^/]+)$/)) {
      const op = this.operations.get(hit.m[2]!);
      if (!op) return error(404, `operation ${hit.m[2]} not found`, 'NOT_FOUND');
      this.poll(op);
      return send(200, this.view(op));
    }
    if (match(/^\/v1beta1\/projects\/([^/]+)\/services\/([^/:]+):generateServiceIdentity$/)) {
      const project = hit.m[1]!;
      return send(
        200,
        this.operation('generateServiceIdentity', `operations/${++this.counter}`, () => ({
          email: `service-123456789@gcp-sa-aiplatform.iam.gserviceaccount.com`,
          project,
        })),
      );
    }
    if (match(/^\/v1\/(projects\/[^/]+\/locations\/[^/]+)\/models:upload$/) && method === 'POST') {
      const parent = hit.m[1]!;
      const model = (body.model ?? {}) as Record<string, unknown>;
      return send(
        200,
        this.operation('upload', `${parent}/operations/${++this.counter}`, () => {
          const created = this.addModel(parent, (model.labels ?? {}) as Record<string, string>);
          created.body = model;
          return { model: created.name };
        }),
      );
    }
    if (match(/^\/v1\/(projects\/[^/]+\/locations\/[^/]+)\/models$/) && method === 'GET') {
      const filter = /^labels\.([\w-]+)=(.*)$/.exec(url.searchParams.get('filter') ?? '');
      const models = [...this.models.values()]
        .filter((model) => model.name.startsWith(`${hit.m[1]}/`))
        .filter((model) => !filter || model.labels[filter[1]!] === filter[2])
        .map((model) => ({ name: model.name, labels: model.labels, displayName: model.body.displayName }));
      return send(200, models.length ? { models } : {});
    }
    if (match(/^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/models\/[^/:]+)$/) && method === 'DELETE') {
      const name = hit.m[1]!;
      if (!this.models.has(name)) return error(404, `Model ${name} not found`, 'NOT_FOUND');
      const parent = name.replace(/\/models\/[^/]+$/, '');
      return send(
        200,
        this.operation('deleteModel', `${parent}/operations/${++this.counter}`, () => {
          this.models.delete(name);
          return {};
        }),
      );
    }
    if (
      match(
        /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/endpoints\/\d+)(:deployModel|:undeployModel|:predict)?$/,
      )
    ) {
      const endpointPath = hit.m[1]!;
      const endpoint = this.endpoints.get(endpointPath);
      if (!endpoint) return error(404, `Endpoint ${endpointPath} not found`, 'NOT_FOUND');
      const parent = endpointPath.replace(/\/endpoints\/\d+$/, '');
      if (method === 'POST' && hit.m[2] === ':predict') {
        if (!this.predict) return error(400, 'no model deployed', 'FAILED_PRECONDITION');
        return send(200, this.predict(body));
      }
      if (method === 'GET' && !hit.m[2]) return send(200, { name: endpointPath, ...endpoint });
      if (method === 'POST' && hit.m[2] === ':deployModel') {
        const deployed = body.deployedModel as { id: string; model: string };
        const pending = [...this.operations.values()].some(
          (op) =>
            op.kind === 'deployModel' &&
            !op.done &&
            op.name.startsWith(`${endpointPath}/`) &&
            op.subject === deployed.id,
        );
        if (pending || endpoint.deployedModels.some((d) => d.id === deployed.id)) {
          return error(409, `DeployedModel ${deployed.id} already exists`, 'ALREADY_EXISTS');
        }
        return send(
          200,
          this.operation(
            'deployModel',
            `${endpointPath}/operations/${++this.counter}`,
            () => {
              endpoint.deployedModels.push({
                id: deployed.id,
                model: deployed.model,
                createTime: `2026-01-01T00:00:${String(++this.clock).padStart(2, '0')}Z`,
                body: deployed,
              });
              const split = (body.trafficSplit ?? {}) as Record<string, number>;
              endpoint.trafficSplit = Object.fromEntries(
                Object.entries(split).map(([key, value]) => [key === '0' ? deployed.id : key, value]),
              );
              return { deployedModel: { id: deployed.id } };
            },
            deployed.id,
          ),
        );
      }
      if (method === 'POST' && hit.m[2] === ':undeployModel') {
        const id = String(body.deployedModelId);
        if (!endpoint.deployedModels.some((d) => d.id === id)) {
          return error(404, `DeployedModel ${id} not found`, 'NOT_FOUND');
        }
        const others = endpoint.deployedModels.filter((d) => d.id !== id);
        const split = body.trafficSplit as Record<string, number> | undefined;
        if ((endpoint.trafficSplit[id] ?? 0) > 0 && others.length > 0 && !split) {
          return error(400, `DeployedModel ${id} still has traffic`, 'FAILED_PRECONDITION');
        }
        return send(
          200,
          this.operation('undeployModel', `${parent}/operations/${++this.counter}`, () => {
            this.undeployDirectly(endpointPath, id);
            if (split) endpoint.trafficSplit = { ...split };
            return {};
          }),
        );
      }
    }
    return error(404, `no route ${method} ${path}`, 'NOT_FOUND');
  }

  private operation(kind: string, name: string, effect: FakeOperation['effect'], subject?: string): unknown {
    const op: FakeOperation = {
      name,
      kind,
      pollsLeft: this.pollsPerOperation,
      done: false,
      effect,
      ...(subject ? { subject } : {}),
    };
    this.operations.set(name, op);
    // Zero polls: the operation is done in its first answer, as quick ones are.
    if (op.pollsLeft <= 0) {
      op.pollsLeft = 1;
      this.poll(op);
    }
    return this.view(op);
  }

  private poll(op: FakeOperation): void {
    if (op.done || this.hangOperations.has(op.kind)) return;
    op.pollsLeft -= 1;
    if (op.pollsLeft > 0) return;
    op.done = true;
    const failure = this.failOperations.get(op.kind);
    if (failure) op.error = { code: 9, message: failure };
    else op.response = op.effect();
  }

  private view(op: FakeOperation): unknown {
    return {
      name: op.name,
      ...(op.done ? { done: true } : {}),
      ...(op.error ? { error: op.error } : {}),
      ...(op.response ? { response: op.response } : {}),
    };
  }
}
