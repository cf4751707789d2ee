import { spawnSync } from 'node:child_process';
import { parseConfig } from '../../../model-server/src/config';
import { startServer } from '../../../model-server/src/lifecycle/server';
import { metricPrefix, ServerMetrics } from '../../../model-server/src/metrics/metrics';
import { bundledModels, exampleOf, LogCapture, makeApp } from '../helpers/server-app';

const PROMTOOL = spawnSync('promtool', ['--version']).status === 0;

/** Value of one sample line, e.g. `bankchurn_requests_total{route="/predict",status="200"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('per-model metrics', () => {
  it('counts requests by route and status and observes prediction and explain latency', async () => {
    const t = await makeApp();
    try {
      const bank = await exampleOf('bankchurn');
      const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload });
      await post('/predict', { instances: [bank] });
      await post('/predict', { instances: [bank] });
      await post('/v1/models/bankchurn:explain', { instances: [bank] });
      await post('/v1/models/bankchurn:predict', { instances: [bank] });
      await post('/v1/models/bankchurn:predict', { instances: [{ ...bank, Age: 'x' }] });
      await post('/v1/models/nlpinsight:predict', { instances: [{ text: 'nice' }] });
      await post('/v1/models/nope:predict', { instances: [bank] });
      const text = await t.metrics.render();
      expect(sample(text, 'bankchurn_requests_total{route="/predict",status="200"}')).toBe(2);
      expect(sample(text, 'bankchurn_requests_total{route="/v1/models/{model}:explain",status="200"}')).toBe(
        1,
      );
      expect(sample(text, 'bankchurn_requests_total{route="/v1/models/{model}:predict",status="400"}')).toBe(
        1,
      );
      expect(sample(text, 'bankchurn_requests_total{route="/v1/models/{model}:predict",status="200"}')).toBe(
        1,
      );
      expect(sample(text, 'nlpinsight_requests_total{route="/v1/models/{model}:predict",status="200"}')).toBe(
        1,
      );
      // Every scored request is in the prediction histogram, labelled by whether it was explained, so a
      // latency dashboard over that histogram drops no traffic; the explain histogram keeps explained ones.
      expect(sample(text, 'bankchurn_prediction_latency_seconds_count{explain="false"}')).toBe(3);
      expect(sample(text, 'bankchurn_prediction_latency_seconds_count{explain="true"}')).toBe(1);
      expect(sample(text, 'bankchurn_explain_latency_seconds_count')).toBe(1);
      expect(sample(text, 'chicagotaxi_prediction_latency_seconds_count{explain="false"}')).toBe(0);
      expect(sample(text, 'chicagotaxi_prediction_latency_seconds_count{explain="true"}')).toBe(0);
      expect(text).not.toContain('nope');
      expect(text).toContain('# TYPE bankchurn_prediction_latency_seconds histogram');
    } finally {
      await t.app.close();
    }
  });

  it('reports the predictions in flight and the MAX_CONCURRENT_REQUESTS limit, read at scrape time', async () => {
    const t = await makeApp({ maxConcurrentRequests: 7 });
    try {
      let text = await t.metrics.render();
      expect(sample(text, 'model_server_max_concurrent_requests')).toBe(7);
      expect(sample(text, 'model_server_requests_in_flight')).toBe(0);
      const bank = await exampleOf('bankchurn');
      // 1000 explained instances are scored in slices that yield to the event loop, so a scrape lands inside.
      const pending = t.app.inject({
        method: 'POST',
        url: '/predict?explain=true',
        payload: { instances: Array.from({ length: 1000 }, () => bank) },
      });
      let seen = 0;
      for (let i = 0; i < 10_000 && seen === 0; i += 1) {
        await new Promise((resolve) => setImmediate(resolve));
        seen = sample(await t.metrics.render(), 'model_server_requests_in_flight') ?? 0;
      }
      expect(seen).toBe(1);
      expect((await pending).statusCode).toBe(200);
      text = await t.metrics.render();
      expect(sample(text, 'model_server_requests_in_flight')).toBe(0);
    } finally {
      await t.app.close();
    }
  });

  it('reads the in-flight gauges from the limiter it is given, and a second app takes them over', async () => {
    const metrics = new ServerMetrics({ defaultMetrics: false });
    metrics.trackInFlight({ current: 3, max: 32 });
    metrics.trackInFlight({ current: 5, max: 9 });
    const text = await metrics.render();
    expect(sample(text, 'model_server_requests_in_flight')).toBe(5);
    expect(sample(text, 'model_server_max_concurrent_requests')).toBe(9);
  });

  it('makes model names valid metric prefixes and refuses two models on one prefix', () => {
    expect(metricPrefix('bank-churn.v2')).toBe('bank_churn_v2');
    expect(metricPrefix('2024model')).toBe('_2024model');
    expect(() => new ServerMetrics({ defaultMetrics: false }).addModels(['a-b', 'a_b'])).toThrow(
      'models "a-b" and "a_b" both map to the metric prefix "a_b"; rename one',
    );
  });

  it('serves /metrics on the serving port only when asked to', async () => {
    const off = await makeApp();
    const on = await makeApp({ metricsOnServingPort: true });
    try {
      expect((await off.app.inject('/metrics')).statusCode).toBe(404);
      const res = await on.app.inject('/metrics');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.body).toContain('# TYPE bankchurn_requests_total counter');
    } finally {
      await off.app.close();
      await on.app.close();
    }
  });
});

describe('metrics listener', () => {
  it('serves GET /metrics on METRICS_PORT, apart from the serving port, with process metrics', async () => {
    const config = parseConfig(['--port', '0', '--metrics-port', '0', '--host', '127.0.0.1'], {
      SHUTDOWN_DELAY_SECONDS: '0',
    });
    const server = await startServer(config, { logStream: new LogCapture() });
    try {
      await server.ready;
      expect(server.metricsUrl).not.toContain(server.url);
      await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [await exampleOf('bankchurn')] }),
      });
      const res = await fetch(server.metricsUrl!);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(sample(text, 'bankchurn_requests_total{route="/predict",status="200"}')).toBe(1);
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).toContain('nodejs_eventloop_lag_seconds');
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      expect((await fetch(server.metricsUrl!.replace('/metrics', '/other'))).status).toBe(404);

      if (!PROMTOOL) {
        console.warn(
          'promtool not found on PATH: skipping `promtool check metrics` (apt-get install prometheus)',
        );
        return;
      }
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({
        status: 0,
        output: '',
      });
    } finally {
      await server.shutdown();
    }
  });

  it('passes promtool on an exposition with every metric type populated', async () => {
    if (!PROMTOOL) {
      console.warn('promtool not found on PATH: skipping `promtool check metrics`');
      return;
    }
    const metrics = new ServerMetrics();
    metrics.addModels((await bundledModels()).map((m) => m.name));
    metrics.countRequest('bankchurn', '/predict', 200);
    metrics.observeScore('bankchurn', 0.002, false);
    metrics.observeScore('bankchurn', 0.02, true);
    const check = spawnSync('promtool', ['check', 'metrics'], {
      input: await metrics.render(),
      encoding: 'utf8',
    });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });
});
