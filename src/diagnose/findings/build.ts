import type { FindingId, Severity } from "../../knowledge/categories.js";
import type { Finding, LogSample } from "../types.js";

/** The parts of a finding that a detector supplies. */
export interface FindingDraft {
  readonly severity: Severity;
  readonly role: Finding["role"];
  readonly title: string;
  readonly summary: string;
  readonly evidence: object;
  readonly samples?: readonly LogSample[];
  readonly fix: readonly string[];
  readonly references?: readonly string[];
}

/** Assembles a finding. */
export function finding(id: FindingId, draft: FindingDraft): Finding {
  return {
    id,
    severity: draft.severity,
    role: draft.role,
    title: draft.title,
    summary: draft.summary,
    evidence: draft.evidence,
    samples: draft.samples ?? [],
    fix: draft.fix,
    references: draft.references ?? [],
  };
}

/** Provider pages that several findings cite. */
export const REFERENCES = {
  gmailGuidelines: "https://support.google.com/mail/answer/81126",
  gmailErrors: "https://support.google.com/a/answer/3726730",
  gmailPostmaster: "https://postmaster.google.com",
  gmailSenderForm: "https://support.google.com/mail/contact/gmail_bulk_sender_escalation",
  outlookPostmaster: "https://sendersupport.olc.protection.outlook.com/pm/",
  outlookSupportForm: "https://olcsupport.office.com/",
  exchangeDelist: "https://sender.office.com/",
  yahooSenders: "https://senders.yahooinc.com/",
  yahooSupportForm: "https://senders.yahooinc.com/contact",
} as const;

/** Formats a count with its noun, singular or plural. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? noun : pluralNoun}`;
}

/** Joins names for a sentence: `a`, `a and b`, `a, b and c`. */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1] ?? ""}`;
}

/**
 * Returns "from FIRST to LAST", or "at FIRST" when both are one time, so that a single event does
 * not read as a period.
 */
export function period(first: string, last: string): string {
  return first === last ? `at ${first}` : `from ${first} to ${last}`;
}

/**
 * Starts a sentence with provider names and the verb that agrees with them: `Gmail rejects`,
 * `Gmail and Yahoo/AOL reject`, `Other receivers reject`.
 */
export function providersDo(
  names: readonly string[],
  singular: string,
  pluralVerb: string,
): string {
  const subject = listNames(names);
  const isPlural = names.length > 1 || isPluralName(subject);
  return `${upperFirst(subject)} ${isPlural ? pluralVerb : singular}`;
}

/**
 * Returns `text` with its first character in upper case. A first word that is a name with a
 * capital inside, such as iCloud, keeps its case.
 */
export function upperFirst(text: string): string {
  const word = /^\S*/.exec(text)?.[0] ?? "";
  if (/[A-Z]/.test(word.slice(1))) return text;
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** True for the row names that take a plural verb: "other receivers", "other relay hosts". */
export function isPluralName(name: string): boolean {
  return name === "other receivers" || name === "other relay hosts";
}
