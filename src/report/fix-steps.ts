/**
 * Layout of the commands in fix steps. A step marks a command as a code span. A command of
 * more than one word is printed on a line of its own and never wrapped, so that it can be
 * copied and pasted whole, because a line break inside a pipeline ends it in the shell.
 */

import { codeSpanRanges } from "./markdown-text.js";

/** A piece of a fix step: text to wrap, or a command to print unwrapped on its own line. */
export interface StepPart {
  readonly kind: "text" | "command";
  readonly text: string;
}

/**
 * Splits a fix step at its commands: the code spans whose command contains whitespace. A code
 * span of one word, such as `mailq`, stays in the text, because no line break can split it.
 * The punctuation that ends the sentence of a command (`.`, `,`, `;` or `:` right after it) is
 * dropped, because it would be copied with the command. `logValues` are the log values that the
 * step repeats, whose backticks open no code span (see `codeSpanRanges`).
 */
export function splitCommands(step: string, logValues: readonly string[] = []): StepPart[] {
  const parts: StepPart[] = [];
  let textStart = 0;
  for (const span of codeSpanRanges(step, logValues)) {
    const command = spanContent(step.slice(span.start, span.end));
    if (!/\s/.test(command)) continue;
    pushText(parts, step.slice(textStart, span.start));
    parts.push({ kind: "command", text: command });
    textStart = span.end;
  }
  pushText(parts, step.slice(textStart));
  return parts;
}

function pushText(parts: StepPart[], text: string): void {
  const afterCommand = parts.at(-1)?.kind === "command";
  const trimmed = (afterCommand ? text.replace(/^[.,;:]+/, "") : text).trim();
  if (trimmed !== "") parts.push({ kind: "text", text: trimmed });
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
