/**
 * Layout of the commands in fix steps. A step marks a command as a code span. A long command
 * of several words is printed on a line of its own and never wrapped, so that it can be copied
 * and pasted whole, because a line break inside a pipeline ends it in the shell.
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
 * that makes it fit. A command too wide for any indent stays whole, two columns deeper than the
 * text, and ends past `WIDTH`. Moving it left would not make it fit and would take it out of its
 * step.
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
    lines.push(`${commandIndent(rest, part.text)}${part.text}`);
  }
  return lines;
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
