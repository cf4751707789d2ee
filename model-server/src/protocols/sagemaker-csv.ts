/**
 * CSV for SageMaker's `/invocations`: request rows in input-field order (a header line naming the fields is
 * recognised and may reorder the columns), responses one row per instance. Text in, text out: no dependency.
 */
import { ProblemList, ServingError } from '../core/errors';
import type { BundleMetadata, InputField, Prediction } from '../core/types';

/** Bounds on what one CSV body may hold, checked while parsing so no work grows past them. */
export interface CsvLimits {
  /** Most data rows (MAX_BATCH_SIZE); one more row is allowed for a header line. */
  readonly maxRows: number;
  /** Most fields in one row (the model's input count). */
  readonly maxFields: number;
}

const UNBOUNDED: CsvLimits = { maxRows: Number.POSITIVE_INFINITY, maxFields: Number.POSITIVE_INFINITY };
const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const isBlank = (c: number): boolean => c === 32 || c === 9;

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/**
 * Parses RFC 4180 CSV: quoted fields may hold commas, quotes (`""`) and newlines; blank lines are skipped; a
 * leading UTF-8 BOM is ignored. Fields are sliced out of the text (never built a character at a time), and
 * the limits are enforced as rows and fields are read: more rows than `maxRows` (+1 for a header) is
 * BATCH_TOO_LARGE, a row with more than `maxFields` fields is rejected at once.
 */
