/**
 * The native API, Open Inference V2 and the metrics port from outside the container, on a read-only root file
 * system (as Kubernetes runs it with readOnlyRootFilesystem: only /tmp is writable).
 */
import { postJson, request } from './support/http';
import {
  additivityError,
  BUNDLED_MODELS,
  type ExplanationJson,
  instancesOf,
  metadataOf,
} from './support/models';
import { removeStartedContainers } from './support/podman';
import { reportFigure } from './support/report';
import { type Serving, startServing } from './support/serving';

afterAll(removeStartedContainers);

describe('native, Open Inference V2 and metrics, --read-only --tmpfs /tmp', () => {
  let serving: Serving;

  beforeAll(async () => {
    serving = await startServing({ options: ['--read-only', '--tmpfs', '/tmp'], publishMetrics: true });
    reportFigure(
      'read-only root fs: start (podman run returned) -> /health/ready 200',
      `${serving.readyAfterMs} ms`,
    );
  });

  test('health routes and the model list', async () => {
    expect((await request(`${serving.url}/health/live`)).status).toBe(200);
    expect((await request(`${serving.url}/health/ready`)).status).toBe(200);
    const list = JSON.parse((await request(`${serving.url}/v1/models`)).body) as {
      models: { name: string }[];
    };
    expect(list.models.map((m) => m.name).sort()).toEqual([...BUNDLED_MODELS]);
    const one = JSON.parse((await request(`${serving.url}/v1/models/bankchurn`)).body) as {
      inputs: { name: string }[];
    };
    expect(one.inputs.map((f) => f.name)).toEqual(metadataOf('bankchurn').inputs.map((f) => f.name));
    expect((await request(`${serving.url}/v1/models/nope`)).status).toBe(404);
  });

  test.each(BUNDLED_MODELS)(
    '%s: predict, and explain with each explanation inside its prediction',
    async (model) => {
      const instances = instancesOf(model, 3);
      const predict = await postJson(`${serving.url}/v1/models/${model}:predict`, { instances });
      expect(predict.status).toBe(200);
      const plain = (JSON.parse(predict.body) as { predictions: Record<string, unknown>[] }).predictions;
      expect(plain).toHaveLength(3);
      expect(plain.every((p) => p.explanation === undefined)).toBe(true);

      const explain = await postJson(`${serving.url}/v1/models/${model}:explain`, { instances });
      expect(explain.status).toBe(200);
      const explained = (JSON.parse(explain.body) as { predictions: Record<string, unknown>[] }).predictions;
      expect(explained).toHaveLength(3);
      explained.forEach((p, i) => {
        const { explanation, ...prediction } = p;
        expect(prediction).toEqual(plain[i]);
        expect(additivityError(explanation as ExplanationJson)).toBeLessThan(1e-5);
      });

      const viaQuery = await postJson(`${serving.url}/v1/models/${model}:predict?explain=true`, {
        instances,
      });
      expect(JSON.parse(viaQuery.body)).toEqual(JSON.parse(explain.body));
    },
  );

  test('Open Inference V2: server and model metadata, readiness, infer with explanations', async () => {
    expect((await request(`${serving.url}/v2/health/live`)).status).toBe(200);
    expect((await request(`${serving.url}/v2/health/ready`)).status).toBe(200);
    expect((await request(`${serving.url}/v2/models/bankchurn/ready`)).status).toBe(200);
    const server = JSON.parse((await request(`${serving.url}/v2`)).body) as { name: string; version: string };
    expect(typeof server.name).toBe('string');
    const meta = JSON.parse((await request(`${serving.url}/v2/models/bankchurn`)).body) as {
      name: string;
      inputs: { name: string }[];
    };
    expect(meta.name).toBe('bankchurn');

    const bankchurn = metadataOf('bankchurn');
    const instances = instancesOf('bankchurn', 2);
    const inputs = bankchurn.inputs.map((f) => ({
      name: f.name,
      shape: [instances.length],
      datatype: f.type === 'number' ? 'FP64' : 'BYTES',
      data: instances.map((i) => i[f.name]),
    }));
    expect(meta.inputs.map((t) => t.name)).toEqual(inputs.map((t) => t.name));
    const infer = await postJson(`${serving.url}/v2/models/bankchurn/infer`, {
      id: 'req-1',
      parameters: { explain: true },
      inputs,
    });
    expect(infer.status).toBe(200);
    const body = JSON.parse(infer.body) as {
      id: string;
      model_name: string;
      outputs: { name: string; shape: number[]; data: unknown[] }[];
    };
    expect(body.id).toBe('req-1');
    expect(body.model_name).toBe('bankchurn');
    const byName = Object.fromEntries(body.outputs.map((o) => [o.name, o]));
    const native = JSON.parse(
      (await postJson(`${serving.url}/v1/models/bankchurn:explain`, { instances })).body,
    ) as {
      predictions: { label: string; probability: number; explanation: unknown }[];
    };
    expect(byName.label.data).toEqual(native.predictions.map((p) => p.label));
    expect(byName.probability.data).toEqual(native.predictions.map((p) => p.probability));
    expect((byName.explanation.data as string[]).map((s) => JSON.parse(s))).toEqual(
      native.predictions.map((p) => p.explanation),
    );
  });

  test('the metrics port serves Prometheus text with per-model request counters', async () => {
    await postJson(`${serving.url}/predict`, { instances: instancesOf('bankchurn', 1) });
    const res = await request(`${serving.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^bankchurn_requests_total\{[^}]*status="200"[^}]*\} [1-9]/m);
    expect(res.body).toMatch(/^# TYPE bankchurn_prediction_latency_seconds histogram$/m);
    expect(res.body).toMatch(/^process_cpu_seconds_total /m);
    // The serving port does not serve metrics (the Kubernetes Service exposes only that one).
    expect((await request(`${serving.url}/metrics`)).status).toBe(404);
  });

  test('the openapi document describes the native routes', async () => {
    const res = await request(`${serving.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.body) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/models', '/predict']));
  });
});

describe('start-up time', () => {
  test('podman run returned -> first 200 on /health/ready, median of 3', async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const serving = await startServing();
      times.push(serving.readyAfterMs);
      await serving.container.remove();
    }
    times.sort((a, b) => a - b);
    reportFigure(
      'start (podman run returned) -> /health/ready 200',
      `median ${times[1]} ms (${times.join(', ')} ms)`,
    );
    // Kubernetes and SageMaker wait much longer; this guards against start-up growing unnoticed.
    expect(times[1]).toBeLessThan(10_000);
  });
});
