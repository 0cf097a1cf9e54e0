/**
 * Layout of the commands in fix steps. A step marks a command as a code span. A long command
 * of several words is printed on a line of its own, so that it can be copied and pasted whole.
 * Only a pipeline too wide for the report is broken, at places where the shell continues it
 * (see `pipelineLines`).
 */

import { codeSpanRanges } from "./markdown-text.js";
import { columns, wrap, WIDTH } from "./wrap.js";

/** A piece of a fix step: text to wrap, or a command to print unwrapped on its own line. */
export interface StepPart {
  readonly kind: "text" | "command";
  readonly text: string;
}

/**
 * Splits a fix step at its long commands: the code spans of several words and at least
 * `OWN_LINE_CHARS` characters. Shorter code spans stay in the text, where `wrap` keeps them whole.
 * The punctuation that ends the sentence of a command (`.`, `,`, `;` or `:` right after it) is
 * dropped, because it would be copied with the command. `logValues` are the log values that the
 * step repeats, whose backticks open no code span (see `codeSpanRanges`).
 */
export function splitCommands(step: string, logValues: readonly string[] = []): StepPart[] {
  const spans = codeSpanRanges(step, logValues);
  const commands = spans.filter((span) =>
    isLongCommand(spanContent(step.slice(span.start, span.end))),
  );
  const dropped = enclosingParentheses(step, spans, commands);
  const parts: StepPart[] = [];
  let textStart = 0;
  for (const span of commands) {
    pushText(parts, step, textStart, span.start, dropped);
    parts.push({ kind: "command", text: spanContent(step.slice(span.start, span.end)) });
    textStart = span.end;
  }
  pushText(parts, step, textStart, step.length, dropped);
  return parts;
}

/**
 * Wraps a fix step or any sentence with commands like `wrap`, but prints each command (see
 * `splitCommands`) unwrapped on a line of its own, two columns deeper than the text. A command
 * that would end past `WIDTH` there starts further left, down to `MIN_COMMAND_INDENT`, when
 * that makes it fit. A command too wide for any indent starts two columns deeper than the text.
 * A pipeline is then broken over lines (see `pipelineLines`), and any other command stays whole
 * and ends past `WIDTH`.
 */
export function fixStepLines(
  step: string,
  first: string,
  rest = " ".repeat(first.length),
  logValues: readonly string[] = [],
): string[] {
  const lines: string[] = [];
  for (const part of splitCommands(step, logValues)) {
    const prefix = lines.length === 0 ? first : rest;
    if (part.kind === "text") {
      lines.push(...wrap(part.text, prefix, rest));
      continue;
    }
    if (lines.length === 0) lines.push(first.trimEnd());
    lines.push(...commandLines(rest, part.text));
  }
  return lines;
}

// Returns the lines of a command. It is one line at `commandIndent`, unless it is a pipeline or
// a `delist` command too wide for any indent (see `pipelineLines`).
function commandLines(rest: string, command: string): string[] {
  const indent = commandIndent(rest, command);
  if (columns(indent) + columns(command) <= WIDTH) return [`${indent}${command}`];
  return pipelineLines(command, indent) ?? [`${indent}${command}`];
}

/** Columns of the smallest indent of a command line, the indent of a finding's text. */
const MIN_COMMAND_INDENT = 4;

// Returns the indent of a command line. It is two columns deeper than the text's `rest` indent,
// and less where that makes a command fit that would end past `WIDTH`, but never less than
// `MIN_COMMAND_INDENT`.
function commandIndent(rest: string, command: string): string {
  const usual = columns(rest) + 2;
  const fitting = WIDTH - columns(command);
  return " ".repeat(fitting < MIN_COMMAND_INDENT ? usual : Math.min(usual, fitting));
}

/**
 * Breaks a shell pipeline that is too wide for the report into lines of at most `WIDTH`
 * columns, so that it can still be copied and pasted whole. Each line ends after its last `|`,
 * which continues the pipeline in the shell. A line without a `|` ends with ` \`, the shell's
 * line continuation. The breaks lie only between words outside quotes, and continuation lines
 * are two columns deeper than the first. A `delist` command is broken the same way, at ` \`.
 * Returns null for any other command without a `|` outside quotes (such as a DNS record, which
 * a backslash would change) or with unbalanced quotes.
 * NOTE: a single word wider than a line, such as a long quoted sender, still ends past `WIDTH`.
 */
