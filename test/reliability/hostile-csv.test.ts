/**
 * Hostile 6 MiB CSV bodies on SageMaker's `/invocations` (issue 8, item 1): many short rows, many valid rows,
 * one row of millions of fields, an unbalanced quote, every row bad (wrong column count, or a bad value).
 * Each must get a 4xx JSON answer under 64 KiB, and must not stall the event loop. The delay is measured by
 * the server itself: prom-client's `nodejs_eventloop_lag_max_seconds` is the maximum of a
 * `monitorEventLoopDelay` histogram that is reset at each scrape, so scraping the metrics port right before
 * and right after a body gives the longest stall while it was received, parsed and answered. A liveness
 * probe on its own keep-alive connection runs throughout as a second, client-side figure (printed, not
 * asserted: it also measures this test process, which sends the 6 MiB). Before the fix, a body of this size
 * blocked the loop for 22 s and ended in a 500.
 *
 * On a shared, loaded machine a wall-clock stall also counts the time the server waited for a core, so two
 * more figures stand beside it. The server runs with the loop monitor preloaded (bench/harness/loop-monitor.cjs),
 * which gives its longest event-loop iteration as wall time and as process CPU time: the CPU time leaves the
 * waits for a core out, so it is the server's own longest stretch of work, and it is what MAX_ITERATION_CPU_MS
 * (issue 8's 100 ms) holds. And an idle baseline, the same figures over windows with no request measured in
 * the same run, is printed with the figures and put into every failure message, so a reader can tell the
 * machine's stalls from the server's. The body is read as it arrives, at most 16 KiB of text per turn, and
 * the reading stops at the first broken limit (rows, fields, a field longer than any input takes), so no turn
 * handles more than that, and the work after it is bounded by MAX_BATCH_SIZE rows, the model's field count
 * and field length. The wall-clock bound (MAX_LAG_MS) is what holds on a loaded 2-core machine: at a load
 * average of 14 (idle baseline: delay 34 ms, longest iteration 41 ms wall / 10 ms CPU) every shape stalled
 * the loop under 104 ms with at most 33 ms of server CPU in one iteration; at 3.3 (idle: 28 ms, 21 ms / 7 ms)
 * under 36 ms, with at most 17 ms of CPU. Before the field-length limit, the
 * two "every row bad" shapes kept their 6 MiB of long cells until the body ended and spent up to 65-76 ms of
 * CPU in one iteration (copying them in the garbage collector); when the body was read as one string first,
 * the shapes stalled it for 85 to 255 ms at a load of 5.6, and before issue 8's fix the first shape alone
 * for 22 s.
 */
import { connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { BUNDLED_MODELS_DIR, readBundleMetadata, validInstance } from '../../bench/harness/instances';
import { LOOP_MONITOR, type LoopStall, loopStall } from '../../bench/harness/loop-stalls';
import { cpuSeconds, freePort, sleep } from '../../bench/harness/process';
import { Rng } from '../../bench/harness/random';
import { errorAnswerProblem, sendRaw } from './support/raw-http';
import { BANKCHURN_DIR, pinTestProcess, startServer, type TestServer, TIMING_NICE } from './support/server';

const BODY_BYTES = 6 * 1024 * 1024 - 4096;
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_CPU_MS = 500;
const MAX_LAG_MS = 250;
/** Issue 8's bound on the event-loop delay a body may cause, held by the server's own longest stretch of work. */
const MAX_ITERATION_CPU_MS = 100;
/** Idle windows measured for the baseline. */
const IDLE_RUNS = 3;

/** Repeats `unit` to about BODY_BYTES. */
const fill = (unit: string, prefix = ''): string =>
  prefix + unit.repeat(Math.floor((BODY_BYTES - prefix.length) / unit.length));

function shapes(): { name: string; body: string }[] {
  const metadata = readBundleMetadata(`${BUNDLED_MODELS_DIR}/bankchurn`);
  const rng = new Rng(8);
  const validRow = metadata.inputs.map((f) => String(validInstance(metadata, rng)[f.name])).join(',');
  // 1000 rows (MAX_BATCH_SIZE), each about 6 KiB, each with a problem.
  const long = 'x'.repeat(Math.floor(BODY_BYTES / 1000 / metadata.inputs.length) - 2);
  const longer = 'x'.repeat(Math.floor(BODY_BYTES / 1000) - 100);
  const wrongColumns = `${Array.from({ length: metadata.inputs.length - 1 }, () => long).join(',')}\n`;
  const badValue = `${[longer, ...validRow.split(',').slice(1)].join(',')}\n`;
  return [
    { name: 'many short rows ("1")', body: fill('1\n') },
    { name: 'many valid rows', body: fill(`${validRow}\n`) },
    { name: 'one row of millions of fields', body: fill('1,') },
    { name: 'an unbalanced quote', body: fill('x', '"') },
    { name: 'an unbalanced quote after valid rows', body: fill('x', `${validRow}\n`.repeat(500) + '"') },
    { name: 'every row bad (wrong column count)', body: wrongColumns.repeat(1000) },
    { name: 'every row bad (a 6 KiB text as a number)', body: badValue.repeat(1000) },
  ];
}

/** GET /health/live over and over on one keep-alive connection; records each round trip. */
class LivenessProbe {
  private socket!: Socket;
  private running = true;
  private pending: (() => void) | undefined;
  private buffer = '';
  readonly samples: { at: number; ms: number }[] = [];
  private loop!: Promise<void>;

  async start(port: number): Promise<void> {
    this.socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    this.socket.setNoDelay(true);
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      // One small response per request: headers end, then a short JSON body with Content-Length.
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(this.buffer)?.[1] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      this.buffer = this.buffer.slice(end + 4 + length);
      this.pending?.();
    });
    this.loop = (async () => {
      while (this.running) {
        const started = performance.now();
        await new Promise<void>((resolve) => {
          this.pending = resolve;
          this.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
        });
        this.samples.push({ at: started, ms: performance.now() - started });
        await sleep(10);
      }
    })();
  }

  /** The slowest round trip that overlapped [from, to]. */
  maxBetween(from: number, to: number): number {
    return Math.max(0, ...this.samples.filter((s) => s.at + s.ms >= from && s.at <= to).map((s) => s.ms));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.socket.destroy();
  }
}

/** The server's longest event-loop stall since the previous scrape, in ms (the scrape resets it). */
async function maxLagMs(server: TestServer): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('nodejs_eventloop_lag_max_seconds '));
  if (line === undefined) throw new Error('the metrics have no nodejs_eventloop_lag_max_seconds');
  return Number(line.split(' ')[1]) * 1000;
}

