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
 * A direct-mapped cache from a token's characters to one string. A slot contains the last token
 * that hashed to it; a miss slices the token from the line and replaces the slot, so memory
 * stays bounded whatever the input.
 */
export class TokenCache {
  private readonly slots: string[] = new Array<string>(SLOT_COUNT).fill("");

  /** Returns `text.slice(start, end)`, as the cached string object when there is one. */
  slice(text: string, start: number, end: number): string {
    const cached = this.find(text, start, end);
    if (cached !== null) return cached;
    const token = text.slice(start, end);
    if (token.length > 0 && token.length <= MAX_TOKEN_LENGTH) {
      this.slots[this.slotOf(text, start, end)] = token;
    }
    return token;
  }

  /**
   * Returns the cached token that equals `text` from `start` to `end`, or null. It reads three
   * characters of the text and compares the rest in one native call: `indexOf` from `start`
   * returns `start` at once on a match. A mismatch costs a search of the rest of the line,
   * but mismatches are rare, because they need two tokens that share a slot.
   */
  find(text: string, start: number, end: number): string | null {
    const length = end - start;
    if (length <= 0 || length > MAX_TOKEN_LENGTH) return null;
    const cached = this.slots[this.slotOf(text, start, end)] ?? "";
    return cached.length === length && text.indexOf(cached, start) === start ? cached : null;
  }

  private slotOf(text: string, start: number, end: number): number {
    const length = end - start;
    const middle = text.charCodeAt(start + (length >> 1));
    const last = text.charCodeAt(end - 1);
    return (length * 31 + text.charCodeAt(start) * 7 + middle * 3 + last) & (SLOT_COUNT - 1);
  }
}
