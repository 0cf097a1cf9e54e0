/**
 * Postfix queue ids at the start of a log message (`4B7E21C0A3: to=<…>`).
 *
 * Short ids (the default) are upper-case hex: five digits of the arrival microseconds
 * followed by the queue file's inode number, so their length varies (6 to about 20).
 * Long ids (`enable_long_queue_ids = yes`) encode the arrival time in 10 characters of a
 * base-52 alphabet (digits and consonants), then `z`, then the inode number:
 * `4TqKm36Ybfz9LRq`.
 */

const MIN_SHORT_LENGTH = 6;
const MAX_LENGTH = 24;
/** Position of the `z` that separates the time from the inode number in a long id. */
const LONG_SEPARATOR = 10;

// Character classes by code. The time part of a long id uses digits and consonants only
// (a `z` may occur there too, because that part has a fixed width), so vowels get their
// own classes; A and E are also hex digits.
const HEX = 1;
const LETTER = 2;
const VOWEL = 3;
const HEX_VOWEL = 4;
const CLASSES = new Uint8Array(128);
for (let code = 48; code <= 57; code++) CLASSES[code] = HEX;
for (let code = 65; code <= 90; code++) CLASSES[code] = code <= 70 ? HEX : LETTER;
for (let code = 97; code <= 122; code++) CLASSES[code] = LETTER;
for (const vowel of "IOUaeiou") CLASSES[vowel.charCodeAt(0)] = VOWEL;
CLASSES[65] = HEX_VOWEL;
CLASSES[69] = HEX_VOWEL;

/**
 * Map key of a queue id in the Postfix message store: a number for short ids of up to 13
 * hex digits, and the id itself for longer and long-form ids.
 */
export type QueueKey = number | string;

/**
 * Maximum hex digits of an id with a number key: a `1` and 13 hex digits stay below 2^53,
 * so a double represents the value exactly.
 */
const MAX_NUMBER_KEY_DIGITS = 13;

/**
 * Finds the queue id at the start of a log message and its `QueueKey`. A short id of up
 * to 13 hex digits gets the number written as `1` followed by the id in hex, so `0ABCDE`
 * and `ABCDE` get different keys. Reading it needs no substring, and V8 hashes a number
 * key without computing a string hash, which a fresh substring on every line would need.
 * Every other id is its own key.
 */
export class QueueIdReader {
  /** Key of the id that the latest `read` found; stale after a `read` that returned 0. */
  key: QueueKey = 0;

  /**
   * Returns the length of the queue id that starts `text` and is followed by `": "`, or 0
   * when the text does not start with one (`NOQUEUE`, `statistics:`, `warning:`).
   */
  read(text: string): number {
    // Short ids, the default, are read in one pass that also computes the key.
    const limit = text.length < MAX_LENGTH + 1 ? text.length : MAX_LENGTH + 1;
    let key = 1;
    let end = 0;
    let code = 0;
    for (; end < limit; end++) {
      code = text.charCodeAt(end);
      if (code >= 48 && code <= 57) key = key * 16 + (code - 48);
      else if (code >= 65 && code <= 70) key = key * 16 + (code - 55);
      else break;
    }
    if (code === 58 && end < limit) {
      if (end < MIN_SHORT_LENGTH || text.charCodeAt(end + 1) !== 32) return 0;
      this.key = end <= MAX_NUMBER_KEY_DIGITS ? key : text.slice(0, end);
      return end;
    }
    // Any other id is a long one, with its `z` at a fixed place. Most messages without an
    // id (`connect from`, `disconnect from`, TLS lines) fail this test at once.
    if (text.charCodeAt(LONG_SEPARATOR) !== 122) return 0;
    const length = longIdLength(text);
    if (length > 0) this.key = text.slice(0, length);
    return length;
  }
}

/** Returns the length of the long queue id that starts `text`, or 0 when there is none. */
function longIdLength(text: string): number {
  let upperHex = true;
  let vowelAt = -1;
  const limit = text.length < MAX_LENGTH + 1 ? text.length : MAX_LENGTH + 1;
  let end = 0;
  for (; end < limit; end++) {
    const code = text.charCodeAt(end);
    if (code === 58) break;
    const kind = code < 128 ? (CLASSES[code] as number) : 0;
    if (kind === HEX) continue;
    if (kind === 0) return 0;
    if (kind !== HEX_VOWEL) upperHex = false;
    if (kind >= VOWEL && vowelAt < 0) vowelAt = end;
  }
  if (end === limit || text.charCodeAt(end + 1) !== 32) return 0;
  if (upperHex) return end >= MIN_SHORT_LENGTH ? end : 0;
  const isLong =
    end > LONG_SEPARATOR + 1 &&
    text.charCodeAt(LONG_SEPARATOR) === 122 &&
    (vowelAt < 0 || vowelAt > LONG_SEPARATOR);
  return isLong ? end : 0;
}
