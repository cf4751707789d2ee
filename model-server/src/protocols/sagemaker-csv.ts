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
  /** Longest field in UTF-16 units, blanks included (`maxFieldCharsOf` the model's inputs). @default unbounded */
  readonly maxFieldChars?: number;
}

/** Room for the longest number a client may write (`-1.2345678901234567e+308` is 24 characters). */
const NUMBER_FIELD_CHARS = 32;
/** Room for blanks around a value, which the reader trims. */
const FIELD_BLANKS_CHARS = 100;

/**
 * The longest CSV field any of `inputs` can take: a number NUMBER_FIELD_CHARS, a category its longest value,
 * a header line its longest input name, a string its limit in characters (each at most two UTF-16 units),
 * each with FIELD_BLANKS_CHARS of blanks around it; unbounded when a string input has no limit. A longer
 * field cannot be valid, so reading stops there instead of keeping it (6 MiB of long fields otherwise stay
 * in memory until the whole body is read, and copying them costs the garbage collector tens of ms a turn).
 */
export function maxFieldCharsOf(inputs: readonly InputField[]): number {
  let longest = NUMBER_FIELD_CHARS;
  for (const field of inputs) {
    longest = Math.max(longest, field.name.length);
    if (field.type === 'category') {
      for (const c of field.categories) longest = Math.max(longest, c.length);
    } else if (field.type === 'string') {
      if (field.maxLength === undefined) return Number.POSITIVE_INFINITY;
      longest = Math.max(longest, 2 * field.maxLength);
    }
  }
  return longest + FIELD_BLANKS_CHARS;
}

const UNBOUNDED: CsvLimits = { maxRows: Number.POSITIVE_INFINITY, maxFields: Number.POSITIVE_INFINITY };
const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const isBlank = (c: number): boolean => c === 32 || c === 9;

function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** Where the reader is between two pieces of text. */
enum At {
  /** The start of a field: blanks so far (kept in `pieces`), a quote may still open it. */
  FieldStart,
  /** Inside an unquoted field. */
  Unquoted,
  /** Inside a quoted field. */
  Quoted,
  /** Just after a quote inside a quoted field: a second quote escapes it, anything else closes the field. */
  QuoteInQuoted,
  /** After a closing quote: only blanks may come before the comma or the line end. */
  AfterQuote,
  /** After a CR that ended a row: an LF right after it belongs to the same line end. */
  AfterCr,
}

/**
 * Reads RFC 4180 CSV incrementally: quoted fields may hold commas, quotes (`""`) and newlines; blank lines
 * are skipped; a leading UTF-8 BOM is ignored. Text arrives in pieces of any size (`write`), split anywhere
 * (inside a quoted field, between a CR and its LF, ...), and `end` gives the rows; the same rows whatever the
 * split. Each piece is scanned once (fields are sliced out, never built a character at a time), and the
 * limits are enforced as rows and fields are read: more rows than `maxRows` (+1 for a header) is
 * BATCH_TOO_LARGE, a row with more than `maxFields` fields is rejected at once, so a request body can be
 * turned away before the rest of it is read.
 */
export class CsvReader {
  private readonly rows: string[][] = [];
  private row: string[] = [];
  private line = 1;
  private at = At.FieldStart;
  /** The current field's text read so far, when it spans pieces. */
  private pieces: string[] = [];
  /** Length of the current field so far (blanks included), held to `maxFieldChars`. */
  private fieldChars = 0;
  private readonly maxFieldChars: number;
  /** Newlines inside the current quoted field: they count towards `line` once it closes. */
  private quotedNewlines = 0;
  private started = false;

  constructor(private readonly limits: CsvLimits = UNBOUNDED) {
    this.maxFieldChars = limits.maxFieldChars ?? Number.POSITIVE_INFINITY;
  }

