/**
 * `npm run bench:workers`: the server with WORKERS=1 and WORKERS=2 (and more: --workers) in the same run, on
 * the same bodies, with wrk: throughput and p50/p99 of plain and explained predictions, the CPU the server got,
 * and the memory (RSS) of the cluster primary and of each worker after the load.
 *
 * Layouts, each measured in turn:
 * - `1 worker, own core`: server on CPU 0, wrk on CPU 1 (as `npm run bench` runs it);
 * - `N workers, shared`: server and wrk on CPUs 0-1 together. On a 2-core machine this is the only way
 *   to give 2 workers 2 cores, and wrk then takes CPU from them: the figures understate what 2 workers do on
 *   an instance whose load comes over the network. The 1-worker row of the same layout is the fair baseline.
 *
 * Results: bench/results/workers-<time>.{json,md} and workers-latest.*.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { type FlagDocs, flagsHelp, parseFlags } from './harness/flags';
import { BUNDLED_MODELS_DIR, readBundleMetadata, requestBodies } from './harness/instances';
import {
  cpuSeconds,
  freePort,
  type Memory,
  median,
  niceAsServers,
  readMemory,
  sleep,
  spawnServer,
  stopServer,
  waitFor200,
} from './harness/process';
import { nodeServer, REPO_ROOT } from './harness/servers';
import { runWrk, writeBodyCyclingScript } from './harness/wrk';

export const WORKERS_BENCH_FLAGS: FlagDocs = {
  duration: { type: 'string', value: 'S', default: '10', help: 'seconds measured per point' },
  warmup: { type: 'string', value: 'S', default: '3', help: 'seconds of warm-up before each point' },
  connections: {
    type: 'string',
    value: 'LIST',
    default: '16,64',
    help: 'concurrent connections of each point',
  },
  workers: {
    type: 'string',
    value: 'LIST',
    default: '1,2',
    help: 'WORKERS values to measure (shared layout)',
  },
  rounds: {
    type: 'string',
    value: 'N',
    default: '3',
    help: 'rounds over all layouts in turn (a median per point, so drifting load hits all alike)',
  },
  nice: {
    type: 'string',
    value: 'N',
    default: '-10 as root, else 0',
    help: 'niceness of the servers, wrk and the bench itself (it reads their logs); 0 = off',
  },
  model: { type: 'string', value: 'NAME', default: 'bankchurn', help: 'bundled model served' },
  'no-build': { type: 'boolean', help: 'use model-server/dist as it is (no npm run build)' },
  out: { type: 'string', value: 'DIR', default: 'bench/results', help: 'where the reports go' },
};

export const WORKERS_BENCH_HELP = flagsHelp(
  'npm run bench:workers -- [flags]',
  'The server with 1 and 2 workers in the same run: throughput, p50/p99, server CPU, RSS per worker.',
  WORKERS_BENCH_FLAGS,
);

interface Layout {
  readonly name: string;
  readonly workers: number;
  readonly serverCpus: string;
  readonly wrkCpus: string;
}

interface Point {
  readonly layout: string;
  readonly mode: 'predict' | 'explain';
  readonly connections: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU the primary and its workers used, in % of one core. */
  readonly serverCpuPercent: number;
}

interface MemoryRow {
  readonly layout: string;
  readonly primary?: Memory;
  /** Each serving process (the single process with WORKERS=1). */
  readonly workers: Memory[];
}

