import type { BundleMetadata, FeatureSpec, InputField, Task } from '../core/types';

const KINDS = ['xgboost', 'linear-text'] as const;
const TASKS: readonly Task[] = ['binary_classification', 'multiclass_classification', 'regression'];
const INPUT_TYPES = ['number', 'category', 'string'] as const;
const TRANSFORMS = ['identity', 'one_hot'] as const;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function quoteAll(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** Collects every problem of a metadata document, each naming its field, before one error is thrown. */
class Problems {
  readonly list: string[] = [];
  add(field: string, problem: string): void {
    this.list.push(`${field}: ${problem}`);
  }
  string(obj: Json, key: string, field: string, required: boolean): string | undefined {
    const v = obj[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v === '') {
      this.add(field, `expected a non-empty string, got ${JSON.stringify(v) ?? 'nothing'}`);
      return undefined;
    }
    return v;
  }
  oneOf<T extends string>(obj: Json, key: string, field: string, allowed: readonly T[]): T | undefined {
    const v = obj[key];
    if (typeof v !== 'string' || !allowed.includes(v as T)) {
      this.add(field, `expected one of ${quoteAll(allowed)}, got ${JSON.stringify(v) ?? 'nothing'}`);
      return undefined;
    }
    return v as T;
  }
  optionalNumber(obj: Json, key: string, field: string): number | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.add(field, `expected a finite number, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  }
  optionalBoolean(obj: Json, key: string, field: string): boolean | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.add(field, `expected true or false, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  }
  uniqueStrings(value: unknown, field: string): string[] | undefined {
    if (!Array.isArray(value) || value.length === 0 || !value.every((c) => typeof c === 'string')) {
      this.add(field, 'expected a non-empty array of strings');
      return undefined;
    }
    const dup = value.find((c, i) => value.indexOf(c) !== i);
    if (dup !== undefined) {
      this.add(field, `${JSON.stringify(dup)} appears more than once`);
      return undefined;
    }
    return value as string[];
  }
}

function parseInput(raw: unknown, field: string, p: Problems): InputField | undefined {
  if (!isObject(raw)) {
    p.add(field, 'expected an object with name and type');
    return undefined;
  }
  const name = p.string(raw, 'name', `${field}.name`, true);
  const type = p.oneOf(raw, 'type', `${field}.type`, INPUT_TYPES);
  const description = p.string(raw, 'description', `${field}.description`, false);
  const nullable = p.optionalBoolean(raw, 'nullable', `${field}.nullable`);
  const common = { ...(description !== undefined ? { description } : {}) };
  if (name === undefined || type === undefined) return undefined;
  if (type === 'number') {
    const minimum = p.optionalNumber(raw, 'minimum', `${field}.minimum`);
    const maximum = p.optionalNumber(raw, 'maximum', `${field}.maximum`);
    const integer = p.optionalBoolean(raw, 'integer', `${field}.integer`);
    if (minimum !== undefined && maximum !== undefined && minimum > maximum) {
      p.add(field, `minimum ${minimum} is greater than maximum ${maximum}`);
    }
    return {
      name,
      type,
      ...(nullable !== undefined ? { nullable } : {}),
      ...(minimum !== undefined ? { minimum } : {}),
      ...(maximum !== undefined ? { maximum } : {}),
      ...(integer !== undefined ? { integer } : {}),
      ...common,
    };
  }
  if (type === 'category') {
    const categories = p.uniqueStrings(raw.categories, `${field}.categories`);
    if (categories === undefined) return undefined;
    return { name, type, categories, ...(nullable !== undefined ? { nullable } : {}), ...common };
  }
  const maxLength = p.optionalNumber(raw, 'maxLength', `${field}.maxLength`);
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
    p.add(`${field}.maxLength`, `expected a positive integer, got ${maxLength}`);
  }
  return { name, type, ...(maxLength !== undefined ? { maxLength } : {}), ...common };
}

