/**
 * The contracts between the parts of the server: the bundle metadata format (written by the training
 * scripts, read by the loader), the loaded-model interface (implemented in `src/models`, used by the
 * protocol adapters) and the prediction/explanation shapes every protocol returns.
 *
 * A model bundle is a directory holding `metadata.json` (this file's `BundleMetadata`) and the artifact it
 * names. A directory holding only an XGBoost `model.json` is a bare booster (inputs = the booster's
 * feature_names, numeric, null/absent = missing).
 */

export type Task = 'binary_classification' | 'multiclass_classification' | 'regression';

/** One raw input field of an instance, as a client sends it. */
export type InputField =
  | {
      readonly name: string;
      readonly type: 'number';
      /** true: the field may be null or absent (a missing value, routed by the trees' default_left). */
      readonly nullable?: boolean;
      /** Inclusive bounds; values outside are rejected with 400. */
      readonly minimum?: number;
      readonly maximum?: number;
      /** true: only whole numbers are accepted. */
      readonly integer?: boolean;
      readonly description?: string;
    }
  | {
      readonly name: string;
      readonly type: 'category';
      /** The allowed values; anything else is rejected with 400 naming the allowed values. */
      readonly categories: readonly string[];
      readonly nullable?: boolean;
      readonly description?: string;
    }
  | {
      readonly name: string;
      readonly type: 'string';
      readonly maxLength?: number;
      readonly description?: string;
    };

/** How one column of the booster's feature vector is computed from the raw record. */
export type FeatureSpec =
  | { readonly name: string; readonly source: string; readonly transform: 'identity' }
  | { readonly name: string; readonly source: string; readonly transform: 'one_hot'; readonly value: string };

export interface BundleMetadata {
  readonly name: string;
  readonly version: string;
  readonly kind: 'xgboost' | 'linear-text';
  readonly task: Task;
  /** File name of the artifact inside the bundle directory (XGBoost `model.json`, or the text model JSON). */
  readonly artifact: string;
  /** Class labels in the model's class order (classification only). */
  readonly classLabels?: readonly string[];
  readonly inputs: readonly InputField[];
  /** XGBoost only: booster feature columns in order, each derived from one input field. */
  readonly features?: readonly FeatureSpec[];
  readonly description?: string;
  /** One valid raw instance: used for the start-up self-test, the OpenAPI examples and the README's curl. */
  readonly example: Readonly<Record<string, unknown>>;
}

/** What a client can ask for per request (decoded by each protocol adapter into this one shape). */
export interface PredictOptions {
  readonly explain: boolean;
}

/**
 * Exact SHAP explanation of one output, in margin space (log-odds for binary classifiers, raw score for a
 * multiclass class, the prediction itself for a regressor). Additive: baseValue + sum(contributions) = margin.
 */
export interface OutputExplanation {
  readonly baseValue: number;
  readonly margin: number;
  /** Per model feature (encoded column, or token for text models). */
  readonly contributions: Readonly<Record<string, number>>;
  /** Encoded columns summed back to the raw input field they came from. */
  readonly fieldContributions: Readonly<Record<string, number>>;
}

export interface Explanation extends OutputExplanation {
  /** 'log_odds' | 'raw' (regression) | 'softmax_logit' (multiclass, see perClass). */
  readonly outputSpace: 'log_odds' | 'raw' | 'softmax_logit';
  /** Multiclass only: one explanation per class label (the top level then explains the predicted class). */
  readonly perClass?: Readonly<Record<string, OutputExplanation>>;
}

export interface Prediction {
  /** Classification: predicted label. */
  readonly label?: string;
  /** Binary classification: probability of the positive class (classLabels[1]). */
  readonly probability?: number;
  /** Classification: probability per label. */
  readonly probabilities?: Readonly<Record<string, number>>;
  /** Regression: predicted value. */
  readonly value?: number;
  readonly explanation?: Explanation;
}

/** A model ready to serve. Implementations decide their strategy at load, never per request. */
export interface LoadedModel {
  readonly name: string;
  readonly version: string;
  readonly metadata: BundleMetadata;
  /**
   * Validates raw instances against the inputs (objects keyed by field name; for tabular models also
   * arrays in input-field order) and scores them. Throws ServingError('INVALID_INPUT') listing every
   * problem with its path (`instances[i].Field`) and what was expected.
   */
  predict(instances: readonly unknown[], options: PredictOptions): Prediction[];
  /**
   * Scores `metadata.example` with an explanation and checks the scores are finite and the explanation
   * additive; throws an Error naming the model and the problem. The server calls it before reporting ready.
   */
  selfTest(): void;
}