function pipelineLines(command: string, indent: string): string[] | null {
  const words = shellWords(command);
  if (words === null || !(words.includes("|") || words[0] === "delist")) return null;
  const lines: string[] = [];
  let lineIndent = indent;
  let pending: string[] = [];
  for (const word of words) {
    pending.push(word);
    while (pending.length > 1 && !fitsLine(lineIndent, pending)) {
      // Break after the line's last `|`, or else before the word that did not fit.
      const pipe = pending.lastIndexOf("|", pending.length - 2);
      const cut = pipe >= 0 ? pipe + 1 : pending.length - 1;
      const line = `${lineIndent}${pending.slice(0, cut).join(" ")}`;
      lines.push(pipe >= 0 ? line : `${line} \\`);
      pending = pending.slice(cut);
      lineIndent = `${indent}  `;
    }
  }
  lines.push(`${lineIndent}${pending.join(" ")}`);
  return lines;
}

// True when `words` fit on a line after `indent`, with room for a ` \` unless they end in `|`.
function fitsLine(indent: string, words: readonly string[]): boolean {
  const continuation = words.at(-1) === "|" ? 0 : 2;
  return columns(indent) + columns(words.join(" ")) + continuation <= WIDTH;
}

/**
 * Splits a shell command into its words at the spaces outside single and double quotes, with a
 * backslash outside single quotes escaping the next character. Returns null when a quote is
 * not closed.
 */
function shellWords(command: string): string[] | null {
  const words: string[] = [];
  let word = "";
  let quote: "'" | '"' | null = null;
  for (let index = 0; index < command.length; index++) {
    const char = command.charAt(index);
    if (char === "\\" && quote !== "'") {
      word += command.slice(index, index + 2);
      index += 1;
      continue;
    }
    if (quote === null && char === " ") {
      if (word !== "") words.push(word);
      word = "";
      continue;
    }
    if (char === "'" || char === '"') {
      if (quote === null) quote = char;
      else if (quote === char) quote = null;
    }
    word += char;
  }
  if (quote !== null) return null;
  if (word !== "") words.push(word);
  return words;
}

/**
 * Code spans at least this long go on a line of their own. A shorter one, such as `postqueue
 * -f` or a setting like `smtp_tls_security_level = may`, fits on a line after its text, and
 * `wrap` keeps it whole there.
 */
const OWN_LINE_CHARS = 40;

function isLongCommand(command: string): boolean {
  return command.length >= OWN_LINE_CHARS && /\s/.test(command);
}

// Adds the text of `step` from `start` to `end`, less the parentheses in `dropped`. A text that
// lost its `(` before a command ends with a colon: "a record (at least `v=DMARC1; p=none`)"
// reads "a record at least:" above the command.
function pushText(
  parts: StepPart[],
  step: string,
  start: number,
  end: number,
  dropped: ReadonlySet<number>,
): void {
  let text = "";
  let opened = false;
  for (let index = start; index < end; index++) {
    if (!dropped.has(index)) text += step.charAt(index);
    else if (step.charAt(index) === "(") opened = true;
  }
  const afterCommand = parts.at(-1)?.kind === "command";
  let trimmed = (afterCommand ? text.trimStart().replace(/^[.,;:]+/, "") : text).trim();
  if (opened && end < step.length && trimmed !== "") trimmed = `${trimmed.replace(/[.,;:]$/, "")}:`;
  if (trimmed !== "") parts.push({ kind: "text", text: trimmed });
}

/**
 * Returns the positions of the parentheses that enclose a command, outside code spans. A
 * command printed on its own line would otherwise leave a `(` at the end of the line above and
 * a `)` alone at the start of the line below.
 */
function enclosingParentheses(
  step: string,
  spans: readonly { start: number; end: number }[],
  commands: readonly { start: number; end: number }[],
): Set<number> {
  const dropped = new Set<number>();
  const open: number[] = [];
  let spanIndex = 0;
  for (let index = 0; index < step.length; index++) {
    const span = spans[spanIndex];
    if (span !== undefined && index === span.start) {
      index = span.end - 1;
      spanIndex += 1;
      continue;
    }
    const char = step.charAt(index);
    if (char === "(") open.push(index);
    if (char !== ")") continue;
    const opening = open.pop();
    if (opening === undefined) continue;
    if (commands.some((command) => command.start > opening && command.end <= index)) {
      dropped.add(opening);
      dropped.add(index);
    }
  }
  return dropped;
}

/**
 * Returns the command inside a code span: the text between its backtick fences, less the one
 * space that CommonMark strips from each end when both ends have one (see `codeSpan`).
 */
function spanContent(span: string): string {
  const fence = /^`+/.exec(span)?.[0].length ?? 0;
  const inner = span.slice(fence, span.length - fence);
  const padded = inner.length > 2 && inner.startsWith(" ") && inner.endsWith(" ");
  return padded && inner.trim() !== "" ? inner.slice(1, -1) : inner;
}