function parseFeature(raw: unknown, field: string, inputs: readonly InputField[], p: Problems) {
  if (!isObject(raw)) {
    p.add(field, 'expected an object with name, source and transform');
    return undefined;
  }
  const name = p.string(raw, 'name', `${field}.name`, true);
  const source = p.string(raw, 'source', `${field}.source`, true);
  const transform = p.oneOf(raw, 'transform', `${field}.transform`, TRANSFORMS);
  if (name === undefined || source === undefined || transform === undefined) return undefined;
  const input = inputs.find((i) => i.name === source);
  if (input === undefined) {
    p.add(
      `${field}.source`,
      `${JSON.stringify(source)} is not an input; inputs: ${quoteAll(inputs.map((i) => i.name))}`,
    );
    return undefined;
  }
  if (transform === 'identity') {
    if (input.type !== 'number') {
      p.add(field, `identity needs a number input, but ${JSON.stringify(source)} is a ${input.type}`);
    }
    return { name, source, transform } satisfies FeatureSpec;
  }
  const value = p.string(raw, 'value', `${field}.value`, true);
  if (value === undefined) return undefined;
  if (input.type !== 'category') {
    p.add(field, `one_hot needs a category input, but ${JSON.stringify(source)} is a ${input.type}`);
  } else if (!input.categories.includes(value)) {
    p.add(
      `${field}.value`,
      `${JSON.stringify(value)} is not a category of ${source}: ${quoteAll(input.categories)}`,
    );
  }
  return { name, source, transform, value } satisfies FeatureSpec;
}

/**
 * Checks a parsed metadata.json against BundleMetadata and returns it typed. Every problem is listed in
 * one Error that names the file and each field (`inputs[2].type: expected one of …`). Keys it does not
 * know are ignored, so training scripts may record more (metrics, data set notes).
 */
export function parseBundleMetadata(json: unknown, file: string): BundleMetadata {
  const p = new Problems();
  if (!isObject(json)) throw new Error(`${file}: invalid bundle metadata: expected a JSON object`);
  const name = p.string(json, 'name', 'name', true);
  const version = p.string(json, 'version', 'version', true);
  const kind = p.oneOf(json, 'kind', 'kind', KINDS);
  const task = p.oneOf(json, 'task', 'task', TASKS);
  const artifact = p.string(json, 'artifact', 'artifact', true);
  if (
    artifact !== undefined &&
    (artifact.includes('/') || artifact.includes('\\') || artifact.startsWith('.'))
  ) {
    p.add('artifact', `expected a file name inside the bundle directory, got ${JSON.stringify(artifact)}`);
  }
  const description = p.string(json, 'description', 'description', false);
  const classLabels =
    json.classLabels === undefined ? undefined : p.uniqueStrings(json.classLabels, 'classLabels');
  if (task === 'regression' && classLabels !== undefined)
    p.add('classLabels', 'a regression model has no classes');
  if (task === 'binary_classification' && classLabels !== undefined && classLabels.length !== 2) {
    p.add('classLabels', `a binary classifier has 2 class labels, got ${classLabels.length}`);
  }

  const inputs: InputField[] = [];
  if (!Array.isArray(json.inputs) || json.inputs.length === 0) {
    p.add('inputs', 'expected a non-empty array of input fields');
  } else {
    json.inputs.forEach((raw, i) => {
      const input = parseInput(raw, `inputs[${i}]`, p);
      if (input === undefined) return;
      if (inputs.some((f) => f.name === input.name)) {
        p.add(`inputs[${i}].name`, `${JSON.stringify(input.name)} appears more than once`);
      }
      inputs.push(input);
    });
  }

  let features: FeatureSpec[] | undefined;
  if (json.features !== undefined) {
    if (!Array.isArray(json.features) || json.features.length === 0) {
      p.add('features', 'expected a non-empty array of feature specs');
    } else {
      features = [];
      json.features.forEach((raw, i) => {
        const spec = parseFeature(raw, `features[${i}]`, inputs, p);
        if (spec === undefined) return;
        if (features!.some((f) => f.name === spec.name)) {
          p.add(`features[${i}].name`, `${JSON.stringify(spec.name)} appears more than once`);
        }
        features!.push(spec);
      });
    }
  }
  if (kind === 'xgboost' && json.features === undefined) {
    p.add(
      'features',
      'an xgboost bundle needs features (how each booster column is computed from the inputs)',
    );
  }
  if (!isObject(json.example))
    p.add('example', 'expected one valid instance as an object keyed by input name');

  if (p.list.length > 0) throw new Error(`${file}: invalid bundle metadata: ${p.list.join('; ')}`);
  return {
    name: name!,
    version: version!,
    kind: kind!,
    task: task!,
    artifact: artifact!,
    ...(classLabels !== undefined ? { classLabels } : {}),
    inputs,
    ...(features !== undefined ? { features } : {}),
    ...(description !== undefined ? { description } : {}),
    example: json.example as Record<string, unknown>,
  };
}
