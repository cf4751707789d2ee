/**
 * Open Inference Protocol (KServe V2) tensors <-> the core's instances and predictions. One input tensor per
 * raw input field (BYTES for category and string fields, a numeric datatype for numbers), shape `[n]` or
 * `[n, 1]`. Outputs: `label` (BYTES), `probability` (FP64, binary), `probabilities` (FP64 `[n, classes]`,
 * multiclass; class order in its `class_labels` parameter), `value` (FP64, regression), and with explanations
 * `explanation`: BYTES `[n]`, each element the JSON of that instance's explanation. JSON rather than an FP64
 * `[n, k]` tensor because a text model's features (tokens) differ per instance and V2 parameters must be
 * scalars, so feature names could not travel beside a numeric tensor.
 */
import { ServingError } from '../core/errors';
import type { BundleMetadata, InputField, Prediction } from '../core/types';
import { describeValue } from '../models/instances';

export const NUMERIC_DATATYPES = [
  'FP64',
  'FP32',
  'FP16',
  'INT64',
  'INT32',
  'INT16',
  'INT8',
  'UINT64',
  'UINT32',
  'UINT16',
  'UINT8',
] as const;
export const DATATYPES = ['BOOL', ...NUMERIC_DATATYPES, 'BYTES'] as const;

export interface V2Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly data: readonly unknown[];
}

export interface V2OutputTensor {
  name: string;
  shape: number[];
  datatype: 'BYTES' | 'FP64';
  parameters?: Record<string, string | number | boolean>;
  data: (string | number | null)[];
}

export interface V2TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

const bad = (message: string) => new ServingError('BAD_REQUEST', message);

/** The datatype a field's tensor is declared with in the model metadata. */
const declaredDatatype = (field: InputField): string => (field.type === 'number' ? 'FP64' : 'BYTES');

export function inputMetadata(metadata: BundleMetadata): V2TensorMetadata[] {
  return metadata.inputs.map((f) => ({ name: f.name, datatype: declaredDatatype(f), shape: [-1] }));
}

export function outputMetadata(metadata: BundleMetadata): V2TensorMetadata[] {
  const explanation = { name: 'explanation', datatype: 'BYTES', shape: [-1] };
  switch (metadata.task) {
    case 'binary_classification':
      return [
        { name: 'label', datatype: 'BYTES', shape: [-1] },
        { name: 'probability', datatype: 'FP64', shape: [-1] },
        explanation,
      ];
    case 'multiclass_classification':
      return [
        { name: 'label', datatype: 'BYTES', shape: [-1] },
        { name: 'probabilities', datatype: 'FP64', shape: [-1, metadata.classLabels?.length ?? -1] },
        explanation,
      ];
    case 'regression':
      return [{ name: 'value', datatype: 'FP64', shape: [-1] }, explanation];
  }
}

/** A tensor's elements as a flat list of n values (`[n]`, or `[n, 1]` flat or nested). */
function flatten(tensor: V2Tensor): { n: number; values: readonly unknown[] } {
  const shape = tensor.shape;
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    throw bad(`input "${tensor.name}": shape [${shape.join(', ')}] is not supported; use [n] or [n, 1]`);
  }
  const n = shape[0];
  const values =
    shape.length === 2 && tensor.data.every((d) => Array.isArray(d) && d.length === 1)
      ? tensor.data.map((d) => (d as unknown[])[0])
      : tensor.data;
  if (values.length !== n) {
    throw bad(
      `input "${tensor.name}": shape [${shape.join(', ')}] needs ${n} elements, data has ${values.length}`,
    );
  }
  return { n, values };
}

/** The values each numeric datatype can hold (as the doubles JSON numbers are): [min, max]. */
const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32_768, 32_767],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
  // 2^63 - 1 is not a double: the largest double below 2^63 is the bound.
  INT64: [-(2 ** 63), 2 ** 63 - 1024],
  UINT8: [0, 255],
  UINT16: [0, 65_535],
  UINT32: [0, 2 ** 32 - 1],
  UINT64: [0, 2 ** 64 - 2048],
  // The largest finite half and single precision floats.
  FP16: [-65_504, 65_504],
  FP32: [-3.4028234663852886e38, 3.4028234663852886e38],
  FP64: [-Number.MAX_VALUE, Number.MAX_VALUE],
};

