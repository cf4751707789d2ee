import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LoadedModel } from '../../model-server/src/core/types';
import { loadModels } from '../../model-server/src/models/loader';
import { INVOKE_TARGETS } from '../../src/cli/invoke';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/main';

const ROOT = path.join(__dirname, '../..');
const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDSTANDIN', AWS_SECRET_ACCESS_KEY: 'not-a-secret' };

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Stands in for the SageMaker runtime API: records each call and answers as SageMaker does, with the body
 * the container returned (here: the real bankchurn model's predictions of the JSON instances it got), or
 * with the error `fail` names.
 */
class RuntimeStandIn {
  readonly calls: Recorded[] = [];
  fail?: { status: number; type: string; message: string };
  private server?: Server;

  constructor(private readonly model: LoadedModel) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.calls.push({ method: request.method!, url: request.url!, headers: request.headers, body });
        if (this.fail) {
          response.writeHead(this.fail.status, {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-errortype': this.fail.type,
          });
          response.end(JSON.stringify({ message: this.fail.message }));
          return;
        }
        const explain = request.headers['x-amzn-sagemaker-custom-attributes'] === 'explain=true';
        const instances =
          request.headers['content-type'] === 'text/csv'
            ? [this.model.metadata.example]
            : (JSON.parse(body) as { instances: unknown[] }).instances;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ predictions: this.model.predict(instances, { explain }) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function capture(cwd: string, env: Record<string, string> = FAKE_CREDENTIALS) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd };
  return { io, out, err };
}

describe('npm run invoke -- sagemaker', () => {
  let standIn: RuntimeStandIn;
  let url: string;
  let model: LoadedModel;
  beforeAll(async () => {
    [model] = (await loadModels({
      dir: path.join(ROOT, 'model-server/models/bankchurn'),
      modelName: 'bankchurn',
    })) as [LoadedModel];
    standIn = new RuntimeStandIn(model);
    url = await standIn.start();
  });
  afterAll(() => standIn.stop());
  beforeEach(() => {
    standIn.calls.length = 0;
    delete standIn.fail;
  });

  test('sagemaker is a registered target', () => {
    expect(Object.keys(INVOKE_TARGETS)).toContain('sagemaker');
  });

  test('--explain: signed InvokeEndpoint with explain=true in the custom attributes; prints the contributions', async () => {
    const { io, out, err } = capture(ROOT);
    const args = [
      'invoke',
      'sagemaker',
      '--explain',
      '--endpoint-name',
      'churn-demo',
      '--region',
      'eu-west-1',
    ];
    await expect(runCli([...args, '--endpoint-url', url], io)).resolves.toBe(0);
    expect(err.join('')).toBe('');
    expect(standIn.calls).toHaveLength(1);
    const call = standIn.calls[0]!;
    expect(call.method).toBe('POST');
    expect(call.url).toBe('/endpoints/churn-demo/invocations');
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers.accept).toBe('application/json');
    expect(call.headers['x-amzn-sagemaker-custom-attributes']).toBe('explain=true');
    expect(call.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDSTANDIN\/\d{8}\/eu-west-1\/sagemaker\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.parse(call.body)).toEqual({ instances: [model.metadata.example] });

    const [expected] = model.predict([model.metadata.example], { explain: true });
    const printed = out.join('');
    expect(printed).toContain('endpoint churn-demo (eu-west-1), model bankchurn\n');
    expect(printed).toContain(
      `instance 0: label ${expected!.label}, probability ${expected!.probability!.toFixed(4)}`,
    );
    for (const field of Object.keys(expected!.explanation!.fieldContributions))
      expect(printed).toContain(`  ${field} `);
    expect(printed).toMatch(/= margin\s+[+-]\d/);
  });

  test('names from outputs/sagemaker-endpoint.json; CSV rows go as text/csv; no explain header without --explain', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'invoke-'));
    mkdirSync(path.join(project, 'outputs'));
    writeFileSync(
      path.join(project, 'outputs/sagemaker-endpoint.json'),
      JSON.stringify({
        'sagemaker-endpoint': { endpoint_name: 'from-outputs', region: 'us-west-2', model_name: 'bankchurn' },
      }),
    );
    const csv = `${model.metadata.inputs.map((input) => String(model.metadata.example[input.name])).join(',')}\n`;
    writeFileSync(path.join(project, 'rows.csv'), csv);
    const { io, out } = capture(project);
    await expect(
      runCli(['invoke', 'sagemaker', '--file', 'rows.csv', '--endpoint-url', url], io),
    ).resolves.toBe(0);
    const call = standIn.calls[0]!;
    expect(call.url).toBe('/endpoints/from-outputs/invocations');
    expect(call.headers['content-type']).toBe('text/csv');
    expect(call.body).toBe(csv);
    expect(call.headers['x-amzn-sagemaker-custom-attributes']).toBeUndefined();
    expect(call.headers.authorization).toContain('/us-west-2/sagemaker/aws4_request');
    expect(out.join('')).toMatch(/^endpoint from-outputs \(us-west-2\), model bankchurn\ninstance 0: label /);
    expect(out.join('')).not.toContain('contribution');
  });

  test('a refusal by the runtime API is one line and exit 1', async () => {
    standIn.fail = {
      status: 400,
      type: 'ValidationError',
      message: 'Endpoint gone of account 123456789012 not found.',
    };
    const { io, err } = capture(ROOT);
    const args = [
      'invoke',
      'sagemaker',
      '--endpoint-name',
      'gone',
      '--region',
      'us-east-1',
      '--endpoint-url',
      url,
    ];
    await expect(runCli(args, io)).resolves.toBe(1);
    expect(err.join('')).toBe(
      'error: InvokeEndpoint on gone (us-east-1) failed: ValidationError: Endpoint gone of account 123456789012 not found.\n',
    );
  });

  test('without flags or outputs file: a usage error that says how to get one (exit 2, nothing sent)', async () => {
    const { io, err } = capture(mkdtempSync(path.join(tmpdir(), 'invoke-empty-')));
    await expect(runCli(['invoke', 'sagemaker'], io)).resolves.toBe(2);
    expect(err.join('')).toContain(
      'error: no outputs file outputs/sagemaker-endpoint.json: deploy with `npx cdktf deploy … sagemaker-endpoint --outputs-file outputs/sagemaker-endpoint.json`',
    );
    expect(standIn.calls).toHaveLength(0);
  });

  test('unknown flag, unknown target, no target: usage errors', async () => {
    const unknownFlag = capture(ROOT);
    await expect(runCli(['invoke', 'sagemaker', '--explian'], unknownFlag.io)).resolves.toBe(2);
    expect(unknownFlag.err.join('')).toContain("Unknown option '--explian'");
    const unknownTarget = capture(ROOT);
    await expect(runCli(['invoke', 'azure'], unknownTarget.io)).resolves.toBe(2);
    expect(unknownTarget.err.join('')).toMatch(/^error: unknown target "azure" \(targets: sagemaker[,)]/);
    const none = capture(ROOT);
    await expect(runCli(['invoke'], none.io)).resolves.toBe(2);
    expect(none.err.join('')).toMatch(/^error: name a target \(sagemaker/);
  });
});
