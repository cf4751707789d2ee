import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedModel, OutputExplanation } from '../../../model-server/src/core/types';
import { TreeShap } from '../../../model-server/src/explain/tree-shap';
import { loadModels } from '../../../model-server/src/models/loader';
import { parseBoosterJson } from '../../../model-server/src/models/xgboost/booster-json';
import { Forest } from '../../../model-server/src/models/xgboost/forest';
import { XGBoostModel } from '../../../model-server/src/models/xgboost/xgboost-model';
import { asRows, Comparison, featureVector, REPO_ROOT, readGolden, type XgbGolden } from './helpers/golden';

/** XGBoost's predictions (float32) against ours: relative error at most 1e-6. */
const PREDICTION_REL = 1e-6;
/**
 * pred_contribs: relative 1e-5, plus an absolute floor of 1e-6 x the row's total |contribution|. XGBoost
 * accumulates SHAP values in float32 over every tree, so its own rounding error grows with that total
 * (measured: at most 1.4e-7 x the total on these fixtures), and tiny contributions are mostly that error.
 */
const CONTRIB_REL = 1e-5;
const CONTRIB_FLOOR = 1e-6;

const FIXTURES = [
  'bankchurn',
  'chicagotaxi',
  'multiclass',
  'bare-booster',
  'base-score-v1',
  'base-score-v3',
  'base-score-v3-nonhalf',
] as const;

interface Loaded {
  readonly golden: XgbGolden;
  readonly model: XGBoostModel;
}

const loaded = new Map<string, Loaded>();

beforeAll(async () => {
  for (const name of FIXTURES) {
    const golden = readGolden(name);
    const [model] = await loadModels({ dir: join(REPO_ROOT, golden.model_dir) });
    expect(model).toBeInstanceOf(XGBoostModel);
    loaded.set(name, { golden, model: model as XGBoostModel });
  }
});

function get(name: string): Loaded {
  return loaded.get(name)!;
}

/** The explanation of each output group, in class order. */
function outputs(
  model: LoadedModel,
  explanation: OutputExplanation & { perClass?: Record<string, OutputExplanation> },
) {
  return explanation.perClass
    ? model.metadata.classLabels!.map((l) => explanation.perClass![l]!)
    : [explanation];
}

describe.each(FIXTURES)('%s against XGBoost 1.7.4', (name) => {
  it('encodes every instance to the float32 features XGBoost scored', () => {
    const { golden, model } = get(name);
    const c = new Comparison();
    golden.rows.forEach((row, i) => {
      const x = model.encode(row.instance);
      const expected = featureVector(row);
      expected.forEach((v, j) => {
        if (!Object.is(x[j], v))
          c.failures.push(`row ${i} (${row.note}) feature ${j}: got ${x[j]}, expected ${v}`);
      });
    });
    expect(c.failures).toEqual([]);
  });

  it('predicts the same margins and outputs', () => {
    const { golden, model } = get(name);
    const predictions = model.predict(
      golden.rows.map((r) => r.instance),
      { explain: true },
    );
    const labels = model.metadata.classLabels;
    const margins = new Comparison();
    const outputsCmp = new Comparison();
    golden.rows.forEach((row, i) => {
      const p = predictions[i]!;
      const where = `row ${i} (${row.note})`;
      const outs = outputs(model, p.explanation!);
      for (const [k, m] of asRows(row.margin).entries()) {
        margins.close(`${where} margin ${k}`, outs[k]!.margin, m, PREDICTION_REL);
      }
      const expected = asRows(row.prediction);
      if (model.metadata.task === 'regression') {
        outputsCmp.close(`${where} value`, p.value!, expected[0]!, PREDICTION_REL);
      } else if (model.metadata.task === 'binary_classification') {
        outputsCmp.close(`${where} probability`, p.probability!, expected[0]!, PREDICTION_REL);
        expect(p.label).toBe(expected[0]! > 0.5 ? labels![1] : labels![0]);
      } else {
        for (const [k, q] of expected.entries()) {
          outputsCmp.close(`${where} P(${labels![k]})`, p.probabilities![labels![k]!]!, q, PREDICTION_REL);
        }
        expect(p.label).toBe(labels![expected.indexOf(Math.max(...expected))]);
      }
    });
    expect(margins.failures).toEqual([]);
    expect(outputsCmp.failures).toEqual([]);
  });

  it('explains with the same SHAP values, additive to the margin', () => {
    const { golden, model } = get(name);
    const predictions = model.predict(
      golden.rows.map((r) => r.instance),
      { explain: true },
    );
    const c = new Comparison();
    const additivity: string[] = [];
    golden.rows.forEach((row, i) => {
      const outs = outputs(model, predictions[i]!.explanation!);
      const expectedRows = (Array.isArray(row.contribs[0]) ? row.contribs : [row.contribs]) as number[][];
      expectedRows.forEach((expected, k) => {
        const out = outs[k]!;
        const floor =
          CONTRIB_FLOOR *
          Math.max(
            1,
            expected.reduce((a, b) => a + Math.abs(b), 0),
          );
        golden.feature_names.forEach((f, j) => {
          c.close(
            `row ${i} (${row.note}) class ${k} ${f}`,
            out.contributions[f]!,
            expected[j]!,
            CONTRIB_REL,
            floor,
          );
        });
        c.close(`row ${i} class ${k} bias`, out.baseValue, expected[expected.length - 1]!, PREDICTION_REL);
        const sum = Object.values(out.contributions).reduce((a, b) => a + b, 0);
        const fieldSum = Object.values(out.fieldContributions).reduce((a, b) => a + b, 0);
        if (Math.abs(out.baseValue + sum - out.margin) > 1e-6 * Math.max(1, Math.abs(out.margin))) {
          additivity.push(`row ${i} class ${k}: ${out.baseValue} + ${sum} != ${out.margin}`);
        }
        if (Math.abs(fieldSum - sum) > 1e-9 * Math.max(1, Math.abs(sum))) {
          additivity.push(`row ${i} class ${k}: fields sum to ${fieldSum}, features to ${sum}`);
        }
      });
    });
    expect(c.failures).toEqual([]);
    expect(additivity).toEqual([]);
  });

  it('gives the same SHAP values with the recursive algorithm (no leaf tables)', () => {
    const { golden } = get(name);
    const file = join(REPO_ROOT, golden.model_dir, 'model.json');
    const forest = new Forest(parseBoosterJson(JSON.parse(readFileSync(file, 'utf8')), file));
    const shap = new TreeShap(forest, { tableBudget: 0 });
    expect(shap.tabledTrees).toBe(0);
    const phi = new Float64Array(forest.numGroups * (forest.numFeatures + 1));
    const c = new Comparison();
    golden.rows.forEach((row, i) => {
      shap.explain(featureVector(row), phi);
      const expected = (Array.isArray(row.contribs[0]) ? row.contribs.flat() : row.contribs) as number[];
      const floor =
        CONTRIB_FLOOR *
        Math.max(
          1,
          expected.reduce((a, b) => a + Math.abs(b), 0),
        );
      for (const [j, v] of expected.entries())
        c.close(`row ${i} column ${j}`, phi[j]!, v, CONTRIB_REL, floor);
    });
    expect(c.failures).toEqual([]);
  });

  it('passes its self-test', () => {
    expect(() => get(name).model.selfTest()).not.toThrow();
  });
});

