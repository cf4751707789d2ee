import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../../../model-server/src/config';
import { type RunningServer, startServer } from '../../../model-server/src/lifecycle/server';
import { RawConnection, sleep } from '../helpers/http';
import { bundledModel, exampleOf, LogCapture, makeApp } from '../helpers/server-app';
import { spawnServer } from '../helpers/spawn';

function portOf(server: RunningServer): number {
  return (server.app.server.address() as AddressInfo).port;
}

async function start(env: Record<string, string>): Promise<RunningServer> {
  const config = parseConfig(['--port', '0', '--metrics-port', '0', '--host', '127.0.0.1'], env);
  const server = await startServer(config, { logStream: new LogCapture(), defaultMetrics: false });
  await server.ready;
  return server;
}

describe('graceful shutdown', () => {
  it('goes not-ready at once, finishes in-flight requests, closes idle keep-alive connections, and stops', async () => {
    const server = await start({ SHUTDOWN_DELAY_SECONDS: '0.3', SHUTDOWN_TIMEOUT_SECONDS: '5' });
    const port = portOf(server);
    const body = JSON.stringify({ instances: [await exampleOf('bankchurn')], parameters: { explain: true } });

    // An idle keep-alive connection, after one request.
    const idle = await RawConnection.open(port);
    expect((await idle.request('GET', '/health/ready')).status).toBe(200);
    // A request whose body is still arriving when the listener closes.
    const inFlight = await RawConnection.open(port);
    inFlight.write(
      `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`,
    );
    await sleep(50);

    const started = performance.now();
    const done = server.shutdown();
    // During the delay: still accepting, but not ready, and responses close their connections.
    const probe = await RawConnection.open(port);
    const notReady = await probe.request('GET', '/health/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.headers.connection).toBe('close');
    await probe.closedAt;

    // After the delay the listener is closed and the idle connection is gone...
    await sleep(450);
    await expect(RawConnection.open(port)).rejects.toThrow(/ECONNREFUSED/);
    await idle.closedAt;
    // ...but the in-flight request still completes.
    inFlight.write(body.slice(20));
    const response = await inFlight.response();
    expect(response.status).toBe(200);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body).predictions[0].explanation).toBeDefined();

    expect(await done).toBe('drained');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(server.metricsServer!.listening).toBe(false);
  });

  it('cuts connections still open at the shutdown timeout', async () => {
    const server = await start({ SHUTDOWN_DELAY_SECONDS: '0', SHUTDOWN_TIMEOUT_SECONDS: '1' });
    const stuck = await RawConnection.open(portOf(server));
    stuck.write(
      'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    await sleep(50);
    const started = performance.now();
    expect(await server.shutdown()).toBe('forced');
    expect(performance.now() - started).toBeLessThan(1500);
    await stuck.closedAt;
  });
});

describe('timeouts', () => {
  it('sets keep-alive above the load balancer idle timeout and answers slow requests with 408 JSON', async () => {
    const t = await makeApp({
      requestTimeoutMs: 1000,
      headersTimeoutMs: 500,
      connectionsCheckingIntervalMs: 100,
    });
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      expect(t.app.server.keepAliveTimeout).toBe(65_000);
      expect(t.app.server.headersTimeout).toBe(500);
      expect(t.app.server.requestTimeout).toBe(1000);
      const port = (t.app.server.address() as AddressInfo).port;

      const slowHeaders = await RawConnection.open(port);
      const started = performance.now();
      slowHeaders.write('GET /health/live HTTP/1.1\r\nHost: x\r\n');
      const timedOut = await slowHeaders.response();
      expect(timedOut.status).toBe(408);
      expect(JSON.parse(timedOut.body)).toEqual({
        error: {
          code: 'REQUEST_TIMEOUT',
          message: 'the request did not arrive in time (headers within 0.5 s, all within 1 s)',
        },
      });
      expect(performance.now() - started).toBeLessThan(900);
      await slowHeaders.closedAt;

      const slowBody = await RawConnection.open(port);
      slowBody.write(
        'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{',
      );
      expect((await slowBody.response()).status).toBe(408);

      const garbage = await RawConnection.open(port);
      garbage.write('NOT HTTP AT ALL\r\n\r\n');
      const bad = await garbage.response();
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body).error).toEqual({
        code: 'BAD_REQUEST',
        message: 'the request is not valid HTTP',
      });

      // HTTP/1.1 without Host: a JSON 400 from the error catalogue, not Node's bare one.
      const noHost = await RawConnection.open(port);
      noHost.write('GET /health/live HTTP/1.1\r\n\r\n');
      const hostless = await noHost.response();
      expect(hostless.status).toBe(400);
      expect(hostless.headers['content-type']).toMatch(/application\/json/);
      expect(JSON.parse(hostless.body).error).toEqual({
        code: 'BAD_REQUEST',
        message: 'the Host header is required in HTTP/1.1 requests',
      });
      noHost.socket.destroy();
    } finally {
      await t.app.close();
    }
  });
});

