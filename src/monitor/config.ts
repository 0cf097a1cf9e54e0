import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { fileError } from "../input/file-error.js";
import { MONITOR_CONFIG_SCHEMA } from "./config-schema.js";

export { MONITOR_CONFIG_SCHEMA } from "./config-schema.js";

/** A configuration file that cannot be read or is not valid; the message lists every problem. */
export class MonitorConfigError extends Error {
  override readonly name = "MonitorConfigError";
}

/** The validated monitor configuration, defaults filled in. */
export type MonitorConfig = z.output<typeof MONITOR_CONFIG_SCHEMA>;

/** One log of the configuration, with its declared IP and outgoing sources. */
export type LogConfig = MonitorConfig["logs"][number];

/** One probe of the configuration. */
export type ProbeConfig = MonitorConfig["probes"][number];

/**
 * The jobs the monitor schedules, in the order that `--once` and each step run them. The logs
 * come before the probes because a log dates a block by its first block reply and counts the
 * mail it hit, while a probe shows only the present. A probe that then gets a block reply for
 * the same IP changes nothing, so the incident keeps the log's start and evidence.
 * NOTE: a probe that its schedule runs between two log checks can still see a block before the
 * log job reads the block's first replies. The incident is then dated by the probe, because a
 * later observation of the same value does not move the start of an open incident.
 */
export const JOB_KINDS = ["blocklists", "dns", "logs", "probes"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * Validates a parsed configuration object. Throws a MonitorConfigError that names the file and
 * lists every problem with its path, such as `probes.0.to: not an e-mail address`.
 */
export function parseMonitorConfig(value: unknown, source: string): MonitorConfig {
  const result = MONITOR_CONFIG_SCHEMA.safeParse(value);
  if (result.success) return result.data;
  // zod reports a number such as 1e300 twice, once against the safe-integer range and once
  // against the field's own maximum. Only the last problem of a kind on a path is kept, because
  // it names the field's own limit.
  const problems = new Map<string, string>();
  for (const issue of result.error.issues.flatMap(unwrapUnion)) {
    const path = issue.path.length === 0 ? "(top level)" : issue.path.join(".");
    const shown = `${path}${quotedValue(value, issue)}`;
    problems.set(`${path} ${issue.code}`, `  ${shown}: ${describeIssue(issue)}`);
  }
  throw new MonitorConfigError(
    `invalid monitor configuration ${source}:\n${[...problems.values()].join("\n")}`,
  );
}

/**
 * Returns ` "value"` for a refused string (an address, a cron pattern, a time zone), so that a
 * list such as `ips` shows which entry is wrong. Other values, missing ones and alert
 * settings give "".
 */
function quotedValue(root: unknown, issue: z.core.$ZodIssue): string {
  if (issue.code !== "custom" && issue.code !== "invalid_format") return "";
  // Alert settings can hold tokens (a webhook URL, a header, a password): never echo them.
  if (issue.path[0] === "alerts") return "";
  let value = root;
  for (const key of issue.path) {
    if (typeof value !== "object" || value === null) return "";
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  if (typeof value !== "string" || value.length > 200) return "";
  return ` ${JSON.stringify(value)}`;
}

/**
 * Replaces a value that matches none of a union's forms (a log given as a path or as
 * {path, ip}) by the problems of the form it came closest to: the one whose problems lie inside
 * the value rather than at its type. With no such form, the union's own problem is kept.
 */
function unwrapUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union") return [issue];
  const closest = issue.errors.find(
    (branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0),
  );
  if (closest === undefined) return [{ ...issue, message: describeUnion(issue) }];
  return closest.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion): string {
  const expected = issue.errors
    .map((branch) => branch.find((inner) => inner.code === "invalid_type"))
    .map((inner) => (inner?.code === "invalid_type" ? inner.expected : null))
    .filter((type) => type !== null);
  return expected.length === 0 ? issue.message : `invalid: expected ${expected.join(" or ")}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
    return `missing (expected ${issue.expected})`;
  }
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((key) => JSON.stringify(key)).join(", ");
    return `unknown ${issue.keys.length === 1 ? "key" : "keys"} ${keys}: remove it or check the spelling`;
  }
  // An invalid key of a record (a header name) carries its reason one level down.
  if (issue.code === "invalid_key") return issue.issues.map((inner) => inner.message).join("; ");
  return issue.message;
}

/** Reads and validates a JSON configuration file. */
export async function loadMonitorConfig(path: string): Promise<MonitorConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new MonitorConfigError(fileError(path, error, "the monitor configuration").message, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MonitorConfigError(
      `invalid monitor configuration ${path}: not valid JSON${jsonErrorPlace(text, error as Error)} (${(error as Error).message}); JSON allows no comments and no comma after the last item`,
    );
  }
  return parseMonitorConfig(value, path);
}

/** Returns ` at line L, column C` from the offset in a JSON.parse error message, or "". */
function jsonErrorPlace(text: string, error: Error): string {
  const offset = /at position (\d+)/.exec(error.message)?.[1];
  if (offset === undefined) return "";
  const before = text.slice(0, Number(offset));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return ` at line ${line}, column ${column}`;
}
