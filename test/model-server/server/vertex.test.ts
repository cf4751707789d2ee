import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../../../model-server/src/config';
import { StartupError, startServer } from '../../../model-server/src/lifecycle/server';
import { BUNDLED_MODELS_DIR } from '../../../model-server/src/models/loader';
import { downloadGcsPrefix, parseGsUri } from '../../../model-server/src/storage/gcs';
import { FakeGcs } from '../helpers/fake-gcs';
import { exampleOf, LogCapture, makeApp } from '../helpers/server-app';

const HEALTH = '/v1/endpoints/123/deployedModels/456';
const PREDICT = '/v1/endpoints/123/deployedModels/456:predict';

describe('Vertex AI routes', () => {
  it('serves AIP_HEALTH_ROUTE and AIP_PREDICT_ROUTE (with its colon) for the default model', async () => {
    const { app } = await makeApp({
      vertex: { healthRoute: HEALTH, predictRoute: PREDICT },
      defaultModel: 'chicagotaxi',
    });
    try {
      expect((await app.inject(HEALTH)).statusCode).toBe(200);
      const taxi = await exampleOf('chicagotaxi');
      const res = await app.inject({
        method: 'POST',
        url: PREDICT,
        payload: { instances: [taxi, taxi], parameters: { explain: true } },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      // Vertex passes only `predictions` to callers: the explanation must be inside each prediction.
      expect(Object.keys(body)).toEqual(['predictions']);
      for (const p of body.predictions) {
        expect(p.value).toEqual(expect.any(Number));
        expect(p.explanation.margin).toBeCloseTo(p.value, 6);
      }
      const bad = await app.inject({
        method: 'POST',
        url: PREDICT,
        payload: { instances: [{ ...taxi, trip_miles: -1 }] },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({
        code: 'INVALID_INPUT',
        details: [{ path: 'instances[0].trip_miles' }],
      });
      expect((await app.inject({ method: 'POST', url: `${PREDICT}x`, payload: {} })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('answers the health route 503 before the models are loaded', async () => {
    const { app } = await makeApp({ vertex: { healthRoute: HEALTH, predictRoute: PREDICT }, notReady: true });
    try {
      expect((await app.inject(HEALTH)).statusCode).toBe(503);
    } finally {
      await app.close();
    }
  });

  it('leaves a route that another protocol already serves to it', async () => {
    const { app } = await makeApp({ vertex: { healthRoute: '/health/ready', predictRoute: '/predict' } });
    try {
      expect((await app.inject('/health/ready')).statusCode).toBe(200);
      const res = await app.inject({
        method: 'POST',
        url: '/predict',
        payload: { instances: [await exampleOf('bankchurn')] },
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

async function bundleObjects(prefix: string, model: string): Promise<Record<string, Buffer>> {
  const dir = join(BUNDLED_MODELS_DIR, model);
  const objects: Record<string, Buffer> = {};
  for (const file of await readdir(dir))
    objects[`${prefix}${model}/${file}`] = await readFile(join(dir, file));
  return objects;
}

describe('GCS download (AIP_STORAGE_URI)', () => {
  let gcs: FakeGcs;
  let base: string;
  let objects: Record<string, Buffer | string>;

  beforeAll(async () => {
    objects = {
      ...(await bundleObjects('models/v1/', 'bankchurn')),
      ...(await bundleObjects('models/v1/', 'nlpinsight')),
      'models/v1/': '', // a folder placeholder, skipped
      'models/v10/other.txt': 'must not be downloaded: different prefix',
      'models/single/bankchurn/metadata.json': (await bundleObjects('', 'bankchurn'))[
        'bankchurn/metadata.json'
      ],
      'models/single/bankchurn/model.json': (await bundleObjects('', 'bankchurn'))['bankchurn/model.json'],
      'evil/../../escape.txt': 'x',
    };
    gcs = new FakeGcs({ buckets: { 'my-bucket': objects }, pageSize: 2, failures: { 'broken/': 403 } });
    base = await gcs.start();
  });
  afterAll(() => gcs.stop());
  beforeEach(() => gcs.calls.splice(0));

  it('parses gs:// URIs as a directory prefix', () => {
    expect(parseGsUri('gs://b/models/v1')).toEqual({ bucket: 'b', prefix: 'models/v1/' });
    expect(parseGsUri('gs://b/models/v1/')).toEqual({ bucket: 'b', prefix: 'models/v1/' });
    expect(parseGsUri('gs://b')).toEqual({ bucket: 'b', prefix: '' });
    expect(() => parseGsUri('s3://b/x')).toThrow(/not a gs:\/\/ URI/);
  });

  it('lists with pagination and downloads every object under the prefix, without credentials on the emulator', async () => {
    const dir = await downloadGcsPrefix({
      uri: 'gs://my-bucket/models/v1',
      emulatorHost: base.replace('http://', ''),
    });
    try {
      expect(dir.endsWith(`${join('/', 'v1')}`)).toBe(true);
      expect((await readdir(dir)).sort()).toEqual(['bankchurn', 'nlpinsight']);
      expect(await readFile(join(dir, 'bankchurn', 'model.json'))).toEqual(
        objects['models/v1/bankchurn/model.json'],
      );
      const lists = gcs.calls.filter((c) => c.path === '/storage/v1/b/my-bucket/o');
      expect(lists.length).toBeGreaterThan(1);
      expect(lists.every((c) => c.query.prefix === 'models/v1/')).toBe(true);
      expect(lists.slice(1).every((c) => c.query.pageToken !== undefined)).toBe(true);
      const media = gcs.calls.filter((c) => c.query.alt === 'media');
      expect(media).toHaveLength(4);
      expect(gcs.calls.every((c) => c.authorization === undefined)).toBe(true);
    } finally {
      await rm(join(dir, '..'), { recursive: true, force: true });
    }
  });

  it('sends the access token when not on the emulator', async () => {
    const dir = await downloadGcsPrefix({
      uri: 'gs://my-bucket/models/single/bankchurn',
      baseUrl: base,
      accessToken: async () => 'tok-123',
    });
    try {
      expect(dir.endsWith(join('/', 'bankchurn'))).toBe(true);
      expect((await readdir(dir)).sort()).toEqual(['metadata.json', 'model.json']);
      expect(gcs.calls).toHaveLength(3);
      expect(gcs.calls.every((c) => c.authorization === 'Bearer tok-123')).toBe(true);
    } finally {
      await rm(join(dir, '..'), { recursive: true, force: true });
    }
  });

  it('fails with a message naming the URI and the failing call', async () => {
    const host = base;
    await expect(downloadGcsPrefix({ uri: 'gs://my-bucket/broken/x', emulatorHost: host })).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:\d+\/storage\/v1\/b\/my-bucket\/o\?prefix=broken%2Fx%2F.* returned 403: .*injected failure/,
    );
    await expect(
      downloadGcsPrefix({ uri: 'gs://my-bucket/nothing/here', emulatorHost: host }),
    ).rejects.toThrow('no objects under gs://my-bucket/nothing/here');
    await expect(downloadGcsPrefix({ uri: 'gs://other-bucket/x', emulatorHost: host })).rejects.toThrow(
      /returned 404/,
    );
    await expect(downloadGcsPrefix({ uri: 'gs://my-bucket/evil', emulatorHost: host })).rejects.toThrow(
      /escapes the download directory/,
    );
  });

  it('starts a Vertex server from AIP_STORAGE_URI: downloads, loads, serves the predict route', async () => {
    const config = parseConfig([], {
      AIP_MODE: 'PREDICTION',
      AIP_HTTP_PORT: '0',
      AIP_HEALTH_ROUTE: HEALTH,
      AIP_PREDICT_ROUTE: PREDICT,
      AIP_STORAGE_URI: 'gs://my-bucket/models/single/bankchurn/',
      STORAGE_EMULATOR_HOST: base,
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
      SHUTDOWN_DELAY_SECONDS: '0',
    });
    const logs = new LogCapture();
    const server = await startServer(config, { logStream: logs, defaultMetrics: false });
    try {
      await server.ready;
      expect(server.registry.names()).toEqual(['bankchurn']);
      const res = await fetch(`${server.url}${PREDICT}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [await exampleOf('bankchurn')], parameters: { explain: true } }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { predictions: { explanation: unknown }[] };
      expect(body.predictions[0].explanation).toBeDefined();
      expect((await fetch(`${server.url}${HEALTH}`)).status).toBe(200);
      expect(logs.lines.find((l) => l.msg === 'loading models')).toMatchObject({ source: 'AIP_STORAGE_URI' });
    } finally {
      await server.shutdown();
    }
  });

  it('fails start-up (exit 1, never ready) when the download fails', async () => {
    const config = parseConfig([], {
      PORT: '0',
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
      AIP_STORAGE_URI: 'gs://my-bucket/broken/model',
      STORAGE_EMULATOR_HOST: base,
      SHUTDOWN_DELAY_SECONDS: '0',
    });
    const server = await startServer(config, { logStream: new LogCapture(), defaultMetrics: false });
    try {
      const error = (await server.ready.catch((e: unknown) => e)) as StartupError;
      expect(error).toBeInstanceOf(StartupError);
      expect(error.exitCode).toBe(1);
      expect(error.message).toMatch(
        /^cannot download the models from AIP_STORAGE_URI=gs:\/\/my-bucket\/broken\/model: GET .* returned 403/,
      );
      expect(error.message).not.toContain('\n');
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(503);
    } finally {
      await server.shutdown();
    }
  });
});
