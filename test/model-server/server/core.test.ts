import { InFlightLimiter } from '../../../model-server/src/core/concurrency';
import { Readiness } from '../../../model-server/src/core/readiness';
import { DefaultModelError, ModelRegistry } from '../../../model-server/src/core/registry';
import { FIRST_SLICE, Scorer } from '../../../model-server/src/core/scoring';
import type { LoadedModel } from '../../../model-server/src/core/types';
import { explainFromCustomAttributes } from '../../../model-server/src/protocols/shared/explain-flag';
import { bundledModel, bundledModels, makeApp } from '../helpers/server-app';

describe('Scorer', () => {
  it('scores a big batch in several slices, yielding between them, with the same result as one call', async () => {
    const model = await bundledModel('bankchurn');
    const instances = Array.from({ length: 200 }, (_, i) => ({
      ...model.metadata.example,
      Age: 18 + (i % 80),
    }));
    const observed: [string, boolean][] = [];
    const scorer = new Scorer({
      maxBatchSize: 1000,
      sliceBudgetMs: 1,
      onScored: (m, _s, e) => observed.push([m, e]),
    });
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const result = await scorer.score(model, instances, { explain: true });
    clearInterval(ticker);
    expect(result.slices).toBeGreaterThan(1);
    expect(turns).toBeGreaterThan(0);
    expect(result.predictions).toEqual(model.predict(instances, { explain: true }));
    expect(observed).toEqual([['bankchurn', true]]);
  });

  it('scores a small batch in one slice, without yielding', async () => {
    const model = await bundledModel('bankchurn');
    const result = await new Scorer({ maxBatchSize: 10 }).score(model, [model.metadata.example], {
      explain: false,
    });
    expect(result.slices).toBe(1);
  });

  it('scores a batch of up to FIRST_SLICE at once: the same predictions, observation and errors as the sliced path', async () => {
    const model = await bundledModel('bankchurn');
    const good = model.metadata.example;
    const instances = Array.from({ length: FIRST_SLICE }, (_, i) => ({ ...good, Age: 20 + i }));
    const observed: boolean[] = [];
    const scorer = new Scorer({ maxBatchSize: 1000, onScored: (_m, _s, e) => observed.push(e) });
    const atOnce = scorer.scoreAtOnce(model, instances, { explain: true });
    expect(atOnce.slices).toBe(1);
    expect(atOnce.predictions).toEqual(model.predict(instances, { explain: true }));
    expect(observed).toEqual([true]);

    const bad: Record<string, unknown>[] = [...instances];
    bad[2] = { ...good, Age: 'x' };
    bad[5] = { ...good, Geography: 'Mars' };
    const thrown = (() => {
      try {
        scorer.scoreAtOnce(model, bad, { explain: false });
      } catch (e) {
        return e as { code: string; message: string; details: unknown };
      }
      return undefined;
    })();
    // The sliced path over the same batch plus one more instance (so it slices) reports the same problems.
    const sliced = await new Scorer({ maxBatchSize: 1000, sliceBudgetMs: 0.000001 })
      .score(model, [...bad, good], { explain: false })
      .catch((e) => e);
    expect(thrown?.code).toBe('INVALID_INPUT');
    expect(thrown?.details).toEqual(sliced.details);
    expect(thrown?.message).toBe(sliced.message);
    expect(() => scorer.scoreAtOnce(model, [...instances, good], { explain: false })).toThrow(RangeError);
    await expect(
      Promise.resolve().then(() =>
        new Scorer({ maxBatchSize: 2 }).scoreAtOnce(model, [good, good, good], { explain: false }),
      ),
    ).rejects.toMatchObject({ code: 'BATCH_TOO_LARGE' });
  });

  it('reports invalid instances with their index in the request, across slices', async () => {
    const model = await bundledModel('bankchurn');
    const good = model.metadata.example;
    const instances = Array.from({ length: 300 }, () => good);
    instances[3] = { ...good, Age: 'x' };
    instances[250] = { ...good, Geography: 'Mars' };
    const scorer = new Scorer({ maxBatchSize: 1000, sliceBudgetMs: 0.01 });
    const error = await scorer.score(model, instances, { explain: true }).catch((e) => e);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details.map((d: { path: string }) => d.path)).toEqual([
      'instances[3].Age',
      'instances[250].Geography',
    ]);
    expect(error.message).toContain('instances[3].Age');
  });

  it('enforces the batch limit and rejects an empty batch', async () => {
    const model = await bundledModel('bankchurn');
    const scorer = new Scorer({ maxBatchSize: 2 });
    await expect(scorer.score(model, [{}, {}, {}], { explain: false })).rejects.toMatchObject({
      code: 'BATCH_TOO_LARGE',
    });
    await expect(scorer.score(model, [], { explain: false })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('accepts a batch of exactly the limit', async () => {
    const model = await bundledModel('bankchurn');
    const example = model.metadata.example;
    const result = await new Scorer({ maxBatchSize: 2 }).score(model, [example, example], { explain: false });
    expect(result.predictions).toHaveLength(2);
  });

  it('shifts instances[i] paths of a later slice by its offset, for two-digit indices too', async () => {
    const model = await bundledModel('bankchurn');
    const good = model.metadata.example;
    const instances = Array.from({ length: 40 }, () => good);
    // A first slice of 8, then (with an ample budget) one slice of 32: index 30 is instances[22] there.
    instances[30] = { ...good, Age: 'x' };
    const scorer = new Scorer({ maxBatchSize: 1000, sliceBudgetMs: 1e9 });
    const error = await scorer.score(model, instances, { explain: false }).catch((e) => e);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details.map((d: { path: string }) => d.path)).toEqual(['instances[30].Age']);
    expect(error.message).toContain('instances[30].Age');
  });

  it('stops collecting problems at 100 details, saying how many were listed', async () => {
    const model = await bundledModel('bankchurn');
    const bad = { ...model.metadata.example, Age: 'x' };
    const instances = Array.from({ length: 1000 }, () => bad);
    const scorer = new Scorer({ maxBatchSize: 1000, sliceBudgetMs: 0.01 });
    const error = await scorer.score(model, instances, { explain: false }).catch((e) => e);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details).toHaveLength(100);
    expect(error.details[99].path).toBe('instances[99].Age');
    // Scoring stopped once 100 problems were listed: the rest of the batch was never validated.
    expect(error.detailsTotal).toBeGreaterThanOrEqual(100);
    expect(error.detailsTotal).toBeLessThan(1000);
    expect(error.message).toContain('(100 problems listed in details)');
  });

  it('reports the score time to metrics in seconds', async () => {
    const model = await bundledModel('bankchurn');
    const instances = Array.from({ length: 50 }, () => model.metadata.example);
    const seconds: number[] = [];
    const scorer = new Scorer({ maxBatchSize: 1000, onScored: (_m, s) => seconds.push(s) });
    const result = await scorer.score(model, instances, { explain: true });
    expect(result.scoreMs).toBeGreaterThan(0);
    expect(seconds).toHaveLength(1);
    expect(seconds[0]).toBeCloseTo(result.scoreMs / 1000, 9);
  });

  it('scores two sliced batches at once, both to the end with their own results', async () => {
    const model = await bundledModel('bankchurn');
    const batch = (age: number) =>
      Array.from({ length: 120 }, (_, i) => ({ ...model.metadata.example, Age: age + (i % 20) }));
    const a = batch(20);
    const b = batch(50);
    const scorer = new Scorer({ maxBatchSize: 1000, sliceBudgetMs: 0.01 });
    const [ra, rb] = await Promise.all([
      scorer.score(model, a, { explain: false }),
      scorer.score(model, b, { explain: true }),
    ]);
    expect(ra.slices).toBeGreaterThan(1);
    expect(rb.slices).toBeGreaterThan(1);
    expect(ra.predictions).toEqual(model.predict(a, { explain: false }));
    expect(rb.predictions).toEqual(model.predict(b, { explain: true }));
  });
});

