/**
 * WORKERS=2: a cluster primary and two workers sharing the serving port, spawned as the image runs them.
 * Requests spread over both workers; /metrics on METRICS_PORT sums them exactly; a worker killed mid-burst
 * is replaced while the other keeps serving, readiness stays 200, the metrics totals never drop, and only
 * requests in flight on the killed worker fail; a worker that cannot load at start stops the whole server.
 */
import { Agent } from 'node:http';
import { BUNDLED_MODELS_DIR, readBundleMetadata, requestBodies } from '../../bench/harness/instances';
import { httpStatus, sleep, waitFor200 } from '../../bench/harness/process';
import { BANKCHURN_DIR, startServer, type TestServer } from './support/server';
import {
  type Answer,
  collectLogLines,
  count,
  getText,
  parseExposition,
  post,
  requestsByPidOnce,
  workerPids,
} from './support/workers';

const REQUESTS = 'bankchurn_requests_total{route="/v1/models/{model}:predict",status="200"}';
const SCORED = 'bankchurn_prediction_latency_seconds_count{explain="false"}';

const metadata = readBundleMetadata(`${BUNDLED_MODELS_DIR}/bankchurn`);
const bodies = requestBodies(metadata, { count: 32, batchSize: 20, explain: false, seed: 13 });

async function scrape(server: TestServer): Promise<Map<string, number>> {
  const { status, text } = await getText(`http://127.0.0.1:${server.metricsPort}/metrics`);
  expect(status).toBe(200);
  return parseExposition(text);
}

async function startCluster(): Promise<{ server: TestServer; lines: Record<string, unknown>[] }> {
  const server = await startServer(
    { MODEL_DIR: BANKCHURN_DIR, WORKERS: '2', LOG_LEVEL: 'info', SHUTDOWN_DELAY_SECONDS: '0.5' },
    { waitReady: false },
  );
  const lines = collectLogLines(server.running.child);
  await waitFor200(server.running, server.url('/health/ready'), process.hrtime.bigint(), {
    timeoutMs: 60_000,
  });
  return { server, lines };
}

