/**
 * Lines that name a message id but carry no delivery flag. Exim writes them for the end of a
 * message, queue changes, host-level errors, and whatever ACLs and content scanners log.
 */

/** Kind of a message line without a flag. */
export type NoteKind =
  /** `Completed`: every address is done and the message left the queue. */
  | "completed"
  /** `removed by root` (`exim -Mrm`) or `cancelled by …`: deleted from the queue by hand. */
  | "removed"
  | "reject"
  | "auth-failure"
  | "session-reply"
  | "ignored"
  | "unparsed";

const SESSION_ERROR = "SMTP error from remote mail server";

// Exim's own notes that carry nothing delist uses:
// - queue state: `Frozen (delivery error message)`, `Message is frozen`, `Unfrozen by
//   errmsg timer`, `frozen by ACL`. They contain no receiver reply.
// - `retry time not reached …`: a queue run skipped the message because no host or address
//   is due yet. It repeats an earlier answer; counting it would inflate the deferrals.
// - scanner, signing and event lines (`DKIM:`, `SA:`, `event …`) and warnings.
// - session chatter that names the message (`SMTP connection … lost while reading message
//   data`), queue moves and `no immediate delivery: queued by ACL`.
const IGNORED_PREFIXES = [
  "Frozen",
  "Message is frozen",
  "Unfrozen by",
  "frozen by",
  "retry time not reached",
  "DKIM:",
  "ARC:",
  "SA:",
  "event ",
  "Warning:",
  "Spool file",
  "SMTP connection ",
  "SMTP data timeout",
  "moved from ",
  "no immediate delivery",
];

// Connection failures on the way to a host, such as `mx.example.com [192.0.2.1] Network is
// unreachable` or `H=mx.example.com [192.0.2.1]: Connection timed out`. No server replied,
// and the address's own `==` or `**` line carries the result.
const CONNECTION_ERRORS = [
  "Network is unreachable",
  "Connection refused",
  "Connection timed out",
  "No route to host",
  "Remote host closed connection",
];

/** Classifies the text of a message line without flag, which starts at `start`. */
export function classifyNote(text: string, start: number): NoteKind {
  if (text.startsWith("Completed", start)) return "completed";
  if (text.startsWith("removed by ", start) || text.startsWith("cancelled by ", start)) {
    return "removed";
  }
  for (const prefix of IGNORED_PREFIXES) {
    if (text.startsWith(prefix, start)) return "ignored";
  }

  // Exim writes a host-level SMTP error when a host fails for the whole connection (greeting,
  // EHLO, MAIL FROM, or after the data for every recipient) before it tries the next host.
  // The addresses' own lines come only after the last host, so this is the only trace of the
  // first host's reply.
  if (text.includes(SESSION_ERROR, start)) return "session-reply";
  if (text.includes(" authenticator failed", start)) return "auth-failure";
  if (text.includes(" rejected ", start) || text.startsWith("rejected ", start)) return "reject";
  for (const error of CONNECTION_ERRORS) {
    if (text.includes(error, start)) return "ignored";
  }
  // `addr: error ignored`: no bounce is sent for this failure (null sender, or DSN NOTIFY).
  if (text.includes(": error ignored", start)) return "ignored";
  return "unparsed";
}

/** Returns where the remote reply of a session-level error starts. */
export function sessionErrorAt(text: string, start: number): number {
  return text.indexOf(SESSION_ERROR, start);
}
