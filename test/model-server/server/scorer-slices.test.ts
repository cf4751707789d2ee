import { ServingError } from '../../../model-server/src/core/errors';
import { Scorer } from '../../../model-server/src/core/scoring';
import type { LoadedModel, Prediction, PredictOptions } from '../../../model-server/src/core/types';

/**
 * A model that records each call (slice size, explain flag) and refuses instances marked `{ bad: true }` the
 * way real models do: one INVALID_INPUT listing every bad instance of the call by its index in the call.
 */
function recordingModel() {
  const calls: { size: number; explain: boolean }[] = [];
  const model: LoadedModel = {
    name: 'recorder',
    version: '1',
    metadata: {} as LoadedModel['metadata'],
    selfTest: () => {},
    predict(instances: readonly unknown[], options: PredictOptions): Prediction[] {
      calls.push({ size: instances.length, explain: options.explain });
      const bad = instances.flatMap((x, i) => ((x as { bad?: boolean }).bad ? [i] : []));
      if (bad.length > 0) {
        throw new ServingError(
          'INVALID_INPUT',
          `instances[${bad[0]}].x: expected a number`,
          bad.map((i) => ({ path: `instances[${i}].x`, message: 'expected a number' })),
        );
      }
      return instances.map((x) => ({ value: (x as { v: number }).v }));
    },
  };
  return { model, calls };
}

const good = (n: number) => Array.from({ length: n }, (_, v) => ({ v }));
const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as ServingError,
  );

// Slice sizes: the first slice is 8 instances; each next one is the budget divided by the time per instance
// of the last (at least 1e-6 ms), so a budget of 1e-9 ms makes slices of 1, and 1e9 ms one slice for the
// rest. Both are exact whatever the machine's speed.
describe('Scorer slices', () => {
  it('scores 8 instances first, then as many as the budget allows, in order', async () => {
    const { model, calls } = recordingModel();
    const result = await new Scorer({ maxBatchSize: 100, sliceBudgetMs: 1e9 }).score(model, good(40), {
      explain: true,
    });
    expect(calls).toEqual([
      { size: 8, explain: true },
      { size: 32, explain: true },
    ]);
    expect(result.slices).toBe(2);
    expect(result.predictions.map((p) => p.value)).toEqual(good(40).map((x) => x.v));
  });

  it('never makes a slice smaller than one instance', async () => {
    const { model, calls } = recordingModel();
    const result = await new Scorer({ maxBatchSize: 100, sliceBudgetMs: 1e-9 }).score(model, good(11), {
      explain: false,
    });
    expect(calls.map((c) => c.size)).toEqual([8, 1, 1, 1]);
    expect(result.slices).toBe(4);
    expect(result.predictions).toHaveLength(11);
  });

  it('after an invalid slice only validates the rest (no explanations), naming the first problem', async () => {
    const { model, calls } = recordingModel();
    const instances: unknown[] = good(11);
    instances[9] = { bad: true };
    instances[10] = { bad: true };
    const error = await failureOf(
      new Scorer({ maxBatchSize: 100, sliceBudgetMs: 1e-9 }).score(model, instances, { explain: true }),
    );
    expect(calls).toEqual([
      { size: 8, explain: true },
      { size: 1, explain: true },
      { size: 1, explain: true },
      { size: 1, explain: false },
    ]);
    expect(error).toBeInstanceOf(ServingError);
    expect(error.code).toBe('INVALID_INPUT');
    // The first invalid slice's message, and a note that details list the problems of later slices too.
    expect(error.message).toBe('instances[9].x: expected a number (2 problems listed in details)');
    expect(error.details).toEqual([
      { path: 'instances[9].x', message: 'expected a number' },
      { path: 'instances[10].x', message: 'expected a number' },
    ]);
    expect(error.detailsTotal).toBe(2);
  });

  it('stops validating once exactly 100 problems are listed', async () => {
    const { model, calls } = recordingModel();
    const instances = Array.from({ length: 500 }, () => ({ bad: true }));
    const error = await failureOf(
      new Scorer({ maxBatchSize: 500, sliceBudgetMs: 1e-9 }).score(model, instances, { explain: false }),
    );
    // 8 problems in the first slice, then one per slice: the 100th comes in call 93.
    expect(calls).toHaveLength(93);
    expect(error.details).toHaveLength(100);
    expect(error.detailsTotal).toBe(100);
    expect(error.message).toBe('instances[0].x: expected a number (100 problems listed in details)');
  });

  it('keeps the message of a lone invalid slice as it is', async () => {
    const { model } = recordingModel();
    const instances: unknown[] = good(11);
    instances[9] = { bad: true };
    const error = await failureOf(
      new Scorer({ maxBatchSize: 100, sliceBudgetMs: 1e-9 }).score(model, instances, { explain: false }),
    );
    expect(error.message).toBe('instances[9].x: expected a number');
    expect(error.details).toEqual([{ path: 'instances[9].x', message: 'expected a number' }]);
    expect(error.detailsTotal).toBe(1);
  });

  it('passes on any other error of the model unchanged', async () => {
    for (const thrown of [new ServingError('BAD_REQUEST', 'not for this model'), new Error('bug')]) {
      const { model } = recordingModel();
      model.predict = () => {
        throw thrown;
      };
      const error = await failureOf(
        new Scorer({ maxBatchSize: 100 }).score(model, good(20), { explain: false }),
      );
      expect(error).toBe(thrown);
    }
  });

  it('refuses an empty batch and one over the limit, saying why', async () => {
    const { model, calls } = recordingModel();
    const scorer = new Scorer({ maxBatchSize: 2 });
    const empty = await failureOf(scorer.score(model, [], { explain: false }));
    expect(empty).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'instances is empty; send at least one instance',
      details: [{ path: 'instances', message: 'expected at least one instance' }],
    });
    const big = await failureOf(scorer.score(model, good(3), { explain: false }));
    expect(big).toMatchObject({
      code: 'BATCH_TOO_LARGE',
      message: '3 instances in one request; the limit is 2 (MAX_BATCH_SIZE)',
      details: [{ path: 'instances', message: 'expected at most 2 instances, got 3' }],
    });
    expect(calls).toEqual([]);
  });
});

