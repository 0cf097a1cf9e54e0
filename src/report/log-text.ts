import { decodeUtf8Sequences } from "../logs/reader/display.js";

/**
 * Returns a copy of a report with the UTF-8 in its strings decoded. The log reader keeps log
 * text as one char per byte for speed, so senders, recipients and replies in UTF-8 (SMTPUTF8
 * addresses, Russian or Japanese replies) reach the report as byte chars until this step.
 */
export function decodeReportText<T>(report: T): T {
  return mapStrings(report) as T;
}

function mapStrings(value: unknown): unknown {
  if (typeof value === "string") return decodeUtf8Sequences(value);
  if (Array.isArray(value)) return value.map(mapStrings);
  if (value === null || typeof value !== "object") return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    result[decodeUtf8Sequences(key)] = mapStrings(item);
  return result;
}
