/**
 * Prints how long the security gate takes over the default stacks, next to the synth it guards:
 * `npx tsx scripts/measure-gate.ts`. Synth runs the gate twice (stacks/main.ts first, then each stack's
 * validation), so the second figure includes it once more.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from 'cdktf';
import { parseConfig } from '../src/config/load';
import { evaluateApp } from '../src/security/check-app';
import { buildApp } from '../stacks/main';

const RUNS = 5;
for (let i = 0; i < RUNS; i++) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'measure-gate-'));
  const { app } = buildApp(parseConfig({}), new App({ outdir }), { imageSourceHash: '9'.repeat(64) });
  const t0 = performance.now();
  const reports = evaluateApp(app);
  const t1 = performance.now();
  app.synth();
  const t2 = performance.now();
  console.log(
    `run ${i + 1}/${RUNS}: gate over ${reports.length} stacks ${(t1 - t0).toFixed(0)} ms; app.synth with the gate in validation ${(t2 - t1).toFixed(0)} ms`,
  );
}
