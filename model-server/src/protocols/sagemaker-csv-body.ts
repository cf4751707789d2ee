/**
 * Reads a `text/csv` request body as it arrives: each chunk is decoded (UTF-8, a character split between
 * chunks kept whole) and handed to the CSV reader at once, at most TURN_CHARS of it per turn of the event
 * loop whatever the size of the chunks, and a body that breaks a limit (rows, fields, field length, bytes)
 * is answered without reading the rest into memory.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { errorCodes } from 'fastify';
import { type CsvLimits, CsvReader } from './sagemaker-csv';

/**
 * Most text the CSV reader gets in one turn of the event loop. Sockets deliver up to 64 KiB per read, but a
 * stream may hand over more at once; 16 KiB is well under a millisecond of reading (measured, Node 20).
 */
export const TURN_CHARS = 16 * 1024;

/** A parsed CSV body: what the `text/csv` content-type parser hands to the route. */
export class CsvBody {
  constructor(readonly rows: string[][]) {}
}

/**
 * Consumes `payload` chunk by chunk. Calls `done` once: with the rows, or with the first error: 413 past
 * `limitBytes` (checked against Content-Length before reading), at once; a Content-Length that does not match
 * the body; the CSV reader's 400s. After a CSV error the rest of the body is neither decoded nor parsed nor
 * kept, only counted as it goes by, and the error is answered when the body has ended: answering while the
 * client still writes makes the server close a socket with unread data, and the TCP reset that follows can
 * destroy the answer before the client reads it.
 */
export function readCsvBody(
  payload: Readable,
  contentLength: string | undefined,
  limitBytes: number,
  limits: CsvLimits,
  done: (err: Error | null, body?: CsvBody) => void,
  /** An answer known before the body is read (a 406): the body is then only counted, as after a CSV error. */
  refusal?: Error,
): void {
  const declared = Number(contentLength);
  if (declared > limitBytes) {
    done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    return;
  }
  const reader = new CsvReader(limits);
  // StringDecoder, not TextDecoder: with `stream: true` Node's TextDecoder is about 10x slower (measured, Node
  // 20). It leaves a BOM in the text, which the reader strips as it does for a whole string.
  const decoder = new StringDecoder('utf8');
  let received = 0;
  let csvError: Error | undefined = refusal;
  let ended = false;
  /** Text of a chunk is still being read, in turns. */
  let reading = false;
  /** The body ended while it was: 'end' comes after the last chunk's 'data' even when paused in between. */
  let endWhileReading = false;
  const stop = () => {
    ended = true;
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
  };
  const fail = (err: Error) => {
    stop();
    // Flowing on with no listener: the rest of the body is read off the socket and dropped.
    payload.resume();
    done(err);
  };
  function onData(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    received += bytes.length;
    if (received > limitBytes) {
      fail(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    if (csvError !== undefined) return;
    // libuv may read several chunks off the socket in one turn (up to 32 reads): pausing until the text is
    // read keeps each TURN_CHARS of it in a turn of its own, with health checks and timers in between.
    payload.pause();
    reading = true;
    readInTurns(decoder.write(bytes));
  }
  function readInTurns(text: string): void {
    if (ended) return;
    const rest = text.length > TURN_CHARS ? text.slice(TURN_CHARS) : '';
    try {
      reader.write(rest === '' ? text : text.slice(0, TURN_CHARS));
    } catch (err) {
      csvError = err as Error;
    }
    if (rest !== '' && csvError === undefined) {
      setImmediate(readInTurns, rest);
      return;
    }
    reading = false;
    if (endWhileReading) onEnd();
    // After a CSV error the rest of the body is only counted: it may flow at once.
    else if (csvError !== undefined) payload.resume();
    else setImmediate(resume);
  }
  function resume(): void {
    if (ended) return;
    payload.resume();
  }
  function onEnd(err?: Error & { statusCode?: number }): void {
    if (err == null && reading) {
      endWhileReading = true;
      return;
    }
    stop();
    if (err != null) {
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
      done(err);
      return;
    }
    if (!Number.isNaN(declared) && received !== declared) {
      done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      return;
    }
    if (csvError !== undefined) {
      done(csvError);
      return;
    }
    let rows: string[][];
    try {
      reader.write(decoder.end());
      rows = reader.end();
    } catch (e) {
      done(e as Error);
      return;
    }
    done(null, new CsvBody(rows));
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}
