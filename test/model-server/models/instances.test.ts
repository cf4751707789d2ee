import { join } from 'node:path';
import { isServingError, type ServingError } from '../../../model-server/src/core/errors';
import type { InputField } from '../../../model-server/src/core/types';
import { readInstances } from '../../../model-server/src/models/instances';
import { BUNDLED_MODELS_DIR, loadModels } from '../../../model-server/src/models/loader';

const INPUTS: InputField[] = [
  { name: 'Age', type: 'number', integer: true, minimum: 18, maximum: 100 },
  { name: 'Balance', type: 'number', minimum: 0, nullable: true },
  { name: 'Geography', type: 'category', categories: ['France', 'Spain', 'Germany'] },
  { name: 'Note', type: 'string', maxLength: 5 },
];
const VALID = { Age: 40, Balance: 10.5, Geography: 'Spain', Note: 'hi' };

/** The ServingError readInstances throws for these instances. */
function problemsOf(instances: unknown[]): ServingError {
  try {
    readInstances('bank', INPUTS, instances);
  } catch (e) {
    if (isServingError(e)) return e;
    throw e;
  }
  throw new Error('expected readInstances to throw');
}

function onlyProblem(instance: unknown): { path: string; message: string } {
  const error = problemsOf([instance]);
  expect(error.code).toBe('INVALID_INPUT');
  expect(error.status).toBe(400);
  expect(error.details).toHaveLength(1);
  return error.details[0]!;
}

describe('readInstances accepts', () => {
  it('objects keyed by input name, in input order', () => {
    expect(readInstances('bank', INPUTS, [VALID])).toEqual([[40, 10.5, 'Spain', 'hi']]);
  });

  it('arrays of values in input order', () => {
    expect(readInstances('bank', INPUTS, [[40, 10.5, 'Spain', 'hi']])).toEqual([[40, 10.5, 'Spain', 'hi']]);
  });

  it('null or an absent field for a nullable number (a missing value)', () => {
    const { Balance: _, ...withoutBalance } = VALID;
    expect(readInstances('bank', INPUTS, [{ ...VALID, Balance: null }, withoutBalance])).toEqual([
      [40, null, 'Spain', 'hi'],
      [40, null, 'Spain', 'hi'],
    ]);
  });

  it('the bounds themselves', () => {
    expect(() =>
      readInstances('bank', INPUTS, [
        { ...VALID, Age: 18 },
        { ...VALID, Age: 100 },
      ]),
    ).not.toThrow();
  });
});

describe('readInstances rejects, one message per kind of problem', () => {
  it('an instance that is neither an object nor an array', () => {
    expect(onlyProblem('Age=40')).toEqual({
      path: 'instances[0]',
      message:
        'expected an object keyed by input name or an array of 4 values in input order, got the string "Age=40"',
    });
    expect(onlyProblem(null).message).toMatch(/got null$/);
  });

  it('an array of the wrong length', () => {
    expect(onlyProblem([40, 1])).toEqual({
      path: 'instances[0]',
      message: 'expected 4 values in input order (Age, Balance, Geography, Note), got 2',
    });
  });

  it('a field the model does not have', () => {
    expect(onlyProblem({ ...VALID, Salary: 1 })).toEqual({
      path: 'instances[0].Salary',
      message: "is not an input of model 'bank'; inputs: Age, Balance, Geography, Note",
    });
  });

  it('a missing required field', () => {
    const { Age: _, ...rest } = VALID;
    expect(onlyProblem(rest)).toEqual({
      path: 'instances[0].Age',
      message: 'is required; expected an integer from 18 to 100',
    });
  });

  it('null for a field that is not nullable', () => {
    expect(onlyProblem({ ...VALID, Geography: null })).toEqual({
      path: 'instances[0].Geography',
      message: 'must not be null; expected one of "France", "Spain", "Germany"',
    });
  });

  it('a wrong type for a number', () => {
    expect(onlyProblem({ ...VALID, Balance: '10.5' })).toEqual({
      path: 'instances[0].Balance',
      message: 'expected a number >= 0, or null, got the string "10.5"',
    });
  });

  it('NaN and Infinity', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(onlyProblem({ ...VALID, Balance: bad })).toEqual({
        path: 'instances[0].Balance',
        message: 'NaN and Infinity are not allowed; expected a number >= 0, or null',
      });
    }
  });

  it('a number below the minimum', () => {
    expect(onlyProblem({ ...VALID, Age: 17 })).toEqual({
      path: 'instances[0].Age',
      message: 'must be >= 18, got 17',
    });
  });

  it('a number above the maximum', () => {
    expect(onlyProblem({ ...VALID, Age: 101 })).toEqual({
      path: 'instances[0].Age',
      message: 'must be <= 100, got 101',
    });
  });

  it('a fraction where a whole number is expected', () => {
    expect(onlyProblem({ ...VALID, Age: 40.5 })).toEqual({
      path: 'instances[0].Age',
      message: 'must be a whole number, got 40.5; expected an integer from 18 to 100',
    });
  });

  it('a category outside the allowed values, naming them', () => {
    expect(onlyProblem({ ...VALID, Geography: 'Italy' })).toEqual({
      path: 'instances[0].Geography',
      message: 'expected one of "France", "Spain", "Germany", got the string "Italy"',
    });
    expect(onlyProblem({ ...VALID, Geography: 1 }).message).toBe(
      'expected one of "France", "Spain", "Germany", got the number 1',
    );
  });

  it('a wrong type for a string', () => {
    expect(onlyProblem({ ...VALID, Note: ['hi'] })).toEqual({
      path: 'instances[0].Note',
      message: 'expected a string of at most 5 characters, got an array of 1',
    });
  });

  it('a string over its maximum length', () => {
    expect(onlyProblem({ ...VALID, Note: 'too long' })).toEqual({
      path: 'instances[0].Note',
      message: 'is 8 characters long; at most 5 are allowed',
    });
  });

  it('lists every problem of every instance, and the first three in the message', () => {
    const error = problemsOf([VALID, { Age: 'x', Geography: 'Italy', Extra: 1 }, 7]);
    expect(error.details.map((d) => d.path)).toEqual([
      'instances[1].Extra',
      'instances[1].Age',
      'instances[1].Geography',
      'instances[1].Note',
      'instances[2]',
    ]);
    expect(error.message).toBe(
      "Invalid input for model 'bank', 5 problems: instances[1].Extra is not an input of model 'bank'; " +
        'inputs: Age, Balance, Geography, Note; instances[1].Age expected an integer from 18 to 100, got the ' +
        'string "x"; instances[1].Geography expected one of "France", "Spain", "Germany", got the string ' +
        '"Italy" (and 2 more)',
    );
    expect(error.toJSON().error.details).toHaveLength(5);
  });
});

describe('a loaded model validates before scoring', () => {
  it('bankchurn rejects a bad instance with ServingError INVALID_INPUT and scores nothing', async () => {
    const [model] = await loadModels({ dir: join(BUNDLED_MODELS_DIR, 'bankchurn') });
    const example = model!.metadata.example;
    expect(() => model!.predict([example, { ...example, Geography: 'Mars' }], { explain: false })).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        details: [
          {
            path: 'instances[1].Geography',
            message: 'expected one of "France", "Spain", "Germany", got the string "Mars"',
          },
        ],
      }),
    );
    // The same instance as an array in input order scores the same.
    const asArray = model!.metadata.inputs.map((f) => example[f.name]);
    const [a, b] = model!.predict([example, asArray], { explain: false });
    expect(b).toEqual(a);
  });
});
