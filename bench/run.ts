/**
 * `npm run bench`: the Node server against the FastAPI baseline (bench/baseline/app.py) on the same model
 * bundle, in the same run. Each server is pinned to CPU 0 and wrk to CPU 1; bodies are distinct
 * pre-generated records cycled by a Lua script. Measures throughput and p50/p99 latency at several
 * connection counts with and without explanations, cold start (spawn → first 200 on /health/ready, median
 * of several), idle and peak RSS of the server process itself (/proc/<pid>/status).
 *
 *   npm run bench                      # 10 s per point after a 3 s warm-up, 5 cold starts
 *   npm run bench -- --quick           # 3 s per point, 1 s warm-up, 3 cold starts
 *   npm run bench -- --profile         # also write a Node CPU profile under load and print its hot spots
 *   npm run bench -- --before-dist F   # also measure an earlier build (F = its dist/main.js) in the same run
 *
 * Two no-op servers (bench/noop/: fastify 5 and bare node:http, parsing the JSON body and answering a fixed
 * prediction) run as reference columns with the same pinning: the model server's throughput is reported as
 * a multiple of theirs as well as of FastAPI's.
 *
 * Flags: `npm run bench -- --help` (BENCH_FLAGS below); the README explains them and the targets.
 * Results: bench/results/bench-<time>.{json,md} and latest.*.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { LOG_LEVELS } from '../model-server/src/config';
import { busyByArea, hotSpots } from './harness/cpuprofile';
import { type FlagDocs, flagsHelp, parseFlags } from './harness/flags';
import { BUNDLED_MODELS_DIR, readBundleMetadata, requestBodies } from './harness/instances';
import {
  cpuJiffies,
  cpuSeconds,
  freePort,
  median,
  niceAsServers,
  postJson,
  processName,
  readMemory,
  sleep,
  spawnServer,
  stopServer,
  waitFor200,
} from './harness/process';
import { referenceRows, referenceTable } from './harness/reference';
import {
  compare,
  type MeasuredRun,
  markdownTable,
  type ServerResult,
  targetSummary,
  textTable,
} from './harness/report';
import {
  DEBIAN_PYTHON,
  fastapiServer,
  fastifyNoopServer,
  httpNoopServer,
  nodeServer,
  PRODUCTION_LOG_LEVEL,
  REPO_ROOT,
  type ServerUnderTest,
} from './harness/servers';
import { runWrk, writeBodyCyclingScript } from './harness/wrk';

const SERVER_CPUS = 0;
const LOAD_CPUS = 1;

interface BenchConfig {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number[];
  coldStarts: number;
  bodies: number;
  batchSize: number;
  model: string;
  servers: string[];
  /** An earlier build's dist/main.js, measured as 'node-before' in the same run. */
  beforeDist?: string;
  build: boolean;
  profile: boolean;
  /** Niceness of the servers and wrk (negative: ahead of other work on a shared machine; needs root). */
  nice: number;
  /** LOG_LEVEL of the model server. */
  logLevel: string;
  outDir: string;
  /** Exit 3 when a row misses its target. */
  strict: boolean;
}

const SERVER_IDS = ['node', 'node-before', 'fastify-noop', 'http-noop', 'fastapi'] as const;

