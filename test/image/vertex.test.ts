/**
 * Vertex AI's custom-container contract (https://cloud.google.com/vertex-ai/docs/predictions/custom-container-requirements):
 * AIP_MODE=PREDICTION, the port, health and predict routes from AIP_* variables, the model artifacts under
 * AIP_STORAGE_URI (gs://) downloaded at start-up. A fake Cloud Storage API on the host's loopback stands in
 * for GCS; the container shares the host's network to reach it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeGcs } from './support/fake-gcs';
import { freePort, postJson, request, waitForStatus } from './support/http';
import { additivityError, type ExplanationJson, instancesOf, MODELS_DIR } from './support/models';
import { removeStartedContainers, runContainer } from './support/podman';
import { reportFigure } from './support/report';

const HEALTH_ROUTE = '/v1/endpoints/1234567890/deployedModels/9876543210';
const PREDICT_ROUTE = `${HEALTH_ROUTE}:predict`;
const STORAGE_URI = 'gs://vertex-models/artifacts/bankchurn';

let bucketDir: string;

beforeAll(() => {
  bucketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-gcs-'));
  fs.cpSync(path.join(MODELS_DIR, 'bankchurn'), path.join(bucketDir, 'artifacts/bankchurn'), {
    recursive: true,
  });
  // An object that must not be downloaded: the prefix is a directory, not a name prefix.
  fs.mkdirSync(path.join(bucketDir, 'artifacts/bankchurn-old'), { recursive: true });
  fs.writeFileSync(path.join(bucketDir, 'artifacts/bankchurn-old/model.json'), '{}');
});

afterAll(async () => {
  await removeStartedContainers();
  fs.rmSync(bucketDir, { recursive: true, force: true });
});

/** The environment Vertex gives a custom container (plus the emulator host), with --network host. */
async function vertexOptions(emulatorHost: string): Promise<{ options: string[]; port: number }> {
  const port = await freePort();
  const metricsPort = await freePort();
  const env = {
    AIP_MODE: 'PREDICTION',
    AIP_HTTP_PORT: String(port),
    AIP_HEALTH_ROUTE: HEALTH_ROUTE,
    AIP_PREDICT_ROUTE: PREDICT_ROUTE,
    AIP_STORAGE_URI: STORAGE_URI,
    STORAGE_EMULATOR_HOST: emulatorHost,
    // The host's 9090 may be taken; with --network host every port is the host's.
    METRICS_PORT: String(metricsPort),
  };
  const options = ['--network', 'host', '--read-only', '--tmpfs', '/tmp'];
  for (const [k, v] of Object.entries(env)) options.push('-e', `${k}=${v}`);
  return { options, port };
}

describe('Vertex AI: models from AIP_STORAGE_URI, routes from AIP_*', () => {
  let gcs: FakeGcs;
  let url: string;

  beforeAll(async () => {
    gcs = new FakeGcs({ buckets: { 'vertex-models': bucketDir } });
    const { options, port } = await vertexOptions(await gcs.start());
    const container = await runContainer({ options });
    url = `http://127.0.0.1:${port}`;
    try {
      const readyAt = await waitForStatus(`${url}${HEALTH_ROUTE}`, 200, 60_000, 10);
      reportFigure(
        'vertex: start (podman run returned) -> AIP_HEALTH_ROUTE 200',
        `${readyAt - container.startedAt} ms`,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await container.logs()}`);
    }
  });

  afterAll(() => gcs.close());

  test('downloaded exactly the objects under the prefix from the storage API', () => {
    const lists = gcs.calls.filter((c) => /\/o$/.test(c.path));
    expect(lists).toHaveLength(1);
    expect(lists[0].path).toBe('/storage/v1/b/vertex-models/o');
    expect(lists[0].query.prefix).toBe('artifacts/bankchurn/');
    const downloads = gcs.calls
      .filter((c) => c.query.alt === 'media')
      .map((c) => decodeURIComponent(c.path.replace('/storage/v1/b/vertex-models/o/', '')))
      .sort();
    expect(downloads).toEqual(['artifacts/bankchurn/metadata.json', 'artifacts/bankchurn/model.json']);
    expect(gcs.calls.every((c) => c.status === 200)).toBe(true);
  });

  test('serves the downloaded model, named after the last prefix segment', async () => {
    const list = JSON.parse((await request(`${url}/v1/models`)).body) as { models: { name: string }[] };
    expect(list.models.map((m) => m.name)).toEqual(['bankchurn']);
  });

  test('the predict route answers predictions, each with its explanation when parameters.explain is set', async () => {
    const instances = instancesOf('bankchurn', 3);
    const plain = await postJson(`${url}${PREDICT_ROUTE}`, { instances });
    expect(plain.status).toBe(200);
    const plainPredictions = (JSON.parse(plain.body) as { predictions: Record<string, unknown>[] })
      .predictions;
    expect(plainPredictions).toHaveLength(3);
    expect(plainPredictions.every((p) => p.explanation === undefined)).toBe(true);

    const explained = await postJson(`${url}${PREDICT_ROUTE}`, { instances, parameters: { explain: true } });
    expect(explained.status).toBe(200);
    const body = JSON.parse(explained.body) as { predictions: Record<string, unknown>[] };
    // Vertex passes only `predictions` to callers: explanations must be inside them.
    expect(Object.keys(body)).toEqual(['predictions']);
    body.predictions.forEach((p, i) => {
      const { explanation, ...prediction } = p;
      expect(prediction).toEqual(plainPredictions[i]);
      expect(additivityError(explanation as ExplanationJson)).toBeLessThan(1e-5);
    });
  });

  test('a bad request on the predict route is a 400 naming the field', async () => {
    const res = await postJson(`${url}${PREDICT_ROUTE}`, {
      instances: [{ ...instancesOf('bankchurn', 1)[0], Age: 'x' }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/Age/);
  });
});

describe('Vertex AI: a failing download', () => {
  test('makes the container exit non-zero with a message naming the URI and the failure', async () => {
    const gcs = new FakeGcs({ buckets: { 'vertex-models': bucketDir }, failDownloadsWith: 403 });
    try {
      const { options } = await vertexOptions(await gcs.start());
      const container = await runContainer({ options });
      const exitCode = await container.waitForExit(30_000);
      const logs = await container.logs();
      expect(exitCode).not.toBe(0);
      expect(logs).toContain(STORAGE_URI);
      expect(logs).toMatch(/403/);
      expect(logs).not.toMatch(/^\s+at /m); // a message, not a stack trace
      expect(gcs.calls.some((c) => c.status === 403)).toBe(true);
    } finally {
      await gcs.close();
    }
  });
});
