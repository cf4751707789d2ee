import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { invokeVertex, vertexPredictUrl, vertexTargetFrom } from '../../src/cli/invoke-vertex';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/main';
import { CommandError, UsageError } from '../../src/cli/usage-error';
import { FakeVertex } from './support/fake-vertex';

const ROOT = path.join(__dirname, '../..');
const ENDPOINT = 'projects/demo-project/locations/us-central1/endpoints/1234567890';

function capture(cwd = ROOT): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { GOOGLE_OAUTH_ACCESS_TOKEN: 'test-token' },
    cwd,
  };
}

function outputsFile(outputs: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'invoke-vertex-'));
  const file = path.join(dir, 'vertex-endpoint.json');
  writeFileSync(file, JSON.stringify({ 'vertex-endpoint': outputs }));
  return file;
}

const OUTPUTS = {
  endpoint_id: '1234567890',
  project_id: 'demo-project',
  region: 'us-central1',
  model_name: 'bankchurn',
  deployed_model_id: '1987654321',
  invoke_command: 'npm run invoke -- vertex --explain',
};

describe('invoke vertex', () => {
  let fake: FakeVertex;
  beforeEach(async () => {
    fake = await new FakeVertex().start();
    fake.addEndpoint(ENDPOINT);
    fake.predict = (body) => ({
      deployedModelId: '1987654321',
      predictions: (body.instances as unknown[]).map(() => ({
        label: 'churn',
        probability: 0.8,
        explanation: { baseValue: -1, fieldContributions: { age: 1.5, balance: 0.886 }, margin: 1.386 },
      })),
    });
  });
  afterEach(() => fake.stop());

  test('reads the endpoint from the outputs file, sends the bundled example with parameters.explain, prints the table', async () => {
    const io = capture();
    const file = outputsFile(OUTPUTS);
    await invokeVertex(['--explain', '--outputs-file', file, '--base-url', fake.url], io);
    const call = fake.callsTo(/:predict$/)[0]!;
    expect(call.path).toBe(`/v1/${ENDPOINT}:predict`);
    expect(call.authorization).toBe('Bearer test-token');
    const example = JSON.parse(
      readFileSync(path.join(ROOT, 'model-server/models/bankchurn/metadata.json'), 'utf8'),
    ).example as unknown;
    expect(call.body).toEqual({ instances: [example], parameters: { explain: true } });
    const printed = io.out.join('');
    expect(printed).toContain('Vertex AI endpoint 1234567890 (deployed model 1987654321), model bankchurn');
    expect(printed).toContain('instance 0: label churn, probability 0.8000');
    expect(printed).toMatch(/age\s+\+1\.500000/);
    expect(printed).toMatch(/= margin\s+\+1\.386000/);
  });

  test('is reached as `npm run invoke -- vertex` through the project CLI', async () => {
    const io = capture();
    const code = await runCli(
      ['invoke', 'vertex', '--explain', '--outputs-file', outputsFile(OUTPUTS), '--base-url', fake.url],
      io,
    );
    expect(io.err.join('')).toBe('');
    expect(code).toBe(0);
    expect(fake.callsTo(/:predict$/)).toHaveLength(1);
    expect(io.out.join('')).toContain('instance 0: label churn, probability 0.8000');
  });

  test('without --explain no parameters are sent; flags replace the outputs file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'invoke-vertex-rows-'));
    writeFileSync(path.join(dir, 'rows.json'), JSON.stringify({ instances: [{ a: 1 }, { a: 2 }] }));
    const io = capture(dir);
    await invokeVertex(
      [
        '--endpoint-id',
        '1234567890',
        '--project',
        'demo-project',
        '--region',
        'us-central1',
        '--model',
        'custom',
        '--file',
        'rows.json',
        '--base-url',
        fake.url,
      ],
      io,
    );
    expect(fake.callsTo(/:predict$/)[0]!.body).toEqual({ instances: [{ a: 1 }, { a: 2 }] });
    expect(io.out.join('')).toContain('instance 1:');
  });

  test('the API error reaches the user as a command error with its message', async () => {
    fake.predict = undefined;
    const file = outputsFile(OUTPUTS);
    await expect(invokeVertex(['--outputs-file', file, '--base-url', fake.url], capture())).rejects.toThrow(
      new CommandError('predict on endpoint 1234567890: HTTP 400 no model deployed'),
    );
  });

  test('429 is retried', async () => {
    fake.failNext(/:predict$/, 429);
    const io = capture();
    await invokeVertex(['--outputs-file', outputsFile(OUTPUTS), '--base-url', fake.url], io);
    expect(fake.callsTo(/:predict$/)).toHaveLength(2);
    expect(io.err.join('')).toContain('429');
  });

  test('a dedicated endpoint is called on its own DNS name; a shared one on the regional host', () => {
    const target = { project: 'p-123456', region: 'europe-west4', endpointId: '42' };
    expect(vertexPredictUrl(target)).toBe(
      'https://europe-west4-aiplatform.googleapis.com/v1/projects/p-123456/locations/europe-west4/endpoints/42:predict',
    );
    expect(
      vertexPredictUrl({ ...target, dedicatedDns: '42.europe-west4-123.prediction.vertexai.goog' }),
    ).toBe(
      'https://42.europe-west4-123.prediction.vertexai.goog/v1/projects/p-123456/locations/europe-west4/endpoints/42:predict',
    );
  });

  test('the dedicated DNS name of the outputs file decides the host; flags win over outputs', () => {
    const outputs = {
      ...OUTPUTS,
      dedicated_endpoint_dns: '1234567890.us-central1-987.prediction.vertexai.goog',
    };
    expect(vertexPredictUrl(vertexTargetFrom({}, outputs))).toBe(
      `https://1234567890.us-central1-987.prediction.vertexai.goog/v1/${ENDPOINT}:predict`,
    );
    expect(vertexPredictUrl(vertexTargetFrom({}, OUTPUTS))).toBe(
      `https://us-central1-aiplatform.googleapis.com/v1/${ENDPOINT}:predict`,
    );
    expect(vertexTargetFrom({ endpointId: '7', dedicatedDns: 'other.example' }, outputs)).toEqual({
      endpointId: '7',
      project: 'demo-project',
      region: 'us-central1',
      dedicatedDns: 'other.example',
    });
    expect(() => vertexTargetFrom({}, { region: 'us-central1' })).toThrow(
      'stack vertex-endpoint has no output endpoint_id in its outputs file; pass --endpoint-id',
    );
  });

  test('a missing outputs file says how to produce it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'invoke-vertex-none-'));
    mkdirSync(path.join(dir, 'outputs'));
    await expect(invokeVertex([], capture(dir))).rejects.toThrow(UsageError);
    await expect(invokeVertex([], capture(dir))).rejects.toThrow(
      'no outputs file outputs/vertex-endpoint.json: deploy with `npx cdktf deploy … vertex-endpoint --outputs-file outputs/vertex-endpoint.json`',
    );
  });

  test('CSV rows are refused: Vertex takes JSON', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'invoke-vertex-csv-'));
    writeFileSync(path.join(dir, 'rows.csv'), '1,2\n');
    const file = outputsFile(OUTPUTS);
    await expect(invokeVertex(['--outputs-file', file, '--file', 'rows.csv'], capture(dir))).rejects.toThrow(
      'Vertex AI takes JSON instances',
    );
  });
});
