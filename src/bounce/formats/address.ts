/** Finding and normalising e-mail addresses in bounce texts. */

// Letters of alphabetic scripts that separate words with spaces: Latin (without × and ÷),
// Greek, Cyrillic, Hebrew, Arabic, and the extended Latin and Greek blocks. They are written
// as UTF-16 ranges, so the pattern also works inside expressions without the `u` flag.
// RFC 6531 allows any UTF-8 in an address.
// NOTE: the pattern leaves out Thai, Chinese, Japanese and Korean letters, because bounce
// texts in those languages write words right up against the address. It also leaves out
// combining marks, and with them accents written apart from their letter and the Indic
// scripts, whose vowel signs are such marks. An address with any of these is read in full
// only from a typed DSN field (`addressOfField`).
const LETTER =
  String.raw`\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02AF\u0370-\u03FF\u0400-\u0482\u048A-\u052F` +
  String.raw`\u05D0-\u05EA\u0620-\u064A\u1E00-\u1FFF`;

const LABEL = String.raw`[A-Za-z0-9${LETTER}](?:[A-Za-z0-9${LETTER}-]*[A-Za-z0-9${LETTER}])?`;

// A quoted local part may contain a backslash pair (quoted-pair, RFC 5321 section 4.1.2), such
// as `\"` for a double quote inside the quotes.
const ADDRESS_SOURCE = String.raw`(?:"(?:[^"\\\n]|\\[^\n])+"|[A-Za-z0-9!#$%&'*+/=?^_\`{|}~.${LETTER}-]+)@${LABEL}(?:\.${LABEL})*`;

/** A pattern that matches one address (no anchors, no flags). */
export const ADDRESS = new RegExp(ADDRESS_SOURCE);

const FIRST_ADDRESS = new RegExp(`(${ADDRESS_SOURCE})`);

// A top-level domain of two or more letters, ASCII or not (`.example`, `.рф`).
const TOP_LEVEL_DOMAIN = new RegExp(String.raw`@[^@]+\.[A-Za-z${LETTER}]{2,}$`);

/** Returns the first address in the text, normalised, or null. */
export function firstAddress(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const match = FIRST_ADDRESS.exec(text);
  return match === null ? null : normaliseAddress(match[1] ?? "");
}

// A field value that is one address and nothing else, in any script: no space, no second `@`.
const WHOLE_ADDRESS = /^<?([^\s<>@]+@[^\s<>@]+)>?$/;

/**
 * Returns the address of a field that contains one address, such as a DSN `Final-Recipient`
 * after its type, in whatever script it is written. Otherwise returns the first address in
 * the text.
 */
export function addressOfField(text: string | null | undefined): string | null {
  const whole = WHOLE_ADDRESS.exec(text?.trim() ?? "");
  return whole === null ? firstAddress(text) : normaliseAddress(whole[1] ?? "");
}

// Brackets and quotes before an address. A double quote counts only when it does not open a
// quoted local part (`"john..doe"@example.org` or `"a\"b"@example.org`, RFC 5321 section
// 4.1.2), whose quotes belong to the address.
const LEADING_MARKS = /^(?:[<'(]|"(?!(?:[^"\\]|\\.)*"@))+/;
const TRAILING_MARKS = /[>"'),;:.]+$/;

/**
 * Normalises an address: strips brackets, quotes around the whole address, a trailing dot,
 * and lower-cases the domain (local parts are case-sensitive by RFC 5321 section 2.4). The
 * quotes of a quoted local part stay.
 */
export function normaliseAddress(address: string): string {
  let bare = address.trim().replace(LEADING_MARKS, "").replace(TRAILING_MARKS, "");
  const at = bare.lastIndexOf("@");
  if (at > 0) bare = bare.slice(0, at + 1) + bare.slice(at + 1).toLowerCase();
  return bare;
}

/** True for text that is a plausible address: a local part, `@` and a dotted domain. */
export function isAddress(text: string): boolean {
  return new RegExp(`^${ADDRESS_SOURCE}$`).test(text) && hasTopLevelDomain(text);
}

/** True when the address ends in a dot and a top-level domain of two or more letters. */
export function hasTopLevelDomain(address: string): boolean {
  return TOP_LEVEL_DOMAIN.test(address);
}