/** What the golden rows exercise, found by walking the trees (not by trusting the rows' notes). */
function edgeEvents(name: string) {
  const { golden } = get(name);
  const file = join(REPO_ROOT, golden.model_dir, 'model.json');
  const forest = new Forest(parseBoosterJson(JSON.parse(readFileSync(file, 'utf8')), file));
  const events = { missingLeft: 0, missingRight: 0, onThreshold: 0, roundsOntoThreshold: 0 };
  for (const row of golden.rows) {
    const x = featureVector(row);
    for (let t = 0; t < forest.numTrees; t++) {
      let n = forest.treeRoot[t]!;
      while (forest.feature[n]! >= 0) {
        const f = forest.feature[n]!;
        const v = x[f]!;
        const thr = forest.threshold[n]!;
        if (Number.isNaN(v)) {
          if (forest.defaultLeft[n]) events.missingLeft++;
          else events.missingRight++;
        } else if (v === thr) {
          events.onThreshold++;
          // The client sent a float64 below the threshold that only float32 rounding puts on it.
          const raw = row.instance[golden.feature_names[f]!];
          if (typeof raw === 'number' && raw < thr) events.roundsOntoThreshold++;
        }
        n =
          v < thr
            ? forest.left[n]!
            : v >= thr
              ? forest.right[n]!
              : forest.defaultLeft[n]
                ? forest.left[n]!
                : forest.right[n]!;
      }
    }
  }
  return events;
}

describe('edge rows the fixtures hold', () => {
  it.each(['bankchurn', 'chicagotaxi', 'multiclass', 'bare-booster', 'base-score-v1'])(
    '%s has rows exactly on split thresholds, some only after float32 rounding',
    (name) => {
      const events = edgeEvents(name);
      expect(events.onThreshold).toBeGreaterThan(0);
      expect(events.roundsOntoThreshold).toBeGreaterThan(0);
    },
  );

  it.each(['chicagotaxi', 'bare-booster'])('%s has missing values routed both left and right', (name) => {
    const events = edgeEvents(name);
    expect(events.missingLeft).toBeGreaterThan(0);
    expect(events.missingRight).toBeGreaterThan(0);
  });

  it('reads a non-0.5 base_score in the 1.7 form and in the 3.1 bracketed form alike', () => {
    const v1 = JSON.parse(
      readFileSync(join(REPO_ROOT, get('bare-booster').golden.model_dir, 'model.json'), 'utf8'),
    );
    const v3 = JSON.parse(
      readFileSync(join(REPO_ROOT, get('base-score-v3-nonhalf').golden.model_dir, 'model.json'), 'utf8'),
    );
    expect(v1.learner.learner_model_param.base_score).toBe('3E-1');
    expect(v3.learner.learner_model_param.base_score).toBe('[3E-1]');
    const a = parseBoosterJson(v1, 'v1');
    const b = parseBoosterJson(v3, 'v3');
    expect(a.baseMargin[0]).toBeCloseTo(Math.log(0.3 / 0.7), 6);
    expect(b.baseMargin).toEqual(a.baseMargin);
  });
});
