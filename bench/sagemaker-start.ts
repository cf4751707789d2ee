/**
 * `npm run bench:sagemaker-start`: how long the server takes from spawn to its first 200 on `/ping` when it
 * starts the way a SageMaker instance starts it (`serve`, the bundle unpacked from the stack's own
 * model.tar.gz into a directory standing for /opt/ml/model, `MODEL_NAME` set). The figure behind
 * `SAGEMAKER_CONTAINER_STARTUP_TIMEOUT_SECONDS`. Runs the bundled server (`npm run build -w model-server`
 * first), not the image: the image adds the container runtime's own start.
 *
 *   npm run bench:sagemaker-start -- [--model bankchurn] [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packModelTarball } from '../src/artifact/model-tarball';
import { freePort, median, spawnServer, stopServer, waitFor200 } from './harness/process';
import { REPO_ROOT, SERVER_NODE_FLAGS } from './harness/servers';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { model: { type: 'string', default: 'bankchurn' }, runs: { type: 'string', default: '5' } },
  });
  const model = values.model!;
  const runs = Number(values.runs);
  const serverMain = join(REPO_ROOT, 'model-server/dist/main.js');
  if (!existsSync(serverMain)) throw new Error('build the server first: npm run build -w model-server');

  const work = mkdtempSync(join(tmpdir(), 'sagemaker-start-'));
  const archive = join(work, 'model.tar.gz');
  const tarball = packModelTarball(join(REPO_ROOT, 'model-server/models', model));
  writeFileSync(archive, tarball.bytes);
  const optMlModel = join(work, 'opt/ml/model');
  mkdirSync(optMlModel, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', archive, '-C', optMlModel], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);

  const times: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const port = await freePort();
    const metricsPort = await freePort();
    const startedAt = process.hrtime.bigint();
    const server = spawnServer({
      command: process.execPath,
      args: [...SERVER_NODE_FLAGS, serverMain, 'serve'],
      cwd: work,
      env: {
        PATH: process.env.PATH,
        SAGEMAKER_MODEL_DIR: optMlModel,
        SAGEMAKER_BIND_TO_PORT: String(port),
        METRICS_PORT: String(metricsPort),
        MODEL_NAME: model,
        LOG_LEVEL: 'warn',
      },
    });
    try {
      const ms = await waitFor200(server, `http://127.0.0.1:${port}/ping`, startedAt);
      times.push(ms);
      console.log(`start ${run}: ${ms.toFixed(0)} ms`);
    } finally {
      await stopServer(server);
    }
  }
  console.log(
    `${model} from model.tar.gz (sha256 ${tarball.sha256.slice(0, 12)}…): spawn → first 200 on /ping, median of ${runs}: ${median(times).toFixed(0)} ms (max ${Math.max(...times).toFixed(0)} ms)`,
  );
  // A start is mostly CPU: the machine's load says how far the figure is from an idle instance's.
  console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