function checkElements(tensor: V2Tensor, field: InputField, values: readonly unknown[]): void {
  const isBytes = tensor.datatype === 'BYTES';
  const integer = tensor.datatype.startsWith('INT') || tensor.datatype.startsWith('UINT');
  const range = RANGES[tensor.datatype];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) continue; // a missing value; the model decides whether the field may be missing
    const ok = isBytes ? typeof v === 'string' : typeof v === 'number' && (!integer || Number.isInteger(v));
    // describeValue, never JSON.stringify: an element may be nested deeper than the stack.
    const where = `input "${field.name}" (${tensor.datatype}) element ${i}`;
    if (!ok) {
      const expected = isBytes ? 'a string' : integer ? 'an integer' : 'a number';
      throw bad(`${where}: expected ${expected}, got ${describeValue(v)}`);
    }
    if (range !== undefined && ((v as number) < range[0] || (v as number) > range[1])) {
      throw bad(`${where}: ${v} is out of range for ${tensor.datatype} (${range[0]} to ${range[1]})`);
    }
  }
}

/** Input tensors to instances keyed by field name, checking names, datatypes, shapes and element types. */
export function tensorsToInstances(
  tensors: readonly V2Tensor[],
  metadata: BundleMetadata,
  maxBatchSize = Number.POSITIVE_INFINITY,
): Record<string, unknown>[] {
  const fields = metadata.inputs;
  const names = fields.map((f) => f.name);
  const seen = new Set<string>();
  for (const t of tensors) {
    if (!names.includes(t.name)) {
      throw bad(`unknown input "${t.name}"; the model's inputs are: ${names.join(', ')}`);
    }
    if (seen.has(t.name)) throw bad(`input "${t.name}" is given twice`);
    seen.add(t.name);
  }
  const missing = names.filter((n) => !seen.has(n));
  if (missing.length > 0)
    throw bad(`missing input(s): ${missing.join(', ')}; send one tensor per input field`);
  let n: number | undefined;
  const columns = new Map<string, readonly unknown[]>();
  for (const field of fields) {
    const tensor = tensors.find((t) => t.name === field.name)!;
    const allowed: readonly string[] = field.type === 'number' ? NUMERIC_DATATYPES : ['BYTES'];
    if (!allowed.includes(tensor.datatype)) {
      throw bad(
        `input "${field.name}": datatype ${tensor.datatype} is not allowed; use ${allowed.join(', ')}`,
      );
    }
    const rows = tensor.shape[0] ?? 0;
    // Before any work per element: the batch limit, as every protocol applies it.
    if (rows > maxBatchSize) {
      throw new ServingError(
        'BATCH_TOO_LARGE',
        `${rows} instances in one request; the limit is ${maxBatchSize} (MAX_BATCH_SIZE)`,
        [{ path: 'instances', message: `expected at most ${maxBatchSize} instances, got ${rows}` }],
      );
    }
    const flat = flatten(tensor);
    if (n !== undefined && flat.n !== n) {
      throw bad(
        `input "${field.name}" has ${flat.n} elements but other inputs have ${n}; all need the same count`,
      );
    }
    n = flat.n;
    checkElements(tensor, field, flat.values);
    columns.set(field.name, flat.values);
  }
  return Array.from({ length: n ?? 0 }, (_, i) => {
    const instance: Record<string, unknown> = {};
    for (const name of names) instance[name] = columns.get(name)![i];
    return instance;
  });
}

/** Predictions to the model's output tensors (all of them, or those named in `requested`). */
export function predictionsToTensors(
  predictions: readonly Prediction[],
  metadata: BundleMetadata,
  requested: readonly string[] | undefined,
): V2OutputTensor[] {
  const n = predictions.length;
  const labels = metadata.classLabels ?? [];
  const all: V2OutputTensor[] = [];
  if (metadata.task === 'regression') {
    all.push({ name: 'value', datatype: 'FP64', shape: [n], data: predictions.map((p) => p.value ?? null) });
  } else {
    all.push({ name: 'label', datatype: 'BYTES', shape: [n], data: predictions.map((p) => p.label ?? null) });
    if (metadata.task === 'binary_classification') {
      all.push({
        name: 'probability',
        datatype: 'FP64',
        shape: [n],
        data: predictions.map((p) => p.probability ?? null),
      });
    } else {
      all.push({
        name: 'probabilities',
        datatype: 'FP64',
        shape: [n, labels.length],
        parameters: { class_labels: JSON.stringify(labels) },
        data: predictions.flatMap((p) => labels.map((l) => p.probabilities?.[l] ?? null)),
      });
    }
  }
  if (predictions.some((p) => p.explanation !== undefined)) {
    all.push({
      name: 'explanation',
      datatype: 'BYTES',
      shape: [n],
      parameters: { content_type: 'application/json' },
      data: predictions.map((p) => JSON.stringify(p.explanation ?? null)),
    });
  }
  return requested === undefined ? all : all.filter((t) => requested.includes(t.name));
}
