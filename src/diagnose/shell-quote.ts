/**
 * Quoting for the shell commands that fixes and readiness items suggest. Accounts, paths,
 * domains and IPs in those commands come from logs that an attacker can write to, so each
 * value must reach the shell as one word and never as shell syntax.
 */

import { utf8SequenceLength } from "../logs/reader/display.js";

/** A word made only of these characters means the same quoted or not in a POSIX shell. */
const SAFE_WORD = /^[A-Za-z0-9@._+-]+$/;

/**
 * Characters that a terminal does not show as themselves: controls, format characters such as
 * U+202E (right-to-left override) and U+200B (zero width space), separators other than the
 * space, and unassigned, private-use and surrogate code points. Inside single quotes they
 * would reach the shell raw, so a copied command could hold a character the reader never saw.
 */
const HIDDEN_CHARACTER = /^(?! )[\p{C}\p{Z}]$/u;

/**
 * Quotes `value` as one shell word that names exactly the bytes of `value`. A value made only
 * of letters, digits and `@._+-` is returned unchanged. A value whose characters all show as
 * themselves is put in single quotes, inside which a POSIX shell treats every character
 * literally, and each `'` in it becomes `'\''`. An empty value becomes `''`.
 *
 * A value with a hidden character (see `HIDDEN_CHARACTER`), or with a byte that is not part of
 * valid UTF-8, gets ANSI-C quoting instead: `$'...'`, with each such byte written as `\xNN`.
 * NOTE: bash reads this quoting, but dash (Debian's /bin/sh) does not, so such a command works
 * only when pasted into bash or another shell that supports `$'...'`.
 *
 * `value` is log text as the reader decodes it (one char per byte, see `decodeForDisplay`), so
 * a char from U+0080 to U+00FF is a byte. Chars above U+00FF are taken as Unicode and written
 * as their UTF-8 bytes. Quoting cannot stop a value that starts with `-` from being
 * read as an option.
 */
export function shellQuote(value: string): string {
  if (SAFE_WORD.test(value)) return value;
  const pieces = shellPieces(value);
  if (pieces.every((piece) => !piece.escaped)) return `'${value.replaceAll("'", "'\\''")}'`;
  const body = pieces.map((piece) =>
    piece.escaped ? piece.text : piece.text.replace(/[\\']/g, "\\$&"),
  );
  return `$'${body.join("")}'`;
}

/** A character of `value` kept as written, or a hidden one written as `\xNN` escapes. */
interface ShellPiece {
  readonly text: string;
  readonly escaped: boolean;
}

/** Splits `value` into characters, writing each hidden character and stray byte as escapes. */
function shellPieces(value: string): ShellPiece[] {
  const pieces: ShellPiece[] = [];
  let index = 0;
  while (index < value.length) {
    const { length, bytes, hidden } = characterAt(value, index);
    if (hidden) pieces.push({ text: hexEscapes(bytes), escaped: true });
    else pieces.push({ text: value.slice(index, index + length), escaped: false });
    index += length;
  }
  return pieces;
}

/** Returns the character at `index`: its length in `value`, its bytes, and whether it is hidden. */
function characterAt(
  value: string,
  index: number,
): { length: number; bytes: Buffer; hidden: boolean } {
  const code = value.charCodeAt(index);
  if (code < 0x80) {
    return {
      length: 1,
      bytes: Buffer.from([code]),
      hidden: HIDDEN_CHARACTER.test(value.charAt(index)),
    };
  }
  if (code <= 0xff) {
    const length = utf8SequenceLength(value, index);
    const bytes = Buffer.from(value.slice(index, index + length), "latin1");
    // A byte that starts no valid UTF-8 sequence is escaped, because a terminal would show it
    // as another character, whose bytes differ.
    const hidden = length === 1 || HIDDEN_CHARACTER.test(bytes.toString("utf8"));
    return { length, bytes, hidden };
  }
  const character = String.fromCodePoint(value.codePointAt(index) ?? code);
  const bytes = Buffer.from(character, "utf8");
  return { length: character.length, bytes, hidden: HIDDEN_CHARACTER.test(character) };
}

function hexEscapes(bytes: Buffer): string {
  return [...bytes].map((byte) => `\\x${byte.toString(16).padStart(2, "0")}`).join("");
}

/**
 * Wraps a command in a Markdown code span. A command that contains backticks, such as one with
 * a quoted account name, is fenced by a backtick run one longer than its longest run, so that
 * the span ends where the command ends. The space on each side lets the command start or end
 * with a backtick, and CommonMark renderers strip it again (CommonMark spec, "Code spans").
 */
export function codeSpan(command: string): string {
  const runs = command.match(/`+/g) ?? [];
  if (runs.length === 0) return `\`${command}\``;
  const fence = "`".repeat(Math.max(...runs.map((run) => run.length)) + 1);
  return `${fence} ${command} ${fence}`;
}

/**
 * Escapes the metacharacters of `value` for a Perl or POSIX extended regular expression, so
 * that the expression matches `value` literally. `exiqgrep -f` takes such an expression, and
 * an account name such as `a|b` would otherwise match other senders' mail too.
 */
export function regexLiteral(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}