export function parseCsv(text: string, limits: CsvLimits = UNBOUNDED): string[][] {
  const rows: string[][] = [];
  const n = text.length;
  let row: string[] = [];
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const pushCell = (cell: string) => {
    if (row.length >= limits.maxFields) {
      throw new ServingError(
        'BAD_REQUEST',
        `CSV line ${line}: more than ${limits.maxFields} fields; send one field per input, ${limits.maxFields} in all`,
      );
    }
    row.push(cell);
  };
  const endRow = () => {
    if (!(row.length === 1 && row[0] === '')) {
      if (rows.length > limits.maxRows) {
        throw new ServingError(
          'BATCH_TOO_LARGE',
          `the CSV body has more than ${limits.maxRows} rows; the limit is ${limits.maxRows} instances per request (MAX_BATCH_SIZE)`,
          [{ path: 'instances', message: `expected at most ${limits.maxRows} rows` }],
        );
      }
      rows.push(row);
    }
    row = [];
  };
  while (i < n) {
    let j = i;
    while (j < n && isBlank(text.charCodeAt(j))) j++;
    let end: number;
    if (j < n && text.charCodeAt(j) === QUOTE) {
      // The closing quote is the first one not doubled; doubled quotes are unescaped in one pass after.
      let from = j + 1;
      let escaped = false;
      let close: number;
      for (;;) {
        close = text.indexOf('"', from);
        if (close < 0)
          throw new ServingError('BAD_REQUEST', `CSV line ${line}: a quoted field is not closed`);
        if (text.charCodeAt(close + 1) !== QUOTE) break;
        escaped = true;
        from = close + 2;
      }
      const content = text.slice(j + 1, close);
      from = close + 1;
      line += countNewlines(text, j, from);
      end = from;
      for (
        let c = text.charCodeAt(end);
        end < n && c !== COMMA && c !== LF && c !== CR;
        c = text.charCodeAt(++end)
      ) {
        if (!isBlank(c)) {
          throw new ServingError(
            'BAD_REQUEST',
            `CSV line ${line}: text after a closing quote; quote the whole field`,
          );
        }
      }
      pushCell(escaped ? content.replaceAll('""', '"') : content);
    } else {
      end = j;
      for (
        let c = text.charCodeAt(end);
        end < n && c !== COMMA && c !== LF && c !== CR;
        c = text.charCodeAt(++end)
      );
      pushCell(text.slice(i, end).trim());
    }
    i = end;
    if (i >= n) break;
    if (text.charCodeAt(i) === COMMA) {
      i++;
      // A comma at the very end: the row ends with an empty field.
      if (i >= n) pushCell('');
      continue;
    }
    if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i++;
    i++;
    endRow();
    line++;
  }
  if (row.length > 0) endRow();
  return rows;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One CSV cell as the JSON value the model validates: numbers parsed, empty cells missing (null). */
function cellValue(field: InputField, cell: string): unknown {
  if (field.type === 'string') return cell;
  if (cell === '') return null;
  // Anything else that is not a plain number (NaN, Infinity, 1,5) stays text so the model rejects it by name.
  if (field.type === 'number') return NUMBER.test(cell) ? Number(cell) : cell;
  return cell;
}

/** Rows to instances keyed by field name; a first row naming every input field is a header. */
export function csvToInstances(
  rows: readonly string[][],
  inputs: readonly InputField[],
  maxRows = Number.POSITIVE_INFINITY,
): Record<string, unknown>[] {
  const names = inputs.map((f) => f.name);
  let order: readonly InputField[] = inputs;
  let body = rows;
  const first = rows[0];
  if (first !== undefined && first.length === names.length && names.every((n) => first.includes(n))) {
    order = first.map((n) => inputs.find((f) => f.name === n)!);
    body = rows.slice(1);
  }
  if (body.length === 0) {
    throw new ServingError(
      'BAD_REQUEST',
      `the CSV body holds no rows; send one row per instance: ${names.join(',')}`,
    );
  }
  if (body.length > maxRows) {
    throw new ServingError(
      'BATCH_TOO_LARGE',
      `the CSV body has ${body.length} rows; the limit is ${maxRows} instances per request (MAX_BATCH_SIZE)`,
      [{ path: 'instances', message: `expected at most ${maxRows} rows, got ${body.length}` }],
    );
  }
  const problems = new ProblemList();
  const instances = body.map((cells, i) => {
    if (cells.length !== order.length) {
      problems.add({
        path: `instances[${i}]`,
        message: `expected ${order.length} columns (${order.map((f) => f.name).join(',')}), got ${cells.length}`,
      });
    }
    const instance: Record<string, unknown> = {};
    order.forEach((field, j) => {
      if (j < cells.length) instance[field.name] = cellValue(field, cells[j]);
    });
    return instance;
  });
  if (!problems.empty) {
    throw new ServingError(
      'INVALID_INPUT',
      `${problems.total} CSV row(s) have the wrong number of columns`,
      problems.items,
      problems.total,
    );
  }
  return instances;
}

export type ResponseFormat = { readonly type: 'json' } | { readonly type: 'csv'; readonly header: boolean };

/**
 * Picks the response format from `Accept`: JSON (also for a missing header, `*\/*` and `application/*`) or CSV
 * (`text/csv`, `text/*`; `text/csv;header=present` adds a header line). Undefined: nothing acceptable (406).
 */
export function negotiateAccept(accept: string | undefined): ResponseFormat | undefined {
  if (accept === undefined || accept.trim() === '') return { type: 'json' };
  const ranges = accept
    .split(',')
    .map((part, index) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const param = (name: string) => params.find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1);
      const q = Number(param('q') ?? '1');
      return { type, q: Number.isFinite(q) ? q : 0, header: param('header') === 'present', index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const r of ranges) {
    if (r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*')
      return { type: 'json' };
    if (r.type === 'text/csv' || r.type === 'text/*') return { type: 'csv', header: r.header };
  }
  return undefined;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text =
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Predictions as CSV, one row per instance: binary `label,probability`; multiclass `label` then
 * `probability_<label>` per class; regression `value`; with explanations a last `explanation` column holding
 * the explanation as JSON.
 */
export function predictionsToCsv(
  predictions: readonly Prediction[],
  metadata: BundleMetadata,
  header: boolean,
): string {
  const labels = metadata.classLabels ?? [];
  const columns: [string, (p: Prediction) => unknown][] =
    metadata.task === 'regression'
      ? [['value', (p) => p.value]]
      : metadata.task === 'binary_classification'
        ? [
            ['label', (p) => p.label],
            ['probability', (p) => p.probability],
          ]
        : [
            ['label', (p) => p.label],
            ...labels.map((l): [string, (p: Prediction) => unknown] => [
              `probability_${l}`,
              (p) => p.probabilities?.[l],
            ]),
          ];
  if (predictions.some((p) => p.explanation !== undefined))
    columns.push(['explanation', (p) => p.explanation]);
  const lines = predictions.map((p) => columns.map(([, get]) => csvCell(get(p))).join(','));
  if (header) lines.unshift(columns.map(([name]) => csvCell(name)).join(','));
  return `${lines.join('\n')}\n`;
}