describe('event loop bound', () => {
  it('accepts connections and answers /ping quickly while the largest batches are explained', async () => {
    // The server runs in its own process, as deployed: the probes here do not share its event loop.
    const server = spawnServer(['serve', '--metrics-port', '0'], {
      SAGEMAKER_BIND_TO_PORT: '0',
      HOST: '127.0.0.1',
      SHUTDOWN_DELAY_SECONDS: '0',
    });
    try {
      const url = (await server.ready).url as string;
      const port = Number(new URL(url).port);
      const model = await bundledModel('bankchurn');
      const batch = Array.from({ length: 1000 }, (_, i) => ({
        ...model.metadata.example,
        Age: 18 + (i % 80),
      }));
      // What one batch costs in one piece: the bound below is meaningful only if it is longer.
      const t0 = performance.now();
      model.predict(batch, { explain: true });
      const unsliced = performance.now() - t0;

      const body = JSON.stringify({ instances: batch, parameters: { explain: true } });
      const load = Array.from({ length: 3 }, () =>
        fetch(`${url}/invocations`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-amzn-sagemaker-custom-attributes': 'explain=true',
          },
          body,
        }).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      );
      let finished = false;
      const all = Promise.all(load).finally(() => {
        finished = true;
      });
      const connectMs: number[] = [];
      const pingMs: number[] = [];
      await sleep(20);
      while (!finished) {
        const t = performance.now();
        await new Promise<void>((resolve, reject) => {
          const s = connect(port, '127.0.0.1', () => {
            connectMs.push(performance.now() - t);
            s.destroy();
            resolve();
          });
          s.once('error', reject);
        });
        const conn = await RawConnection.open(port);
        const p = performance.now();
        expect((await conn.request('GET', '/ping')).status).toBe(200);
        pingMs.push(performance.now() - p);
        conn.destroy();
        await sleep(5);
      }
      expect(await all).toEqual([200, 200, 200]);
      expect(pingMs.length).toBeGreaterThan(3);
      // SageMaker: accept within 250 ms, /ping within 2 s.
      expect(Math.max(...connectMs)).toBeLessThan(250);
      expect(Math.max(...pingMs)).toBeLessThan(2000);
      // Unsliced, a ping waits for the batch being scored (half a batch on average); sliced, for one slice. The
      // median is robust to the odd descheduling on a shared machine.
      const median = [...pingMs].sort((a, b) => a - b)[Math.floor(pingMs.length / 2)];
      expect(median).toBeLessThan(unsliced / 4);
    } finally {
      server.proc.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
    }
  });
});

describe('SIGHUP (item 5)', () => {
  it('is ignored with a log line: the server keeps serving, in-flight requests are answered', async () => {
    const server = spawnServer(['--port', '0', '--metrics-port', '0'], { HOST: '127.0.0.1' });
    try {
      const url = (await server.ready).url as string;
      server.proc.kill('SIGHUP');
      for (let i = 0; i < 100 && !server.lines.some((l) => l.signal === 'SIGHUP'); i++) await sleep(20);
      expect(server.lines.find((l) => l.signal === 'SIGHUP')).toMatchObject({
        msg: expect.stringMatching(/SIGHUP ignored/),
      });
      expect(server.proc.exitCode).toBeNull();
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    } finally {
      server.proc.kill('SIGTERM');
      await server.exited;
    }
  });
});
