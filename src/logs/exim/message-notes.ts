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
  /** `Frozen (delivery error message)`, `Message is frozen`, `frozen by root`. */
  | "frozen"
  /** `Unfrozen by errmsg timer`, `Unfrozen by forced delivery`. */
  | "thawed"
  | "reject"
  /** A client failed to log in to this server (`… authenticator failed for …`). */
  | "auth-failure"
  /** This server failed to log in to a relay host (`… authenticator failed H=…`). */
  | "client-auth-failure"
  /**
   * This server stopped its own login to a relay host, because it could not read the host's
   * challenge (`… authenticator cancelled authentication H=…`).
   */
  | "client-auth-cancelled"
  | "session-reply"
  /** A connection failure to a host, which the address's own line may leave unnamed. */
  | "host-error"
  | "ignored"
  | "unparsed";

const SESSION_ERROR = "SMTP error from remote mail server";

// Exim's own notes that carry nothing delist uses:
// - `retry time not reached …`: a queue run skipped the message because no host or address
//   is due yet. It repeats an earlier answer; counting it would inflate the deferrals.
// - scanner, signing and event lines (`DKIM:`, `SA:`, `event …`) and warnings.
// - session chatter that names the message (`SMTP connection … lost while reading message
//   data`), queue moves and `no immediate delivery: queued by ACL`.
// - `recipient <a@example.com> added by root`: an admin added a recipient (`exim -Mar`). The
//   recipient's own delivery lines count it.
const IGNORED_PREFIXES = [
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
  "recipient <",
];

// Connection failures on the way to a host, such as `mx.example.com [192.0.2.1] Network is
// unreachable` or `H=mx.example.com [192.0.2.1]: Connection timed out`. No server replied.
// The address's own `==` or `**` line carries the result, but it may leave out the host, as in
// line 4 of Exim's test-suite log `test/log/0640`: `== msg2@test.ex R=drain_q T=send_to_server
// defer (dd): Connection refused`.
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
  if (
    text.startsWith("Frozen", start) ||
    text.startsWith("Message is frozen", start) ||
    text.startsWith("frozen by ", start)
  ) {
    return "frozen";
  }
  if (text.startsWith("Unfrozen by ", start)) return "thawed";
  for (const prefix of IGNORED_PREFIXES) {
    if (text.startsWith(prefix, start)) return "ignored";
  }

  // Exim writes a host-level SMTP error when a host fails for the whole connection (greeting,
  // EHLO, MAIL FROM, or after the data for every recipient). The addresses' own lines come only
  // after the last host, so for an earlier host this is the only trace of its reply. For the
  // last host the address lines repeat the reply, and the parser drops the host line's copy.
  if (text.includes(SESSION_ERROR, start)) return "session-reply";
  const authFailure = text.indexOf(AUTH_FAILED, start);
  if (authFailure >= 0) {
    // As a client, Exim names the server with `H=`, and as a server it names the client after `for`.
    const isClient = text.startsWith("H=", authFailure + AUTH_FAILED.length + 1);
    return isClient ? "client-auth-failure" : "auth-failure";
  }
  if (text.includes(AUTH_CANCELLED, start)) {
    const cancelled = text.indexOf(AUTH_CANCELLED, start);
    if (text.startsWith("H=", cancelled + AUTH_CANCELLED.length + 1))
      return "client-auth-cancelled";
  }
  if (text.includes(" rejected ", start) || text.startsWith("rejected ", start)) return "reject";
  if (connectionErrorOf(text, start) !== null) return "host-error";
  // `H=mx.example.net [192.0.2.1] Network Error`: a host line with a failure that
  // `CONNECTION_ERRORS` does not list. The address line after it repeats the failure.
  if (text.startsWith("H=", start)) return "host-error";
  // `addr: error ignored`: no bounce is sent for this failure (null sender, or DSN NOTIFY).
  if (text.includes(": error ignored", start)) return "ignored";
  return "unparsed";
}

const AUTH_FAILED = " authenticator failed";
const AUTH_CANCELLED = " authenticator cancelled authentication";

/** Returns the connection failure that the text after `start` names, or null for none. */
export function connectionErrorOf(text: string, start: number): string | null {
  for (const error of CONNECTION_ERRORS) {
    if (text.includes(error, start)) return error;
  }
  return null;
}

/** Returns the index of ` authenticator failed` after `start`, or -1. */
export function authFailedAt(text: string, start: number): number {
  return text.indexOf(AUTH_FAILED, start);
}

/** Returns where the remote reply of a session-level error starts. */
export function sessionErrorAt(text: string, start: number): number {
  return text.indexOf(SESSION_ERROR, start);
}
