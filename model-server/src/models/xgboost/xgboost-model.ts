import type {
  BundleMetadata,
  Explanation,
  LoadedModel,
  OutputExplanation,
  Prediction,
  PredictOptions,
} from '../../core/types';
import { TreeShap } from '../../explain/tree-shap';
import { readInstances } from '../instances';
import { selfTestModel } from '../self-test';
import type { BoosterModel, Link } from './booster-json';
import { FeatureEncoder } from './feature-encoder';
import { Forest } from './forest';

const OUTPUT_SPACE = { logistic: 'log_odds', identity: 'raw', softmax: 'softmax_logit' } as const;
const TASK_OF_LINK: Record<Link, BundleMetadata['task']> = {
  logistic: 'binary_classification',
  identity: 'regression',
  softmax: 'multiclass_classification',
};

/** XGBoost's sigmoid, rounded to the float32 it returns. */
function sigmoid(margin: number): number {
  return Math.fround(1 / (1 + Math.exp(-margin)));
}

/**
 * An XGBoost booster behind a bundle's metadata: validates raw instances, encodes them, scores them with
 * the flattened forest and explains them with TreeSHAP. Buffers are allocated once here and reused by
 * every call (predict is synchronous, so calls never interleave).
 */
export class XGBoostModel implements LoadedModel {
  readonly name: string;
  readonly version: string;
  readonly metadata: BundleMetadata;
  private readonly link: Link;
  private readonly labels: readonly string[];
  private readonly forest: Forest;
  private readonly shap: TreeShap;
  private readonly encoder: FeatureEncoder;
  private readonly featureNames: readonly string[];
  /** Input field names that feed at least one column, and the field index of each column. */
  private readonly fieldNames: readonly string[];
  private readonly columnField: Int32Array;
  private readonly x: Float64Array;
  private readonly margins: Float64Array;
  private readonly phi: Float64Array;
  private readonly fieldSums: Float64Array;

  /** `source` (the bundle directory) prefixes every error about a metadata/booster mismatch. */
  constructor(name: string, metadata: BundleMetadata, booster: BoosterModel, source: string) {
    const features = metadata.features;
    if (features === undefined) throw new Error(`${source}: metadata has no features`);
    const problems: string[] = [];
    if (features.length !== booster.numFeatures) {
      problems.push(`metadata lists ${features.length} features but the booster has ${booster.numFeatures}`);
    } else if (booster.featureNames !== undefined) {
      const differ = features.findIndex((f, j) => f.name !== booster.featureNames![j]);
      if (differ >= 0) {
        problems.push(
          `features[${differ}].name is ${JSON.stringify(features[differ]!.name)} but the booster's ` +
            `feature_names[${differ}] is ${JSON.stringify(booster.featureNames[differ])}`,
        );
      }
    }
    const expectedTask = TASK_OF_LINK[booster.link];
    if (metadata.task !== expectedTask) {
      problems.push(
        `task is ${metadata.task} but the booster's objective ${booster.objective} is ${expectedTask}`,
      );
    }
    const labels =
      metadata.classLabels ??
      (booster.link === 'identity'
        ? []
        : Array.from({ length: Math.max(2, booster.numGroups) }, (_, i) => String(i)));
    if (booster.link === 'softmax' && labels.length !== booster.numGroups) {
      problems.push(
        `classLabels has ${labels.length} labels but the booster has num_class ${booster.numGroups}`,
      );
    }
    if (problems.length > 0)
      throw new Error(`${source}: bundle does not match its booster: ${problems.join('; ')}`);

    this.name = name;
    this.version = metadata.version;
    this.metadata = metadata;
    this.link = booster.link;
    this.labels = labels;
    this.forest = new Forest(booster);
    this.shap = new TreeShap(this.forest);
    this.encoder = new FeatureEncoder(metadata.inputs, features);
    this.featureNames = features.map((f) => f.name);
    const fieldNames = metadata.inputs.map((f) => f.name).filter((n) => features.some((f) => f.source === n));
    this.fieldNames = fieldNames;
    this.columnField = Int32Array.from(features, (f) => fieldNames.indexOf(f.source));
    this.x = new Float64Array(booster.numFeatures);
    this.margins = new Float64Array(booster.numGroups);
    this.phi = new Float64Array(booster.numGroups * (booster.numFeatures + 1));
    this.fieldSums = new Float64Array(fieldNames.length);
  }

