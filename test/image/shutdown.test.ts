/**
 * Graceful shutdown as a load balancer sees it: steady keep-alive traffic and a readiness probe; `podman stop`
 * sends SIGTERM; the client stops sending new requests once readiness reports 503 (what a load balancer does
 * after its probe fails). No request sent before that may fail or be reset, and the container must exit 0
 * well inside the 30 s grace period that Kubernetes and SageMaker give.
 */
import * as http from 'node:http';
import { request } from './support/http';
import { instancesOf } from './support/models';
import { removeStartedContainers } from './support/podman';
import { reportFigure } from './support/report';
import { startServing } from './support/serving';

const GRACE_SECONDS = 30;
const LOOPS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  readonly sentAt: number;
  readonly status?: number;
  readonly error?: string;
  readonly connectionClose?: boolean;
}

afterAll(removeStartedContainers);

test('SIGTERM under load: readiness goes 503, requests already sent all succeed, exit 0 within the grace period', async () => {
  const serving = await startServing();
  const agent = new http.Agent({ keepAlive: true, maxSockets: LOOPS });
  const body = JSON.stringify({ instances: instancesOf('bankchurn', 20), parameters: { explain: true } });
  const outcomes: Outcome[] = [];
  let stopSending = false;

  const loop = async () => {
    while (!stopSending) {
      const sentAt = Date.now();
      try {
        const res = await request(`${serving.url}/v1/models/bankchurn:predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          agent,
          timeoutMs: 10_000,
        });
        outcomes.push({ sentAt, status: res.status, connectionClose: res.headers.connection === 'close' });
      } catch (error) {
        outcomes.push({ sentAt, error: (error as Error).message });
      }
    }
  };

  // The probe: a fresh connection every 100 ms, as a load balancer's health check does.
  let notReadyAt: number | undefined;
  let probeError: string | undefined;
  const probe = async () => {
    while (!stopSending) {
      try {
        const res = await request(`${serving.url}/health/ready`, { timeoutMs: 2000 });
        if (res.status === 503) {
          notReadyAt = Date.now();
          stopSending = true;
        }
      } catch (error) {
        // The listener went away before readiness was seen to fail: the test fails below.
        probeError = (error as Error).message;
        stopSending = true;
      }
      await sleep(100);
    }
  };

  const traffic = [...Array.from({ length: LOOPS }, loop), probe()];
  await sleep(1500);
  const sentBeforeSigterm = outcomes.length;
  const sigtermAt = Date.now();
  const stopMs = await serving.container.stop(GRACE_SECONDS);
  await Promise.all(traffic);
  agent.destroy();
  const { exitCode } = await serving.container.state();

  const failed = outcomes.filter((o) => o.status !== 200);
  const afterSigterm = outcomes.filter((o) => o.sentAt >= sigtermAt);
  reportFigure(
    'shutdown: SIGTERM -> exit',
    `${stopMs} ms (exit code ${exitCode}); readiness 503 after ${notReadyAt === undefined ? '-' : notReadyAt - sigtermAt} ms; ` +
      `${outcomes.length} requests (${sentBeforeSigterm} before SIGTERM, ${afterSigterm.length} after, ` +
      `${afterSigterm.filter((o) => o.connectionClose).length} of those answered with Connection: close), ${failed.length} failed`,
  );

  expect(probeError).toBeUndefined();
  expect(notReadyAt).toBeDefined();
  expect(sentBeforeSigterm).toBeGreaterThan(0);
  expect(failed).toEqual([]);
  expect(exitCode).toBe(0);
  expect(stopMs).toBeLessThan(GRACE_SECONDS * 1000);
  // Draining responses tell keep-alive clients to reconnect elsewhere.
  expect(afterSigterm.filter((o) => o.connectionClose).length).toBeGreaterThan(0);
  await serving.container.remove();
});
