import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { parseConfig as parseServerConfig } from '../../model-server/src/config';
import { startServer } from '../../model-server/src/lifecycle/server';
import { loadConfig, parseConfig } from '../../src/config/load';
import {
  DATASOURCE_VARIABLE,
  dashboardExpressions,
  overviewDashboard,
  serviceDashboard,
} from '../../src/observability/dashboards';
import { GRAFANA_DIR, observabilityFiles, RULES_FILE } from '../../src/observability/files';
import { monitoredServices, ruleOptions } from '../../src/observability/from-config';
import { PLATFORM_METRIC_ALLOWLIST } from '../../src/observability/metric-names';
import { ALERT_NAMES, ruleFile, runbookAnchor } from '../../src/observability/prometheus-rules';
import { metricNamesIn } from '../../src/observability/promql-names';
import { LogCapture } from '../model-server/helpers/server-app';
import { promtool, requirePromtool } from './promtool';

const root = path.join(__dirname, '../..');
const config = parseConfig({});
const services = monitoredServices(config);
const options = ruleOptions(config);
const dashboards = [overviewDashboard(services), ...services.map((s) => serviceDashboard(s, options))];
const rules = ruleFile(services, options);
const ruleExprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
const recordedNames = new Set(
  rules.groups.flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : []))),
);

/** Grafana's variables as Prometheus would see them once Grafana substituted them. */
const substituted = (expr: string) => expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m');

describe('generated observability files', () => {
  it('are up to date in observability/ (run npm run docs:observability)', () => {
    // The script's own config: the checkout's config file if it has one, else the defaults.
    const files = observabilityFiles(loadConfig({ rootDir: root, env: {} }));
    for (const [file, content] of files) {
      expect({ file, content: readFileSync(path.join(root, file), 'utf8') }).toEqual({ file, content });
    }
    const onDisk = readdirSync(path.join(root, GRAFANA_DIR)).map((f) => `${GRAFANA_DIR}/${f}`);
    expect(onDisk.sort()).toEqual([...files.keys()].filter((f) => f.startsWith(GRAFANA_DIR)).sort());
  });

  it('follow the config: another SLO changes the rule file', () => {
    const other = parseConfig({
      observability: { latencyThresholdSeconds: 0.5, latencyObjectivePercent: 99.9 },
    });
    const text = observabilityFiles(other).get(RULES_FILE)!;
    expect(text).toContain('le="0.5"');
    expect(text).toContain(
      'namespace:bankchurn_prediction_slow:ratio_rate1h{namespace="bankchurn"} > 0.0144',
    );
    expect(observabilityFiles(config).get(RULES_FILE)).toContain('> 0.144\n');
  });

  it('give one dashboard per service plus an overview, each panel on the chosen datasource', () => {
    expect(dashboards.map((d) => d.uid)).toEqual([
      'model-serving-overview',
      ...services.map((s) => `model-serving-${s.name}`),
    ]);
    for (const d of dashboards) {
      for (const p of d.panels ?? []) {
        if ('targets' in p)
          expect(p.datasource).toEqual({ type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` });
      }
    }
  });

  it('link every alert to a runbook entry that the README has', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const alert of ALERT_NAMES) {
      expect(readme).toContain(`#### ${alert}`);
      expect(runbookAnchor(alert)).toBe(alert.toLowerCase());
    }
    for (const g of rules.groups) {
      for (const r of g.rules) {
        if ('alert' in r) expect(r.annotations.runbook_url).toBe(`README.md#${r.alert.toLowerCase()}`);
      }
    }
  });

  it('pass promtool: every dashboard expression, variables substituted, in a rule file', () => {
    if (!requirePromtool()) return;
    const exprs = dashboards.flatMap(dashboardExpressions).map(substituted);
    expect(exprs.length).toBeGreaterThan(20);
    const dir = mkdtempSync(path.join(tmpdir(), 'dashboards-'));
    const file = {
      groups: [
        { name: 'dashboards', rules: exprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr })) },
      ],
    };
    writeFileSync(path.join(dir, 'dashboards.yml'), stringify(file));
    const result = promtool(['check', 'rules', 'dashboards.yml'], dir);
    expect(result.output).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(result.status).toBe(0);
  });

  it('read only metrics the server exports or the platform allowlist', async () => {
    const server = await startServer(
      parseServerConfig(['--port', '0', '--metrics-port', '0', '--host', '127.0.0.1'], {
        SHUTDOWN_DELAY_SECONDS: '0',
      }),
      { logStream: new LogCapture() },
    );
    let exposition: string;
    try {
      await server.ready;
      exposition = await (await fetch(server.metricsUrl!)).text();
    } finally {
      await server.shutdown();
    }
    const exported = new Set<string>();
    for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exported.add(name!);
      if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(`${name}${s}`);
    }
    const used = new Set(
      [...ruleExprs, ...dashboards.flatMap(dashboardExpressions)].flatMap((e) => [...metricNamesIn(e)]),
    );
    const unknown = [...used].filter(
      (n) => !exported.has(n) && !PLATFORM_METRIC_ALLOWLIST.has(n) && !recordedNames.has(n),
    );
    expect(unknown).toEqual([]);
    // The check has teeth: the server names are really among those used.
    expect(used).toContain('bankchurn_requests_total');
    expect(used).toContain('bankchurn_explain_latency_seconds_bucket');
    expect(exported).toContain('process_start_time_seconds');
  });

  it('finds metric names in PromQL, not functions, labels or keywords', () => {
    expect([
      ...metricNamesIn(
        'histogram_quantile(0.9, sum by (le) (rate(a_bucket{x="y",le=~"1(\\\\.0)?"}[5m]))) > on (pod) b and time() - c:d',
      ),
    ]).toEqual(['a_bucket', 'b', 'c:d']);
  });
});
