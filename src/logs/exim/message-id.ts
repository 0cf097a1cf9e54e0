/**
 * Exim message ids: `1rhA2b-000Abc-1x` (16 characters, before Exim 4.97) and
 * `1rhA2b-00000000Abc-1x2y` (23 characters, Exim 4.97 and later), in base 62.
 */

/**
 * Returns the length of the Exim message id that starts `text` and is followed by a space or
 * the end of the text: 16, 23, or 0 when the text does not start with one.
 */
export function messageIdLength(text: string): number {
  if (text.charCodeAt(6) !== 45) return 0;
  if (text.charCodeAt(13) === 45 && endsToken(text, 16) && isBase62(text, 16)) return 16;
  if (text.charCodeAt(18) === 45 && endsToken(text, 23) && isBase62(text, 23)) return 23;
  return 0;
}

function endsToken(text: string, index: number): boolean {
  return index === text.length || text.charCodeAt(index) === 32;
}

// BASE62[code] is 1 for the characters of a base-62 digit, for codes below 128.
const BASE62 = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const digit = code >= 48 && code <= 57;
  const upper = code >= 65 && code <= 90;
  const lower = code >= 97 && code <= 122;
  BASE62[code] = digit || upper || lower ? 1 : 0;
}

// Checks the first `length` characters, skipping the two dashes.
function isBase62(text: string, length: number): boolean {
  const secondDash = length === 16 ? 13 : 18;
  for (let i = 0; i < length; i++) {
    if (i === 6 || i === secondDash) continue;
    if (BASE62[text.charCodeAt(i)] !== 1) return false;
  }
  return true;
}
