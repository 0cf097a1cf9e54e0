/**
 * A small cache of the short tokens that repeat on almost every line (host and program
 * names). Returning the same string object each time saves an allocation per token and line,
 * and lets later `Map` look-ups and `===` comparisons on the token use its cached hash or
 * identity instead of hashing or comparing characters again.
 */

// A cached token of 13 or more characters is a V8 sliced string that keeps its whole line
// alive, so the slots can hold up to SLOT_COUNT lines: 16 MiB at the 64 KiB line limit.
const SLOT_COUNT = 256;
const MAX_TOKEN_LENGTH = 64;

/**
 * A direct-mapped cache from a token's characters to one string. A slot holds the last token
 * that hashed to it; a miss slices the token from the line and replaces the slot, so memory
 * stays bounded whatever the input.
 */
export class TokenCache {
  private readonly slots: string[] = new Array<string>(SLOT_COUNT).fill("");

  /** Returns `text.slice(start, end)`, as the cached string object when there is one. */
  slice(text: string, start: number, end: number): string {
    const length = end - start;
    if (length <= 0 || length > MAX_TOKEN_LENGTH) return text.slice(start, end);

    const middle = text.charCodeAt(start + (length >> 1));
    const last = text.charCodeAt(end - 1);
    const slot = (length * 31 + text.charCodeAt(start) * 7 + middle * 3 + last) & (SLOT_COUNT - 1);
    const cached = this.slots[slot] ?? "";
    if (cached.length === length && sameChars(cached, text, start)) return cached;

    const token = text.slice(start, end);
    this.slots[slot] = token;
    return token;
  }
}

function sameChars(token: string, text: string, start: number): boolean {
  for (let i = token.length - 1; i >= 0; i--) {
    if (token.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  }
  return true;
}
