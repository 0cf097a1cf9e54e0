/**
 * Exim's panic lines: serious errors that Exim writes to its panic log, and usually to its
 * main log too. Exim exits after some of them (`LOG_PANIC_DIE`), such as a configuration error
 * or a main log it cannot open. After others, such as a failed expansion, the message or
 * connection at hand fails or is deferred, and Exim goes on.
 */
import type { FatalErrorEvent } from "../events.js";
import { positionOf, type LogRecord } from "../record.js";

// Message starts of panic lines, as Exim's sources write them: `failed to expand "…": …`
// (ACL messages, DKIM and rewrite options, callouts), `Failed to expand …` (transport and
// bounce options), a lookup file that `failed to open`, and configuration errors.
const PANIC_PREFIXES = [
  "failed to expand ",
  "Failed to expand ",
  "failed to open ",
  "Exim configuration error",
];

// `Cannot open main log file "/var/log/exim4/mainlog": Permission denied: euid=101 egid=101`,
// and the same for the reject and panic logs. Exim exits after it.
const CANNOT_OPEN = "Cannot open ";
const LOG_FILE = " log file ";

// The daemon gives up on a listening socket: `socket bind() to port 25 failed: Address
// already in use: daemon abandoned` in the main log, without `: daemon abandoned` in the panic
// log. The same line with `waiting before trying again` is a retry.
const SOCKET_BIND = "socket bind() to port ";
const RETRY = "before trying again";

/** Returns true when the text of an Exim line from `start` on is a panic line. */
export function isPanicText(text: string, start: number): boolean {
  for (const prefix of PANIC_PREFIXES) {
    if (text.startsWith(prefix, start)) return true;
  }
  if (text.startsWith(CANNOT_OPEN, start)) return text.includes(LOG_FILE, start);
  if (text.startsWith(SOCKET_BIND, start)) return !text.endsWith(RETRY);
  return false;
}

/**
 * Builds the `fatal-error` event of a panic line whose panic text starts at `start`, after
 * the message id when the line has one. The reports state that Exim goes on after most of
 * them (see `fatalErrorsSentence`); the fixes are in `knowledge/exim-panic.ts`.
 */
export function panicEvent(record: LogRecord, start: number): FatalErrorEvent {
  return {
    type: "fatal-error",
    time: record.time,
    position: positionOf(record),
    host: record.host,
    mta: "exim",
    program: record.program,
    text: record.message.slice(start),
  };
}

const CONFIG_ERROR = "Exim configuration error";

/**
 * Returns true for the first line of an Exim configuration error, such as `Exim configuration
 * error in line 812 of /etc/exim4/exim4.conf.template:`. Exim writes the reason on the next
 * line, indented and without a timestamp (`  main option "foo" unknown`).
 */
export function isConfigErrorStart(event: FatalErrorEvent): boolean {
  return isConfigErrorStartText(event.text);
}

/** Returns true when `text` is the first line of a configuration error (see `isConfigErrorStart`). */
export function isConfigErrorStartText(text: string): boolean {
  return text.startsWith(CONFIG_ERROR) && text.endsWith(":");
}

/** Returns true when `line` starts with a space or tab, as the reason of a configuration error does. */
export function isIndented(line: string): boolean {
  const code = line.charCodeAt(0);
  return code === 32 || code === 9;
}

/**
 * Returns the event of a configuration error with its reason joined to the text. Each line of
 * a reason from several syslog parts is trimmed, and the lines are joined with a space.
 */
export function withConfigErrorReason(event: FatalErrorEvent, reason: string): FatalErrorEvent {
  const lines = reason.includes("\n") ? reason.split("\n") : [reason];
  const text = lines
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ");
  return { ...event, text: `${event.text} ${text}` };
}
