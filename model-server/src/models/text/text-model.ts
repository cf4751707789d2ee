import type { BundleMetadata, LoadedModel, Prediction, PredictOptions } from '../../core/types';
import { LinearShap } from '../../explain/linear-shap';
import { readInstances } from '../instances';
import { selfTestModel } from '../self-test';
import type { TfidfLogreg } from './tfidf-artifact';
import { analyze } from './tokenizer';

/** The key under which the contributions of every vocabulary term absent from the text are summed. */
export const ABSENT_TERMS = '(absent terms)';

/** A text as the model sees it: the vocabulary columns present, ascending, with their TF-IDF values. */
export interface TfidfVector {
  readonly columns: Int32Array;
  readonly values: Float64Array;
}

/**
 * A linear text classifier: sklearn TfidfVectorizer + LogisticRegression, reproduced in float64 as sklearn
 * computes it, with exact linear SHAP values against the training mean of each TF-IDF column.
 */
export class TextModel implements LoadedModel {
  readonly name: string;
  readonly version: string;
  readonly metadata: BundleMetadata;
  private readonly model: TfidfLogreg;
  private readonly shap: LinearShap;
  private readonly field: string;
  private readonly labels: readonly [string, string];

  constructor(name: string, metadata: BundleMetadata, model: TfidfLogreg, source: string) {
    const problems: string[] = [];
    const input = metadata.inputs[0];
    if (metadata.inputs.length !== 1 || input?.type !== 'string') {
      problems.push('a linear-text model takes exactly one input of type string');
    }
    if (metadata.task !== 'binary_classification') {
      problems.push(`task must be binary_classification, got ${metadata.task}`);
    }
    const labels = metadata.classLabels ?? model.classes;
    if (labels.length !== 2 || labels[0] !== model.classes[0] || labels[1] !== model.classes[1]) {
      problems.push(
        `classLabels ${JSON.stringify(labels)} differ from the artifact's classes ${JSON.stringify(model.classes)}`,
      );
    }
    if (problems.length > 0)
      throw new Error(`${source}: bundle does not match its text model: ${problems.join('; ')}`);
    this.name = name;
    this.version = metadata.version;
    this.metadata = metadata;
    this.model = model;
    this.shap = new LinearShap(model.coef, model.featureMean, model.intercept);
    this.field = input!.name;
    this.labels = model.classes;
  }

  /** TF-IDF of one text: term counts over the vocabulary, optional sublinear tf, idf, then the row norm. */
  vectorize(text: string): TfidfVector {
    const m = this.model;
    const counts = new Map<number, number>();
    for (const term of analyze(text, m.lowercase, m.ngramRange)) {
      const j = m.vocabulary.get(term);
      if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
    }
    // sklearn sorts a row's columns; summing in that order keeps the norm and the dot product bit-compatible.
    const columns = Int32Array.from(counts.keys()).sort();
    const values = new Float64Array(columns.length);
    let norm = 0;
    for (let k = 0; k < columns.length; k++) {
      const j = columns[k]!;
      const tf = counts.get(j)!;
      const v = (m.sublinearTf ? Math.log(tf) + 1 : tf) * m.idf[j]!;
      values[k] = v;
      norm += m.norm === 'l1' ? Math.abs(v) : v * v;
    }
    if (m.norm !== null && norm > 0) {
      const divisor = m.norm === 'l2' ? Math.sqrt(norm) : norm;
      for (let k = 0; k < values.length; k++) values[k] = values[k]! / divisor;
    }
    return { columns, values };
  }

  /** The logistic regression's decision function (log-odds of classes[1]). */
  decision(vector: TfidfVector): number {
    let sum = 0;
    for (let k = 0; k < vector.columns.length; k++)
      sum += vector.values[k]! * this.model.coef[vector.columns[k]!]!;
    return sum + this.model.intercept;
  }

  predict(instances: readonly unknown[], options: PredictOptions): Prediction[] {
    const rows = readInstances(this.name, this.metadata.inputs, instances);
    return rows.map((row) => this.score(row[0] as string, options.explain));
  }

  selfTest(): void {
    selfTestModel(this);
  }

  private score(text: string, explain: boolean): Prediction {
    const vector = this.vectorize(text);
    const margin = this.decision(vector);
    // scipy's expit, as LogisticRegression.predict_proba uses for a binary model.
    const p = 1 / (1 + Math.exp(-margin));
    const [negative, positive] = this.labels;
    const prediction: Prediction = {
      label: margin > 0 ? positive : negative,
      probability: p,
      probabilities: { [negative]: 1 - p, [positive]: p },
    };
    if (!explain) return prediction;
    const contributions: Record<string, number> = {};
    let total = 0;
    for (let k = 0; k < vector.columns.length; k++) {
      const j = vector.columns[k]!;
      const phi = this.shap.contribution(j, vector.values[k]!);
      contributions[this.model.terms[j]!] = phi;
      total += phi;
    }
    const absent = this.shap.absentTotal(vector.columns);
    contributions[ABSENT_TERMS] = absent;
    total += absent;
    return {
      ...prediction,
      explanation: {
        baseValue: this.shap.baseValue,
        margin,
        contributions,
        fieldContributions: { [this.field]: total },
        outputSpace: 'log_odds',
      },
    };
  }
}