describe('Scorer and a client that went away', () => {
  it('scores nothing when the signal has already aborted', async () => {
    const { model, calls } = recordingModel();
    const controller = new AbortController();
    controller.abort();
    const error = await failureOf(
      new Scorer({ maxBatchSize: 100 }).score(model, good(3), { explain: false }, controller.signal),
    );
    expect(error).toMatchObject({
      code: 'CLIENT_CLOSED',
      message: 'the client closed the connection; scored 0 of 3',
    });
    expect(calls).toEqual([]);
  });

  it('stops before the next slice once the signal aborts', async () => {
    const { model, calls } = recordingModel();
    const controller = new AbortController();
    const predict = model.predict.bind(model);
    model.predict = (instances, options) => {
      const out = predict(instances, options);
      if (calls.length === 2) controller.abort();
      return out;
    };
    const error = await failureOf(
      new Scorer({ maxBatchSize: 100, sliceBudgetMs: 1e-9 }).score(
        model,
        good(20),
        { explain: false },
        controller.signal,
      ),
    );
    expect(error).toMatchObject({
      code: 'CLIENT_CLOSED',
      message: 'the client closed the connection; scored 9 of 20',
    });
    expect(calls.map((c) => c.size)).toEqual([8, 1]);
  });

  it('reports no score time for a batch it did not finish', async () => {
    const { model } = recordingModel();
    const scored: number[] = [];
    const controller = new AbortController();
    controller.abort();
    const scorer = new Scorer({ maxBatchSize: 100, onScored: (_m, s) => scored.push(s) });
    await failureOf(scorer.score(model, good(3), { explain: false }, controller.signal));
    expect(scored).toEqual([]);
  });
});
