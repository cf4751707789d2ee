/**
 * Graceful shutdown under load: SIGTERM to a spawned server (one process, and a cluster of two workers) while
 * 16 keep-alive clients keep it busy. Every
 * request completes (no resets), responses after the signal carry `Connection: close`, readiness goes 503
 * at once for new connections, and the process exits 0 soon after the configured delay.
 */
import { Agent } from 'node:http';
import { BUNDLED_MODELS_DIR, readBundleMetadata, requestBodies } from '../../bench/harness/instances';
import { httpStatus, sleep } from '../../bench/harness/process';
import { BANKCHURN_DIR, startServer } from './support/server';
import { post } from './support/workers';

const CLIENTS = 16;
const SHUTDOWN_DELAY_SECONDS = 1;
const SHUTDOWN_TIMEOUT_SECONDS = 10;
const HEAVY_BATCH = 3000;

interface Sent {
  /** ms relative to the SIGTERM (negative: before it). */
  readonly sentAt: number;
  readonly status?: number;
  readonly connection?: string;
  readonly error?: string;
}

// WORKERS=2: the signal goes to the cluster primary, which has every worker drain as one server does.
describe.each([1, 2])('graceful shutdown, WORKERS=%i', (workers) => {
  test('SIGTERM under load: in-flight requests finish, no resets, not ready at once, exit 0', async () => {
    const server = await startServer({
      WORKERS: String(workers),
      MODEL_DIR: BANKCHURN_DIR,
      SHUTDOWN_DELAY_SECONDS: String(SHUTDOWN_DELAY_SECONDS),
      SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
      MAX_BATCH_SIZE: String(HEAVY_BATCH),
      LOG_LEVEL: 'warn',
    });
    const metadata = readBundleMetadata(`${BUNDLED_MODELS_DIR}/bankchurn`);
    // Each request takes a few ms to score, so several are always in flight when the signal lands.
    const bodies = requestBodies(metadata, { count: 32, batchSize: 50, explain: true, seed: 5 });
    const heavyBody = requestBodies(metadata, {
      count: 1,
      batchSize: HEAVY_BATCH,
      explain: true,
      seed: 6,
    })[0]!;
    const url = server.url('/v1/models/bankchurn:predict');
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    let termAt = Number.POSITIVE_INFINITY;
    const sent: Sent[] = [];

    /** Loops until told to close (or refused); returns its last answer. */
    const client = async (i: number): Promise<Sent> => {
      for (let n = 0; ; n++) {
        const sentAt = performance.now() - termAt;
        const result: Sent = { sentAt, ...(await post(agent, url, bodies[(i + n) % bodies.length]!)) };
        sent.push(result);
        // A client told to close (or refused) goes elsewhere, as a load balancer's would.
        if (result.error !== undefined || result.connection === 'close') return result;
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));

    // Readiness over fresh connections, as a kubelet probes it.
    const probes: { at: number; status: number }[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const at = performance.now() - termAt;
        probes.push({ at, status: await httpStatus(server.url('/health/ready'), 1000) });
        await sleep(50);
      }
    })();

    await sleep(1500);
    termAt = performance.now();
    server.running.child.kill('SIGTERM');
    // A heavy request on a new connection just before the listener closes: still in flight when it does.
    // (HEAVY_BATCH explained instances take several hundred ms: it straddles the close with a wide margin.)
    await sleep(SHUTDOWN_DELAY_SECONDS * 1000 - 200);
    const heavy = post(new Agent({ keepAlive: false }), url, heavyBody).then((r) => ({
      ...r,
      ms: performance.now() - termAt,
    }));
    const { code } = await server.exit;
    const exitMs = performance.now() - termAt;
    const lastAnswers = await Promise.all(clients);
    const heavyAnswer = await heavy;
    probing = false;
    await prober;
    agent.destroy();

    const before = sent.filter((s) => s.sentAt < 0);
    const after = sent.filter((s) => s.sentAt >= 0);
    process.stdout.write(
      `shutdown (WORKERS=${workers}): ${before.length} requests sent before SIGTERM, ${after.length} after; ` +
        `statuses ${JSON.stringify(count(sent.map((s) => s.error ?? String(s.status))))}; exit ${code} after ${exitMs.toFixed(0)} ms; ` +
        `probes after: ${JSON.stringify(count(probes.filter((p) => p.at >= 0).map((p) => String(p.status))))}; ` +
        `heavy request: ${heavyAnswer.status ?? heavyAnswer.error} at ${heavyAnswer.ms.toFixed(0)} ms\n`,
    );
    // The request in flight when the listener closed finished, and the process waited for it.
    expect(heavyAnswer).toMatchObject({ status: 200, connection: 'close' });
    expect(heavyAnswer.ms).toBeGreaterThan(SHUTDOWN_DELAY_SECONDS * 1000);
    expect(exitMs).toBeGreaterThanOrEqual(heavyAnswer.ms - 50);
    expect(before.length).toBeGreaterThan(CLIENTS);
    // Every request, including those in flight at the signal, got its answer: no resets, no errors.
    expect(sent.filter((s) => s.error !== undefined || s.status !== 200)).toEqual([]);
    // Each keep-alive client was told to close its connection (none was cut), and every request sent
    // after the signal was answered with Connection: close.
    expect(lastAnswers.filter((s) => s.connection !== 'close')).toEqual([]);
    expect(after.filter((s) => s.connection !== 'close')).toEqual([]);
    // Readiness: 503 (or refused once the listener closed) for probes started after the signal.
    const lateProbes = probes.filter((p) => p.at > 50);
    expect(lateProbes.length).toBeGreaterThan(0);
    expect(lateProbes.filter((p) => p.status === 200)).toEqual([]);
    expect(lateProbes.some((p) => p.status === 503)).toBe(true);
    // Exit 0, after the delay and well inside the 30 s platforms allow.
    expect(code).toBe(0);
    expect(exitMs).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_SECONDS * 1000 - 50);
    expect(exitMs).toBeLessThan(SHUTDOWN_DELAY_SECONDS * 1000 + 5000);
  });
});

function count(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
