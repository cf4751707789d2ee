import { parseQuantity } from '../../../src/constructs/k8s/quantity';

describe('parseQuantity', () => {
  it('reads CPU as cores: whole, decimal, or millicores', () => {
    expect(parseQuantity('cpu', '2')).toBe(2);
    expect(parseQuantity('cpu', '0.5')).toBe(0.5);
    expect(parseQuantity('cpu', '1.25')).toBe(1.25);
    expect(parseQuantity('cpu', '250m')).toBe(0.25);
  });

  it('reads memory as bytes, with every binary and decimal suffix', () => {
    expect(parseQuantity('memory', '512')).toBe(512);
    expect(parseQuantity('memory', '1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('memory', '0.25Ki')).toBe(256);
    const binary = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
    for (const [suffix, power] of Object.entries(binary))
      expect(parseQuantity('memory', `2${suffix}`)).toBe(2 * 2 ** power);
    const decimal = { k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
    for (const [suffix, power] of Object.entries(decimal))
      expect(parseQuantity('memory', `3${suffix}`)).toBe(3 * 10 ** power);
  });

  it('refuses what it does not accept: memory in m, decimal millicores, units it does not know', () => {
    expect(parseQuantity('memory', '512m')).toBeUndefined();
    expect(parseQuantity('cpu', '1.5m')).toBeUndefined();
    expect(parseQuantity('cpu', '1Gi')).toBeUndefined();
    expect(parseQuantity('memory', '1Zi')).toBeUndefined();
    expect(parseQuantity('memory', '.5Gi')).toBeUndefined();
    expect(parseQuantity('cpu', '')).toBeUndefined();
  });
});
