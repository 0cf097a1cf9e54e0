/**
 * Postfix lines that carry nothing delist uses. They are counted as `ignored`, so that
 * `unparsed` keeps meaning "a line we should have understood".
 */
import { prefixAt } from "./fields.js";

// Connection bookkeeping and diagnostics of smtpd, smtp and postscreen that come without
// a queue id.
const UNQUEUED_PREFIXES = [
  "connect from ",
  "disconnect from ",
  "lost connection after ",
  "timeout after ",
  "too many errors after ",
  "improper command pipelining after ",
  "SSL_accept error from ",
  "SSL_connect error to ",
  "discarding EHLO keywords",
  "bare <LF> received",
  "table ",
  "connect to ",
  "certificate verification failed for ",
  "server certificate verification failed for ",
  "Host offered STARTTLS",
  "setting up TLS connection",
  "NOQUEUE: ",
  "statistics: ",
  "warning: ",
  "fatal: ",
  "panic: ",
  "error: ",
  "proxy-accept: ",
  "Deleted: ",
  "Requeued: ",
  "Placed on hold: ",
  "Released from hold: ",
];

// Lines with a queue id that name an action delist has no event for.
const QUEUED_PREFIXES = [
  "warning: ",
  "info: ",
  "hold: ",
  "discard: ",
  "redirect: ",
  "filter: ",
  "prepend: ",
  "replace: ",
  "bcc: ",
  "milter-header-redirect: ",
  "milter-hold: ",
  "milter-discard: ",
  "proxy-accept: ",
  "enabling PIX workarounds",
  "Server certificate not verified",
  "Server certificate not trusted",
  "TLS is required, but",
  "skipped, still being delivered",
  "requeued",
  "placed on hold",
  "released from hold",
  "resent-message-id=",
  // `-v` output
  "recipient limit ",
];

/** True for a line without queue id that delist does not use. */
export function isIgnoredUnqueued(text: string): boolean {
  return prefixAt(text, UNQUEUED_PREFIXES, 0) !== null || isVerboseTrace(text);
}

/** True for a queued line, from `start` on, that delist does not use. */
export function isIgnoredQueued(text: string, start: number): boolean {
  return prefixAt(text, QUEUED_PREFIXES, start) !== null;
}

/**
 * True for the debug output of `-v` and `debug_peer_list`: SMTP traces (`< host[ip]: RCPT
 * TO:…`, `> host[ip]: 250 …`), attribute dumps, parameter dumps (`name = value`), internal
 * function names (`match_string: …`) and the queue manager's scan reports. Hard-wrapped
 * pieces of real lines do not match.
 */
function isVerboseTrace(text: string): boolean {
  if (prefixAt(text, TRACE_PREFIXES, 0) !== null) return true;
  const space = text.indexOf(" ");
  const word = space < 0 ? text : text.slice(0, space);
  if (!word.includes("_") || !/^[a-z0-9_]+:?$/.test(word)) return false;
  return word.endsWith(":") || text.startsWith(" = ", space);
}

const TRACE_PREFIXES = [
  "> ",
  "< ",
  ">>> ",
  "send attr ",
  "input attribute ",
  "private/",
  "public/",
  "connect to subsystem ",
  "process generation: ",
  "mynetworks: ",
  "connection established",
  "connection closed",
  "idle timeout",
  "Compiled against ",
  "Run-time linked ",
  "fsspace: ",
  "request: ",
  "request ignored",
  "done incoming queue scan",
  "done deferred queue scan",
  "start sorted ",
  "end sorted ",
  "start move queue ",
  "end move queue ",
  "wakeup ",
  "rewrite stream ",
  "proxymap stream ",
  "master disconnect",
  "initial envelope ",
  "open incoming/",
  "extracted envelope ",
  "cleanup flags = ",
  "smtp socket: ",
  "cleanup socket: ",
  "host name lookup methods",
  "connecting to ",
  "begin ",
  "end ",
  "pref ",
  "lookup ",
  "before input_transp_cleanup",
  "after input_transp_cleanup",
];