function positiveInts(name: string, raw: string): number[] {
  return raw.split(',').map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected positive integers, got '${v}'`);
    return n;
  });
}

/** Child pids of a process (its cluster workers), from /proc/<pid>/status. */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (new RegExp(`^PPid:\\s+${pid}$`, 'm').test(status)) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out.sort((a, b) => a - b);
}

const log = (message: string): void => {
  process.stderr.write(`[bench:workers] ${message}\n`);
};

async function measure(
  layout: Layout,
  model: string,
  scripts: { predict: string; explain: string },
  connections: readonly number[],
  durationSeconds: number,
  warmupSeconds: number,
  nice: number,
): Promise<{ points: Point[]; memory: MemoryRow }> {
  const port = await freePort();
  const metricsPort = await freePort();
  const spec = nodeServer(join(BUNDLED_MODELS_DIR, model), model).spawnSpec(
    { port, metricsPort },
    layout.serverCpus,
  );
  const running = spawnServer({ ...spec, nice, env: { ...spec.env, WORKERS: String(layout.workers) } });
  const points: Point[] = [];
  try {
    await waitFor200(running, `http://127.0.0.1:${port}/health/ready`, process.hrtime.bigint());
    await sleep(500);
    const workers = layout.workers > 1 ? childPids(running.pid) : [running.pid];
    if (workers.length !== layout.workers) {
      throw new Error(`expected ${layout.workers} serving processes, found ${workers.length}`);
    }
    const all = layout.workers > 1 ? [running.pid, ...workers] : workers;
    const url = `http://127.0.0.1:${port}/v1/models/${model}:predict`;
    for (const mode of ['predict', 'explain'] as const) {
      for (const c of connections) {
        const script = scripts[mode];
        await runWrk({
          url,
          connections: c,
          durationSeconds: warmupSeconds,
          script,
          cpus: layout.wrkCpus,
          nice,
        });
        const before = all.map(cpuSeconds).reduce((a, b) => a + b, 0);
        const r = await runWrk({ url, connections: c, durationSeconds, script, cpus: layout.wrkCpus, nice });
        const used = all.map(cpuSeconds).reduce((a, b) => a + b, 0) - before;
        if (r.errors > 0)
          throw new Error(`${layout.name} ${mode} c=${c}: ${r.errors} errors (${r.non2xx} non-2xx)`);
        const point: Point = {
          layout: layout.name,
          mode,
          connections: c,
          requestsPerSecond: r.requestsPerSecond,
          p50Ms: r.p50Ms,
          p99Ms: r.p99Ms,
          serverCpuPercent: (100 * used) / r.durationSeconds,
        };
        log(
          `${layout.name} ${mode} c=${c}: ${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, ` +
            `p99 ${r.p99Ms.toFixed(2)} ms, server CPU ${point.serverCpuPercent.toFixed(0)}%`,
        );
        points.push(point);
      }
    }
    return {
      points,
      memory: {
        layout: layout.name,
        ...(layout.workers > 1 ? { primary: readMemory(running.pid) } : {}),
        workers: workers.map(readMemory),
      },
    };
  } finally {
    const code = await stopServer(running);
    if (code !== 0) log(`${layout.name} exited with ${code} on SIGTERM`);
  }
}