export const BENCH_FLAGS: FlagDocs = {
  quick: { type: 'boolean', help: '3 s per point, 1 s warm-up, 3 cold starts (a first look, not a record)' },
  duration: {
    type: 'string',
    value: 'S',
    env: 'BENCH_DURATION',
    default: '10',
    help: 'seconds measured per point',
  },
  warmup: {
    type: 'string',
    value: 'S',
    env: 'BENCH_WARMUP',
    default: '3',
    help: 'seconds of warm-up before each point',
  },
  connections: {
    type: 'string',
    value: 'LIST',
    env: 'BENCH_CONNECTIONS',
    default: '1,16,64',
    help: 'concurrent connections of each point',
  },
  'cold-starts': {
    type: 'string',
    value: 'N',
    env: 'BENCH_COLD_STARTS',
    default: '5',
    help: 'cold starts per server (median)',
  },
  bodies: { type: 'string', value: 'N', default: '300', help: 'distinct request bodies, cycled' },
  batch: { type: 'string', value: 'N', default: '1', help: 'instances per request' },
  model: {
    type: 'string',
    value: 'NAME',
    default: 'bankchurn',
    help: 'bundled model served by both servers',
  },
  servers: {
    type: 'string',
    value: 'LIST',
    default: 'node,fastify-noop,http-noop,fastapi',
    help: `servers to measure (${SERVER_IDS.join(', ')}; node-before needs --before-dist)`,
  },
  'before-dist': {
    type: 'string',
    value: 'FILE',
    help: "an earlier build's model-server/dist/main.js, measured as node-before in the same run",
  },
  nice: {
    type: 'string',
    value: 'N',
    env: 'BENCH_NICE',
    default: '-10 as root, else 0',
    help: 'niceness of the servers, wrk and the bench itself (it reads their logs); 0 = off',
  },
  'log-level': {
    type: 'string',
    value: 'LEVEL',
    env: 'BENCH_LOG_LEVEL',
    default: PRODUCTION_LOG_LEVEL,
    help: "the model server's LOG_LEVEL (info, its default, writes a line per request)",
  },
  'no-build': { type: 'boolean', help: 'use model-server/dist as it is (no npm run build)' },
  profile: { type: 'boolean', help: 'also write a Node CPU profile under load and print its hot spots' },
  out: { type: 'string', value: 'DIR', default: 'bench/results', help: 'where the reports go' },
  strict: { type: 'boolean', help: 'exit 3 when a row misses its target (default: report it and exit 0)' },
};

export const BENCH_HELP = flagsHelp(
  'npm run bench -- [flags]',
  'The Node server against the FastAPI baseline on the same model: throughput, p50/p99, cold start, RSS.\n' +
    "Installs wrk and the baseline's Debian packages first when missing (as root).",
  BENCH_FLAGS,
);

function positiveInt(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer, got '${raw}'`);
  return value;
}

function logLevelOf(raw: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(raw))
    throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  return raw;
}

function parseConfig(argv: string[]): BenchConfig | undefined {
  const values = parseFlags(argv, BENCH_FLAGS);
  if (values === undefined) return undefined;
  const opt = (name: string): string | undefined => values[name] as string | undefined;
  const text = (name: string, fallback: string): string => opt(name) ?? fallback;
  const quick = values.quick === true;
  const env = process.env;
  const beforeDist = opt('before-dist');
  const servers = text(
    'servers',
    `node,${beforeDist ? 'node-before,' : ''}fastify-noop,http-noop,fastapi`,
  ).split(',');
  for (const s of servers) {
    if (!(SERVER_IDS as readonly string[]).includes(s))
      throw new Error(`--servers: unknown '${s}', allowed: ${SERVER_IDS.join(', ')}`);
    if (s === 'node-before' && beforeDist === undefined)
      throw new Error('--servers: node-before needs --before-dist FILE (an earlier dist/main.js)');
  }
  return {
    durationSeconds: positiveInt('duration', opt('duration') ?? env.BENCH_DURATION ?? (quick ? '3' : '10')),
    warmupSeconds: positiveInt('warmup', opt('warmup') ?? env.BENCH_WARMUP ?? (quick ? '1' : '3')),
    connections: (opt('connections') ?? env.BENCH_CONNECTIONS ?? '1,16,64')
      .split(',')
      .map((c) => positiveInt('connections', c)),
    coldStarts: positiveInt(
      'cold-starts',
      opt('cold-starts') ?? env.BENCH_COLD_STARTS ?? (quick ? '3' : '5'),
    ),
    bodies: positiveInt('bodies', text('bodies', '300')),
    batchSize: positiveInt('batch', text('batch', '1')),
    model: text('model', 'bankchurn'),
    servers,
    ...(beforeDist === undefined ? {} : { beforeDist }),
    build: values['no-build'] !== true,
    profile: values.profile === true,
    nice: Number(opt('nice') ?? env.BENCH_NICE ?? (process.getuid?.() === 0 ? '-10' : '0')),
    logLevel: logLevelOf(opt('log-level') ?? env.BENCH_LOG_LEVEL ?? PRODUCTION_LOG_LEVEL),
    outDir: text('out', join(REPO_ROOT, 'bench', 'results')),
    strict: values.strict === true,
  };
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function versions(): Record<string, string> {
  const run = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch (e) {
      return `unavailable (${(e as Error).message.split('\n')[0]})`;
    }
  };
  return {
    node: process.version,
    python: run(DEBIAN_PYTHON, [
      '-c',
      'import sys,fastapi,uvicorn,pydantic,xgboost,prometheus_client,uvloop,httptools;' +
        'print(sys.version.split()[0], "fastapi", fastapi.__version__, "uvicorn", uvicorn.__version__, "pydantic",' +
        ' pydantic.VERSION, "xgboost", xgboost.__version__, "uvloop", uvloop.__version__, "httptools", httptools.__version__)',
    ]),
    // wrk -v prints its version and exits 1.
    wrk: spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0]?.trim() ?? 'wrk',
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  };
}

/** Checks one response: a 200 with one prediction per instance, explanations only when asked. */
function checkResponse(
  server: string,
  explain: boolean,
  batch: number,
  res: { status: number; body: unknown },
) {
  const body = res.body as {
    predictions?: { probability?: unknown; explanation?: { contributions?: unknown } }[];
  };
  const problem =
    res.status !== 200
      ? `status ${res.status}`
      : !Array.isArray(body.predictions) || body.predictions.length !== batch
        ? 'predictions missing or of the wrong length'
        : body.predictions.some((p) => typeof p.probability !== 'number')
          ? 'a prediction has no probability'
          : explain && body.predictions.some((p) => typeof p.explanation?.contributions !== 'object')
            ? 'explanation missing'
            : undefined;
  if (problem) {
    throw new Error(
      `${server} answered a benchmark body wrongly (${problem}): ${JSON.stringify(res.body).slice(0, 500)}`,
    );
  }
  return body.predictions!.map((p) => p.probability as number);
}

async function coldStart(server: ServerUnderTest, config: BenchConfig): Promise<number> {
  const port = await freePort();
  const metricsPort = await freePort();
  const startedAt = process.hrtime.bigint();
  const running = spawnServer({
    ...server.spawnSpec({ port, metricsPort }, String(SERVER_CPUS)),
    nice: config.nice,
  });
  try {
    return await waitFor200(running, `http://127.0.0.1:${port}${server.readyPath}`, startedAt, { pollMs: 5 });
  } finally {
    await stopServer(running);
  }
}

