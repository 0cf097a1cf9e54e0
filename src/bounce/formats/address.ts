/** Finding and normalising e-mail addresses in bounce texts. */

const ADDRESS_SOURCE = String.raw`(?:"[^"\n]+"|[A-Za-z0-9!#$%&'*+/=?^_\`{|}~.-]+)@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*`;

/** A pattern that matches one address (no anchors, no flags). */
export const ADDRESS = new RegExp(ADDRESS_SOURCE);

const FIRST_ADDRESS = new RegExp(`(${ADDRESS_SOURCE})`);

/** Returns the first address in the text, normalised, or null. */
export function firstAddress(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const match = FIRST_ADDRESS.exec(text);
  return match === null ? null : normaliseAddress(match[1] ?? "");
}

/**
 * Normalises an address: strips brackets, quotes around the whole address, a trailing dot,
 * and lower-cases the domain (local parts are case-sensitive by RFC 5321 section 2.4).
 */
export function normaliseAddress(address: string): string {
  let bare = address.trim().replace(/^[<"'(]+|[>"'),;:.]+$/g, "");
  const at = bare.lastIndexOf("@");
  if (at > 0) bare = bare.slice(0, at + 1) + bare.slice(at + 1).toLowerCase();
  return bare;
}

/** True for text that is a plausible address: a local part, `@` and a dotted domain. */
export function isAddress(text: string): boolean {
  return new RegExp(`^${ADDRESS_SOURCE}$`).test(text) && /@[^@]+\.[A-Za-z]{2,}$/.test(text);
}
