import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/main';
import { type LocalServer, startLocalServer } from '../../src/compare/local-servers';
import type { CompareResult } from '../../src/compare/results';
import { ensureServerBuilt, ROOT } from '../compare/support/build-server';
import { RecordingProxy } from '../compare/support/recording-proxy';

function capture(env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: ROOT };
}

const SHORT = ['--duration', '0.3', '--concurrency', '1', '--instances', '3', '--warmup', '0.1'];
const latest = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'compare-latest.json'), 'utf8')) as CompareResult;

beforeAll(() => ensureServerBuilt(), 180_000);

describe('npm run compare -- --local', () => {
  it('measures the server in native, SageMaker and Vertex modes and finds the same explanations everywhere', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'compare-'));
    const io = capture();
    await expect(runCli(['compare', '--local', ...SHORT, '--out', out], io)).resolves.toBe(0);
    const result = latest(out);
    expect(result.config).toEqual({
      model: 'bankchurn',
      seed: 42,
      instances: 3,
      concurrency: 1,
      durationSeconds: 0.3,
      warmupSeconds: 0.1,
    });
    expect(Object.keys(result.versions)).toEqual(['node', 'model-serving-cdktf', 'model-server', 'model']);
    expect(result.runs.map((r) => [r.target, r.explain])).toEqual([
      ['local-native', false],
      ['local-native', true],
      ['local-sagemaker', false],
      ['local-sagemaker', true],
      ['local-vertex', false],
      ['local-vertex', true],
    ]);
    for (const run of result.runs) {
      expect(run).toMatchObject({ errors: 0, errorRate: 0 });
      expect(run.requests).toBeGreaterThan(0);
      expect(run.p50Ms).toBeLessThanOrEqual(run.p95Ms);
      expect(run.p95Ms).toBeLessThanOrEqual(run.p99Ms);
      if (run.explain) expect(run).toMatchObject({ explanationsReturned: true, explanationsAgree: true });
      // Cold start: the first run of each target, spawn to first answer.
      if (run.explain) expect(run.coldStartMs).toBeUndefined();
      else expect(run.coldStartMs).toBeGreaterThan(0);
    }
    const markdown = readFileSync(path.join(out, `compare-${result.date.replace(/[:.]/g, '-')}.md`), 'utf8');
    expect(markdown).toContain(`# Comparison run ${result.date}`);
    expect(markdown).toMatch(/\| local-vertex \| yes \| \d+ \| [\d.]+ \| .* \| yes \| yes \| - \|/);
    expect(io.out.join('')).toContain('local-sagemaker: starting the server in sagemaker mode');
  }, 120_000);
});

