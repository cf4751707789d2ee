/**
 * `npm run bench:soak`: the Node server under a steady open-loop load for a long time, to find memory
 * growth and latency drift. Not part of CI.
 *
 * 1. starts `node model-server/dist/main.js` pinned to CPU 0 (this process pins itself to CPU 1);
 * 2. measures capacity with a short wrk run (16 connections, same body mix);
 * 3. drives a fixed rate of `--load` × capacity (open loop: latency counted from each request's scheduled
 *    time) for `--minutes`, and per window (`--window-seconds`, default 60) records the achieved rate,
 *    p50/p99/max latency, errors, the server's RSS (/proc/<pid>/status) and V8 heap in use (from /metrics);
 * 4. prints the windows and RSS growth / latency drift; writes bench/results/soak-<time>.{json,md}.
 *
 *   npm run bench:soak                           # 10 minutes at 70%
 *   npm run bench:soak -- --minutes 1 --window-seconds 10
 *
 * Flags: `npm run bench:soak -- --help` (SOAK_FLAGS below), also listed in the README.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { type FlagDocs, flagsHelp, parseFlags } from './harness/flags';
import { BUNDLED_MODELS_DIR, readBundleMetadata, requestBodies } from './harness/instances';
import { OpenLoopGenerator, type WindowStats } from './harness/open-loop';
import {
  cpuJiffies,
  cpuSeconds,
  freePort,
  niceAsServers,
  readMemory,
  sleep,
  spawnServer,
  stopServer,
  waitFor200,
} from './harness/process';
import { nodeServer, REPO_ROOT } from './harness/servers';
import { runWrk, writeBodyCyclingScript } from './harness/wrk';

interface SoakConfig {
  minutes: number;
  load: number;
  windowSeconds: number;
  capacitySeconds: number;
  explainEvery: number;
  model: string;
  build: boolean;
  /** Niceness of the server, wrk and this generator (negative needs root). */
  nice: number;
  outDir: string;
}

interface WindowRow extends WindowStats {
  readonly endSecond: number;
  readonly achievedRate: number;
  readonly pending: number;
  readonly rssMiB: number;
  readonly heapUsedMiB?: number;
  /** Server CPU time / wall time in the window (100 = its whole core). */
  readonly serverCpuPercent: number;
  /** This generator's CPU time / wall time: near 100 means the generator, not the server, is the limit. */
  readonly generatorCpuPercent: number;
  /** Busy time on the server's core not spent by the server (other processes on the machine). */
  readonly otherLoadOnServerCorePercent: number;
}