  /** Reads the next piece of text; throws a ServingError as soon as the text breaks a rule or a limit. */
  write(text: string): void {
    const n = text.length;
    let i = 0;
    if (!this.started && n > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    while (i < n) {
      switch (this.at) {
        case At.FieldStart: {
          let j = i;
          while (j < n && isBlank(text.charCodeAt(j))) j++;
          if (j === n) {
            this.grow(n - i);
            this.pieces.push(text.slice(i));
            return;
          }
          if (text.charCodeAt(j) === QUOTE) {
            this.pieces = [];
            this.fieldChars = 0;
            this.quotedNewlines = 0;
            this.at = At.Quoted;
            i = j + 1;
          } else {
            // Unquoted: the blanks are part of the field until it is trimmed.
            this.at = At.Unquoted;
          }
          break;
        }
        case At.Unquoted: {
          let end = i;
          for (
            let c = text.charCodeAt(end);
            end < n && c !== COMMA && c !== LF && c !== CR;
            c = text.charCodeAt(++end)
          );
          this.grow(end - i);
          if (end === n) {
            this.pieces.push(text.slice(i));
            return;
          }
          this.pushCell(this.takeField(text.slice(i, end)).trim());
          i = this.endField(text, end);
          break;
        }
        case At.Quoted: {
          const close = text.indexOf('"', i);
          this.grow((close < 0 ? n : close) - i);
          const content = text.slice(i, close < 0 ? n : close);
          this.quotedNewlines += countNewlines(content);
          this.pieces.push(content);
          if (close < 0) return;
          this.at = At.QuoteInQuoted;
          i = close + 1;
          break;
        }
        case At.QuoteInQuoted:
          if (text.charCodeAt(i) === QUOTE) {
            this.grow(1);
            this.pieces.push('"');
            this.at = At.Quoted;
            i++;
          } else {
            this.closeQuoted();
          }
          break;
        case At.AfterQuote: {
          let end = i;
          for (
            let c = text.charCodeAt(end);
            end < n && c !== COMMA && c !== LF && c !== CR;
            c = text.charCodeAt(++end)
          ) {
            if (!isBlank(c)) {
              throw new ServingError(
                'BAD_REQUEST',
                `CSV line ${this.line}: text after a closing quote; quote the whole field`,
              );
            }
          }
          if (end === n) return;
          i = this.endField(text, end);
          break;
        }
        case At.AfterCr:
          if (text.charCodeAt(i) === LF) i++;
          this.at = At.FieldStart;
          break;
      }
    }
  }

  /** The rows read, once the text has ended; throws if it ended inside a quoted field. */
  end(): string[][] {
    switch (this.at) {
      case At.FieldStart:
        // Only after a comma is the row open: it ends with an empty field.
        if (this.row.length > 0) this.pushCell(this.takeField('').trim());
        break;
      case At.Unquoted:
        this.pushCell(this.takeField('').trim());
        break;
      case At.Quoted:
        throw new ServingError('BAD_REQUEST', `CSV line ${this.line}: a quoted field is not closed`);
      case At.QuoteInQuoted:
        this.closeQuoted();
        break;
      default:
        break;
    }
    if (this.row.length > 0) this.endRow();
    this.at = At.AfterCr;
    return this.rows;
  }

  private takeField(last: string): string {
    const field = this.pieces.length === 0 ? last : this.pieces.join('') + last;
    this.pieces = [];
    this.fieldChars = 0;
    return field;
  }

  /** Counts `chars` more of the current field; throws once it is longer than any input can take. */
  private grow(chars: number): void {
    this.fieldChars += chars;
    if (this.fieldChars > this.maxFieldChars) {
      throw new ServingError(
        'BAD_REQUEST',
        `CSV line ${this.line}: field ${this.row.length + 1} is longer than ${this.maxFieldChars} characters, more than any input of the model takes`,
      );
    }
  }

  private closeQuoted(): void {
    this.line += this.quotedNewlines;
    this.pushCell(this.takeField(''));
    this.at = At.AfterQuote;
  }

  /** At the comma or line end that closes a field: where reading goes on. */
  private endField(text: string, at: number): number {
    const c = text.charCodeAt(at);
    this.at = At.FieldStart;
    if (c === COMMA) return at + 1;
    this.endRow();
    this.line++;
    if (c === CR) this.at = At.AfterCr;
    return at + 1;
  }

  private pushCell(cell: string): void {
    if (this.row.length >= this.limits.maxFields) {
      throw new ServingError(
        'BAD_REQUEST',
        `CSV line ${this.line}: more than ${this.limits.maxFields} fields; send one field per input, ${this.limits.maxFields} in all`,
      );
    }
    this.row.push(cell);
  }

  private endRow(): void {
    const row = this.row;
    this.row = [];
    if (row.length === 1 && row[0] === '') return;
    if (this.rows.length > this.limits.maxRows) {
      const max = this.limits.maxRows;
      throw new ServingError(
        'BATCH_TOO_LARGE',
        `the CSV body has more than ${max} rows; the limit is ${max} instances per request (MAX_BATCH_SIZE)`,
        [{ path: 'instances', message: `expected at most ${max} rows` }],
      );
    }
    this.rows.push(row);
  }
}

/** Parses a whole CSV text at once (see CsvReader for the rules and limits). */
export function parseCsv(text: string, limits: CsvLimits = UNBOUNDED): string[][] {
  const reader = new CsvReader(limits);
  reader.write(text);
  return reader.end();
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
      problems.addLazy(() => ({
        path: `instances[${i}]`,
        message: `expected ${order.length} columns (${order.map((f) => f.name).join(',')}), got ${cells.length}`,
      }));
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
