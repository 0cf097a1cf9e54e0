/**
 * Escaping for the Markdown report. Account names, script paths, reply texts and file names come
 * from logs that an attacker can write to, so each character that Markdown could read as syntax
 * is escaped and the text renders as itself. The rules are CommonMark's backslash escapes, code
 * spans and emphasis, plus the tables and strikethrough of GitHub Flavored Markdown.
 */

import { showHiddenCharacters } from "../diagnose/hidden-characters.js";

/** Characters that a backslash makes literal: code, emphasis, links, table cells, strikethrough. */
const BACKSLASH_ESCAPED = new Set(["\\", "`", "*", "[", "]", "|", "~"]);

/** Characters written as entities, so that no HTML tag or entity can start. */
const ENTITIES: Readonly<Record<string, string>> = { "<": "&lt;", ">": "&gt;", "&": "&amp;" };

const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/**
 * Escapes every character of `text` that Markdown could read as syntax, for text that is all
 * data, such as a log line or an evidence value. Hidden characters become visible escapes.
 */
export function escapeMarkdown(text: string): string {
  return escapeSyntax(showHiddenCharacters(text));
}

function escapeSyntax(text: string): string {
  let escaped = "";
  for (let index = 0; index < text.length; index++) {
    const character = text.charAt(index);
    escaped += escapeCharacter(character, text.charAt(index - 1), text.charAt(index + 1));
  }
  return escaped;
}

function escapeCharacter(character: string, before: string, after: string): string {
  if (BACKSLASH_ESCAPED.has(character)) return `\\${character}`;
  const entity = ENTITIES[character];
  if (entity !== undefined) return entity;
  // An underscore between two letters or digits cannot start or end emphasis, so `a_b` and
  // URLs such as .../gmail_bulk_sender_escalation stay as written.
  const inWord = WORD_CHARACTER.test(before) && WORD_CHARACTER.test(after);
  if (character === "_" && !inWord) return "\\_";
  return character;
}

/**
 * Escapes `text` outside its code spans and keeps the code spans as written, except that
 * hidden characters become visible escapes everywhere. Report sentences such as fix steps put
 * commands in code spans and log values in the plain text between them.
 * Each of `logValues` (compared case-insensitively) found in `text` is taken as plain text or
 * as part of a code span, never as a code span's backticks, so that a backtick in an account
 * name cannot open a code span.
 */
export function markdownInline(text: string, logValues: readonly string[] = []): string {
  let rendered = "";
  let plainStart = 0;
  for (const span of codeSpanRanges(text, logValues)) {
    rendered += escapeMarkdown(text.slice(plainStart, span.start));
    rendered += showHiddenCharacters(text.slice(span.start, span.end));
    plainStart = span.end;
  }
  return rendered + escapeMarkdown(text.slice(plainStart));
}

/**
 * Finds the code spans of report text such as a fix step, as `markdownInline` reads them: each
 * of `logValues` in `text` is plain text or part of a span, never a span's backticks. Returns
 * the start and end index of each span, backticks included.
 */
export function codeSpanRanges(
  text: string,
  logValues: readonly string[] = [],
): { start: number; end: number }[] {
  return codeSpans(maskValues(text, logValues));
}

/**
 * Returns `text` with every occurrence of `values` replaced, character for character, by a
 * character that is no backtick, so that indexes into the result are indexes into `text`.
 */
function maskValues(text: string, values: readonly string[]): string {
  const lower = text.toLowerCase();
  // Lower-casing changes the length of a few characters, such as U+0130, and then the search
  // is case-sensitive.
  const haystack = lower.length === text.length ? lower : text;
  const masked = text.split("");
  for (const value of values) {
    const needle = haystack === lower ? value.toLowerCase() : value;
    if (needle === "" || needle.length !== value.length) continue;
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
      masked.fill("x", at, at + needle.length);
    }
  }
  return masked.join("");
}

/**
 * Finds the code spans of `text` as CommonMark does: a run of backticks opens a span that the
 * next run of the same length closes. A run with no such closing run is plain text.
 */
function codeSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  const runs = [...text.matchAll(/`+/g)].map((match) => ({
    start: match.index,
    length: match[0].length,
  }));
  let next = 0;
  while (next < runs.length) {
    const open = runs[next];
    if (open === undefined) break;
    const closeIndex = runs.findIndex((run, index) => index > next && run.length === open.length);
    const close = runs[closeIndex];
    if (close === undefined) {
      next += 1;
      continue;
    }
    spans.push({ start: open.start, end: close.start + close.length });
    next = closeIndex + 1;
  }
  return spans;
}

/**
 * Collects the strings of a finding's evidence, keys of nested objects included: the account
 * names, paths and addresses that its title, summary and fixes repeat.
 */
export function evidenceStrings(evidence: unknown): string[] {
  if (typeof evidence === "string") return [evidence];
  if (Array.isArray(evidence)) return evidence.flatMap(evidenceStrings);
  if (evidence === null || typeof evidence !== "object") return [];
  return Object.entries(evidence).flatMap(([key, value]) => [key, ...evidenceStrings(value)]);
}
