/**
 * Quoting for the shell commands that fixes and readiness items suggest. Accounts, paths,
 * domains and IPs in those commands come from logs that an attacker can write to, so each
 * value must reach the shell as one word and never as shell syntax.
 */

import { utf8SequenceLength } from "../logs/reader/display.js";
import { isHiddenCharacter } from "./hidden-characters.js";

/** A word made only of these characters means the same quoted or not in a POSIX shell. */
const SAFE_WORD = /^[A-Za-z0-9@._+-]+$/;

/**
 * Quotes `value` as one shell word that names exactly the bytes of `value`, in any POSIX shell
 * (dash and bash alike). A value made only of letters, digits and `@._+-` is returned
 * unchanged. A value whose characters all show as themselves is put in single quotes, inside
 * which a POSIX shell treats every character literally, and each `'` in it becomes `'\''`.
 * An empty value becomes `''`.
 *
 * A value with a hidden character (see `isHiddenCharacter`, plus tab and line feed), or with a
 * byte that is not part of valid UTF-8, becomes `"$(printf 'FORMAT')"`. FORMAT keeps the other
 * characters as written and writes each hidden byte, `\`, `%`, `'`, space and a leading `-`
 * as a three-digit octal escape such as `\342`. So the command shows no hidden character,
 * printf takes no option, and the only space is the one after `printf`, at which the text
 * report never breaks a line (see `wrap`). One printf contains the whole value, because
 * command substitution removes line feeds only at the end of its output.
 * NOTE: a line feed at the very end of a value and every NUL byte are still lost. Log values
 * contain no line feed, because the reader splits lines at it, and no process argument can
 * contain a NUL byte.
 *
 * `value` is log text as the reader decodes it (one char per byte, see `decodeForDisplay`), so
 * a char from U+0080 to U+00FF is a byte. Chars above U+00FF are taken as Unicode and written
 * as their UTF-8 bytes. Quoting cannot stop a value that starts with `-` from being
 * read as an option by the command that receives it.
 */
export function shellQuote(value: string): string {
  if (SAFE_WORD.test(value)) return value;
  const characters = shellCharacters(value);
  if (characters.every((character) => !character.hidden)) {
    return `'${value.replaceAll("'", "'\\''")}'`;
  }
  const format = characters.map((character, index) => {
    const special = character.text === "-" ? index === 0 : PRINTF_SPECIAL.has(character.text);
    return character.hidden || special ? octalEscapes(character.bytes) : character.text;
  });
  return `"$(printf '${format.join("")}')"`;
}

/** Characters that a printf format in single quotes cannot contain as written, and the space. */
const PRINTF_SPECIAL = new Set(["\\", "%", "'", " "]);

/** A character of a value: its text in the value, its bytes, and whether it is hidden. */
interface ShellCharacter {
  readonly text: string;
  readonly bytes: Buffer;
  readonly hidden: boolean;
}

/** Splits `value` into characters. A byte outside valid UTF-8 is a hidden character of its own. */
function shellCharacters(value: string): ShellCharacter[] {
  const characters: ShellCharacter[] = [];
  let index = 0;
  while (index < value.length) {
    const character = characterAt(value, index);
    characters.push(character);
    index += character.text.length;
  }
  return characters;
}

function characterAt(value: string, index: number): ShellCharacter {
  const code = value.charCodeAt(index);
  if (code < 0x80) {
    const text = value.charAt(index);
    return { text, bytes: Buffer.from([code]), hidden: isHiddenInCommand(text) };
  }
  if (code <= 0xff) {
    const length = utf8SequenceLength(value, index);
    const text = value.slice(index, index + length);
    const bytes = Buffer.from(text, "latin1");
    // A byte that starts no valid UTF-8 sequence is escaped, because a terminal would show it
    // as another character, whose bytes differ.
    const hidden = length === 1 || isHiddenInCommand(bytes.toString("utf8"));
    return { text, bytes, hidden };
  }
  const text = String.fromCodePoint(value.codePointAt(index) ?? code);
  return { text, bytes: Buffer.from(text, "utf8"), hidden: isHiddenInCommand(text) };
}

/**
 * Returns whether `character` must be escaped in a command: a hidden character, or a tab or
 * line feed, which a report would show as a space or split the command at.
 */
function isHiddenInCommand(character: string): boolean {
  return character === "\t" || character === "\n" || isHiddenCharacter(character);
}

function octalEscapes(bytes: Buffer): string {
  return [...bytes].map((byte) => `\\${byte.toString(8).padStart(3, "0")}`).join("");
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
