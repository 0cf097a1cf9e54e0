import {
  escapeLineControlsInQuotes,
  showHiddenNonControlCharacters,
} from "../diagnose/hidden-characters.js";
import type { CliIo } from "./io.js";

/** Control characters except tab and newline: C0, DEL and C1. */
// eslint-disable-next-line no-control-regex -- finding control characters is the purpose
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Control sequences that may pass unescaped besides text, tab and newline. */
interface AllowedControls {
  /** Colour and bold (SGR, `ESC [ … m`), which delist's own painter writes on a terminal. */
  readonly colour: boolean;
  /** The progress line's carriage return and erase-line (`ESC [ K`) on a terminal. */
  readonly progress: boolean;
}

/**
 * Replaces each control character with a visible escape such as `\u001b`, except tab,
 * newline and the allowed sequences. Log lines, SMTP replies and bounce messages come from
 * other people, and a reply can carry sequences that clear the screen, retitle the terminal
 * or hide text behind carriage returns and backspaces. In JSON output the escape is the same
 * value, because `JSON.stringify` leaves only DEL and C1 characters raw and `\u007f` is how
 * JSON writes them.
 */
export function escapeControls(text: string, allowed: AllowedControls): string {
  if (!CONTROL.test(text)) return text;
  let result = "";
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    const isControl =
      (code < 0x20 && code !== 0x09 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
    if (!isControl) {
      result += text[index];
      index += 1;
      continue;
    }
    const allowedLength = allowedSequence(text, index, allowed);
    if (allowedLength > 0) {
      result += text.slice(index, index + allowedLength);
      index += allowedLength;
      continue;
    }
    result += `\\u${code.toString(16).padStart(4, "0")}`;
    index += 1;
  }
  return result;
}

/** Returns the length of the allowed sequence that starts at `index`, or 0. */
function allowedSequence(text: string, index: number, allowed: AllowedControls): number {
  const code = text.charCodeAt(index);
  if (code === 0x0d) return allowed.progress ? 1 : 0;
  if (code !== 0x1b) return 0;
  // eslint-disable-next-line no-control-regex -- the sequences start with ESC
  const sequence = /^\u001b\[(?:[0-9;]*m|K)/.exec(text.slice(index, index + 16));
  if (sequence === null) return 0;
  const isColour = sequence[0].endsWith("m");
  return (isColour ? allowed.colour : allowed.progress) ? sequence[0].length : 0;
}

/**
 * Returns `io` with standard output and standard error that escape control characters in
 * every string written to them (see `escapeControls`). Standard error, which carries error
 * messages and notes as text, also escapes the other hidden characters, such as U+202E, the
 * way the text reports do, and line breaks and tabs inside double-quoted values (see
 * `escapeLineControlsInQuotes`). Standard output leaves them to the report, because JSON
 * output must carry them as they are. Buffers pass as they are.
 */
export function withSafeOutput(io: CliIo, colour: boolean): CliIo {
  const stderrIsTty = io.stderr.isTTY === true;
  const stderrControls = { colour: colour && stderrIsTty, progress: stderrIsTty };
  const stderrJsonLines = escaping(io.stderr, stderrControls, false);
  return {
    ...io,
    stdout: escaping(io.stdout, { colour, progress: false }, false),
    stderr: escaping(io.stderr, stderrControls, true, stderrJsonLines),
  };
}

// The property of a stream from `withSafeOutput` that returns the same stream without the
// escapes of hidden characters other than controls.
const JSON_LINES = Symbol("stream for JSON lines");

/**
 * Returns the stream that `withSafeOutput` made of standard error without the escapes of
 * hidden characters other than controls, or `stream` itself. A JSON log line must carry
 * such characters as they are, because `\u{e0001}`, the escape above U+FFFF, is not JSON.
 */
export function forJsonLines(stream: NodeJS.WritableStream): NodeJS.WritableStream {
  const jsonLines: unknown = Reflect.get(stream, JSON_LINES);
  return jsonLines === undefined ? stream : (jsonLines as NodeJS.WritableStream);
}

function escaping<T extends NodeJS.WritableStream>(
  stream: T,
  allowed: AllowedControls,
  escapeHidden: boolean,
  jsonLines?: T,
): T {
  const escape = (text: string): string => {
    if (!escapeHidden) return escapeControls(text, allowed);
    // Quoted line breaks first, so that a carriage return in a value reads `\r` and not the
    // `\u000d` of `escapeControls`.
    const controlsEscaped = escapeControls(escapeLineControlsInQuotes(text), allowed);
    return showHiddenNonControlCharacters(controlsEscaped);
  };
  return new Proxy(stream, {
    get(target, property, receiver) {
      if (property === JSON_LINES) return jsonLines;
      if (property === "write") {
        return (chunk: unknown, ...rest: unknown[]) => {
          const safe = typeof chunk === "string" ? escape(chunk) : chunk;
          return (target.write as (...args: unknown[]) => boolean).call(target, safe, ...rest);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function"
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
