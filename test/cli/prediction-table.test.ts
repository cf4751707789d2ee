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

  it('prints multiclass probabilities when there is no label, and unknown shapes as JSON', () => {
    expect(formatPredictions([{ probabilities: { a: 0.5, b: 0.5 } }])).toBe(
      'instance 0: probabilities {"a":0.5,"b":0.5}\n',
    );
    expect(formatPredictions([{ other: 1 }])).toBe('instance 0: {"other":1}\n');
    expect(formatPredictions([null, [1]])).toBe('instance 0: null\n\ninstance 1: [1]\n');
  });

  it('signs zero as positive, skips non-numeric contributions, and omits an absent output space', () => {
    const text = formatPredictions([
      { value: 1, explanation: { fieldContributions: { a: 0, b: 'x' }, contributions: { c: 1 } } },
    ]);
    expect(text).toBe(
      ['instance 0: value 1.0000', '  field       contribution', '  a           +0.000000', ''].join('\n'),
    );
  });

  it('ignores an explanation that is null or a list', () => {
    expect(
      formatPredictions([
        { value: 2, explanation: null },
        { value: 3, explanation: [] },
      ]),
    ).toBe('instance 0: value 2.0000\n\ninstance 1: value 3.0000\n');
  });
});
