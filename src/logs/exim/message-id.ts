/**
 * Exim message ids: `1rhA2b-000Abc-1x` (16 characters, before Exim 4.97) and
 * `1rhA2b-00000000Abc-1x2y` (23 characters, Exim 4.97 and later), in base 62.
 */

/**
 * Returns the length of the Exim message id that starts `text` and is followed by a space or
 * the end of the text: 16, 23, or 0 when the text does not start with one. Only the dashes,
 * the end and the two outer characters are checked, because lines without an id start with
 * words (`SMTP connection`, `H=(…)`, `cwd=`) and a full check would cost more than the rest
 * of an ignored line.
 */
export function messageIdLength(text: string): number {
  if (text.charCodeAt(6) !== 45 || BASE62[text.charCodeAt(0)] !== 1) return 0;
  if (text.charCodeAt(13) === 45 && endsToken(text, 16) && isBase62At(text, 15)) return 16;
  if (text.charCodeAt(18) === 45 && endsToken(text, 23) && isBase62At(text, 22)) return 23;
  return 0;
}

function endsToken(text: string, index: number): boolean {
  return index === text.length || text.charCodeAt(index) === 32;
}

function isBase62At(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code < 128 && BASE62[code] === 1;
}

// BASE62[code] is 1 for the characters of a base-62 digit, for codes below 128.
const BASE62 = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const digit = code >= 48 && code <= 57;
  const upper = code >= 65 && code <= 90;
  const lower = code >= 97 && code <= 122;
  BASE62[code] = digit || upper || lower ? 1 : 0;
}
