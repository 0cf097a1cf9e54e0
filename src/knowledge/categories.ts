/**
 * The closed sets that the rest of delist keys on: reply categories and finding ids.
 * Reports, JSON schemas, the dashboard and alert history use these strings, so a value is
 * never renamed or removed, only added.
 */

/** What kind of problem an SMTP reply reports. */
export const CATEGORIES = [
  "reputation",
  "blocklist",
  "authentication",
  "reverse-dns",
  "tls",
  "content",
  "message-format",
  "rate-limit",
  "recipient",
  "recipient-policy",
  "sender-account",
  "protocol",
  "transient",
  "unknown",
] as const;

export type Category = (typeof CATEGORIES)[number];

/** Stable ids of the findings that `delist diagnose` can report. */
export const FINDING_IDS = [
  "high-volume",
  "volume-spike",
  "spam-traps",
  "unknown-recipients",
  "ip-blocklisted",
  "spam-complaints",
  "new-ip",
  "ip-changed",
  "reverse-dns",
  "authentication",
  "compromised-account",
  "web-script",
  "forwarding",
  "smtp-bypass",
  "spam-content",
  "rate-limited",
  "tls-required",
  "healthy",
] as const;

export type FindingId = (typeof FINDING_IDS)[number];

export type Severity = "critical" | "warning" | "info";

/** The SMTP command a reply answered; `connect` is the greeting banner. */
export type SmtpStage =
  | "connect"
  | "helo"
  | "starttls"
  | "auth"
  | "mail"
  | "rcpt"
  | "data"
  | "end-of-data"
  | "quit"
  | "other";

/** The name of each stage for people, as SMTP spells its command. */
export const SMTP_STAGE_NAMES: Readonly<Record<SmtpStage, string>> = {
  connect: "connection greeting",
  helo: "EHLO/HELO",
  starttls: "STARTTLS",
  auth: "AUTH",
  mail: "MAIL FROM",
  rcpt: "RCPT TO",
  data: "DATA",
  "end-of-data": "end of DATA",
  quit: "QUIT",
  other: "other command",
};