describe('WORKERS=2', () => {
  test('requests spread over both workers and /metrics sums them exactly', async () => {
    const { server, lines } = await startCluster();
    try {
      const pids = workerPids(lines);
      expect(pids.size).toBe(2);
      const before = await scrape(server);
      // Connections are handed to the workers in turn: 8 keep-alive connections, 4 on each.
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const url = server.url('/v1/models/bankchurn:predict');
      const answers = await Promise.all(
        Array.from({ length: 8 }, async (_, c) => {
          const out: Answer[] = [];
          for (let i = 0; i < 50; i++) out.push(await post(agent, url, bodies[(c + i) % bodies.length]!));
          return out;
        }),
      );
      agent.destroy();
      const statuses = count(answers.flat().map((a) => a.error ?? String(a.status)));
      expect(statuses).toEqual({ 200: 400 });
      const after = await scrape(server);
      const byPid = await requestsByPidOnce(lines, (m) => [...m.values()].reduce((a, b) => a + b, 0) >= 400);
      process.stdout.write(
        `spread: ${JSON.stringify(Object.fromEntries(byPid))}; requests_total ${before.get(REQUESTS) ?? 0} -> ${after.get(REQUESTS)}\n`,
      );
      // Both workers served (each got connections), and each log line came from one of them.
      for (const pid of pids.values()) expect(byPid.get(pid) ?? 0).toBeGreaterThan(0);
      expect([...byPid.values()].reduce((a, b) => a + b, 0)).toBe(400);
      // The sum over workers is exact: every request counted once, every scoring observed once.
      expect((after.get(REQUESTS) ?? 0) - (before.get(REQUESTS) ?? 0)).toBe(400);
      expect(after.get(SCORED)).toBe(400);
      expect(after.get('bankchurn_prediction_latency_seconds_bucket{le="+Inf",explain="false"}')).toBe(400);
      expect(after.get('model_server_worker_up{worker="0"}')).toBe(1);
      expect(after.get('model_server_worker_up{worker="1"}')).toBe(1);
      expect(after.get('model_server_worker_restarts_total{worker="0"}')).toBe(0);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test('a worker killed mid-burst is replaced; the other keeps serving, readiness stays 200, totals never drop', async () => {
    const { server, lines } = await startCluster();
    try {
      const pids = workerPids(lines);
      const victim = pids.get(0)!;
      const survivor = pids.get(1)!;
      const url = server.url('/v1/models/bankchurn:predict');
      let killAt = Number.POSITIVE_INFINITY;
      let running = true;
      /** Times are absolute here (performance.now()), made relative to the kill at the end. */
      const sent: (Answer & { sentAt: number; doneAt: number })[] = [];
      const CLIENTS = 8;
      const client = async (c: number) => {
        // Each client opens a new connection every 20 requests (clients and load balancers do recycle them),
        // and after an error, as a load balancer would: new connections reach the replacement once it listens.
        let agent = new Agent({ keepAlive: true, maxSockets: 1 });
        for (let i = 0; running; i++) {
          const sentAt = performance.now();
          const a = await post(agent, url, bodies[(c + i) % bodies.length]!);
          sent.push({ ...a, sentAt, doneAt: performance.now() });
          if (a.error !== undefined || i % 20 === 19) {
            agent.destroy();
            agent = new Agent({ keepAlive: true, maxSockets: 1 });
          }
        }
        agent.destroy();
      };
      const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));

      // Scrapes and readiness probes all along: totals must never drop, readiness never leave 200.
      const totals: { at: number; requests: number; scored: number; up0?: number }[] = [];
      const probes: { status: number; at: number }[] = [];
      let watching = true;
      // Two loops, not one: a probe the primary hands to the dying worker hangs until its 2 s timeout, and in
      // one loop that blinded the scrapes for the whole replacement (CI saw no scrape with the worker down).
      const scraper = (async () => {
        while (watching) {
          const m = await scrape(server);
          totals.push({
            at: performance.now() - killAt,
            requests: m.get(REQUESTS) ?? 0,
            scored: m.get(SCORED) ?? 0,
            up0: m.get('model_server_worker_up{worker="0"}'),
          });
          await sleep(20);
        }
      })();
      const prober = (async () => {
        while (watching) {
          const probedAt = performance.now() - killAt;
          probes.push({ status: await httpStatus(server.url('/health/ready'), 2000), at: probedAt });
          await sleep(20);
        }
      })();

      await sleep(1500);
      killAt = performance.now();
      process.kill(victim, 'SIGKILL');
      // Until the replacement has reported ready, and a while after.
      for (let i = 0; i < 300; i++) {
        const replaced = workerPids(lines).get(0);
        if (
          replaced !== victim &&
          lines.some((l) => l.pid === replaced && typeof l.url === 'string' && l.models)
        )
          break;
        await sleep(100);
      }
      const replacement = workerPids(lines).get(0)!;
      await sleep(1500);
      running = false;
      await Promise.all(clients);
      watching = false;
      await Promise.all([scraper, prober]);
      const final = await scrape(server);

      for (const s of sent) {
        s.sentAt -= killAt;
        s.doneAt -= killAt;
      }
      const failed = sent.filter((s) => s.error !== undefined || s.status !== 200);
      const byPid = await requestsByPidOnce(
        lines,
        (m) => (m.get(survivor) ?? 0) > 0 && (m.get(replacement) ?? 0) > 0,
      );
      const ok = sent.length - failed.length;
      process.stdout.write(
        `kill: ${sent.length} requests, failed ${JSON.stringify(count(failed.map((f) => f.error ?? String(f.status))))} ` +
          `(sent at ${failed.map((f) => f.sentAt.toFixed(0)).join(', ')} ms from the kill; the primary logged the death ` +
          `${(Date.parse(String(lines.find((l) => l.msg === 'worker died: restarting it; the others keep serving')?.time)) - (Date.now() - (performance.now() - killAt))).toFixed(0)} ms after it); served by pid ${JSON.stringify(Object.fromEntries(byPid))}; ` +
          `replacement ${replacement}; probes ${JSON.stringify(count(probes.map((p) => String(p.status))))}; ` +
          `requests_total ${totals[0]?.requests} -> ${final.get(REQUESTS)} over ${totals.length} scrapes\n`,
      );
      expect(replacement).not.toBe(victim);
      // Only requests that reached the killed worker fail: those in flight at the kill, and those sent in the
      // moments before the primary saw it die (on a keep-alive connection whose reset had not reached the
      // client yet, or on a new connection the primary handed to the dead worker before its exit event).
      // They fail at the connection, never with an HTTP error; at most two per client (one in flight, one
      // on a connection handed over before the primary knew); none sent a second after the kill, long after
      // the primary logged the death (about 150 ms on a loaded machine). The counts are printed above.
      expect(failed.length).toBeLessThanOrEqual(2 * CLIENTS);
      for (const f of failed) {
        // TIMEOUT: a new connection the primary handed to the worker as it died is never answered (node:cluster
        // keeps it open); clients and load balancers time out. Sent before the kill was seen, like the others.
        expect(f.error).toMatch(/^(ECONNRESET|EPIPE|ECONNREFUSED|socket hang up|TIMEOUT)$/);
        expect(f.sentAt).toBeLessThan(1000);
      }
      // Requests kept succeeding all along: the survivor served during the replacement, the new worker after.
      expect(sent.filter((s) => s.status === 200 && s.sentAt > 0 && s.doneAt < 1000).length).toBeGreaterThan(
        0,
      );
      expect(byPid.get(survivor) ?? 0).toBeGreaterThan(0);
      expect(byPid.get(replacement) ?? 0).toBeGreaterThan(0);
      // Readiness never left 200: the survivor answers for the instance while the slot is being refilled. Every
      // probe answered said 200; a probe on a connection the primary handed to the killed worker before it saw
      // the death fails at the connection (status 0), like the requests above: at most one, within a second.
      expect(probes.filter((p) => p.status !== 200 && p.status !== 0)).toEqual([]);
      const unanswered = probes.filter((p) => p.status === 0);
      expect(unanswered.length).toBeLessThanOrEqual(1);
      for (const p of unanswered) expect(p.at).toBeLessThan(1000);
      expect(probes.filter((p) => p.status === 200 && p.at > 0).length).toBeGreaterThan(0);
      // Monotonic totals, scrape after scrape, across the kill and the replacement.
      for (let i = 1; i < totals.length; i++) {
        expect(totals[i]!.requests).toBeGreaterThanOrEqual(totals[i - 1]!.requests);
        expect(totals[i]!.scored).toBeGreaterThanOrEqual(totals[i - 1]!.scored);
      }
      expect(totals.some((t) => t.up0 === 0)).toBe(true);
      expect(final.get('model_server_worker_up{worker="0"}')).toBe(1);
      expect(final.get('model_server_worker_restarts_total{worker="0"}')).toBe(1);
      expect(final.get('model_server_worker_restarts_total{worker="1"}')).toBe(0);
      // What the killed worker counted after its last scrape is lost with it; nothing is counted twice.
      const total = final.get(REQUESTS) ?? 0;
      expect(total).toBeLessThanOrEqual(ok);
      expect(total).toBeGreaterThanOrEqual((byPid.get(survivor) ?? 0) + (byPid.get(replacement) ?? 0));
      const primaryLines = lines.filter(
        (l) => l.role === 'primary' && l.msg === 'worker died: restarting it; the others keep serving',
      );
      expect(primaryLines).toEqual([
        expect.objectContaining({ worker: 0, workerPid: victim, signal: 'SIGKILL' }),
      ]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test('SIGTERM while a replacement worker is still loading: it stops too, and the server exits 0', async () => {
    const { server, lines } = await startCluster();
    const victim = workerPids(lines).get(0)!;
    process.kill(victim, 'SIGKILL');
    // The primary forks the replacement after its backoff; the signal lands while that one loads its models.
    for (let i = 0; i < 400 && !lines.some((l) => l.msg === 'worker restarted'); i++) await sleep(25);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'worker restarted' }));
    process.kill(server.pid, 'SIGTERM');
    const exit = await server.exit;
    // Before: the shutdown message reached the replacement before it listened for it, was lost, and the
    // primary killed it when its shutdown timeout ran out: exit 1, after SHUTDOWN_TIMEOUT_SECONDS + 2 s.
    expect(exit.code).toBe(0);
    expect(lines).toContainEqual(
      expect.objectContaining({ role: 'primary', msg: 'every worker drained: exiting' }),
    );
  });

  test('a worker that cannot load its models at start stops the server: exit 1, no restart loop', async () => {
    const server = await startServer(
      { MODEL_DIR: '/nonexistent/models', WORKERS: '2', LOG_LEVEL: 'info' },
      { waitReady: false },
    );
    const lines = collectLogLines(server.running.child);
    const exit = await server.exit;
    expect(exit.code).toBe(1);
    expect(lines.filter((l) => l.msg === 'worker restarted')).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        role: 'primary',
        level: 60,
        msg: 'worker failed before it was ready: stopping the others',
      }),
    );
  });
});
