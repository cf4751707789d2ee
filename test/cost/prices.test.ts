import { PRICE_TABLE, type Price } from '../../src/cost/prices';

function prices(node: unknown): Price[] {
  if (typeof node !== 'object' || node === null) return [];
  if ('unit' in node && 'source' in node) return [node as Price];
  return Object.values(node).flatMap(prices);
}

describe('the price table', () => {
  const all = prices(PRICE_TABLE);

  it('is dated and names its regions', () => {
    expect(PRICE_TABLE.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICE_TABLE.aws.region).toBe('us-east-1');
    expect(PRICE_TABLE.gcp.region).toBe('us-central1');
  });

  it('gives every figure a source, and every missing figure a reason', () => {
    expect(all.length).toBeGreaterThan(10);
    for (const price of all) {
      expect(price.source.length).toBeGreaterThan(20);
      if (price.usd === undefined) expect(price.source).toMatch(/no published source/);
      else expect(price.usd).toBeGreaterThan(0);
    }
  });
});
