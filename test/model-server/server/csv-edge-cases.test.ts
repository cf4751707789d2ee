import type { BundleMetadata, InputField, Prediction } from '../../../model-server/src/core/types';
import {
  csvToInstances,
  negotiateAccept,
  parseCsv,
  predictionsToCsv,
} from '../../../model-server/src/protocols/sagemaker-csv';

const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
};

describe('negotiateAccept edge cases', () => {
  it.each([
    ['', { type: 'json' }],
    ['  ', { type: 'json' }],
    // Equal q: the first listed wins.
    ['text/csv, application/json', { type: 'csv', header: false }],
    ['application/json, text/csv', { type: 'json' }],
    ['text/*, */*', { type: 'csv', header: false }],
    // Media types and parameters are case-insensitive.
    ['TEXT/CSV; Header=Present', { type: 'csv', header: true }],
    ['text/csv; q=1; header=present', { type: 'csv', header: true }],
    ['text/csv;header=absent', { type: 'csv', header: false }],
    // A q that is not a number counts as 0: not acceptable.
    ['text/csv;q=abc', undefined],
    ['application/json;q=0', undefined],
    ['text/plain, image/png', undefined],
  ])('Accept %j', (accept, expected) => {
    expect(negotiateAccept(accept)).toEqual(expected);
  });
});

describe('csvToInstances edge cases', () => {
  const inputs: InputField[] = [
    { name: 'a', type: 'number' },
    { name: 'b', type: 'string' },
  ];

  it('takes a first row naming every field as a header only when it has one column per field', () => {
    expect(
      csvToInstances(
        [
          ['b', 'a'],
          ['x', '1'],
        ],
        inputs,
      ),
    ).toEqual([{ a: 1, b: 'x' }]);
    // Names a field, but not every one: data (and "a" is not a number, so it stays text for the model).
    expect(csvToInstances([['a', 'z']], inputs)).toEqual([{ a: 'a', b: 'z' }]);
    // Names every field and one more: data with a column too many, not a header with an unknown field.
    const header = ['a', 'b', 'c'];
    expect(thrown(() => csvToInstances([header, ['1', 'x', 'y']], inputs))).toMatchObject({
      code: 'INVALID_INPUT',
      details: [
        { path: 'instances[0]', message: 'expected 2 columns (a,b), got 3' },
        { path: 'instances[1]', message: 'expected 2 columns (a,b), got 3' },
      ],
    });
  });

  it('refuses a body with only a header, naming the columns to send', () => {
    expect(thrown(() => csvToInstances([['a', 'b']], inputs))).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'the CSV body holds no rows; send one row per instance: a,b',
    });
    expect(thrown(() => csvToInstances([], inputs))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('lists every row with the wrong number of columns by its index', () => {
    const e = thrown(() => csvToInstances([['1', 'x'], ['2'], ['3', 'y', 'z']], inputs));
    expect(e).toMatchObject({
      code: 'INVALID_INPUT',
      message: '2 CSV row(s) have the wrong number of columns',
      details: [
        { path: 'instances[1]', message: 'expected 2 columns (a,b), got 1' },
        { path: 'instances[2]', message: 'expected 2 columns (a,b), got 3' },
      ],
      detailsTotal: 2,
    });
  });
});

describe('predictionsToCsv edge cases', () => {
  const metadata = (task: BundleMetadata['task'], classLabels?: string[]) =>
    ({ task, classLabels }) as unknown as BundleMetadata;

  it('writes binary predictions as label and probability, with a header on request', () => {
    const predictions = [{ label: 'yes', probability: 0.75 }] as Prediction[];
    expect(predictionsToCsv(predictions, metadata('binary_classification', ['no', 'yes']), true)).toBe(
      'label,probability\nyes,0.75\n',
    );
    expect(predictionsToCsv(predictions, metadata('binary_classification', ['no', 'yes']), false)).toBe(
      'yes,0.75\n',
    );
  });

  it('quotes cells holding a comma, a quote or a line break, and doubles the quotes', () => {
    const predictions = [
      { label: 'a,b', probabilities: { 'a,b': 1, 'say "hi"': 0, 'x\ny': 0, 'r\rs': 0 } },
    ] as unknown as Prediction[];
    const labels = ['a,b', 'say "hi"', 'x\ny', 'r\rs'];
    const csv = predictionsToCsv(predictions, metadata('multiclass_classification', labels), true);
    expect(csv).toBe(
      'label,"probability_a,b","probability_say ""hi""","probability_x\ny","probability_r\rs"\n"a,b",1,0,0,0\n',
    );
    expect(parseCsv(csv)).toEqual([
      ['label', 'probability_a,b', 'probability_say "hi"', 'probability_x\ny', 'probability_r\rs'],
      ['a,b', '1', '0', '0', '0'],
    ]);
  });

  it('adds the explanation column (JSON) only when a prediction has an explanation', () => {
    const explanation = { baseValue: 1, margin: 2 };
    const predictions = [{ value: 1, explanation }, { value: 2 }] as unknown as Prediction[];
    const csv = predictionsToCsv(predictions, metadata('regression'), true);
    expect(csv).toBe('value,explanation\n1,"{""baseValue"":1,""margin"":2}"\n2,\n');
    expect(JSON.parse(parseCsv(csv)[1]![1]!)).toEqual(explanation);
    expect(predictionsToCsv([{ value: 2 }] as Prediction[], metadata('regression'), true)).toBe('value\n2\n');
  });
});