const mib = (m: Memory): string => `${m.rssMiB.toFixed(0)} (peak ${m.peakRssMiB.toFixed(0)})`;

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), WORKERS_BENCH_FLAGS);
  if (values === undefined) {
    process.stdout.write(`${WORKERS_BENCH_HELP}\n`);
    return;
  }
  const opt = (name: string, fallback: string): string => (values[name] as string | undefined) ?? fallback;
  const [durationSeconds] = positiveInts('duration', opt('duration', '10'));
  const [warmupSeconds] = positiveInts('warmup', opt('warmup', '3'));
  const connections = positiveInts('connections', opt('connections', '16,64'));
  const workerCounts = positiveInts('workers', opt('workers', '1,2'));
  const model = opt('model', 'bankchurn');
  const [rounds] = positiveInts('rounds', opt('rounds', '3'));
  const nice = Number(opt('nice', process.getuid?.() === 0 ? '-10' : '0'));
  if (!Number.isInteger(nice)) throw new Error(`--nice: expected an integer, got '${opt('nice', '')}'`);
  niceAsServers(nice);
  const outDir = opt('out', join(REPO_ROOT, 'bench', 'results'));
  execFileSync('bash', [join(REPO_ROOT, 'bench', 'ensure-deps.sh')], { stdio: 'inherit' });
  if (values['no-build'] !== true) {
    log('building model-server (npm run build -w model-server)');
    execFileSync('npm', ['run', 'build', '-w', 'model-server'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  const metadata = readBundleMetadata(join(BUNDLED_MODELS_DIR, model));
  const path = `/v1/models/${model}:predict`;
  const bodies = (explain: boolean) =>
    requestBodies(metadata, { count: 300, batchSize: 1, explain, seed: 20240611 });
  const scripts = {
    predict: writeBodyCyclingScript(bodies(false), path),
    explain: writeBodyCyclingScript(bodies(true), path),
  };
  const all = `0-${Math.min(cpus().length, 2) - 1}`;
  const layouts: Layout[] = [
    { name: '1 worker, own core', workers: 1, serverCpus: '0', wrkCpus: '1' },
    ...workerCounts.map((n) => ({
      name: `${n} worker${n > 1 ? 's' : ''}, shared`,
      workers: n,
      serverCpus: all,
      wrkCpus: all,
    })),
  ];
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const measured: Point[] = [];
  const memoryByLayout = new Map<string, MemoryRow>();
  for (let round = 1; round <= rounds!; round++) {
    for (const layout of layouts) {
      log(`round ${round}/${rounds}: ${layout.name}`);
      const r = await measure(layout, model, scripts, connections, durationSeconds!, warmupSeconds!, nice);
      measured.push(...r.points);
      memoryByLayout.set(layout.name, r.memory);
    }
  }
  const memory = [...memoryByLayout.values()];
  // One row per point: the median over rounds (each figure on its own), with every round's req/s shown.
  const points: (Point & { rounds: number[] })[] = [];
  for (const layout of layouts) {
    for (const mode of ['predict', 'explain'] as const) {
      for (const c of connections) {
        const same = measured.filter(
          (p) => p.layout === layout.name && p.mode === mode && p.connections === c,
        );
        points.push({
          layout: layout.name,
          mode,
          connections: c,
          requestsPerSecond: median(same.map((p) => p.requestsPerSecond)),
          p50Ms: median(same.map((p) => p.p50Ms)),
          p99Ms: median(same.map((p) => p.p99Ms)),
          serverCpuPercent: median(same.map((p) => p.serverCpuPercent)),
          rounds: same.map((p) => Math.round(p.requestsPerSecond)),
        });
      }
    }
  }

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const header =
    `Workers benchmark ${stamp}: model ${model}, 1 instance per request, ${durationSeconds} s/point (+${warmupSeconds} s warm-up); ` +
    `${rounds} rounds over the layouts in turn, median per point; nice ${nice}; ` +
    `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, load average before: ${loadBefore}, after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}. ` +
    '"shared": the server and wrk run on the same 2 cores, so wrk takes CPU the workers could use.';
  const base = (p: Point) =>
    points.find(
      (q) => q.layout === '1 worker, shared' && q.mode === p.mode && q.connections === p.connections,
    );
  const rows = points.map((p) => {
    const b = base(p);
    const ratio = b ? (p.requestsPerSecond / b.requestsPerSecond).toFixed(2) : '';
    return `| ${p.layout} | ${p.mode} | ${p.connections} | ${p.requestsPerSecond.toFixed(0)} (${p.rounds.join(', ')}) | ${ratio} | ${p.p50Ms.toFixed(2)} | ${p.p99Ms.toFixed(2)} | ${p.serverCpuPercent.toFixed(0)}% |`;
  });
  const table = [
    '| layout | mode | c | req/s median (each round) | vs 1 worker shared | p50 ms | p99 ms | server CPU |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  const memTable = [
    '| layout | primary RSS MiB | each worker RSS MiB (peak) |',
    '| --- | --- | --- |',
    ...memory.map(
      (m) => `| ${m.layout} | ${m.primary ? mib(m.primary) : '-'} | ${m.workers.map(mib).join('; ')} |`,
    ),
  ].join('\n');
  const text = `${header}\n\n${table}\n\nMemory after the load:\n\n${memTable}\n`;
  process.stdout.write(`\n${text}`);
  mkdirSync(outDir, { recursive: true });
  const json = {
    stamp,
    durationSeconds,
    warmupSeconds,
    connections,
    model,
    rounds,
    nice,
    layouts,
    measured,
    points,
    memory,
  };
  for (const name of [`workers-${stamp}`, 'workers-latest']) {
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
    writeFileSync(
      join(outDir, `${name}.md`),
      `# ${text}\nCommand: \`npm run bench:workers -- ${process.argv.slice(2).join(' ')}\`\n`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench:workers] failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
