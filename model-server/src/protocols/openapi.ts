import type { FastifyInstance, RouteOptions } from 'fastify';
import type { ModelRegistry } from '../core/registry';
import type { InputField } from '../core/types';

type Schema = Record<string, unknown>;

declare module 'fastify' {
  /** OpenAPI keywords on route schemas (fastify ignores them; `/openapi.json` reads them). */
  interface FastifySchema {
    summary?: string;
    tags?: readonly string[];
    /** Leave the route out of `/openapi.json`. */
    hide?: boolean;
  }
}

interface CollectedRoute {
  readonly method: string;
  readonly path: string;
  readonly schema: Schema;
}

/** find-my-way syntax to OpenAPI: `/v1/models/:model(^[^:/]+)::predict` -> `/v1/models/{model}:predict`. */
export function openApiPath(url: string): string {
  // A doubled colon is a literal one: split on it so the parameter pattern never sees it.
  const path = url
    .split('::')
    .map((part) => part.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}'))
    .join(':');
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * Records every route that has a schema as it is registered (an `onRoute` hook on the root instance sees the
 * routes of every plugin), so `/openapi.json` is generated from the very schemas that validate requests.
 */
export class RouteCatalog {
  private readonly byKey = new Map<string, CollectedRoute>();

  /** Installs the collecting hook; call before registering the protocol plugins. */
  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (route.schema === undefined) return;
      for (const method of methods) {
        if (method === 'HEAD') continue;
        const path = openApiPath(route.url);
        this.byKey.set(`${method} ${path}`, {
          method: method.toLowerCase(),
          path,
          schema: route.schema as Schema,
        });
      }
    });
  }

  get routes(): readonly CollectedRoute[] {
    return [...this.byKey.values()];
  }
}

const STATUS_TEXT: Readonly<Record<string, string>> = {
  '200': 'OK',
  '4xx': 'Client error (error catalogue: code, message, details)',
  '5xx': 'Server error or not ready',
};

function parameters(schema: Schema | undefined, location: 'path' | 'query' | 'header'): Schema[] {
  const props = (schema?.properties ?? {}) as Record<string, Schema>;
  const required = (schema?.required ?? []) as string[];
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: location,
    required: location === 'path' || required.includes(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

function requestBody(body: Schema | undefined, examples: Schema | undefined): Schema | undefined {
  if (body === undefined) return undefined;
  const content = (body.content as Record<string, { schema: Schema }> | undefined) ?? {
    'application/json': { schema: body },
  };
  return {
    required: true,
    content: Object.fromEntries(
      Object.entries(content).map(([type, c]) => [
        type,
        { schema: c.schema, ...(type === 'application/json' && examples ? { examples } : {}) },
      ]),
    ),
  };
}

/** JSON schema of one raw instance of a model, from its input fields. */
function instanceSchema(inputs: readonly InputField[]): Schema {
  const properties: Record<string, Schema> = {};
  for (const f of inputs) {
    const nullable = f.type !== 'string' && f.nullable === true;
    let s: Schema;
    if (f.type === 'number') {
      s = {
        type: nullable ? ['number', 'null'] : f.integer ? 'integer' : 'number',
        ...(f.minimum !== undefined ? { minimum: f.minimum } : {}),
        ...(f.maximum !== undefined ? { maximum: f.maximum } : {}),
      };
    } else if (f.type === 'category') {
      s = {
        type: nullable ? ['string', 'null'] : 'string',
        enum: [...f.categories, ...(nullable ? [null] : [])],
      };
    } else {
      s = { type: 'string', ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}) };
    }
    if (f.description !== undefined) s.description = f.description;
    properties[f.name] = s;
  }
  return {
    type: 'object',
    additionalProperties: false,
    properties,
    required: inputs.filter((f) => !(f.type !== 'string' && f.nullable)).map((f) => f.name),
  };
}

/** The OpenAPI 3.1 document of the server's routes, with each loaded model's instance schema and an example. */
export function buildOpenApi(catalog: RouteCatalog, registry: ModelRegistry, version: string): Schema {
  const models = registry.loaded ? registry.list() : [];
  const examples =
    models.length > 0
      ? Object.fromEntries(
          models.map((m) => [
            m.name,
            { summary: `${m.name}: one instance`, value: { instances: [m.metadata.example] } },
          ]),
        )
      : undefined;
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of catalog.routes) {
    const s = route.schema;
    if (s.hide === true) continue;
    const params = [
      ...parameters(s.params as Schema | undefined, 'path'),
      ...parameters(s.querystring as Schema | undefined, 'query'),
      ...parameters(s.headers as Schema | undefined, 'header'),
    ];
    const responses = Object.fromEntries(
      Object.entries((s.response ?? {}) as Record<string, Schema>).map(([status, schema]) => [
        status.toUpperCase(),
        {
          description: STATUS_TEXT[status] ?? status,
          content: { 'application/json': { schema } },
        },
      ]),
    );
    const body = requestBody(s.body as Schema | undefined, examples);
    paths[route.path] ??= {};
    paths[route.path][route.method] = {
      ...(typeof s.summary === 'string' ? { summary: s.summary } : {}),
      ...(Array.isArray(s.tags) ? { tags: s.tags } : {}),
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(body ? { requestBody: body } : {}),
      responses: Object.keys(responses).length > 0 ? responses : { '200': { description: 'OK' } },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'model-server',
      version,
      description:
        'Serves XGBoost and linear text models with exact SHAP explanations. Native API, SageMaker, Vertex AI ' +
        'and Open Inference Protocol (KServe V2) routes; explanations with ?explain=true, parameters.explain or ' +
        'X-Amzn-SageMaker-Custom-Attributes: explain=true, inside each prediction.',
    },
    paths,
    components: {
      schemas: Object.fromEntries(
        models.map((m) => [`${m.name}Instance`, instanceSchema(m.metadata.inputs)]),
      ),
    },
  };
}