async function measureServer(
  server: ServerUnderTest,
  config: BenchConfig,
  scripts: { predict: string; explain: string },
  probe: { predict: string; explain: string },
  coldStartMs: number[],
): Promise<{ result: ServerResult; probabilities: number[] }> {
  const port = await freePort();
  const metricsPort = await freePort();
  const spec = server.spawnSpec({ port, metricsPort }, String(SERVER_CPUS));
  const running = spawnServer({ ...spec, nice: config.nice });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor200(running, base + server.readyPath, process.hrtime.bigint());
    const comm = processName(running.pid);
    if (comm !== server.processName) {
      throw new Error(
        `measured pid ${running.pid} is '${comm}', expected '${server.processName}' (a wrapper?)`,
      );
    }
    await sleep(1000);
    const idle = readMemory(running.pid);
    const url = base + server.predictPath(config.model);
    const probabilities = checkResponse(
      server.id,
      false,
      config.batchSize,
      await postJson(url, probe.predict),
    );
    checkResponse(server.id, true, config.batchSize, await postJson(url, probe.explain));

    const runs: MeasuredRun[] = [];
    const wrk = { url, cpus: String(LOAD_CPUS), nice: config.nice };
    for (const explain of [false, true]) {
      for (const connections of config.connections) {
        const script = explain ? scripts.explain : scripts.predict;
        await runWrk({ ...wrk, connections, durationSeconds: config.warmupSeconds, script });
        const cpuBefore = cpuSeconds(running.pid);
        const coresBefore = cpuJiffies();
        const result = await runWrk({ ...wrk, connections, durationSeconds: config.durationSeconds, script });
        const serverCpu = cpuSeconds(running.pid) - cpuBefore;
        const core = cpuJiffies()[SERVER_CPUS]!;
        const coreBusy = core.busy - coresBefore[SERVER_CPUS]!.busy;
        const coreTotal = core.total - coresBefore[SERVER_CPUS]!.total;
        if (result.errors > 0) {
          throw new Error(
            `${server.id} explain=${explain} c=${connections}: ${result.errors} errors (${result.non2xx} non-2xx)`,
          );
        }
        const run: MeasuredRun = {
          ...result,
          explain,
          serverCpuPercent: (100 * serverCpu) / result.durationSeconds,
          requestsPerServerCpuSecond: result.requests / serverCpu,
          // Jiffies are 1/100 s like the process times; the run's own process is subtracted from the core's busy time.
          otherLoadOnServerCorePercent: Math.max(0, (100 * (coreBusy - serverCpu * 100)) / coreTotal),
        };
        log(
          `${server.id} ${explain ? 'explain' : 'predict'} c=${connections}: ${result.requestsPerSecond.toFixed(0)} req/s, ` +
            `p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms; server CPU ${run.serverCpuPercent.toFixed(0)}%, ` +
            `${run.requestsPerServerCpuSecond.toFixed(0)} req/CPU-s, other load on its core ${run.otherLoadOnServerCorePercent.toFixed(0)}%`,
        );
        runs.push(run);
      }
    }
    const after = readMemory(running.pid);
    return {
      probabilities,
      result: {
        id: server.id,
        label: server.label,
        processName: comm,
        coldStartMs,
        coldStartMedianMs: median(coldStartMs),
        idleRssMiB: idle.rssMiB,
        peakRssMiB: after.peakRssMiB,
        rssAfterLoadMiB: after.rssMiB,
        runs,
      },
    };
  } finally {
    const code = await stopServer(running);
    if (code !== 0) log(`${server.id} exited with ${code} on SIGTERM`);
  }
}

