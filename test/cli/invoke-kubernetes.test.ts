import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/main';
import { type LocalServer, startLocalServer } from '../../src/compare/local-servers';
import { ensureServerBuilt, ROOT } from '../compare/support/build-server';
import { RecordingProxy } from '../compare/support/recording-proxy';

function capture(env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: ROOT };
}

describe('npm run invoke -- eks|gke --url', () => {
  let server: LocalServer;
  let service: RecordingProxy;

  beforeAll(async () => {
    ensureServerBuilt();
    server = await startLocalServer(
      ROOT,
      'native',
      path.join(ROOT, 'model-server/models/bankchurn'),
      'bankchurn',
    );
    // Stands in for the port-forward or load balancer in front of the Service.
    service = await new RecordingProxy((call) =>
      call.path === '/v1/models/bankchurn:predict'
        ? { url: `${server.baseUrl}${server.predictPath}`, headers: {} }
        : undefined,
    ).start();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([server.stop(), service.stop()]);
  });

  it('sends the bundled example with the API key and prints the prediction and its explanation', async () => {
    const io = capture();
    await expect(
      runCli(['invoke', 'gke', '--url', `${service.url}/`, '--explain', '--api-key', 'k-1'], io),
    ).resolves.toBe(0);
    const call = service.calls.at(-1)!;
    expect(call.headers['x-api-key']).toBe('k-1');
    expect(JSON.parse(call.body)).toMatchObject({
      parameters: { explain: true },
      instances: [expect.any(Object)],
    });
    const text = io.out.join('');
    expect(text).toContain(`gke service ${service.url}, model bankchurn`);
    expect(text).toMatch(/instance 0: /);
    expect(text).toContain('IsActiveMember');
  });

  it('takes the API key from MODEL_SERVING_API_KEY, and reports a refusal as a command error', async () => {
    service.failFirst = service.calls.length + 1;
    service.failStatus = 401;
    service.failBody = '{"error":"missing API key"}';
    const io = capture({ MODEL_SERVING_API_KEY: 'from-env' });
    await expect(runCli(['invoke', 'eks', '--url', service.url], io)).resolves.toBe(1);
    expect(service.calls.at(-1)!.headers['x-api-key']).toBe('from-env');
    expect(io.err.join('')).toContain('error: eks service answered HTTP 401: {"error":"missing API key"}');
  });

  /** An outputs file as `cdktf deploy gke-serving --outputs-file …` writes it. */
  function outputsFile(outputs: Record<string, unknown>): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'invoke-outputs-')), 'gke-serving.json');
    writeFileSync(file, JSON.stringify({ 'gke-serving': outputs }));
    return file;
  }

  it('--service takes the TLS Gateway URL (https_urls) and the API key from the gke-serving outputs', async () => {
    const file = outputsFile({
      https_urls: { bankchurn: `${service.url}/` },
      load_balancer_addresses: { bankchurn: '192.0.2.1' },
      api_keys: { bankchurn: 'key-a,key-b' },
    });
    const io = capture();
    await expect(
      runCli(['invoke', 'gke', '--service', 'bankchurn', '--outputs-file', file], io),
    ).resolves.toBe(0);
    expect(service.calls.at(-1)!.headers['x-api-key']).toBe('key-a');
    expect(io.out.join('')).toContain(`gke service ${service.url}, model bankchurn`);
  });

  it('--service without a Gateway or load balancer entry says to port-forward', async () => {
    const file = outputsFile({ https_urls: { other: 'https://other.example.com' } });
    const io = capture();
    await expect(
      runCli(['invoke', 'gke', '--service', 'bankchurn', '--outputs-file', file], io),
    ).resolves.toBe(2);
    expect(io.err.join('')).toContain(
      'stack gke-serving has no https_urls or load_balancer_addresses entry for service bankchurn (an internal service: port-forward and pass --url)',
    );
  });

  it('needs --url or --service', async () => {
    const io = capture();
    await expect(runCli(['invoke', 'eks'], io)).resolves.toBe(2);
    expect(io.err.join('')).toMatch(/--url is required/);
  });
});
