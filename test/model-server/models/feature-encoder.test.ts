import type { FeatureSpec, InputField } from '../../../model-server/src/core/types';
import { FeatureEncoder } from '../../../model-server/src/models/xgboost/feature-encoder';

const inputs: InputField[] = [
  { name: 'age', type: 'number', nullable: true },
  { name: 'country', type: 'category', categories: ['FR', 'DE'], nullable: true },
];
const features: FeatureSpec[] = [
  { name: 'country_DE', source: 'country', transform: 'one_hot', value: 'DE' },
  { name: 'age', source: 'age', transform: 'identity' },
  { name: 'country_FR', source: 'country', transform: 'one_hot', value: 'FR' },
];

function encode(values: unknown[]): number[] {
  const encoder = new FeatureEncoder(inputs, features);
  const out = new Float64Array(encoder.width);
  encoder.encode(values, out);
  return [...out];
}

describe('FeatureEncoder', () => {
  it('has one column per feature, each reading its source input', () => {
    const encoder = new FeatureEncoder(inputs, features);
    expect(encoder.width).toBe(3);
    expect([...encoder.columnInput]).toEqual([1, 0, 1]);
  });

  it('writes a number as itself rounded to float32, and a category as 1 in its own column only', () => {
    expect(encode([0.1, 'FR'])).toEqual([0, Math.fround(0.1), 1]);
    expect(encode([0.1, 'FR'])[1]).not.toBe(0.1);
    expect(encode([42, 'DE'])).toEqual([1, 42, 0]);
  });

  it('writes a missing number as NaN and a missing category as 0 in every column', () => {
    expect(encode([null, null])).toEqual([0, Number.NaN, 0]);
  });

  it('writes an unknown category as 0 in every column', () => {
    expect(encode([1, 'ES'])).toEqual([0, 1, 0]);
  });

  it('writes its own width of columns and leaves the rest of a longer vector alone', () => {
    const encoder = new FeatureEncoder(inputs, features);
    const out = new Float64Array(encoder.width + 1).fill(7);
    encoder.encode([42, 'DE'], out);
    expect([...out]).toEqual([1, 42, 0, 7]);
  });

  it('refuses a feature whose source is not an input, naming both', () => {
    expect(
      () => new FeatureEncoder(inputs, [{ name: 'height', source: 'height_cm', transform: 'identity' }]),
    ).toThrow('feature height: source height_cm is not an input');
  });
});
