/**
 * Sendmail queue ids: 14 characters or more since 8.12 (`424EF3Ab003120`: six base-60 time
 * characters, a two-character sequence, then the pid in digits) and shorter ones before
 * (`KAA02345`). Both are letters and digits, with digits at least in the pid part.
 */

const MIN_LENGTH = 7;
const MAX_LENGTH = 20;

/**
 * Returns the length of the queue id that starts `text` at `start` and is followed by `: `,
 * or 0. A word such as `Warning:` has no digit and is no queue id.
 */
export function queueIdLength(text: string, start = 0): number {
  let index = start;
  let digits = 0;
  while (index - start <= MAX_LENGTH) {
    const code = text.charCodeAt(index);
    const digit = code >= 48 && code <= 57;
    const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    if (!digit && !letter) break;
    if (digit) digits += 1;
    index += 1;
  }
  const length = index - start;
  if (length < MIN_LENGTH || length > MAX_LENGTH || digits === 0) return 0;
  return text.charCodeAt(index) === 58 && text.charCodeAt(index + 1) === 32 ? length : 0;
}
