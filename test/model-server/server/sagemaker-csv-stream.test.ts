/**
 * The SageMaker CSV body read as it arrives: the same rows (or the same error) whatever the chunks, and a
 * body that breaks a limit answered without reading the rest.
 */
import { Readable } from 'node:stream';
import type { InputField } from '../../../model-server/src/core/types';
import {
  type CsvLimits,
  CsvReader,
  maxFieldCharsOf,
  parseCsv,
} from '../../../model-server/src/protocols/sagemaker-csv';
import {
  type CsvBody,
  readCsvBody,
  TURN_CHARS,
} from '../../../model-server/src/protocols/sagemaker-csv-body';

const UNBOUNDED: CsvLimits = { maxRows: Number.POSITIVE_INFINITY, maxFields: Number.POSITIVE_INFINITY };

/** Texts that put each tricky spot at some byte offset, so one split or another cuts through it. */
const TEXTS = [
  // A BOM, doubled quotes, a quoted comma and newline, CRLF, a CR alone, a blank line, no final newline.
  '\uFEFFa, b ,"c, ""d"""\r\n\r\n1,,"x\ny"\r2,"",3',
  // Multibyte characters (2, 3 and 4 bytes in UTF-8) in plain and quoted fields, next to quotes and commas.
  'é,"€ ""ü""",😀\n"😀😀",ß ,"\r\n"\r\n',
  // Blanks before a quote, blanks after a closing quote, a trailing comma at the very end.
  '  "q" ,x\n  \n"",1\n3,',
  // A quoted field ending right at the end, and a lone newline inside quotes.
  '1,2\n"a\n""\nb"',
  // Only a BOM and blank lines: no rows.
  '\uFEFF\n\r\n  \n',
];

/** Texts that fail: each split must fail with the same message as the whole text. */
const BAD_TEXTS = [
  // The line number in the message counts a CRLF once, wherever it is split.
  '1\r\n2\r\n"a"b\n',
  '1,2\n"abc,1\n',
  '1\n"a"b,c\n',
  'x,"y\n\nz"  w\n',
  '1,2,3,4\n',
  '1\n2\n3\n4\n5\n',
];
const BAD_LIMITS: CsvLimits = { maxRows: 2, maxFields: 3 };

/** Fields longer than 5 characters, plain, with blanks, quoted, and with an escaped quote. */
const LONG_FIELD_TEXTS = ['1,abcdef\n', '  1234\n', '1,"abc,de"\n', '"ab""cde"\n', '1,"ab\ncdef'];
const LONG_FIELD_LIMITS: CsvLimits = { maxRows: 10, maxFields: 10, maxFieldChars: 5 };

function outcome(run: () => string[][]): { rows?: string[][]; error?: string } {
  try {
    return { rows: run() };
  } catch (err) {
    return { error: `${(err as { code?: string }).code}: ${(err as Error).message}` };
  }
}

/** Every way to cut `bytes`: into chunks of each size 1..N, and in two at each offset. */
function splits(bytes: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let size = 1; size <= bytes.length; size++) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
    out.push(chunks);
  }
  for (let at = 1; at < bytes.length; at++) out.push([bytes.subarray(0, at), bytes.subarray(at)]);
  return out;
}

function readChunks(chunks: Buffer[], limits: CsvLimits): Promise<{ rows?: string[][]; error?: string }> {
  return new Promise((resolve) => {
    readCsvBody(Readable.from(chunks), undefined, 1024 * 1024, limits, (err, body) =>
      resolve(
        err
          ? { error: `${(err as { code?: string }).code}: ${err.message}` }
          : { rows: (body as CsvBody).rows },
      ),
    );
  });
}

