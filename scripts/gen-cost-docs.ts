/**
 * `npm run docs:cost`: writes the README's price passages (the pasted `npm run cost` output and the
 * observability cost table) from the price table in `src/cost/prices.ts` and the default configuration,
 * between their markers. `--check` exits 1 instead of writing when the README is out of date (for CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../src/config/load';
import { withCostPassages } from '../src/cost/readme-passages';

function main(): void {
  const readmePath = path.join(__dirname, '..', 'README.md');
  const current = readFileSync(readmePath, 'utf8');
  // The defaults, not a local model-serving.config.json: the README describes what a checkout deploys.
  const next = withCostPassages(current, parseConfig({}));
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write('README.md price passages are out of date: run npm run docs:cost\n');
      process.exitCode = 1;
    }
    return;
  }
  if (next !== current) writeFileSync(readmePath, next);
  process.stdout.write(next === current ? 'README.md price passages up to date\n' : 'wrote README.md\n');
}

main();