describe('ModelRegistry', () => {
  it('defaults to the only model, or the first by name, or DEFAULT_MODEL', async () => {
    const models = await bundledModels();
    const one = new ModelRegistry();
    one.load([models[2]]);
    expect(one.defaultModelName).toBe(models[2].name);
    const all = new ModelRegistry();
    all.load([...models].reverse());
    expect(all.defaultModelName).toBe('bankchurn');
    expect(all.names()).toEqual(['bankchurn', 'chicagotaxi', 'nlpinsight']);
    const chosen = new ModelRegistry({ defaultModel: 'nlpinsight' });
    chosen.load(models);
    expect(chosen.getDefault().name).toBe('nlpinsight');
  });

  it('refuses a DEFAULT_MODEL that is not loaded, naming the loaded ones', async () => {
    const registry = new ModelRegistry({ defaultModel: 'nope' });
    const models = await bundledModels();
    expect(() => registry.load(models)).toThrow(DefaultModelError);
    expect(() => registry.load(models)).toThrow(
      'DEFAULT_MODEL="nope" names no loaded model; loaded: bankchurn, chicagotaxi, nlpinsight',
    );
  });

  it('is not ready before loading', () => {
    expect(() => new ModelRegistry().get('x')).toThrow(expect.objectContaining({ code: 'NOT_READY' }));
  });
});

describe('Readiness and limiter', () => {
  it('never becomes ready again once draining', () => {
    const r = new Readiness();
    expect(r.state).toBe('starting');
    r.startDraining();
    r.markReady();
    expect(r.state).toBe('draining');
  });

  it('gives slots back once, however often released', () => {
    const limiter = new InFlightLimiter(1);
    const release = limiter.tryAcquire()!;
    expect(limiter.tryAcquire()).toBeUndefined();
    release();
    release();
    expect(limiter.current).toBe(0);
    expect(limiter.tryAcquire()).toBeDefined();
    expect(limiter.tryAcquire()).toBeUndefined();
  });
});

describe('custom attributes', () => {
  it.each([
    ['explain=true', true],
    ['a=1,explain=true', true],
    ['a=1; Explain = TRUE ;b=2', true],
    ['explain=false', false],
    ['explainer=true', false],
    ['', false],
  ])('reads %j', (header, expected) => {
    expect(explainFromCustomAttributes(header)).toBe(expected);
  });
});

describe('internal errors', () => {
  it('answers 500 with a generic message and logs the error with its stack', async () => {
    const real = await bundledModel('bankchurn');
    const broken: LoadedModel = {
      name: real.name,
      version: real.version,
      metadata: real.metadata,
      selfTest: () => undefined,
      predict: () => {
        throw new Error('secret connection string in a stack');
      },
    };
    const t = await makeApp({ models: [broken] });
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/predict',
        payload: { instances: [real.metadata.example] },
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
      const logged = t.logs.lines.find((l) => l.msg === 'request failed') as {
        level: number;
        err: { stack: string };
      };
      expect(logged.level).toBe(50);
      expect(logged.err.stack).toContain('secret connection string');
    } finally {
      await t.app.close();
    }
  });
});