describe('CsvReader', () => {
  it.each(TEXTS.map((t) => [JSON.stringify(t), t]))(
    'reads %s the same in pieces of any size as at once',
    (_, text) => {
      const whole = parseCsv(text);
      for (let size = 1; size <= text.length; size++) {
        const reader = new CsvReader(UNBOUNDED);
        for (let at = 0; at < text.length; at += size) reader.write(text.slice(at, at + size));
        expect(reader.end()).toEqual(whole);
      }
    },
  );

  it.each(LONG_FIELD_TEXTS.map((t) => [JSON.stringify(t), t]))(
    'rejects a field longer than maxFieldChars as it is read, whatever the pieces: %s',
    (_, text) => {
      const whole = outcome(() => parseCsv(text, LONG_FIELD_LIMITS));
      expect(whole.error).toMatch(/^BAD_REQUEST: CSV line 1: field \d is longer than 5 characters/);
      for (let size = 1; size <= text.length; size++) {
        const reader = new CsvReader(LONG_FIELD_LIMITS);
        const split = outcome(() => {
          for (let at = 0; at < text.length; at += size) reader.write(text.slice(at, at + size));
          return reader.end();
        });
        expect(split).toEqual(whole);
      }
    },
  );

  it('accepts fields of exactly maxFieldChars, blanks and the quotes of a quoted field aside', () => {
    expect(parseCsv('12345,"ab""cd"\n    1\n', LONG_FIELD_LIMITS)).toEqual([['12345', 'ab"cd'], ['1']]);
  });

  it('stops reading a 6 MiB field at the limit instead of keeping it', () => {
    const reader = new CsvReader({ maxRows: 1000, maxFields: 10, maxFieldChars: 132 });
    const chunk = 'x'.repeat(64 * 1024);
    expect(() => reader.write(chunk)).toThrow(/field 1 is longer than 132 characters/);
  });

  it('reads the tricky texts as RFC 4180 says', () => {
    expect(parseCsv(TEXTS[0]!)).toEqual([
      ['a', 'b', 'c, "d"'],
      ['1', '', 'x\ny'],
      ['2', '', '3'],
    ]);
    expect(parseCsv(TEXTS[1]!)).toEqual([
      ['é', '€ "ü"', '😀'],
      ['😀😀', 'ß', '\r\n'],
    ]);
    expect(parseCsv(TEXTS[2]!)).toEqual([
      ['q', 'x'],
      ['', '1'],
      ['3', ''],
    ]);
    expect(parseCsv(TEXTS[4]!)).toEqual([]);
  });
});

