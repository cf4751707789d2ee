import { performance } from 'node:perf_hooks';
import { Scorer } from '../../../model-server/src/core/scoring';
import type { LoadedModel, Prediction } from '../../../model-server/src/core/types';

/**
 * Slice sizing and the score time with a fake clock (no timed test): the model advances the clock by a fixed
 * cost per instance, so the sizes the Scorer picks and the time it reports are exact.
 */
function clockedModel(msPerInstance: number, log: string[] = []) {
  let clock = 1000;
  const now = jest.spyOn(performance, 'now').mockImplementation(() => clock);
  const sizes: number[] = [];
  const model = {
    name: 'clocked',
    predict(instances: readonly unknown[]): Prediction[] {
      sizes.push(instances.length);
      log.push('slice');
      clock += msPerInstance * instances.length;
      return instances.map(() => ({ value: 1 }));
    },
  } as unknown as LoadedModel;
  return { model, sizes, restore: () => now.mockRestore() };
}

const instances = (n: number) => Array.from({ length: n }, () => ({}));

describe('Scorer with a fake clock', () => {
  it('sizes each slice to the budget from the time per instance of the last slice', async () => {
    const { model, sizes, restore } = clockedModel(2);
    try {
      const result = await new Scorer({ maxBatchSize: 100, sliceBudgetMs: 10 }).score(model, instances(30), {
        explain: false,
      });
      // 2 ms per instance and a 10 ms budget: 5 instances per slice after the first 8.
      expect(sizes).toEqual([8, 5, 5, 5, 5, 2]);
      expect(result.slices).toBe(6);
      expect(result.scoreMs).toBe(60);
    } finally {
      restore();
    }
  });

  it('reports the time spent scoring, in seconds, to metrics', async () => {
    const { model, restore } = clockedModel(0.5);
    try {
      const seconds: number[] = [];
      const scorer = new Scorer({ maxBatchSize: 100, onScored: (_m, s) => seconds.push(s) });
      await scorer.score(model, instances(4), { explain: false });
      expect(seconds).toEqual([0.002]);
    } finally {
      restore();
    }
  });
});

describe('Scorer turns', () => {
  it('runs one slice per event-loop turn however many batches wait, so I/O waits for one slice at most', async () => {
    const log: string[] = [];
    const { model, restore } = clockedModel(1, log);
    let done = false;
    const probe = () => {
      log.push('turn');
      if (!done) setImmediate(probe);
    };
    try {
      const scorer = new Scorer({ maxBatchSize: 100, sliceBudgetMs: 1 });
      const batches = [1, 2, 3].map(() => scorer.score(model, instances(12), { explain: false }));
      setImmediate(probe);
      await Promise.all(batches);
      done = true;
      // The first slice of each batch runs at once, in the call; every later one in a turn of its own.
      expect(log.slice(0, 3)).toEqual(['slice', 'slice', 'slice']);
      const later = log.slice(3);
      expect(later.filter((e) => e === 'slice')).toHaveLength(3 * 4);
      expect(later.join(' ')).not.toContain('slice slice');
    } finally {
      restore();
    }
  });
});
