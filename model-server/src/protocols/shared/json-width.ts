/**
 * The most keys one JSON object in a request body may have. An instance has one key per model input (tens),
 * a request a handful more; the limit is qs's `parameterLimit`, the figure web frameworks use for the same
 * guard. It exists because V8's JSON.parse slows down on one object with very many keys (it keeps rehashing
 * the object's dictionary): 150,000 keys, a 1.7 MB body, took 200 to 500 ms to parse on a 2-core machine
 * (Node 20), and a 6 MiB body about four times that, all of it blocking the event loop, health checks
 * included.
 */
export const MAX_OBJECT_KEYS = 1000;

/**
 * A body shorter than this cannot hold an object with more than MAX_OBJECT_KEYS keys (each key takes at
 * least four characters: `"":0,`), so it is not scanned.
 */
const SCAN_FROM_CHARS = MAX_OBJECT_KEYS * 4;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const COLON = 0x3a;

/**
 * Where the first JSON object with more than `maxKeys` keys starts in `text` (a character offset), or -1 when
 * none has. One pass over the characters, before JSON.parse: each key of an object is followed by a colon
 * outside any string, so counting those per open object counts its keys. `text` need not be valid JSON: what
 * is not is then JSON.parse's to report.
 */
export function wideObjectAt(text: string, maxKeys = MAX_OBJECT_KEYS): number {
  if (text.length < SCAN_FROM_CHARS) return -1;
  // Keys so far in each open object, innermost last, with where that object started.
  const counts: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Most of a body is strings: jump to the closing quote (found natively), not character by character.
      i = stringEnd(text, i);
      if (i < 0) return -1;
    } else if (c === COLON) {
      const top = counts.length - 1;
      if (top >= 0 && ++counts[top]! > maxKeys) return starts[top]!;
    } else if (c === OPEN) {
      counts.push(0);
      starts.push(i);
    } else if (c === CLOSE) {
      counts.pop();
      starts.pop();
    }
  }
  return -1;
}

/** The offset of the quote that closes the string opened at `open`, or -1 when none does. */
function stringEnd(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end > 0) {
    // Escaped when an odd number of backslashes comes right before it.
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}
