import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleMetadata, InputField } from '../../model-server/src/core/types';
import { Rng } from './random';

/** Where the bundled models live, relative to the repository root. */
export const BUNDLED_MODELS_DIR = join(__dirname, '..', '..', 'model-server', 'models');

export function readBundleMetadata(modelDir: string): BundleMetadata {
  return JSON.parse(readFileSync(join(modelDir, 'metadata.json'), 'utf8')) as BundleMetadata;
}

const WORDS = [
  'good',
  'bad',
  'service',
  'price',
  'slow',
  'fast',
  'great',
  'refund',
  'never',
  'again',
  'love',
];

/** A value that the field's own rules accept, drawn so that bodies differ from one another. */
function validValue(field: InputField, example: unknown, rng: Rng): unknown {
  switch (field.type) {
    case 'category':
      return rng.pick(field.categories);
    case 'string': {
      const max = field.maxLength ?? 200;
      let text = rng.pick(WORDS);
      while (text.length < max - 12 && rng.chance(0.8)) text += ' ' + rng.pick(WORDS);
      return text.slice(0, max);
    }
    case 'number': {
      // Without bounds, vary around the example so values stay in the range the model was trained on.
      const base = typeof example === 'number' ? example : 1;
      const lo = field.minimum ?? (base >= 0 ? base * 0.5 : base * 1.5);
      const hi = field.maximum ?? (base >= 0 ? base * 1.5 + 1 : base * 0.5);
      if (field.integer) return rng.int(Math.ceil(lo), Math.floor(hi));
      return Math.round(rng.float(lo, hi) * 100) / 100;
    }
  }
}

/** One valid raw instance for the model, every field present (null never drawn: both servers must agree). */
export function validInstance(metadata: BundleMetadata, rng: Rng): Record<string, unknown> {
  const instance: Record<string, unknown> = {};
  for (const field of metadata.inputs) {
    instance[field.name] = validValue(field, metadata.example[field.name], rng);
  }
  return instance;
}

/**
 * `count` distinct native request bodies (`{"instances":[…],"parameters":{"explain":…}}`), seeded, so a
 * server cannot answer from a cache and every run sends the same traffic.
 */
export function requestBodies(
  metadata: BundleMetadata,
  options: { count: number; batchSize: number; explain: boolean; seed: number },
): string[] {
  const rng = new Rng(options.seed);
  const seen = new Set<string>();
  const bodies: string[] = [];
  // Bounded: a model with few distinct inputs cannot loop forever looking for unseen bodies.
  for (let attempt = 0; bodies.length < options.count && attempt < options.count * 20; attempt++) {
    const instances = Array.from({ length: options.batchSize }, () => validInstance(metadata, rng));
    const body = JSON.stringify({ instances, parameters: { explain: options.explain } });
    if (seen.has(body)) continue;
    seen.add(body);
    bodies.push(body);
  }
  return bodies;
}
