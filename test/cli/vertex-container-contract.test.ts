import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseConfig as parseServerConfig } from '../../model-server/src/config';
import { startServer } from '../../model-server/src/lifecycle/server';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/main';
import { readModelBundle } from '../../src/config/model-bundle';
import { FakeGcs } from '../model-server/helpers/fake-gcs';
import { exampleOf, LogCapture } from '../model-server/helpers/server-app';
import { FakeVertex } from './support/fake-vertex';

const ROOT = path.join(__dirname, '../..');
const ENDPOINT = 'projects/demo-project/locations/us-central1/endpoints/1234567890';

interface ContainerSpec {
  imageUri: string;
  ports: { containerPort: number }[];
  healthRoute: string;
  predictRoute: string;
  env: { name: string; value: string }[];
}

/**
 * The model the deploy command uploads, run the way Vertex AI runs it: the container's env from
 * `containerSpec.env`, `AIP_MODE=PREDICTION`, `AIP_HEALTH_ROUTE`/`AIP_PREDICT_ROUTE` from the spec's routes,
 * and `AIP_STORAGE_URI` pointing at a copy of `artifactUri` holding the objects the bucket construct uploads.
 */
describe('the uploaded model meets the server in its Vertex mode', () => {
  let vertex: FakeVertex;
  let gcs: FakeGcs;
  let gcsBase: string;
  const bundle = readModelBundle(ROOT, 'model-server/models/bankchurn');
  const prefix = `bankchurn/${bundle.contentHash.slice(0, 16)}`;

  beforeAll(async () => {
    vertex = await new FakeVertex().start();
    vertex.addEndpoint(ENDPOINT);
    const objects: Record<string, Buffer> = {};
    for (const file of bundle.files) {
      objects[`copy/${prefix}/${file.name}`] = await readFile(
        path.join(ROOT, 'model-server/models/bankchurn', file.name),
      );
    }
    gcs = new FakeGcs({ buckets: { 'vertex-copy': objects } });
    gcsBase = await gcs.start();
  });
  afterAll(async () => {
    await vertex.stop();
    await gcs.stop();
  });

  test('health and predict routes answer, the model is named by MODEL_NAME, explanations sit in predictions', async () => {
    const io: CliIo = {
      stdout: () => {},
      stderr: () => {},
      env: { GOOGLE_OAUTH_ACCESS_TOKEN: 'test-token' },
      cwd: ROOT,
    };
    const code = await runCli(
      [
        'vertex-deploy',
        'deploy',
        ...['--project', 'demo-project', '--region', 'us-central1', '--endpoint-id', '1234567890'],
        ...['--deployed-model-id', '1987654321', '--display-name', 'model-serving-demo-bankchurn'],
        ...[
          '--image-uri',
          `r/model-server@sha256:${'a'.repeat(64)}`,
          '--artifact-uri',
          `gs://bucket/${prefix}`,
        ],
        ...['--model-name', 'bankchurn', '--machine-type', 'n1-standard-2', '--min-replicas', '1'],
        ...[
          '--max-replicas',
          '1',
          '--cpu-target-percent',
          '70',
          '--service-account',
          'sa@p-123456.iam.gserviceaccount.com',
        ],
        ...['--base-url', vertex.url, '--poll-seconds', '0.001'],
      ],
      io,
    );
    expect(code).toBe(0);
    const upload = vertex.callsTo(/models:upload$/)[0]!.body as { model: { containerSpec: ContainerSpec } };
    const spec = upload.model.containerSpec;
    expect(spec.ports).toEqual([{ containerPort: 8080 }]);
    // The server's own default port is the one Vertex sends to.
    expect(
      parseServerConfig([], { AIP_MODE: 'PREDICTION', AIP_HEALTH_ROUTE: '/h', AIP_PREDICT_ROUTE: '/p' }).port,
    ).toBe(8080);

    const config = parseServerConfig([], {
      ...Object.fromEntries(spec.env.map((e) => [e.name, e.value])),
      AIP_MODE: 'PREDICTION',
      AIP_HTTP_PORT: '0',
      AIP_HEALTH_ROUTE: spec.healthRoute,
      AIP_PREDICT_ROUTE: spec.predictRoute,
      AIP_STORAGE_URI: `gs://vertex-copy/copy/${prefix}`,
      STORAGE_EMULATOR_HOST: gcsBase,
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
      SHUTDOWN_DELAY_SECONDS: '0',
    });
    const server = await startServer(config, { logStream: new LogCapture(), defaultMetrics: false });
    try {
      await server.ready;
      // Without MODEL_NAME the model would be named after the download folder (the content hash).
      expect(server.registry.names()).toEqual(['bankchurn']);
      expect((await fetch(`${server.url}${spec.healthRoute}`)).status).toBe(200);
      const res = await fetch(`${server.url}${spec.predictRoute}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [await exampleOf('bankchurn')], parameters: { explain: true } }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { predictions: { explanation?: { margin: number } }[] };
      expect(Object.keys(body)).toEqual(['predictions']);
      expect(body.predictions[0]!.explanation?.margin).toEqual(expect.any(Number));
    } finally {
      await server.shutdown();
    }
  });
});
