/**
 * SageMaker's container contract (https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html):
 * started as `<image> serve`, `GET /ping` and `POST /invocations` on 8080 (or SAGEMAKER_BIND_TO_PORT), the
 * socket accepting within 250 ms, /ping within 2 s under load, payloads up to 6 MB, run as root with the
 * model unpacked read-only in /opt/ml/model.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectTime, freePort, postJson, request, waitForStatus } from './support/http';
import {
  additivityError,
  csvOf,
  type ExplanationJson,
  instancesOf,
  MODELS_DIR,
  metadataOf,
} from './support/models';
import { removeStartedContainers, runContainer } from './support/podman';
import { reportFigure } from './support/report';
import { listeningReportedAt, type Serving, startServing } from './support/serving';

interface PredictionJson {
  label?: string;
  probability?: number;
  explanation?: ExplanationJson;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MAX_BATCH_SIZE = 1000; // the server's default (MAX_BATCH_SIZE)
const BANKCHURN = metadataOf('bankchurn');

afterAll(removeStartedContainers);

describe('SageMaker: `serve` with the bundled models, as the image user', () => {
  let serving: Serving;
  let acceptedAfterListeningMs: number;

  beforeAll(async () => {
    // Poll connections from the moment `podman run` returns, to compare the first accepted one with the
    // moment the server reported listening (its own log line's timestamp; same clock as the host).
    const port = await freePort();
    const container = await runContainer({
      options: ['-p', `127.0.0.1:${port}:8080`, '-e', 'DEFAULT_MODEL=bankchurn'],
      args: ['serve'],
    });
    let firstAcceptAt: number | undefined;
    const deadline = Date.now() + 30_000;
    while (firstAcceptAt === undefined && Date.now() < deadline) {
      try {
        await connectTime(port, '127.0.0.1', 1000);
        firstAcceptAt = Date.now();
      } catch {
        await sleep(5);
      }
    }
    const readyAt = await waitForStatus(`http://127.0.0.1:${port}/ping`, 200, 30_000, 10);
    const logs = await container.logs();
    const listeningAt = listeningReportedAt(logs, 8080);
    if (firstAcceptAt === undefined || listeningAt === undefined) {
      throw new Error(`no accepted connection or no listening log line; logs:\n${logs}`);
    }
    acceptedAfterListeningMs = firstAcceptAt - listeningAt;
    serving = {
      container,
      port,
      url: `http://127.0.0.1:${port}`,
      readyAfterMs: readyAt - container.startedAt,
    };
    reportFigure('sagemaker: start (podman run returned) -> /ping 200', `${serving.readyAfterMs} ms`);
    reportFigure(
      'sagemaker: first accepted connection - listening log line',
      `${acceptedAfterListeningMs} ms`,
    );
  });

  test('accepts connections within 250 ms of reporting that it listens', () => {
    expect(acceptedAfterListeningMs).toBeLessThanOrEqual(250);
  });

  test('runs as uid 10001 and answers /ping', async () => {
    expect(await serving.container.processUid()).toBe(10001);
    const res = await request(`${serving.url}/ping`);
    expect(res.status).toBe(200);
  });

  test('/invocations takes JSON and answers JSON by default', async () => {
    const instances = instancesOf('bankchurn', 3);
    const res = await postJson(`${serving.url}/invocations`, { instances });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const { predictions } = JSON.parse(res.body) as { predictions: PredictionJson[] };
    expect(predictions).toHaveLength(3);
    for (const p of predictions) {
      expect(BANKCHURN.classLabels).toContain(p.label);
      expect(p.probability).toBeGreaterThanOrEqual(0);
      expect(p.probability).toBeLessThanOrEqual(1);
      expect(p.explanation).toBeUndefined();
    }
  });

  test('/invocations takes CSV rows with and without a header and answers CSV when asked', async () => {
    const instances = instancesOf('bankchurn', 4);
    const json = await postJson(`${serving.url}/invocations`, { instances });
    const expected = (JSON.parse(json.body) as { predictions: PredictionJson[] }).predictions;
    for (const header of [false, true]) {
      const body = csvOf('bankchurn', instances, header);
      const asJson = await request(`${serving.url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', accept: 'application/json' },
        body,
      });
      expect(asJson.status).toBe(200);
      expect((JSON.parse(asJson.body) as { predictions: PredictionJson[] }).predictions).toEqual(expected);

      const asCsv = await request(`${serving.url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', accept: 'text/csv' },
        body,
      });
      expect(asCsv.status).toBe(200);
      expect(asCsv.headers['content-type']).toMatch(/^text\/csv/);
      const rows = asCsv.body.trim().split('\n');
      expect(rows).toEqual(expected.map((p) => `${p.label},${p.probability}`));
    }
    const withHeader = await request(`${serving.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', accept: 'text/csv;header=present' },
      body: csvOf('bankchurn', instances, false),
    });
    expect(withHeader.body.trim().split('\n')[0]).toBe('label,probability');
  });

  test('an unsupported Content-Type is 415 and an unsupported Accept is 406, as JSON', async () => {
    const body = JSON.stringify({ instances: instancesOf('bankchurn', 1) });
    const unsupported = await request(`${serving.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<instances/>',
    });
    expect(unsupported.status).toBe(415);
    expect(unsupported.headers['content-type']).toMatch(/^application\/json/);
    expect(unsupported.body).toMatch(/text\/csv/);

    const notAcceptable = await request(`${serving.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/xml' },
      body,
    });
    expect(notAcceptable.status).toBe(406);
    expect(notAcceptable.headers['content-type']).toMatch(/^application\/json/);
  });

  test('X-Amzn-SageMaker-Custom-Attributes: explain=true adds an additive explanation to each prediction', async () => {
    const instances = instancesOf('bankchurn', 2);
    for (const contentType of ['application/json', 'text/csv']) {
      const res = await request(`${serving.url}/invocations`, {
        method: 'POST',
        headers: {
          'content-type': contentType,
          accept: 'application/json',
          'x-amzn-sagemaker-custom-attributes': 'trace=abc,explain=true',
        },
        body:
          contentType === 'text/csv' ? csvOf('bankchurn', instances, false) : JSON.stringify({ instances }),
      });
      expect(res.status).toBe(200);
      const { predictions } = JSON.parse(res.body) as { predictions: PredictionJson[] };
      expect(predictions).toHaveLength(2);
      for (const p of predictions) {
        const e = p.explanation!;
        expect(Object.keys(e.fieldContributions).sort()).toEqual(BANKCHURN.inputs.map((f) => f.name).sort());
        expect(additivityError(e)).toBeLessThan(1e-5);
        expect(1 / (1 + Math.exp(-e.margin))).toBeCloseTo(p.probability!, 6);
      }
    }
  });

  test('a body over 6 MiB is 413 JSON', async () => {
    // Valid JSON of 6 MiB + 1 byte: the limit, not the parser, must reject it.
    const prefix = '{"instances":[{}],"pad":"';
    const size = 6 * 1024 * 1024 + 1;
    const body = Buffer.alloc(size, 'a');
    body.write(prefix, 0);
    body.write('"}', size - 2);
    let status: number | undefined;
    let contentType: string | undefined;
    try {
      const res = await request(`${serving.url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      status = res.status;
      contentType = res.headers['content-type'];
    } catch (error) {
      throw new Error(
        `the server dropped the connection instead of answering 413: ${(error as Error).message}`,
      );
    }
    expect(status).toBe(413);
    expect(contentType).toMatch(/^application\/json/);
    // Exactly 6 MiB is still accepted by the limit (and then judged on content: 400, not 413).
    const atLimit = Buffer.alloc(6 * 1024 * 1024, ' ');
    atLimit.write(JSON.stringify({ instances: instancesOf('bankchurn', 1) }), 0);
    const ok = await request(`${serving.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: atLimit,
    });
    expect(ok.status).toBe(200);
  });

  test('/ping answers within 2 s and connections are accepted within 250 ms while the largest batches are explained', async () => {
    const body = JSON.stringify({ instances: instancesOf('bankchurn', MAX_BATCH_SIZE) });
    const headers = {
      'content-type': 'application/json',
      'x-amzn-sagemaker-custom-attributes': 'explain=true',
    };
    let inFlight = 0;
    let scored = 0;
    let stop = false;
    const batchMs: number[] = [];
    const loop = async () => {
      while (!stop) {
        inFlight++;
        const t0 = Date.now();
        const res = await request(`${serving.url}/invocations`, {
          method: 'POST',
          headers,
          body,
          timeoutMs: 60_000,
        });
        inFlight--;
        expect(res.status).toBe(200);
        batchMs.push(Date.now() - t0);
        scored++;
      }
    };
    const loops = [loop(), loop()];
    await sleep(200);
    const pingMs: number[] = [];
    const connectMs: number[] = [];
    let pingsDuringScoring = 0;
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      const busy = inFlight > 0;
      connectMs.push(await connectTime(serving.port));
      const t0 = performance.now();
      const res = await request(`${serving.url}/ping`, { timeoutMs: 5000 });
      pingMs.push(performance.now() - t0);
      expect(res.status).toBe(200);
      if (busy && inFlight > 0) pingsDuringScoring++;
      await sleep(50);
    }
    stop = true;
    await Promise.all(loops);
    reportFigure(
      'sagemaker: /ping under load (2 loops of 1000-instance explain batches)',
      `max ${Math.max(...pingMs).toFixed(0)} ms, max connect ${Math.max(...connectMs).toFixed(1)} ms, ` +
        `${pingMs.length} pings, ${scored} batches, batch ${Math.min(...batchMs)}-${Math.max(...batchMs)} ms`,
    );
    expect(scored).toBeGreaterThan(0);
    expect(pingsDuringScoring).toBeGreaterThanOrEqual(pingMs.length / 2);
    expect(Math.max(...pingMs)).toBeLessThan(2000);
    expect(Math.max(...connectMs)).toBeLessThan(250);
  });
});

describe('SageMaker: as root, with a bundle mounted read-only at /opt/ml/model', () => {
  let bundleRoot: string;

  beforeAll(() => {
    bundleRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'opt-ml-model-'));
    fs.cpSync(path.join(MODELS_DIR, 'bankchurn'), bundleRoot, { recursive: true });
    // The container's root and the image's user both read it (SageMaker unpacks model.tar.gz as root).
    fs.chmodSync(bundleRoot, 0o755);
  });

  afterAll(() => fs.rmSync(bundleRoot, { recursive: true, force: true }));

  test('serves that bundle alone, named after its directory, as uid 0', async () => {
    const serving = await startServing({
      options: ['--user', '0', '-v', `${bundleRoot}:/opt/ml/model:ro`],
      args: ['serve'],
      readyPath: '/ping',
    });
    expect(await serving.container.processUid()).toBe(0);
    const models = JSON.parse((await request(`${serving.url}/v1/models`)).body) as {
      models: { name: string }[];
    };
    expect(models.models.map((m) => m.name)).toEqual(['model']);
    const res = await postJson(`${serving.url}/invocations`, { instances: instancesOf('bankchurn', 2) });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { predictions: unknown[] }).predictions).toHaveLength(2);
    await serving.container.remove();
  });

  test('MODEL_NAME names it', async () => {
    const serving = await startServing({
      options: ['--user', '0', '-v', `${bundleRoot}:/opt/ml/model:ro`, '-e', 'MODEL_NAME=bankchurn'],
      args: ['serve'],
      readyPath: '/ping',
    });
    const models = JSON.parse((await request(`${serving.url}/v1/models`)).body) as {
      models: { name: string }[];
    };
    expect(models.models.map((m) => m.name)).toEqual(['bankchurn']);
    await serving.container.remove();
  });
});

describe('SageMaker: SAGEMAKER_BIND_TO_PORT', () => {
  test('moves the serving port', async () => {
    const serving = await startServing({
      options: ['-e', 'SAGEMAKER_BIND_TO_PORT=8765', '-e', 'DEFAULT_MODEL=bankchurn'],
      args: ['serve'],
      containerPort: 8765,
      readyPath: '/ping',
    });
    const res = await postJson(`${serving.url}/invocations`, { instances: instancesOf('bankchurn', 1) });
    expect(res.status).toBe(200);
    expect(listeningReportedAt(await serving.container.logs(), 8765)).toBeDefined();
    await serving.container.remove();
  });
});
