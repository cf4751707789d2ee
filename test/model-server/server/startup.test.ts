import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_MODELS_DIR } from '../../../model-server/src/models/loader';
import { exampleOf } from '../helpers/server-app';
import { spawnServer } from '../helpers/spawn';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'server-startup-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const BASE_ENV = { HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', SHUTDOWN_DELAY_SECONDS: '0' };

/** pino's number for `fatal`: every log line carries its level as a number. */
const FATAL = 60;

/** The fatal log line of a process that failed to start. */
function fatal(server: ReturnType<typeof spawnServer>): string {
  const line = server.lines.find((l) => l.level === FATAL);
  return String(line?.msg ?? '');
}

describe('start-up', () => {
  it('prints --help and exits 0', async () => {
    const server = spawnServer(['--help']);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toMatch(/^Usage: model-server \[serve\]/);
    expect(server.stdout()).toContain('SAGEMAKER_BIND_TO_PORT');
  });

  it('exits 2 naming the variable and the allowed values for invalid configuration', async () => {
    const server = spawnServer([], { PORT: 'http', LOG_LEVEL: 'chatty' });
    expect(await server.exited).toEqual({ code: 2, signal: null });
    expect(server.stderr()).toContain('PORT="http": expected an integer from 0 to 65535');
    expect(server.stderr()).toContain(
      'LOG_LEVEL="chatty": expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('exits 1 with a one-line message when the models cannot be loaded, and is never ready', async () => {
    const corrupt = join(scratch, 'corrupt');
    await cp(join(BUNDLED_MODELS_DIR, 'bankchurn'), corrupt, { recursive: true });
    await writeFile(join(corrupt, 'model.json'), '{"learner": ');
    const [missing, broken] = [
      spawnServer(['--model-dir', join(scratch, 'does-not-exist')], BASE_ENV),
      spawnServer([], { ...BASE_ENV, MODEL_DIR: corrupt }),
    ];
    expect(await missing.exited).toEqual({ code: 1, signal: null });
    expect(fatal(missing)).toMatch(/^Model directory .*does-not-exist does not exist$/);
    expect(await broken.exited).toEqual({ code: 1, signal: null });
    expect(fatal(broken)).toMatch(/^Cannot load model 'corrupt' from .*corrupt: .*model\.json/);
    expect(fatal(broken)).not.toContain('\n');
    for (const s of [missing, broken])
      expect(s.lines.some((l) => String(l.msg).startsWith('ready:'))).toBe(false);
  });

  it('exits 2 when DEFAULT_MODEL names no loaded model', async () => {
    const server = spawnServer([], { ...BASE_ENV, DEFAULT_MODEL: 'nope' });
    expect(await server.exited).toEqual({ code: 2, signal: null });
    expect(fatal(server)).toBe(
      'DEFAULT_MODEL="nope" names no loaded model; loaded: bankchurn, chicagotaxi, nlpinsight',
    );
  });

  it('exits 1 when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((blocker.address() as AddressInfo).port);
      const server = spawnServer(['--port', port], BASE_ENV);
      expect(await server.exited).toEqual({ code: 1, signal: null });
      expect(fatal(server)).toMatch(/^cannot start: .*EADDRINUSE/);
      // Like every other line: a numeric level and the logger's time format, so log queries find it.
      const line = server.lines.find((l) => String(l.msg).startsWith('cannot start'));
      expect(line).toEqual(
        expect.objectContaining({ level: FATAL, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
      );
    } finally {
      blocker.close();
    }
  });
});

describe('SageMaker container', () => {
  /** Kills left-over servers when an assertion fails midway. */
  const afterThis: (() => void)[] = [];
  afterEach(() => {
    for (const kill of afterThis.splice(0)) kill();
  });

  it('runs as `serve` on SAGEMAKER_BIND_TO_PORT with the bundle in the model directory, logs, and stops on SIGTERM', async () => {
    const modelDir = join(scratch, 'opt-ml-model');
    await cp(join(BUNDLED_MODELS_DIR, 'bankchurn'), modelDir, { recursive: true });
    const server = spawnServer(['serve'], {
      ...BASE_ENV,
      PORT: '1', // SAGEMAKER_BIND_TO_PORT wins
      SAGEMAKER_BIND_TO_PORT: '0',
      SAGEMAKER_MODEL_DIR: modelDir,
      MODEL_NAME: 'churn',
    });
    afterThis.push(() => server.proc.kill('SIGKILL'));
    const ready = await server.ready;
    expect(ready.models).toEqual(['churn']);
    expect(ready.defaultModel).toBe('churn');
    expect(ready.try).toMatch(
      /^curl -s -X POST 'http:\/\/127\.0\.0\.1:\d+\/predict' -H 'Content-Type: application\/json' -d '\{"instances":\[\{/,
    );
    const url = ready.url as string;
    expect(server.lines.find((l) => l.msg === 'loading models')).toMatchObject({
      source: 'SAGEMAKER_MODEL_DIR',
    });

    expect((await fetch(`${url}/ping`)).status).toBe(200);
    const res = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amzn-sagemaker-custom-attributes': 'explain=true' },
      body: JSON.stringify({ instances: [await exampleOf('bankchurn')] }),
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { predictions: { explanation: object }[] }).predictions[0].explanation,
    ).toBeDefined();
    // The request's log line is written once the response is sent: wait for it.
    let requestLine: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && requestLine === undefined; i++) {
      requestLine = server.lines.find((l) => l.msg === 'request' && l.route === '/invocations');
      if (requestLine === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    expect(requestLine).toMatchObject({ level: 30, status: 200, model: 'churn', explain: true });

    const stopping = Date.now();
    server.proc.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(3000);
    expect(server.lines.some((l) => l.msg === 'shut down: every request finished')).toBe(true);
  });

  it('falls back to the bundled models when the SageMaker directory holds no bundle', async () => {
    const empty = await mkdtemp(join(scratch, 'empty-'));
    await writeFile(join(empty, 'README'), 'not a bundle');
    const server = spawnServer([], { ...BASE_ENV, SAGEMAKER_MODEL_DIR: empty });
    try {
      expect((await server.ready).models).toEqual(['bankchurn', 'chicagotaxi', 'nlpinsight']);
      expect(server.lines.find((l) => l.msg === 'loading models')).toMatchObject({ source: 'bundled' });
    } finally {
      server.proc.kill('SIGTERM');
      await server.exited;
    }
  });
});