describe('hostile 6 MiB CSV bodies', () => {
  let server: TestServer;
  let monitorPort: number;
  beforeAll(async () => {
    // As the overload test does: the server on a core of its own, ahead of other work where allowed, so the
    // delay measured is the server's and not the rest of a shared machine's.
    pinTestProcess();
    monitorPort = await freePort();
    server = await startServer(
      { MODEL_DIR: BANKCHURN_DIR, LOG_LEVEL: 'warn', LOOP_MONITOR_PORT: String(monitorPort) },
      { cpus: '0', nice: TIMING_NICE, nodeArgs: ['--require', LOOP_MONITOR] },
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('each gets a 4xx JSON answer under 64 KiB, with event-loop delay and CPU bounded by a chunk, not by the body', async () => {
    const cases = shapes();
    const probe = new LivenessProbe();
    await probe.start(server.port);
    // The idle baseline: the same figures over windows with no request (as long as the slowest request
    // below, at least a second), so a reader can tell the machine's stalls from the server's.
    const idleWindow = async (ms: number) => {
      await maxLagMs(server);
      await loopStall(monitorPort);
      await sleep(ms);
      return { lagMs: await maxLagMs(server), stall: await loopStall(monitorPort) };
    };
    await idleWindow(1000);
    const results: {
      name: string;
      status: number | string;
      bytes: number;
      lagMs: number;
      stall: LoopStall;
      cpuMs: number;
      probeMs: number;
      ms: number;
    }[] = [];
    const problems: string[] = [];
    const outcomes: Awaited<ReturnType<typeof sendRaw>>[] = [];
    // Built before any measuring: turning 6 MiB into bytes would stall this process's probe.
    const requests = cases.map((c) =>
      Buffer.from(
        'POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n' +
          `Content-Length: ${Buffer.byteLength(c.body)}\r\n\r\n${c.body}`,
      ),
    );
    // Warm-up: the first body of a shape runs cold code (compiled on first use), which no later one does.
    for (const bytes of requests) await sendRaw({ port: server.port, bytes, timeoutMs: 60_000 });
    for (const [i, c] of cases.entries()) {
      await maxLagMs(server); // resets the server's histogram
      await loopStall(monitorPort); // and the loop monitor
      const cpuBefore = cpuSeconds(server.pid);
      const from = performance.now();
      const outcome = await sendRaw({ port: server.port, bytes: requests[i]!, timeoutMs: 60_000 });
      outcomes.push(outcome);
      const to = performance.now();
      const cpuMs = (cpuSeconds(server.pid) - cpuBefore) * 1000;
      const lagMs = await maxLagMs(server);
      const stall = await loopStall(monitorPort);
      await sleep(100);
      const bytes = outcome.kind === 'response' ? Buffer.byteLength(outcome.body) : 0;
      const probeMs = probe.maxBetween(from, to + 50);
      results.push({
        name: c.name,
        status: outcome.kind === 'response' ? outcome.status : outcome.kind,
        bytes,
        lagMs,
        stall,
        cpuMs,
        probeMs,
        ms: to - from,
      });
    }
    const idleFrom = performance.now();
    const idle: { lagMs: number; stall: LoopStall }[] = [];
    const idleMs = Math.max(1000, ...results.map((r) => r.ms));
    for (let run = 0; run < IDLE_RUNS; run++) idle.push(await idleWindow(idleMs));
    const idleProbeMs = probe.maxBetween(idleFrom, performance.now());
    await probe.stop();
    const idleLag = Math.max(...idle.map((w) => w.lagMs));
    const idleWall = Math.max(...idle.map((w) => w.stall.maxWallMs));
    const idleCpu = Math.max(...idle.map((w) => w.stall.maxCpuMs));
    const baseline =
      `idle baseline (worst of ${IDLE_RUNS} windows of ${idleMs.toFixed(0)} ms with no request): event-loop delay ` +
      `${idleLag.toFixed(1)} ms, longest loop iteration ${idleWall.toFixed(1)} ms wall / ${idleCpu.toFixed(1)} ms ` +
      `server CPU, liveness probe ${idleProbeMs.toFixed(1)} ms; load average ${loadavg()[0]!.toFixed(1)}`;
    for (const [i, r] of results.entries()) {
      const c = cases[i]!;
      const problem = errorAnswerProblem(outcomes[i]!);
      if (problem) problems.push(`${c.name}: ${problem}`);
      if (r.bytes >= MAX_RESPONSE_BYTES) problems.push(`${c.name}: answer of ${r.bytes} bytes`);
      if (r.lagMs >= MAX_LAG_MS)
        problems.push(`${c.name}: event-loop delay ${r.lagMs.toFixed(1)} ms (${baseline})`);
      if (r.stall.maxCpuMs >= MAX_ITERATION_CPU_MS) {
        problems.push(
          `${c.name}: a loop iteration of ${r.stall.maxCpuMs.toFixed(1)} ms of server CPU (${baseline})`,
        );
      }
      if (r.cpuMs >= MAX_CPU_MS) problems.push(`${c.name}: ${r.cpuMs.toFixed(0)} ms of server CPU`);
    }
    process.stdout.write(
      `hostile CSV bodies (${(BODY_BYTES / 1024 / 1024).toFixed(2)} MiB each; ${baseline}):\n` +
        results
          .map(
            (r) =>
              `  ${r.name.padEnd(44)} ${String(r.status).padEnd(4)} answer ${String(r.bytes).padStart(6)} B  ` +
              `request ${r.ms.toFixed(0).padStart(5)} ms  server CPU ${r.cpuMs.toFixed(0).padStart(4)} ms  ` +
              `event-loop delay ${r.lagMs.toFixed(1).padStart(5)} ms (${(r.lagMs - idleLag).toFixed(1)} above idle)  ` +
              `longest iteration ${r.stall.maxWallMs.toFixed(1)} ms wall / ${r.stall.maxCpuMs.toFixed(1)} ms CPU  ` +
              `slowest liveness probe ${r.probeMs.toFixed(1)} ms`,
          )
          .join('\n') +
        '\n',
    );
    expect(server.running.child.exitCode).toBeNull();
    expect(problems).toEqual([]);
  });
});
