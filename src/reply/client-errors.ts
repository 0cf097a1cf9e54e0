import type { Unwrapped } from "./wrappers.js";

/**
 * Replies inside client-library exceptions, where the reply code is written apart from the text
 * or not as digits at all: Python's smtplib tuples, Rust's `lettre` debug output, and the
 * `(421)` suffix of Java mail exceptions.
 */

// lettre's Severity, Category and Detail enums spell the three digits of the reply code.
const RUST_SEVERITY: Readonly<Record<string, number>> = {
  PositiveCompletion: 2,
  PositiveIntermediate: 3,
  TransientNegativeCompletion: 4,
  PermanentNegativeCompletion: 5,
};
const RUST_CATEGORY: Readonly<Record<string, number>> = {
  Syntax: 0,
  Information: 1,
  Connections: 2,
  Unspecified3: 3,
  Unspecified4: 4,
  MailSystem: 5,
};
const RUST_DETAIL = [
  "Zero",
  "One",
  "Two",
  "Three",
  "Four",
  "Five",
  "Six",
  "Seven",
  "Eight",
  "Nine",
];

// The head of lettre's debug output up to the message list; the list ends at the first "] }".
const RUST_RESPONSE_HEAD =
  /Response\s*\{\s*code:\s*Code\s*\{\s*severity:\s*(\w+),\s*category:\s*(\w+),\s*detail:\s*(\w+)\s*\},\s*message:\s*\[/;
const RUST_MESSAGE_END = /\]\s*\}/;
// The opening of smtplib's (code, b'text') tuple; the text runs to the last quote before ")".
const PYTHON_TUPLE_START = /\((\d{3}),\s*b?(['"])/;
const JAVA_SUFFIX = /\((\d{3})\)\s*$/;

/** Returns the reply inside a client-library exception, or null when the text is not one. */
export function unwrapClientError(text: string): Unwrapped | null {
  return unwrapRust(text) ?? unwrapPython(text) ?? unwrapJava(text);
}

function unwrapRust(text: string): Unwrapped | null {
  const match = RUST_RESPONSE_HEAD.exec(text);
  if (match === null) return null;
  const rest = text.slice(match.index + match[0].length);
  const end = RUST_MESSAGE_END.exec(rest);
  if (end === null) return null;

  const severity = RUST_SEVERITY[match[1] ?? ""];
  const category = RUST_CATEGORY[match[2] ?? ""];
  const detail = RUST_DETAIL.indexOf(match[3] ?? "");
  const replyCode =
    severity === undefined || category === undefined || detail < 0
      ? null
      : severity * 100 + category * 10 + detail;
  return clientReply(quotedStrings(rest.slice(0, end.index)).join("\n"), replyCode);
}

/** Returns the contents of the double-quoted strings of a Rust debug list, escapes kept. */
function quotedStrings(list: string): string[] {
  const strings: string[] = [];
  let open = list.indexOf('"');
  while (open >= 0) {
    let close = open + 1;
    while (close < list.length && list[close] !== '"') close += list[close] === "\\" ? 2 : 1;
    if (close >= list.length) break;
    strings.push(list.slice(open + 1, close));
    open = list.indexOf('"', close + 1);
  }
  return strings;
}

function unwrapPython(text: string): Unwrapped | null {
  const start = PYTHON_TUPLE_START.exec(text);
  if (start === null) return null;

  const textStart = start.index + start[0].length;
  const end = lastClosingQuote(text, start[2] ?? "'", textStart);
  if (end < 0) return null;
  return clientReply(text.slice(textStart, end), Number(start[1]));
}

/** Returns the index of the last `quote` at or after `from` that only blanks separate from ")". */
function lastClosingQuote(text: string, quote: string, from: number): number {
  let end = -1;
  const closing = new RegExp(String.raw`${quote}\s*\)`, "g");
  closing.lastIndex = from;
  for (let match = closing.exec(text); match !== null; match = closing.exec(text)) {
    end = match.index;
  }
  return end;
}

function unwrapJava(text: string): Unwrapped | null {
  const match = JAVA_SUFFIX.exec(text);
  if (match === null) return null;
  return clientReply(text.slice(0, match.index).trimEnd(), Number(match[1]));
}

function clientReply(body: string, replyCode: number | null): Unwrapped {
  return {
    body,
    flattened: false,
    remoteHost: null,
    remoteIp: null,
    stage: null,
    replyCode,
    dsn: null,
  };
}
