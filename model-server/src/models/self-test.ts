import type { LoadedModel, OutputExplanation, Prediction } from '../core/types';

/**
 * Additivity tolerance, relative to the sum of |contribution| (at least 1): scores are float32 like
 * XGBoost's, SHAP values float64, so they agree to float32 rounding (~1e-7), far inside this.
 */
const ADDITIVITY_TOLERANCE = 1e-5;

function checkOutput(where: string, out: OutputExplanation, problems: string[]): void {
  const values = Object.values(out.contributions);
  const numbers = [out.baseValue, out.margin, ...values, ...Object.values(out.fieldContributions)];
  if (!numbers.every(Number.isFinite)) {
    problems.push(`${where}: the explanation has a value that is not a finite number`);
    return;
  }
  const sum = values.reduce((a, b) => a + b, 0);
  const scale = Math.max(
    1,
    Math.abs(out.baseValue),
    values.reduce((a, b) => a + Math.abs(b), 0),
  );
  const gap = Math.abs(out.baseValue + sum - out.margin);
  if (gap > ADDITIVITY_TOLERANCE * scale) {
    problems.push(
      `${where}: baseValue ${out.baseValue} + sum of contributions ${sum} differs from margin ${out.margin} by ${gap}`,
    );
  }
  const fieldSum = Object.values(out.fieldContributions).reduce((a, b) => a + b, 0);
  if (Math.abs(fieldSum - sum) > ADDITIVITY_TOLERANCE * scale) {
    problems.push(`${where}: field contributions sum to ${fieldSum}, feature contributions to ${sum}`);
  }
}

function checkPrediction(p: Prediction | undefined, problems: string[]): void {
  if (p === undefined) {
    problems.push('no prediction returned');
    return;
  }
  const scores = [p.probability, p.value, ...Object.values(p.probabilities ?? {})].filter(
    (v) => v !== undefined,
  );
  if (scores.length === 0) problems.push('the prediction has neither a value nor probabilities');
  if (!scores.every((v) => Number.isFinite(v))) problems.push('the prediction is not a finite number');
  const e = p.explanation;
  if (e === undefined) {
    problems.push('no explanation returned');
    return;
  }
  checkOutput('explanation', e, problems);
  for (const [label, out] of Object.entries(e.perClass ?? {}))
    checkOutput(`explanation of class ${label}`, out, problems);
}

/**
 * Scores the bundle's example instance with an explanation and checks that the scores are finite and the
 * explanation additive (baseValue + contributions = margin, fields = features). Throws an Error naming
 * the model and every problem; the server runs this before it reports ready.
 */
export function selfTestModel(model: LoadedModel): void {
  const problems: string[] = [];
  let predictions: Prediction[];
  try {
    predictions = model.predict([model.metadata.example], { explain: true });
  } catch (e) {
    // A ServingError's message already lists the instance's problems.
    throw new Error(
      `Model '${model.name}' failed its self-test: scoring metadata.example threw: ${(e as Error).message}`,
    );
  }
  checkPrediction(predictions[0], problems);
  if (problems.length > 0) {
    throw new Error(`Model '${model.name}' failed its self-test on metadata.example: ${problems.join('; ')}`);
  }
}
