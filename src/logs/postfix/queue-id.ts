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
 * Returns the length of the queue id that starts `text` and is followed by `": "`, or 0
 * when the text does not start with one (`NOQUEUE`, `statistics:`, `warning:`).
 */
export function queueIdLength(text: string): number {
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
