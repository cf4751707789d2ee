import { formatPredictions } from '../../src/cli/prediction-table';

describe('formatPredictions', () => {
  it('prints the label, the probability and the field contributions sorted by magnitude', () => {
    const text = formatPredictions([
      {
        label: 'churn',
        probability: 0.25,
        explanation: {
          outputSpace: 'log_odds',
          baseValue: -1,
          margin: -1.1,
          contributions: { 'Geography=France': 0.1 },
          fieldContributions: { Age: 0.3, Geography: -0.4 },
        },
      },
    ]);
    expect(text).toBe(
      [
        'instance 0: label churn, probability 0.2500',
        '  field       contribution (log_odds)',
        '  Geography   -0.400000',
        '  Age         +0.300000',
        '  base value  -1.000000',
        '  = margin    -1.100000',
        '',
      ].join('\n'),
    );
  });

  it('prints a regression value and falls back to feature contributions', () => {
    const text = formatPredictions([{ value: 12.5, explanation: { contributions: { f0: 1 } } }]);
    expect(text).toContain('instance 0: value 12.5000');
    expect(text).toContain('f0');
  });

  it('prints predictions without explanation on one line each', () => {
    expect(formatPredictions([{ label: 'a', probabilities: { a: 1 } }, 3])).toBe(
      'instance 0: label a\n\ninstance 1: 3\n',
    );
  });
});
