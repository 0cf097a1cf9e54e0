import type { ChangeKind, StateKind, StateValue } from "./types.js";

/** True when a value means trouble: a block, a listing, a failed DNS check, an outage. */
export function isBad(kind: StateKind, value: StateValue): boolean {
  if (kind === "block") return value !== "ok";
  if (kind === "blocklist") return value === "listed";
  if (kind === "connection") return value === "unreachable";
  return value === "fail";
}

/**
 * Returns the kind of change from `previous` (null: never observed) to `value`, or null when
 * nothing worth an alert changed. A first observation that is fine is the baseline, not a
 * change. `pass` and `warn` of a DNS check count as the same state, so a warning that comes
 * and goes raises nothing.
 */
export function classifyChange(
  kind: StateKind,
  previous: StateValue | null,
  value: StateValue,
): ChangeKind | null {
  if (previous === value) return null;
  const wasBad = previous !== null && isBad(kind, previous);
  const bad = isBad(kind, value);
  if (!wasBad && !bad) return null;
  if (kind === "block") {
    if (!wasBad) return "block-seen";
    return bad ? "block-changed" : "block-lifted";
  }
  if (kind === "blocklist") return bad ? "listed" : "delisted";
  if (kind === "connection") return bad ? "outage-started" : "outage-ended";
  if (wasBad && bad) return null;
  return bad ? "dns-broken" : "dns-fixed";
}

/** True when a change opens an incident. */
export function opensIncident(change: ChangeKind): boolean {
  return change === "block-seen" || change === "listed" || change === "outage-started";
}

/** True when a change closes the open incident of its key. */
export function closesIncident(change: ChangeKind): boolean {
  return (
    change === "block-lifted" ||
    change === "delisted" ||
    change === "outage-ended" ||
    change === "target-removed"
  );
}

const CHANGE_SENTENCES: Record<ChangeKind, (subject: string, value: StateValue) => string> = {
  "block-seen": (subject, value) => `Block seen: ${subject} is ${value}.`,
  "block-changed": (subject, value) => `Block changed: ${subject} is now ${value}.`,
  "block-lifted": (subject) => `Block lifted: ${subject} is accepted again.`,
  listed: (subject) => `Newly listed: ${subject}.`,
  delisted: (subject) => `Delisted: ${subject}.`,
  "dns-broken": (subject) => `DNS record broken: ${subject} fails.`,
  "dns-fixed": (subject, value) => `DNS record fixed: ${subject} is ${value} again.`,
  "outage-started": (subject) => `Outage started: this server cannot connect to ${subject}.`,
  "outage-ended": (subject) => `Outage ended: this server connects to ${subject} again.`,
  "target-removed": (subject) =>
    `Incident closed: ${subject}, target removed from the configuration.`,
};

/**
 * Describes the lift of a block that began and ended before the monitor saw it, such as "Block
 * already over: gmail 192.0.2.1 was blocked from 2026-03-04T21:00:00Z to 2026-03-04T21:14:30Z
 * and is accepted again.". It opens with "Block already over", because it is also the subject
 * of the e-mail alert, which should not read as a block still going on.
 */
export function describePastBlock(
  subject: string,
  value: StateValue,
  startedAt: number,
  endedAt: number,
): string {
  return `Block already over: ${subject} was ${value} from ${isoSeconds(startedAt)} to ${isoSeconds(endedAt)} and is accepted again.`;
}

/** Formats `time` (ms since the epoch) as RFC 3339 UTC, without milliseconds. */
function isoSeconds(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Describes a change in one sentence for people, as alerts and `delist history` show it. */
export function describeChange(change: ChangeKind, subject: string, value: StateValue): string {
  return CHANGE_SENTENCES[change](subject, value);
}
