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

const RUST_RESPONSE =
  /Response\s*\{\s*code:\s*Code\s*\{\s*severity:\s*(\w+),\s*category:\s*(\w+),\s*detail:\s*(\w+)\s*\},\s*message:\s*\[([\s\S]*?)\]\s*\}/;
const PYTHON_TUPLE = /\((\d{3}),\s*b?(['"])([\s\S]*)\2\s*\)/;
const JAVA_SUFFIX = /\s*\((\d{3})\)\s*$/;

/** Returns the reply inside a client-library exception, or null when the text is not one. */
export function unwrapClientError(text: string): Unwrapped | null {
  return unwrapRust(text) ?? unwrapPython(text) ?? unwrapJava(text);
}

function unwrapRust(text: string): Unwrapped | null {
  const match = RUST_RESPONSE.exec(text);
  if (match === null) return null;

  const severity = RUST_SEVERITY[match[1] ?? ""];
  const category = RUST_CATEGORY[match[2] ?? ""];
  const detail = RUST_DETAIL.indexOf(match[3] ?? "");
  const replyCode =
    severity === undefined || category === undefined || detail < 0
      ? null
      : severity * 100 + category * 10 + detail;
  const lines = [...(match[4] ?? "").matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((line) => line[1] ?? "");
  return clientReply(lines.join("\n"), replyCode);
}

function unwrapPython(text: string): Unwrapped | null {
  const match = PYTHON_TUPLE.exec(text);
  if (match === null) return null;
  return clientReply(match[3] ?? "", Number(match[1]));
}

function unwrapJava(text: string): Unwrapped | null {
  const match = JAVA_SUFFIX.exec(text);
  if (match === null) return null;
  return clientReply(text.slice(0, match.index), Number(match[1]));
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
