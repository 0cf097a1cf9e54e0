/**
 * Characters that a terminal or a Markdown renderer does not show as themselves. Account names,
 * script paths and reply texts come from logs that an attacker can write to, and such a
 * character can make one value look like another. U+202E (right-to-left override) shows the
 * text after it reversed, U+200B (zero width space) shows as nothing, and U+00A0 (no-break
 * space) shows as a plain space.
 *
 * The set is the control characters other than tab and line feed, format characters, private
 * use, surrogate and unassigned code points, line and paragraph separators, space separators
 * other than U+0020, and every Default_Ignorable_Code_Point (such as U+3164, Hangul filler).
 * Unassigned means unassigned in the Unicode version of the running Node.js
 * (`process.versions.unicode`).
 * Tab and line feed are left out, because multi-line replies contain them and the text report
 * lays them out as spaces and line breaks.
 */
const CONTROL_SOURCE = "[^\\P{Cc}\\t\\n]";

const HIDDEN_NON_CONTROL_SOURCE = [
  "[\\p{Cf}\\p{Co}\\p{Cs}\\p{Cn}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}]",
  "[^\\P{Zs} ]",
].join("|");

const HIDDEN_CHARACTER_SOURCE = `${CONTROL_SOURCE}|${HIDDEN_NON_CONTROL_SOURCE}`;

const HIDDEN_CHARACTER = new RegExp(`^(?:${HIDDEN_CHARACTER_SOURCE})$`, "u");

const HIDDEN_CHARACTERS = new RegExp(HIDDEN_CHARACTER_SOURCE, "gu");

const HIDDEN_NON_CONTROL_CHARACTERS = new RegExp(HIDDEN_NON_CONTROL_SOURCE, "gu");

/** Returns whether `character`, one code point, is hidden (see the set above). */
export function isHiddenCharacter(character: string): boolean {
  return HIDDEN_CHARACTER.test(character);
}

/**
 * Replaces each hidden character of `text` with a visible escape: `\u202e`, or `\u{e0001}`
 * above U+FFFF. The text and Markdown reports use this one form, and so does the CLI when it
 * escapes the control characters in everything it writes.
 */
export function showHiddenCharacters(text: string): string {
  return text.replace(HIDDEN_CHARACTERS, escapeCharacter);
}

/**
 * Replaces each hidden character of `text` that is not a control character with the escape
 * of `showHiddenCharacters`. This is for output whose control characters are escaped
 * separately, so that delist's own colour and progress sequences can pass.
 */
export function showHiddenNonControlCharacters(text: string): string {
  return text.replace(HIDDEN_NON_CONTROL_CHARACTERS, escapeCharacter);
}

/** The escapes that JSON writes for line feed, carriage return and tab. */
const LINE_CONTROL_ESCAPES: Readonly<Record<string, string>> = {
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** A double-quoted value, from a quote to the next one. */
const QUOTED_VALUE = /"[^"]*"/g;

/**
 * Replaces each line feed, carriage return and tab inside a double-quoted value of `text`
 * with `\n`, `\r` or `\t`, as JSON writes them. Messages quote file names and other values
 * that come from users and logs, and such a value must stay on its line, or it can print a
 * line that looks like one of delist's own. Outside quotes these characters are left alone,
 * because messages and help text are laid out with them.
 *
 * NOTE: quotes pair from the start of `text`, so a value that itself contains `"` ends its
 * span early, and the line breaks after that quote stay raw.
 */
export function escapeLineControlsInQuotes(text: string): string {
  return text.replace(QUOTED_VALUE, (value) =>
    value.replace(/[\n\r\t]/g, (character) => LINE_CONTROL_ESCAPES[character] ?? character),
  );
}

function escapeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  const hex = code.toString(16);
  return code > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
}
