/**
 * `npm run docs:observability`: writes the Prometheus rule file and the Grafana dashboards under
 * observability/ from `model-serving.config.json` when the checkout has one, else the defaults (the staleness
 * test reads the same). `--check` exits 1 instead of writing when a checked-in file is out of date (for CI).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../src/config/load';
import { GRAFANA_DIR, observabilityFiles } from '../src/observability/files';

function main(): void {
  const root = path.resolve(__dirname, '..');
  const check = process.argv.includes('--check');
  const files = observabilityFiles(loadConfig({ rootDir: root, env: {} }));
  const stale: string[] = [];
  for (const [file, content] of files) {
    const absolute = path.join(root, file);
    let current: string | undefined;
    try {
      current = readFileSync(absolute, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) continue;
    stale.push(file);
    if (!check) {
      mkdirSync(path.dirname(absolute), { recursive: true });
      writeFileSync(absolute, content);
    }
  }
  // Dashboards of services no longer in the config.
  for (const name of readdirSync(path.join(root, GRAFANA_DIR), { withFileTypes: true })) {
    const file = `${GRAFANA_DIR}/${name.name}`;
    if (name.isFile() && !files.has(file)) {
      stale.push(file);
      if (!check) rmSync(path.join(root, file));
    }
  }
  if (check && stale.length > 0) {
    console.error(`out of date (run npm run docs:observability): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.log(stale.length > 0 ? `wrote ${stale.join(', ')}` : 'observability files up to date');
}

main();