/** Runs the Node server with --cpu-prof under load (c=16, each mode) and prints where its time goes. */
async function profileNode(
  server: ServerUnderTest,
  config: BenchConfig,
  scripts: { predict: string; explain: string },
  stamp: string,
): Promise<Record<string, { hotSpots: ReturnType<typeof hotSpots>; areas: ReturnType<typeof busyByArea> }>> {
  const found: Record<
    string,
    { hotSpots: ReturnType<typeof hotSpots>; areas: ReturnType<typeof busyByArea> }
  > = {};
  for (const mode of ['predict', 'explain'] as const) {
    const dir = join(config.outDir, `profile-${stamp}-${mode}`);
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const metricsPort = await freePort();
    const spec = server.spawnSpec({ port, metricsPort }, String(SERVER_CPUS));
    const running = spawnServer({
      ...spec,
      nice: config.nice,
      args: ['--cpu-prof', '--cpu-prof-dir', dir, ...spec.args],
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor200(running, base + server.readyPath, process.hrtime.bigint());
      const url = base + server.predictPath(config.model);
      await runWrk({
        url,
        connections: 16,
        durationSeconds: config.durationSeconds,
        script: scripts[mode],
        cpus: String(LOAD_CPUS),
        nice: config.nice,
      });
    } finally {
      await stopServer(running);
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      log(`no CPU profile written for ${mode} (did the server exit on SIGTERM without a clean exit?)`);
      continue;
    }
    const spots = hotSpots(join(dir, file), REPO_ROOT, 20);
    const areas = busyByArea(join(dir, file), REPO_ROOT);
    found[mode] = { hotSpots: spots, areas };
    log(`profile (${mode}, c=16): ${join(dir, file)}; percentages of busy (non-idle) time`);
    for (const a of areas.slice(0, 12)) log(`  ${a.percent.toFixed(1).padStart(5)}%  ${a.area}`);
    log('  hottest functions (self, inclusive):');
    for (const s of spots) {
      log(`  ${s.selfPercent.toFixed(1).padStart(5)}% ${s.totalPercent.toFixed(1).padStart(5)}%  ${s.frame}`);
    }
  }
  return found;
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2));
  if (config === undefined) {
    process.stdout.write(`${BENCH_HELP}\n`);
    return;
  }
  execFileSync('bash', [join(REPO_ROOT, 'bench', 'ensure-deps.sh')], { stdio: 'inherit' });
  niceAsServers(config.nice);
  mkdirSync(config.outDir, { recursive: true });
  if (config.build) {
    log('building model-server (npm run build -w model-server)');
    execFileSync('npm', ['run', 'build', '-w', 'model-server'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  const modelDir = join(BUNDLED_MODELS_DIR, config.model);
  const metadata = readBundleMetadata(modelDir);
  const all: Record<string, ServerUnderTest> = {
    node: nodeServer(modelDir, config.model, { logLevel: config.logLevel }),
    ...(config.beforeDist === undefined
      ? {}
      : {
          'node-before': nodeServer(modelDir, config.model, {
            bundle: { file: config.beforeDist, id: 'node-before', label: 'Node (fastify), earlier build' },
            logLevel: config.logLevel,
          }),
        }),
    'fastify-noop': fastifyNoopServer(),
    'http-noop': httpNoopServer(),
    fastapi: fastapiServer(modelDir, config.model),
  };
  const servers = config.servers.map((s) => all[s]!);

  const seed = 20240611;
  const predictBodies = requestBodies(metadata, {
    count: config.bodies,
    batchSize: config.batchSize,
    explain: false,
    seed,
  });
  const explainBodies = requestBodies(metadata, {
    count: config.bodies,
    batchSize: config.batchSize,
    explain: true,
    seed,
  });
  const path = servers[0]!.predictPath(config.model);
  const scripts = {
    predict: writeBodyCyclingScript(predictBodies, path),
    explain: writeBodyCyclingScript(explainBodies, path),
  };
  const probe = { predict: predictBodies[0]!, explain: explainBodies[0]! };
  log(
    `${config.model}: ${predictBodies.length} distinct bodies of ${config.batchSize} instance(s); ` +
      `${config.durationSeconds} s per point after ${config.warmupSeconds} s warm-up; c=${config.connections.join(',')}`,
  );

  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  // Cold starts alternate between the servers so that a burst of noise on the machine hits both alike.
  const cold = new Map<string, number[]>(servers.map((s) => [s.id, []]));
  for (let i = 0; i < config.coldStarts; i++) {
    for (const server of servers) {
      const ms = await coldStart(server, config);
      cold.get(server.id)!.push(ms);
      log(`cold start ${server.id} #${i + 1}: ${ms.toFixed(0)} ms`);
    }
  }

  const results: ServerResult[] = [];
  const probabilities = new Map<string, number[]>();
  for (const server of servers) {
    const { result, probabilities: p } = await measureServer(
      server,
      config,
      scripts,
      probe,
      cold.get(server.id)!,
    );
    results.push(result);
    probabilities.set(server.id, p);
  }

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const profile =
    config.profile && all.node ? await profileNode(all.node, config, scripts, stamp) : undefined;
  const references = referenceRows(results, config.connections);

  const node = results.find((r) => r.id === 'node');
  const baseline = results.find((r) => r.id === 'fastapi');
  const rows = node && baseline ? compare(node, baseline, config.connections) : [];
  const agreement =
    probabilities.has('node') && probabilities.has('fastapi')
      ? Math.max(...probabilities.get('node')!.map((p, i) => Math.abs(p - probabilities.get('fastapi')![i]!)))
      : undefined;

  const info = versions();
  const header =
    `Benchmark ${stamp}: model ${config.model}, batch ${config.batchSize}, ${config.durationSeconds} s/point ` +
    `(+${config.warmupSeconds} s warm-up), server on CPU ${SERVER_CPUS}, wrk on CPU ${LOAD_CPUS}, nice ${config.nice}, ` +
    `${config.coldStarts} cold starts; load average before: ${loadBefore}.\n${info.cpu}; Node ${info.node}; Python ${info.python}; ${info.wrk}` +
    (agreement === undefined
      ? ''
      : `\nmax |p_node - p_fastapi| on the probe body: ${agreement.toExponential(2)}`);
  const table = rows.length > 0 ? textTable(rows) : results.map((r) => JSON.stringify(r)).join('\n');
  const summary = rows.length > 0 ? targetSummary(rows) : undefined;
  process.stdout.write(`\n${header}\n\n${table}\n${summary ? `\n${summary.text}\n` : ''}`);
  process.stdout.write(
    `\nAll servers, same pinning, same run (ratios: throughput ÷ throughput; CPU µs/req = server CPU time ÷ requests):\n` +
      `${referenceTable(references)}\n`,
  );

  const json = {
    stamp,
    config,
    versions: info,
    results,
    comparison: rows,
    references,
    probabilityAgreement: agreement,
    profile,
  };
  const markdown = `# Benchmark ${stamp}\n\n${header.split('\n').join('  \n')}\n\n${
    rows.length > 0 ? markdownTable(rows) : ''
  }${summary ? `\n\n${summary.text}` : ''}\n\n## All servers, same run\n\n${referenceTable(references, true)}\n\nCommand: \`npm run bench -- ${process.argv.slice(2).join(' ')}\`\n`;
  for (const name of [`bench-${stamp}`, 'latest']) {
    writeFileSync(join(config.outDir, `${name}.json`), JSON.stringify(json, null, 2) + '\n');
    writeFileSync(join(config.outDir, `${name}.md`), markdown);
  }
  log(`wrote ${join(config.outDir, `bench-${stamp}.{json,md}`)}`);
  if (config.strict && summary && summary.missed.length > 0) process.exitCode = 3;
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench] failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
