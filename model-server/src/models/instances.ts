import { ProblemList, ServingError } from '../core/errors';
import type { InputField } from '../core/types';

/** How many problems the error message itself lists; `details` carries up to MAX_DETAILS. */
const PROBLEMS_IN_MESSAGE = 3;

/** A value as a short phrase for error messages (never the whole value: it may be large). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return value.length > 40
        ? `a string of ${value.length} characters`
        : `the string ${JSON.stringify(value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** What a field accepts, in words, e.g. `an integer from 18 to 100, or null`. */
export function expectedOf(field: InputField): string {
  let text: string;
  if (field.type === 'number') {
    text = field.integer ? 'an integer' : 'a number';
    if (field.minimum !== undefined && field.maximum !== undefined) {
      text += ` from ${field.minimum} to ${field.maximum}`;
    } else if (field.minimum !== undefined) {
      text += ` >= ${field.minimum}`;
    } else if (field.maximum !== undefined) {
      text += ` <= ${field.maximum}`;
    }
  } else if (field.type === 'category') {
    text = `one of ${field.categories.map((c) => JSON.stringify(c)).join(', ')}`;
  } else {
    text = field.maxLength !== undefined ? `a string of at most ${field.maxLength} characters` : 'a string';
  }
  return field.type !== 'string' && field.nullable ? `${text}, or null` : text;
}

/** The problem with one present (not undefined) value of a field, or undefined when it is valid. */
function checkValue(field: InputField, value: unknown): string | undefined {
  if (value === null) {
    return field.type !== 'string' && field.nullable
      ? undefined
      : `must not be null; expected ${expectedOf(field)}`;
  }
  switch (field.type) {
    case 'number':
      if (typeof value !== 'number') return `expected ${expectedOf(field)}, got ${describeValue(value)}`;
      if (!Number.isFinite(value)) return `NaN and Infinity are not allowed; expected ${expectedOf(field)}`;
      if (field.integer && !Number.isInteger(value)) {
        return `must be a whole number, got ${value}; expected ${expectedOf(field)}`;
      }
      if (field.minimum !== undefined && value < field.minimum) {
        return `must be >= ${field.minimum}, got ${value}`;
      }
      if (field.maximum !== undefined && value > field.maximum) {
        return `must be <= ${field.maximum}, got ${value}`;
      }
      return undefined;
    case 'category':
      if (typeof value !== 'string' || !field.categories.includes(value)) {
        return `expected ${expectedOf(field)}, got ${describeValue(value)}`;
      }
      return undefined;
    case 'string':
      if (typeof value !== 'string') return `expected ${expectedOf(field)}, got ${describeValue(value)}`;
      // Limits count characters (code points), as the README says, not UTF-16 units: an emoji is one.
      if (field.maxLength !== undefined && value.length > field.maxLength) {
        const characters = codePoints(value);
        if (characters > field.maxLength)
          return `is ${characters} characters long; at most ${field.maxLength} are allowed`;
      }
      return undefined;
  }
}

/** Characters (code points) in a string: a surrogate pair counts once. */
export function codePoints(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return text.length - pairs;
}

/** Input name -> position, per inputs list (made once per model, not per request). */
const inputIndexes = new WeakMap<readonly InputField[], ReadonlyMap<string, number>>();

function inputIndex(inputs: readonly InputField[]): ReadonlyMap<string, number> {
  let index = inputIndexes.get(inputs);
  if (index === undefined) {
    index = new Map(inputs.map((f, i) => [f.name, i]));
    inputIndexes.set(inputs, index);
  }
  return index;
}

/**
 * Checks raw instances against a model's inputs and returns, per instance, its values in input order
 * (null for a missing nullable value). An instance is an object keyed by input name or an array of values
 * in input order. Every problem of every instance is counted; any problem throws one
 * ServingError('INVALID_INPUT') whose details list the first MAX_DETAILS with their path (`instances[i].Field`).
 */
export function readInstances(
  modelName: string,
  inputs: readonly InputField[],
  instances: readonly unknown[],
): unknown[][] {
  const problems = new ProblemList();
  const known = inputIndex(inputs);
  const rows: unknown[][] = new Array(instances.length);
  for (let i = 0; i < instances.length; i++) {
    const instance = instances[i];
    const path = `instances[${i}]`;
    const row: unknown[] = new Array(inputs.length);
    rows[i] = row;
    if (Array.isArray(instance)) {
      if (instance.length !== inputs.length) {
        problems.add({
          path,
          message:
            `expected ${inputs.length} values in input order (${inputs.map((f) => f.name).join(', ')}), ` +
            `got ${instance.length}`,
        });
        continue;
      }
      for (let k = 0; k < inputs.length; k++) row[k] = instance[k];
    } else if (typeof instance === 'object' && instance !== null) {
      const record = instance as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!known.has(key)) {
          problems.addLazy(() => ({
            path: `${path}.${key}`,
            message: `is not an input of model '${modelName}'; inputs: ${inputs.map((f) => f.name).join(', ')}`,
          }));
        }
      }
      for (let k = 0; k < inputs.length; k++) {
        const name = inputs[k]!.name;
        row[k] = Object.hasOwn(record, name) ? record[name] : undefined;
      }
    } else {
      problems.add({
        path,
        message:
          `expected an object keyed by input name or an array of ${inputs.length} values in input order, ` +
          `got ${describeValue(instance)}`,
      });
      continue;
    }
    for (let k = 0; k < inputs.length; k++) {
      const field = inputs[k]!;
      const value = row[k];
      if (value === undefined) {
        if (field.type !== 'string' && field.nullable) {
          row[k] = null;
        } else {
          problems.add({
            path: `${path}.${field.name}`,
            message: `is required; expected ${expectedOf(field)}`,
          });
        }
        continue;
      }
      const problem = checkValue(field, value);
      if (problem !== undefined) problems.add({ path: `${path}.${field.name}`, message: problem });
    }
  }
  if (!problems.empty) {
    const shown = problems.items
      .slice(0, PROBLEMS_IN_MESSAGE)
      .map((p) => `${p.path} ${p.message}`)
      .join('; ');
    const more =
      problems.total > PROBLEMS_IN_MESSAGE ? ` (and ${problems.total - PROBLEMS_IN_MESSAGE} more)` : '';
    const count = problems.total === 1 ? '1 problem' : `${problems.total} problems`;
    throw new ServingError(
      'INVALID_INPUT',
      `Invalid input for model '${modelName}', ${count}: ${shown}${more}`,
      problems.items,
      problems.total,
    );
  }
  return rows;
}