function number(name: string, raw: string, min: number, max = Number.POSITIVE_INFINITY): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${name} must be a number in [${min}, ${max}], got '${raw}'`);
  }
  return value;
}

export const SOAK_FLAGS: FlagDocs = {
  minutes: { type: 'string', value: 'N', default: '10', help: 'length of the steady load' },
  load: {
    type: 'string',
    value: 'F',
    default: '0.7',
    help: 'rate as a fraction of measured capacity (0 < F <= 1)',
  },
  'window-seconds': { type: 'string', value: 'S', default: '60', help: 'length of each reported window' },
  'capacity-seconds': { type: 'string', value: 'S', default: '10', help: 'length of the capacity run' },
  'explain-every': {
    type: 'string',
    value: 'N',
    default: '10',
    help: 'one body in N asks for explanations (0 = none)',
  },
  model: { type: 'string', value: 'NAME', default: 'bankchurn', help: 'bundled model to serve' },
  nice: {
    type: 'string',
    value: 'N',
    default: '-10 as root, else 0',
    help: 'niceness of server and generator',
  },
  'no-build': { type: 'boolean', help: 'use model-server/dist as it is (no npm run build)' },
  out: { type: 'string', value: 'DIR', default: 'bench/results', help: 'where the reports go' },
};

export const SOAK_HELP = flagsHelp(
  'npm run bench:soak -- [flags]',
  'The Node server at a steady open-loop load: RSS growth and latency drift per window.',
  SOAK_FLAGS,
);

function parseConfig(argv: string[]): SoakConfig | undefined {
  const values = parseFlags(argv, SOAK_FLAGS);
  if (values === undefined) return undefined;
  const opt = (name: string, fallback: string): string => (values[name] as string | undefined) ?? fallback;
  return {
    minutes: number('minutes', opt('minutes', '10'), 0.1, 24 * 60),
    load: number('load', opt('load', '0.7'), 0.01, 1),
    windowSeconds: number('window-seconds', opt('window-seconds', '60'), 1),
    capacitySeconds: number('capacity-seconds', opt('capacity-seconds', '10'), 1, 600),
    explainEvery: number('explain-every', opt('explain-every', '10'), 0),
    model: opt('model', 'bankchurn'),
    build: values['no-build'] !== true,
    nice: Number(opt('nice', process.getuid?.() === 0 ? '-10' : '0')),
    outDir: opt('out', join(REPO_ROOT, 'bench', 'results')),
  };
}

function log(message: string): void {
  process.stderr.write(`[soak] ${message}\n`);
}

/** V8 heap in use from prom-client's default metrics; undefined when the server does not export it. */
function heapUsedMiB(metricsUrl: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = get(metricsUrl, { agent: false, timeout: 2000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        const match = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(text);
        resolve(match ? Number(match[1]) / 2 ** 20 : undefined);
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Least-squares slope of y over x (per unit of x). */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2));
  if (config === undefined) {
    process.stdout.write(`${SOAK_HELP}\n`);
    return;
  }
  execFileSync('bash', [join(REPO_ROOT, 'bench', 'ensure-deps.sh')], { stdio: 'inherit' });
  mkdirSync(config.outDir, { recursive: true });
  if (config.build) {
    execFileSync('npm', ['run', 'build', '-w', 'model-server'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  // The generator gets its own core, as wrk does in the benchmark (-a: every thread of this process).
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  niceAsServers(config.nice);

  const modelDir = join(BUNDLED_MODELS_DIR, config.model);
  const metadata = readBundleMetadata(modelDir);
  const plain = requestBodies(metadata, { count: 500, batchSize: 1, explain: false, seed: 7 });
  const explained = requestBodies(metadata, { count: 500, batchSize: 1, explain: true, seed: 8 });
  const bodies = plain.map((b, i) =>
    config.explainEvery > 0 && i % config.explainEvery === 0 ? explained[i]! : b,
  );

  const server = nodeServer(modelDir, config.model);
  const port = await freePort();
  const metricsPort = await freePort();
  const running = spawnServer({ ...server.spawnSpec({ port, metricsPort }, '0'), nice: config.nice });
  const url = `http://127.0.0.1:${port}${server.predictPath(config.model)}`;
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const windows: WindowRow[] = [];
  let capacity = 0;
  let rate = 0;
  try {
    await waitFor200(running, `http://127.0.0.1:${port}${server.readyPath}`, process.hrtime.bigint());
    const script = writeBodyCyclingScript(bodies, server.predictPath(config.model));
    const measured = await runWrk({
      url,
      connections: 16,
      durationSeconds: config.capacitySeconds,
      script,
      nice: config.nice,
    });
    if (measured.errors > 0) throw new Error(`capacity run had ${measured.errors} errors`);
    capacity = measured.requestsPerSecond;
    rate = Math.round(capacity * config.load);
    log(`capacity ${capacity.toFixed(0)} req/s (c=16, ${config.capacitySeconds} s); driving ${rate} req/s`);
    await sleep(2000);
    const startRss = readMemory(running.pid).rssMiB;
    log(`RSS before the soak: ${startRss.toFixed(1)} MiB`);

    const generator = new OpenLoopGenerator({ url, bodies, ratePerSecond: rate });
    const totalSeconds = config.minutes * 60;
    const windowCount = Math.max(1, Math.round(totalSeconds / config.windowSeconds));
    generator.start();
    let serverCpu = cpuSeconds(running.pid);
    let ownCpu = process.cpuUsage();
    let cores = cpuJiffies();
    for (let w = 1; w <= windowCount; w++) {
      await sleep(config.windowSeconds * 1000);
      const stats = generator.takeWindow();
      if (running.child.exitCode !== null)
        throw new Error(`server exited during the soak:\n${running.output()}`);
      const nowServerCpu = cpuSeconds(running.pid);
      const nowOwnCpu = process.cpuUsage();
      const nowCores = cpuJiffies();
      const serverSeconds = nowServerCpu - serverCpu;
      const core0Busy = nowCores[0]!.busy - cores[0]!.busy;
      const core0Total = nowCores[0]!.total - cores[0]!.total;
      const row: WindowRow = {
        ...stats,
        endSecond: w * config.windowSeconds,
        achievedRate: stats.completed / config.windowSeconds,
        pending: generator.pending,
        rssMiB: readMemory(running.pid).rssMiB,
        heapUsedMiB: await heapUsedMiB(metricsUrl),
        serverCpuPercent: (100 * serverSeconds) / config.windowSeconds,
        generatorCpuPercent:
          (nowOwnCpu.user + nowOwnCpu.system - ownCpu.user - ownCpu.system) / 1e4 / config.windowSeconds,
        // Jiffies and process ticks are both 1/100 s.
        otherLoadOnServerCorePercent: Math.max(0, (100 * (core0Busy - serverSeconds * 100)) / core0Total),
      };
      serverCpu = nowServerCpu;
      ownCpu = nowOwnCpu;
      cores = nowCores;
      windows.push(row);
      log(
        `t=${row.endSecond}s ${row.achievedRate.toFixed(0)} req/s p50 ${row.p50Ms.toFixed(2)} ms p99 ${row.p99Ms.toFixed(2)} ms ` +
          `max ${row.maxMs.toFixed(1)} ms err ${row.errors} non200 ${row.non200} dropped ${row.dropped} pending ${row.pending} ` +
          `RSS ${row.rssMiB.toFixed(1)} MiB heap ${row.heapUsedMiB?.toFixed(1) ?? '?'} MiB; CPU server ` +
          `${row.serverCpuPercent.toFixed(0)}% generator ${row.generatorCpuPercent.toFixed(0)}% other-on-server-core ` +
          `${row.otherLoadOnServerCorePercent.toFixed(0)}%`,
      );
    }
    await generator.stop();
  } finally {
    await stopServer(running);
  }

  // The first window includes JIT tiering and pool growth; drift is judged from the second on when possible.
  const steady = windows.length > 2 ? windows.slice(1) : windows;
  const first = steady[0]!;
  const last = steady[steady.length - 1]!;
  const minutesOf = (r: WindowRow) => r.endSecond / 60;
  const summary = {
    capacity,
    rate,
    windows: windows.length,
    rssFirstMiB: first.rssMiB,
    rssLastMiB: last.rssMiB,
    rssGrowthMiB: last.rssMiB - first.rssMiB,
    rssSlopeMiBPerMinute: slope(
      steady.map(minutesOf),
      steady.map((r) => r.rssMiB),
    ),
    heapSlopeMiBPerMinute: steady.every((r) => r.heapUsedMiB !== undefined)
      ? slope(
          steady.map(minutesOf),
          steady.map((r) => r.heapUsedMiB!),
        )
      : undefined,
    p99FirstMs: first.p99Ms,
    p99LastMs: last.p99Ms,
    p99DriftMs: last.p99Ms - first.p99Ms,
    p50FirstMs: first.p50Ms,
    p50LastMs: last.p50Ms,
    totalErrors: windows.reduce((s, r) => s + r.errors + r.non200, 0),
    /** Requests the server fell more than 10 s behind on (never sent). */
    totalDropped: windows.reduce((s, r) => s + r.dropped, 0),
  };
  const lines = [
    '| t (s) | req/s | p50 ms | p99 ms | max ms | errors | non-200 | dropped | RSS MiB | heap MiB | server CPU % | generator CPU % | other load on server core % |',
    `|${' ---: |'.repeat(13)}`,
    ...windows.map(
      (r) =>
        `| ${r.endSecond} | ${r.achievedRate.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.maxMs.toFixed(1)} | ` +
        `${r.errors} | ${r.non200} | ${r.dropped} | ${r.rssMiB.toFixed(1)} | ${r.heapUsedMiB?.toFixed(1) ?? '?'} | ` +
        `${r.serverCpuPercent.toFixed(0)} | ${r.generatorCpuPercent.toFixed(0)} | ${r.otherLoadOnServerCorePercent.toFixed(0)} |`,
    ),
  ];
  const text =
    `Soak: ${config.model}, ${config.minutes} min at ${(config.load * 100).toFixed(0)}% of ${capacity.toFixed(0)} req/s ` +
    `= ${rate} req/s (1 in ${config.explainEvery || '∞'} explained)\n` +
    `RSS ${summary.rssFirstMiB.toFixed(1)} → ${summary.rssLastMiB.toFixed(1)} MiB (${summary.rssGrowthMiB.toFixed(1)} MiB, ` +
    `slope ${summary.rssSlopeMiBPerMinute.toFixed(2)} MiB/min; heap slope ${summary.heapSlopeMiBPerMinute?.toFixed(2) ?? '?'} MiB/min); ` +
    `p99 ${summary.p99FirstMs.toFixed(2)} → ${summary.p99LastMs.toFixed(2)} ms; p50 ${summary.p50FirstMs.toFixed(2)} → ` +
    `${summary.p50LastMs.toFixed(2)} ms; errors ${summary.totalErrors}, dropped ${summary.totalDropped}\n\n${lines.join('\n')}\n`;
  process.stdout.write(`\n${text}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(
    join(config.outDir, `soak-${stamp}.json`),
    JSON.stringify({ config, summary, windows }, null, 2) + '\n',
  );
  writeFileSync(join(config.outDir, `soak-${stamp}.md`), `# Soak ${stamp}\n\n${text}`);
  log(`wrote ${join(config.outDir, `soak-${stamp}.{json,md}`)}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`[soak] failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
