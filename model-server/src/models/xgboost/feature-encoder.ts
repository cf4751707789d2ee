import type { FeatureSpec, InputField } from '../../core/types';

const IDENTITY = 0;
const ONE_HOT = 1;

/**
 * Turns validated raw values (in input order, null = missing) into the booster's feature vector, as the
 * training scripts encoded them: a number as itself (missing -> NaN, which the trees route by
 * default_left), a category as 1 in its own one-hot column and 0 in the others (a null category is 0
 * everywhere). Values are rounded to float32 here, once, because that is what XGBoost compares.
 */
export class FeatureEncoder {
  readonly width: number;
  /** Index of the input field each column is computed from. */
  readonly columnInput: Int32Array;
  private readonly transform: Uint8Array;
  private readonly oneHotValue: (string | undefined)[];

  constructor(inputs: readonly InputField[], features: readonly FeatureSpec[]) {
    this.width = features.length;
    this.columnInput = new Int32Array(features.length);
    this.transform = new Uint8Array(features.length);
    this.oneHotValue = new Array(features.length);
    features.forEach((spec, j) => {
      const input = inputs.findIndex((f) => f.name === spec.source);
      if (input < 0) throw new Error(`feature ${spec.name}: source ${spec.source} is not an input`);
      this.columnInput[j] = input;
      this.transform[j] = spec.transform === 'one_hot' ? ONE_HOT : IDENTITY;
      this.oneHotValue[j] = spec.transform === 'one_hot' ? spec.value : undefined;
    });
  }

  encode(values: readonly unknown[], out: Float64Array): void {
    for (let j = 0; j < this.width; j++) {
      const v = values[this.columnInput[j]!];
      if (this.transform[j] === IDENTITY) {
        out[j] = v === null ? Number.NaN : Math.fround(v as number);
      } else {
        out[j] = v === this.oneHotValue[j] ? 1 : 0;
      }
    }
  }
}
