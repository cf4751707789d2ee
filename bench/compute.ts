/**
 * Per-record compute time of the prediction core, without HTTP: validation, encoding, scoring and (for
 * predict+explain) the exact SHAP values, for each bundled model, in batches of 1 and 100.
 *
 *   npm run bench:compute [-- --repeats 7 --ms 250 --model bankchurn]
 *
 * Instances are the held-out rows of the golden fixtures (test/model-server/fixtures/golden/<model>.json,
 * realistic values including missing ones), else the bundle's example. Each cell is warmed up, then timed
 * `repeats` times for at least `ms` milliseconds each; the table shows the median µs per record and the
 * range over repeats. Single-threaded; run it on an otherwise idle machine for stable figures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedModel } from '../model-server/src/core/types';
import { BUNDLED_MODELS_DIR, loadModels } from '../model-server/src/models/loader';
import { type FlagDocs, flagsHelp, parseFlags } from './harness/flags';

const GOLDEN_DIR = join(__dirname, '..', 'test', 'model-server', 'fixtures', 'golden');
const BATCH_SIZES = [1, 100] as const;
const POOL_SIZE = 100;

interface Cell {
  readonly model: string;
  readonly mode: 'predict' | 'predict+explain';
  readonly batch: number;
  readonly medianUs: number;
  readonly minUs: number;
  readonly maxUs: number;
}

function instancesFor(model: LoadedModel): unknown[] {
  const file = join(GOLDEN_DIR, `${model.name}.json`);
  const rows: { instance: unknown }[] = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).rows : [];
  const pool = rows.length > 0 ? rows.map((r) => r.instance) : [model.metadata.example];
  return Array.from({ length: POOL_SIZE }, (_, i) => pool[i % pool.length]);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs batches until `ms` have passed; returns µs per record. */
function timeBatches(run: (batch: unknown[]) => void, batches: unknown[][], ms: number): number {
  let records = 0;
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    // Check the clock every few calls so timing overhead stays negligible for batches of 1.
    for (let k = 0; k < 16; k++) {
      const batch = batches[calls++ % batches.length]!;
      run(batch);
      records += batch.length;
    }
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (elapsed * 1000) / records;
}

function measure(model: LoadedModel, explain: boolean, batch: number, repeats: number, ms: number): Cell {
  const pool = instancesFor(model);
  const batches =
    batch === 1 ? pool.map((i) => [i]) : [Array.from({ length: batch }, (_, i) => pool[i % pool.length])];
  const run = (b: unknown[]) => {
    if (model.predict(b, { explain }).length !== b.length) throw new Error('wrong number of predictions');
  };
  timeBatches(run, batches, Math.max(200, ms)); // warm-up: let V8 optimize the hot paths
  const samples = Array.from({ length: repeats }, () => timeBatches(run, batches, ms));
  return {
    model: model.name,
    mode: explain ? 'predict+explain' : 'predict',
    batch,
    medianUs: median(samples),
    minUs: Math.min(...samples),
    maxUs: Math.max(...samples),
  };
}

function table(cells: Cell[]): string {
  const header = ['model', 'mode', 'batch', 'µs/record (median)', 'range over repeats'];
  const rows = cells.map((c) => [
    c.model,
    c.mode,
    String(c.batch),
    c.medianUs.toFixed(1),
    `${c.minUs.toFixed(1)} – ${c.maxUs.toFixed(1)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export const COMPUTE_FLAGS: FlagDocs = {
  repeats: { type: 'string', value: 'N', default: '7', help: 'timed repeats of each cell (median shown)' },
  ms: { type: 'string', value: 'MS', default: '250', help: 'at least this long per repeat' },
  model: {
    type: 'string',
    value: 'NAME',
    multiple: true,
    default: 'every bundled model',
    help: 'model to time (repeatable)',
  },
};

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), COMPUTE_FLAGS);
  if (values === undefined) {
    process.stdout.write(
      `${flagsHelp('npm run bench:compute -- [flags]', 'Per-record compute time of predict and predict + explain, without HTTP.', COMPUTE_FLAGS)}\n`,
    );
    return;
  }
  const repeats = Number(values.repeats ?? '7');
  const ms = Number(values.ms ?? '250');
  const chosen = values.model as string[] | undefined;
  if (!(Number.isInteger(repeats) && repeats > 0 && ms > 0)) {
    throw new Error('--repeats must be a positive integer and --ms a positive number');
  }
  const models = (await loadModels({ dir: BUNDLED_MODELS_DIR })).filter(
    (m) => chosen === undefined || chosen.includes(m.name),
  );
  if (models.length === 0) throw new Error(`no bundled model matches --model ${chosen?.join(', ')}`);
  const cells: Cell[] = [];
  for (const model of models) {
    model.selfTest();
    for (const explain of [false, true]) {
      for (const batch of BATCH_SIZES) cells.push(measure(model, explain, batch, repeats, ms));
    }
  }
  console.log(`Node ${process.version}, ${repeats} repeats of >= ${ms} ms per cell\n`);
  console.log(table(cells));
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