describe('npm run compare against deployed targets (local stand-ins for the clouds)', () => {
  const servers: LocalServer[] = [];
  const proxies: RecordingProxy[] = [];
  let sagemaker: RecordingProxy;
  let vertex: RecordingProxy;
  let eks: RecordingProxy;

  beforeAll(async () => {
    const modelDir = path.join(ROOT, 'model-server/models/bankchurn');
    const [native, sm, vx] = await Promise.all(
      (['native', 'sagemaker', 'vertex'] as const).map((mode) =>
        startLocalServer(ROOT, mode, modelDir, 'bankchurn'),
      ),
    );
    servers.push(native!, sm!, vx!);
    // SageMaker's runtime API forwards the body and the custom attributes to the container's /invocations.
    sagemaker = new RecordingProxy((call) =>
      call.path === '/endpoints/demo-endpoint/invocations'
        ? {
            url: `${sm!.baseUrl}/invocations`,
            headers: (call.headers['x-amzn-sagemaker-custom-attributes']
              ? {
                  'X-Amzn-SageMaker-Custom-Attributes': String(
                    call.headers['x-amzn-sagemaker-custom-attributes'],
                  ),
                }
              : {}) as Record<string, string>,
          }
        : undefined,
    );
    sagemaker.failFirst = 2;
    sagemaker.failHeaders = { 'x-amzn-errortype': 'ThrottlingException' };
    vertex = new RecordingProxy((call) =>
      call.path === '/v1/projects/demo-project/locations/us-central1/endpoints/1234567890:predict'
        ? { url: `${vx!.baseUrl}${vx!.predictPath}`, headers: {} }
        : undefined,
    );
    eks = new RecordingProxy((call) =>
      call.path === '/v1/models/bankchurn:predict'
        ? { url: `${native!.baseUrl}${native!.predictPath}`, headers: {} }
        : undefined,
    );
    for (const proxy of [sagemaker, vertex, eks]) proxies.push(await proxy.start());
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...servers.map((s) => s.stop()), ...proxies.map((p) => p.stop())]);
  });

  it('sends the same seeded requests through each platform API and checks the explanations against the local server', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'compare-'));
    const io = capture({
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      GOOGLE_OAUTH_ACCESS_TOKEN: 'token-1',
      MODEL_SERVING_API_KEY: 'key-from-env',
    });
    const args = [
      'compare',
      '--eks',
      eks.url,
      '--sagemaker-endpoint',
      'demo-endpoint',
      '--aws-region',
      'us-east-1',
      '--sagemaker-endpoint-url',
      sagemaker.url,
      '--vertex-endpoint-id',
      '1234567890',
      '--gcp-project',
      'demo-project',
      '--gcp-region',
      'us-central1',
      '--vertex-base-url',
      vertex.url,
      '--first-after-deploy',
      ...SHORT,
      // no warm-up: the throttled first calls must land in the measured run
      '--warmup',
      '0',
      '--out',
      out,
    ];
    await expect(runCli(args, io)).resolves.toBe(0);
    const result = latest(out);
    expect(result.runs.map((r) => `${r.target}:${r.explain}`)).toEqual([
      'eks:false',
      'eks:true',
      'sagemaker:false',
      'sagemaker:true',
      'vertex:false',
      'vertex:true',
    ]);
    for (const run of result.runs.filter((r) => r.explain)) {
      expect(run).toMatchObject({ errors: 0, explanationsReturned: true, explanationsAgree: true });
    }
    // The throttled calls are errors of the run, not retried away.
    const throttled = result.runs.find((r) => r.target === 'sagemaker' && !r.explain)!;
    expect(throttled.errors).toBe(2);
    expect(throttled.firstErrors![0]).toMatch(/^ThrottlingException/);
    expect(throttled.coldStartMs).toBeGreaterThan(0);

    // SageMaker: SigV4-signed InvokeEndpoint calls; explanations asked in the custom attributes header.
    expect(sagemaker.calls.every((c) => String(c.headers.authorization).startsWith('AWS4-HMAC-SHA256'))).toBe(
      true,
    );
    const explainCalls = sagemaker.calls.filter(
      (c) => c.headers['x-amzn-sagemaker-custom-attributes'] === 'explain=true',
    );
    expect(explainCalls.length).toBe(
      result.runs.find((r) => r.target === 'sagemaker' && r.explain)!.requests,
    );
    expect(JSON.parse(sagemaker.calls[0]!.body).instances).toHaveLength(1);
    // Vertex: the bearer token; EKS: the API key from the environment.
    expect(vertex.calls.every((c) => c.headers.authorization === 'Bearer token-1')).toBe(true);
    expect(eks.calls.every((c) => c.headers['x-api-key'] === 'key-from-env')).toBe(true);
    // The same seeded instances went to every target, in the same order, in each run. Compared run by run
    // over the requests both targets got: how many fit in a run's duration depends on the machine's load.
    type Calls = RecordingProxy['calls'];
    const bodyAsksExplain = (c: Calls[number]) => JSON.parse(c.body).parameters?.explain === true;
    const headerAsksExplain = (c: Calls[number]) =>
      c.headers['x-amzn-sagemaker-custom-attributes'] === 'explain=true';
    const runsOf = (calls: Calls, asksExplain: (c: Calls[number]) => boolean) =>
      [false, true].map((explain) =>
        calls.filter((c) => asksExplain(c) === explain).map((c) => JSON.parse(c.body).instances[0]),
      );
    const eksRuns = runsOf(eks.calls, bodyAsksExplain);
    // (the two throttled SageMaker calls count: their instances are not sent again)
    for (const runs of [runsOf(vertex.calls, bodyAsksExplain), runsOf(sagemaker.calls, headerAsksExplain)]) {
      for (const [index, run] of runs.entries()) {
        const both = Math.min(run.length, eksRuns[index]!.length, 3);
        expect(both).toBeGreaterThan(0);
        expect(run.slice(0, both)).toEqual(eksRuns[index]!.slice(0, both));
      }
    }
  }, 120_000);

  it.each([
    [['compare'], /name at least one target/],
    [['compare', '--eks', 'localhost:8080'], /--eks "localhost:8080": expected an http\(s\) URL/],
    [['compare', '--local', '--concurrency', '0'], /--concurrency "0": expected an integer >= 1/],
    [['compare', '--local', '--model', 'nosuch'], /no bundled model model-server\/models\/nosuch/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const io = capture();
    await expect(runCli(args, io)).resolves.toBe(2);
    expect(io.err.join('')).toMatch(message);
  });
});
