/**
 * CSV for SageMaker's `/invocations`: request rows in input-field order (a header line naming the fields is
 * recognised and may reorder the columns), responses one row per instance. Text in, text out: no dependency.
 */
import { type FieldProblem, ServingError } from '../core/errors';
import type { BundleMetadata, InputField, Prediction } from '../core/types';

/** Parses RFC 4180 CSV: quoted fields may hold commas, quotes (`""`) and newlines; blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let inQuotes = false;
  let line = 1;
  const endCell = () => {
    row.push(quoted ? cell : cell.trim());
    cell = '';
    quoted = false;
  };
  const endRow = () => {
    endCell();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell.trim() === '') {
      inQuotes = true;
      quoted = true;
      cell = '';
    } else if (c === ',') endCell();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
    } else if (quoted) {
      if (c.trim() !== '') {
        throw new ServingError(
          'BAD_REQUEST',
          `CSV line ${line}: text after a closing quote; quote the whole field`,
        );
      }
    } else cell += c;
  }
  if (inQuotes) throw new ServingError('BAD_REQUEST', `CSV line ${line}: a quoted field is not closed`);
  if (cell !== '' || quoted || row.length > 0) endRow();
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
  const problems: FieldProblem[] = [];
  const instances = body.map((cells, i) => {
    if (cells.length !== order.length) {
      problems.push({
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
  if (problems.length > 0) {
    throw new ServingError(
      'INVALID_INPUT',
      `${problems.length} CSV row(s) have the wrong number of columns`,
      problems,
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