describe('maxFieldCharsOf', () => {
  const number: InputField = { name: 'Age', type: 'number', nullable: false } as InputField;
  it('allows a number, the longest category or input name, and a string limit, with room for blanks', () => {
    expect(maxFieldCharsOf([number])).toBe(32 + 100);
    const category = { name: 'c', type: 'category', categories: ['a'.repeat(40)] } as InputField;
    expect(maxFieldCharsOf([number, category])).toBe(40 + 100);
    expect(maxFieldCharsOf([{ ...number, name: 'n'.repeat(50) }])).toBe(50 + 100);
    const text = { name: 't', type: 'string', maxLength: 5000 } as InputField;
    expect(maxFieldCharsOf([number, text])).toBe(2 * 5000 + 100);
  });

  it('leaves fields unbounded when a string input has no limit', () => {
    const text = { name: 't', type: 'string' } as InputField;
    expect(maxFieldCharsOf([number, text])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('readCsvBody', () => {
  it.each(TEXTS.map((t) => [JSON.stringify(t), t]))(
    'gives the one-shot rows for %s in every split of its UTF-8 bytes',
    async (_, text) => {
      const bytes = Buffer.from(text, 'utf8');
      const whole = outcome(() => parseCsv(bytes.toString('utf8')));
      expect(whole.rows).toBeDefined();
      for (const chunks of splits(bytes)) expect(await readChunks(chunks, UNBOUNDED)).toEqual(whole);
    },
  );

  it.each(BAD_TEXTS.map((t) => [JSON.stringify(t), t]))(
    'gives the one-shot error for %s in every split',
    async (_, text) => {
      const bytes = Buffer.from(text, 'utf8');
      const whole = outcome(() => parseCsv(text, BAD_LIMITS));
      expect(whole.error).toBeDefined();
      for (const chunks of splits(bytes)) expect(await readChunks(chunks, BAD_LIMITS)).toEqual(whole);
    },
  );

  it('stops decoding and parsing at the first row past the limit, and answers once the body has ended', async () => {
    const write = jest.spyOn(CsvReader.prototype, 'write');
    try {
      let pulled = 0;
      function* body() {
        for (let i = 0; i < 10_000; i++) {
          pulled++;
          yield Buffer.from('1\n'.repeat(100));
        }
      }
      const answered = await new Promise<{ error: Error | null; pulled: number }>((resolve) =>
        readCsvBody(Readable.from(body()), undefined, 1 << 30, { maxRows: 1000, maxFields: 10 }, (error) =>
          resolve({ error, pulled }),
        ),
      );
      expect(answered.error?.message).toMatch(/more than 1000 rows/);
      // Row 1002 is in chunk 11: the reader saw 11 chunks of the 10,000.
      expect(write).toHaveBeenCalledTimes(11);
      expect(answered.pulled).toBe(10_000);
    } finally {
      write.mockRestore();
    }
  });

  it('hands the reader at most TURN_CHARS per turn of the event loop, however large a chunk is', async () => {
    let turn = 0;
    let counting = true;
    const countTurns = () => {
      turn++;
      if (counting) setImmediate(countTurns);
    };
    const read = CsvReader.prototype.write;
    const pieces: { turn: number; length: number }[] = [];
    const write = jest.spyOn(CsvReader.prototype, 'write').mockImplementation(function (
      this: CsvReader,
      text,
    ) {
      pieces.push({ turn, length: text.length });
      read.call(this, text);
    });
    try {
      const text = '1,2\n'.repeat(50_000);
      setImmediate(countTurns);
      const rows = await new Promise<string[][] | undefined>((resolve) =>
        readCsvBody(Readable.from([Buffer.from(text)]), undefined, 1 << 30, UNBOUNDED, (_e, body) =>
          resolve(body?.rows),
        ),
      );
      counting = false;
      expect(rows).toHaveLength(50_000);
      const nonEmpty = pieces.filter((p) => p.length > 0);
      expect(nonEmpty.reduce((sum, p) => sum + p.length, 0)).toBe(text.length);
      expect(Math.max(...nonEmpty.map((p) => p.length))).toBeLessThanOrEqual(TURN_CHARS);
      // Each piece in a turn of its own.
      expect(new Set(nonEmpty.map((p) => p.turn)).size).toBe(nonEmpty.length);
    } finally {
      write.mockRestore();
    }
  });

  it('answers a refusal known up front (a 406) once the body has ended, without parsing it', async () => {
    const write = jest.spyOn(CsvReader.prototype, 'write');
    try {
      const refusal = new Error('not acceptable');
      const error = await new Promise<Error | null>((resolve) =>
        readCsvBody(Readable.from([Buffer.from('"unclosed')]), undefined, 150, UNBOUNDED, resolve, refusal),
      );
      expect(error).toBe(refusal);
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });

  it('answers 413 past the byte limit, and at once for a Content-Length over it', async () => {
    const over = await new Promise<Error | null>((resolve) =>
      readCsvBody(
        Readable.from([Buffer.from('1\n'.repeat(50)), Buffer.from('1\n'.repeat(50))]),
        undefined,
        150,
        UNBOUNDED,
        (e) => resolve(e),
      ),
    );
    expect((over as { code?: string }).code).toBe('FST_ERR_CTP_BODY_TOO_LARGE');
    const declared = await new Promise<Error | null>((resolve) =>
      readCsvBody(Readable.from([]), '151', 150, UNBOUNDED, (e) => resolve(e)),
    );
    expect((declared as { code?: string }).code).toBe('FST_ERR_CTP_BODY_TOO_LARGE');
  });

  it('answers a body shorter than its Content-Length as an invalid Content-Length', async () => {
    const short = await new Promise<Error | null>((resolve) =>
      readCsvBody(Readable.from([Buffer.from('1,2\n')]), '10', 150, UNBOUNDED, (e) => resolve(e)),
    );
    expect((short as { code?: string }).code).toBe('FST_ERR_CTP_INVALID_CONTENT_LENGTH');
  });
});