  predict(instances: readonly unknown[], options: PredictOptions): Prediction[] {
    const rows = readInstances(this.name, this.metadata.inputs, instances);
    const out: Prediction[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      this.encoder.encode(rows[i]!, this.x);
      this.forest.margins(this.x, this.margins);
      if (options.explain) this.shap.explain(this.x, this.phi);
      out[i] = this.prediction(options.explain);
    }
    return out;
  }

  /** The booster's feature vector for one raw instance (validated; float32 values, NaN = missing). */
  encode(instance: unknown): Float64Array {
    const [row] = readInstances(this.name, this.metadata.inputs, [instance]);
    const x = new Float64Array(this.x.length);
    this.encoder.encode(row!, x);
    return x;
  }

  selfTest(): void {
    selfTestModel(this);
  }

  private prediction(explain: boolean): Prediction {
    const m = this.margins;
    switch (this.link) {
      case 'logistic': {
        const p = sigmoid(m[0]!);
        const labels = this.labels;
        const probabilities: Record<string, number> = {};
        probabilities[labels[0]!] = 1 - p;
        probabilities[labels[1]!] = p;
        // As XGBClassifier.predict: the positive class when its probability is above 0.5.
        const label = p > 0.5 ? labels[1]! : labels[0]!;
        return explain
          ? { label, probability: p, probabilities, explanation: this.output(0, 'log_odds') }
          : { label, probability: p, probabilities };
      }
      case 'identity':
        return {
          value: m[0]!,
          ...(explain ? { explanation: this.output(0, 'raw') } : {}),
        };
      case 'softmax': {
        let best = 0;
        let max = m[0]!;
        for (let g = 1; g < m.length; g++) {
          if (m[g]! > max) {
            max = m[g]!;
            best = g;
          }
        }
        let sum = 0;
        for (let g = 0; g < m.length; g++) sum += Math.exp(m[g]! - max);
        const probabilities: Record<string, number> = {};
        for (let g = 0; g < m.length; g++)
          probabilities[this.labels[g]!] = Math.fround(Math.exp(m[g]! - max) / sum);
        const prediction: Prediction = { label: this.labels[best]!, probabilities };
        if (!explain) return prediction;
        const perClass: Record<string, OutputExplanation> = {};
        for (let g = 0; g < m.length; g++) perClass[this.labels[g]!] = this.output(g);
        const explanation: Explanation = {
          ...perClass[this.labels[best]!]!,
          outputSpace: OUTPUT_SPACE.softmax,
          perClass,
        };
        return { ...prediction, explanation };
      }
    }
  }

  /** The explanation of group g from the current phi and margins (with its output space at the top level). */
  private output(g: number): OutputExplanation;
  private output(g: number, outputSpace: Explanation['outputSpace']): Explanation;
  private output(g: number, outputSpace?: Explanation['outputSpace']): OutputExplanation | Explanation {
    const width = this.featureNames.length + 1;
    const offset = g * width;
    const phi = this.phi;
    const sums = this.fieldSums;
    sums.fill(0);
    const contributions: Record<string, number> = {};
    for (let j = 0; j < width - 1; j++) {
      const v = phi[offset + j]!;
      contributions[this.featureNames[j]!] = v;
      sums[this.columnField[j]!]! += v;
    }
    const fieldContributions: Record<string, number> = {};
    for (let k = 0; k < sums.length; k++) fieldContributions[this.fieldNames[k]!] = sums[k]!;
    const base = phi[offset + width - 1]!;
    const margin = this.margins[g]!;
    return outputSpace === undefined
      ? { baseValue: base, margin, contributions, fieldContributions }
      : { baseValue: base, margin, contributions, fieldContributions, outputSpace };
  }
}
