import { explanationDifference } from '../../src/compare/explanations';
import { percentile, runLoad } from '../../src/compare/load';
import type { Answer, PredictRequest, Transport } from '../../src/compare/transports';

describe('percentile (nearest rank)', () => {
  const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  it.each([
    [50, 5],
    [95, 10],
    [99, 10],
    [10, 1],
  ])('p%d of 1..10 is %d', (p, want) => {
    expect(percentile(sorted, p)).toBe(want);
  });
  it('is NaN without values', () => {
    expect(percentile(new Float64Array(0), 50)).toBeNaN();
  });
});

describe('runLoad', () => {
  it('sends the instances round-robin, counts failures apart, and keeps the first errors', async () => {
    const seen: PredictRequest[] = [];
    let clock = 0;
    const transport: Transport = {
      send: async (request) => {
        clock += 1;
        seen.push(request);
        const answer: Answer =
          seen.length % 4 === 0
            ? { status: 429, error: `throttled ${seen.length}` }
            : { status: 200, predictions: [{}] };
        return answer;
      },
      close: () => {},
    };
    const indices: number[] = [];
    const result = await runLoad({
      transport,
      instances: [{ a: 0 }, { a: 1 }, { a: 2 }],
      explain: true,
      concurrency: 2,
      durationMs: 30,
      now: () => clock,
      onAnswer: (_answer, index) => indices.push(index),
    });
    // 1 ms per request on the run's clock: the first alone (0 → 1 ms), then one each time a worker finds
    // the clock below 30 ms (at 1, 2, …, 29 ms): 30 in all, however fast the machine.
    expect(seen.length).toBe(30);
    expect(result.requests).toBe(seen.length);
    expect(result.errors).toBe(Math.floor(seen.length / 4));
    expect(result.latenciesMs.length).toBe(result.requests - result.errors);
    expect(result.firstErrors[0]).toBe('throttled 4');
    expect(seen.slice(0, 4).map((r) => r.instances[0])).toEqual([{ a: 0 }, { a: 1 }, { a: 2 }, { a: 0 }]);
    expect(seen.every((r) => r.explain && r.instances.length === 1)).toBe(true);
    expect(indices.slice(0, 3)).toEqual([0, 1, 2]);
  });
});

describe('explanationDifference', () => {
  const want = { baseValue: -1.5, contributions: { Age: 0.25, Tenure: -0.125 } };
  it('accepts the same values', () => {
    expect(
      explanationDifference({ baseValue: -1.5, contributions: { Tenure: -0.125, Age: 0.25 } }, want),
    ).toBeUndefined();
  });
  it('names the first contribution that differs, or is missing', () => {
    expect(
      explanationDifference({ baseValue: -1.5, contributions: { Age: 0.2501, Tenure: -0.125 } }, want),
    ).toBe('contribution Age: got 0.2501, local 0.25');
    expect(explanationDifference({ baseValue: -1.5, contributions: { Age: 0.25 } }, want)).toBe(
      'contribution Tenure: got undefined, local -0.125',
    );
  });
  it('checks the base value', () => {
    expect(explanationDifference({ baseValue: 0, contributions: want.contributions }, want)).toBe(
      'baseValue: got 0, local -1.5',
    );
  });
});

describe('runLoad progress', () => {
  it('reports elapsed time, requests and errors every progressEveryMs of the run clock', async () => {
    // Each answer takes 5 ms of a clock the transport advances: 60 ms are 12 requests, whatever the machine.
    let clock = 1000;
    const lines: [number, number, number][] = [];
    const transport: Transport = {
      send: async () => {
        clock += 5;
        return { status: 200, predictions: [{}] };
      },
      close: () => {},
    };
    const result = await runLoad({
      transport,
      instances: [{}],
      explain: false,
      concurrency: 1,
      durationMs: 60,
      progressEveryMs: 20,
      now: () => clock,
      onProgress: (ms, requests, errors) => lines.push([ms, requests, errors]),
    });
    expect(lines).toEqual([
      [20, 4, 0],
      [40, 8, 0],
      [60, 12, 0],
    ]);
    expect(result).toMatchObject({ requests: 12, errors: 0, elapsedMs: 60, firstMs: 5 });
    expect(Array.from(result.latenciesMs)).toEqual(Array(12).fill(5));
  });
});
