/**
 * Quoting for the shell commands that fixes and readiness items suggest. Accounts, paths,
 * domains and IPs in those commands come from logs that an attacker can write to, so each
 * value must reach the shell as one word and never as shell syntax.
 */

/** A word made only of these characters means the same quoted or not in a POSIX shell. */
const SAFE_WORD = /^[A-Za-z0-9@._+-]+$/;

/**
 * Quotes `value` as one POSIX shell word. A value made only of letters, digits and `@._+-` is
 * returned unchanged. Any other value is put in single quotes, inside which a POSIX shell
 * treats every character literally, and each `'` in it becomes `'\''`. An empty value becomes
 * `''`. Quoting cannot stop a value that starts with `-` from being read as an option.
 */
export function shellQuote(value: string): string {
  if (SAFE_WORD.test(value)) return value;
  return `'${value.replaceAll("'", "'\\''")}'`;
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
