import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { parseConfig } from '../../../model-server/src/config';
import { formatBanner, usage } from '../../../model-server/src/lifecycle/banner';
import { type RunningServer, startServer } from '../../../model-server/src/lifecycle/server';
import { LogCapture } from '../helpers/server-app';
import { MAIN_TS, spawnServer } from '../helpers/spawn';

const run = promisify(execFile);
/** util-linux `script` runs a command on a pseudo-terminal: the way to give the server a TTY stdout. */
const SCRIPT = spawnSync('script', ['--version']).status === 0;
const CURL = spawnSync('curl', ['--version']).status === 0;

const curlLines = (banner: string): string[] =>
  banner
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('curl '));

describe('start-up banner', () => {
  let server: RunningServer;
  let logs: LogCapture;
  beforeAll(async () => {
    const config = parseConfig([], { HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0' });
    logs = new LogCapture();
    server = await startServer(config, { logStream: logs, defaultMetrics: false });
    await server.ready;
  });
  afterAll(() => server.shutdown());

  const banner = (): string => {
    const { port } = server.app.server.address() as AddressInfo;
    return formatBanner(usage(server.registry, { host: '127.0.0.1', port }, server.metricsUrl));
  };

  it('names the URL, the models and the metrics URL in plain text', () => {
    const text = banner();
    expect(text).toContain(`model-server ready on ${server.url}\n`);
    expect(text).toContain('  models: bankchurn, chicagotaxi, nlpinsight (default: bankchurn)\n');
    expect(text).toContain(`  metrics: ${server.metricsUrl}\n`);
    expect(text).not.toContain('\\"');
  });

  (CURL ? it : it.skip)('prints curl lines that work when pasted into a shell as shown', async () => {
    const [predict, explain] = curlLines(banner());
    expect(predict).toMatch(/^curl -s -X POST '.*\/predict' -H 'Content-Type: application\/json' -d '\{/);
    const plain = JSON.parse((await run('bash', ['-c', predict!])).stdout);
    expect(plain.predictions).toHaveLength(1);
    expect(plain.predictions[0].explanation).toBeUndefined();
    const explained = JSON.parse((await run('bash', ['-c', explain!])).stdout);
    expect(explained.predictions[0].explanation.contributions).toEqual(expect.any(Object));
  });

  (CURL ? it : it.skip)(
    'is what the JSON log line cannot be: pasted from the log, the same curl gets BAD_JSON',
    async () => {
      // The log line as a terminal shows it: the curl's quotes escaped inside a JSON string.
      const ready = logs.lines.find((l) => String(l.msg).startsWith('ready:'))!;
      const shown = JSON.stringify(ready.try).slice(1, -1);
      const pasted = JSON.parse((await run('bash', ['-c', shown])).stdout);
      expect(pasted.error?.code ?? pasted.code).toBe('BAD_JSON');
    },
  );
});

describe('start-up banner of the process', () => {
  const env = { HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', SHUTDOWN_DELAY_SECONDS: '0' };

  it('is not printed when stdout is not a terminal: only JSON lines', async () => {
    const server = spawnServer([], env);
    await server.ready;
    server.proc.kill('SIGTERM');
    await server.exited;
    const lines = server.stdout().split('\n').filter(Boolean);
    expect(lines.every((l) => l.startsWith('{'))).toBe(true);
    expect(server.stdout()).not.toContain('model-server ready on');
  });

  (SCRIPT ? it : it.skip)('is printed beside the ready log line when stdout is a terminal', async () => {
    const command = `'${process.execPath}' --import tsx '${MAIN_TS}'`;
    const proc: ChildProcess = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        proc.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          // Both the JSON ready line and the banner: under load the logger's asynchronous write may land
          // after the banner, which writes to the terminal directly.
          if (
            out.includes('"msg":"ready: ') &&
            out.includes('with exact SHAP explanations:') &&
            curlLines(out).length === 2
          ) {
            resolve();
          }
        });
        proc.on('exit', () => reject(new Error(`exited before the banner: ${out}`)));
      });
    } finally {
      // The server runs in the session `script` made for the terminal, outside this process group, and it
      // ignores the SIGHUP the closing terminal sends: stop it by the pid its log lines carry.
      const serverPid = Number(/"pid":(\d+)/.exec(out)?.[1]);
      if (serverPid > 0) process.kill(serverPid, 'SIGTERM');
      process.kill(-proc.pid!, 'SIGTERM');
    }
    expect(out).toMatch(/"msg":"ready: [^\n]*\n/);
    expect(out).toMatch(/^model-server ready on http:\/\/127\.0\.0\.1:\d+\r?$/m);
    const [predict] = curlLines(out.replace(/\r/g, ''));
    expect(predict).toMatch(/^curl -s -X POST 'http:\/\/127\.0\.0\.1:\d+\/predict'/);
  });
});
