/** The bundled models as the tests use them: metadata read from model-server/models, instances, CSV rows. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BundleMetadata } from '../../../model-server/src/core/types';

export const MODELS_DIR = path.resolve(__dirname, '../../../model-server/models');
export const BUNDLED_MODELS = ['bankchurn', 'chicagotaxi', 'nlpinsight'] as const;

export function metadataOf(model: string): BundleMetadata {
  return JSON.parse(fs.readFileSync(path.join(MODELS_DIR, model, 'metadata.json'), 'utf8')) as BundleMetadata;
}

/** `count` valid instances of `model`: its example with the numeric fields varied so rows differ. */
export function instancesOf(model: string, count: number): Record<string, unknown>[] {
  const meta = metadataOf(model);
  return Array.from({ length: count }, (_, i) => {
    const instance: Record<string, unknown> = { ...meta.example };
    for (const field of meta.inputs) {
      const value = instance[field.name];
      if (field.type !== 'number' || typeof value !== 'number') continue;
      // Stay inside the field's bounds and keep whole numbers whole.
      const step = field.integer ? (i % 3) - 1 : ((i % 7) - 3) * 0.01 * Math.abs(value || 1);
      let next = value + step;
      if (field.minimum !== undefined) next = Math.max(field.minimum, next);
      if (field.maximum !== undefined) next = Math.min(field.maximum, next);
      instance[field.name] = next;
    }
    return instance;
  });
}

/** CSV rows in input-field order, optionally with a header line naming the fields. */
export function csvOf(model: string, instances: readonly Record<string, unknown>[], header: boolean): string {
  const names = metadataOf(model).inputs.map((f) => f.name);
  const cell = (v: unknown) => {
    const text = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const rows = instances.map((instance) => names.map((n) => cell(instance[n])).join(','));
  return `${[...(header ? [names.join(',')] : []), ...rows].join('\n')}\n`;
}

/** The shape of one explanation (model-server/src/core/types.ts). */
export interface ExplanationJson {
  readonly baseValue: number;
  readonly margin: number;
  readonly contributions: Readonly<Record<string, number>>;
  readonly fieldContributions: Readonly<Record<string, number>>;
}

/**
 * How far base value + contributions is from the margin, relative to the margin's size. XGBoost computes in
 * float32, so additivity holds to about 1e-6 relative, not to 1e-6 absolute.
 */
export function additivityError(e: ExplanationJson): number {
  const sum = Object.values(e.contributions).reduce((a, b) => a + b, e.baseValue);
  return Math.abs(sum - e.margin) / Math.max(1, Math.abs(e.margin));
}
