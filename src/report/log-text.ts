import { showHiddenCharacters } from "../diagnose/hidden-characters.js";
import { decodeUtf8Sequences } from "../logs/reader/display.js";

/**
 * Returns a copy of a report with the UTF-8 in its strings decoded. The log reader keeps log
 * text as one char per byte for speed, so senders, recipients and replies in UTF-8 (SMTPUTF8
 * addresses, Russian or Japanese replies) reach the report as byte chars until this step.
 */
export function decodeReportText<T>(report: T): T {
  return mapStrings(report, decodeUtf8Sequences) as T;
}

/**
 * Returns a copy of a decoded report with each hidden character in its strings, keys included,
 * written as a visible escape such as `\u202e` (see `showHiddenCharacters`). The text and
 * Markdown renderers call it first, so that every log value they show is covered and lines are
 * wrapped at the width of the escapes. JSON output keeps the real values.
 */
export function showHiddenInReport<T>(report: T): T {
  return mapStrings(report, showHiddenCharacters) as T;
}

/** Returns a copy of `value` with `map` applied to each string in it, object keys included. */
export function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value === null || typeof value !== "object") return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) result[map(key)] = mapStrings(item, map);
  return result;
}
