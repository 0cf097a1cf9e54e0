import type { LifecycleEvent } from "../events.js";
import { positionOf, type LogRecord, type ParseOutcome } from "../record.js";
import type { PostfixContext } from "./context.js";
import { isIgnoredUnqueued } from "./noise.js";
import type { PostfixProgram } from "./program.js";

/**
 * Parses the start, reload and stop lines of Postfix: `postfix-script: starting the Postfix mail system`,
 * `master: daemon started -- version 3.6.4, configuration /etc/postfix`, `master: reload --
 * version …`, `master: terminating on signal 15`. One start usually writes both the
 * postfix-script and the master line, and each gives an event, named by `program`'s tag.
 * For a cut tag that is the program that the message's shape names (see `CutTagReader`).
 */
export function handleLifecycle(
  context: PostfixContext,
  record: LogRecord,
  program: PostfixProgram,
): ParseOutcome {
  const text = record.message;
  const action = actionOf(text);
  if (action === null) {
    return isIgnoredUnqueued(text) || isScriptNoise(text) ? "ignored" : "unparsed";
  }

  const event: LifecycleEvent = {
    type: "lifecycle",
    time: record.time,
    position: positionOf(record),
    host: record.host,
    program: program.tag,
    action,
    mta: "postfix",
    version: versionOf(text),
  };
  context.sink(event);
  return "parsed";
}

function actionOf(text: string): LifecycleEvent["action"] | null {
  if (text.startsWith("daemon started") || text.startsWith("starting the Postfix")) {
    return "start";
  }
  if (text.startsWith("reload ") || text.startsWith("refreshing the Postfix")) return "reload";
  if (text.startsWith("terminating on signal") || text.startsWith("stopping the Postfix")) {
    return "stop";
  }
  return null;
}

/** Returns the version in `… -- version 3.6.4, configuration …`, or null. */
function versionOf(text: string): string | null {
  const at = text.indexOf("version ");
  if (at < 0) return null;
  const end = text.indexOf(",", at);
  return text.slice(at + 8, end < 0 ? text.length : end);
}

// postfix-script's other messages: `the Postfix mail system is running: PID: 1234`, …, and
// the `fatal:` lines that `fatalErrorOutcome` leaves out.
function isScriptNoise(text: string): boolean {
  return text.startsWith("the Postfix mail system") || text.startsWith("fatal: ");
}

/**
 * Postfix commands that a user or script runs for one task. Their `fatal:` lines are errors of
 * that run, such as `sendmail`'s `fatal: Recipient addresses must be specified`, and do not
 * show whether the mail system runs.
 */
const COMMANDS = new Set([
  "sendmail",
  "postdrop",
  "postqueue",
  "postsuper",
  "postmap",
  "postalias",
  "postconf",
  "postlog",
  "postcat",
  "postkick",
  "postlock",
  "postmulti",
  "policyd-spf",
]);

/**
 * postfix-script's `fatal:` lines that are no failure to start: a mistyped command, and a start
 * or stop of a mail system that already runs or already stopped.
 */
const SCRIPT_STATUS_PREFIXES = [
  "fatal: usage: ",
  "fatal: the Postfix mail system is already running",
  "fatal: the Postfix mail system is not running",
];

/**
 * Parses a `fatal:` line of the `postfix` command, postfix-script, master or a daemon, such as
 * `postfix[3281]: fatal: open /etc/postfix/main.cf: No such file or directory` or
 * `postfix/master[4710]: fatal: bind 0.0.0.0 port 25: Address already in use`, into a
 * `fatal-error` event named by `program`'s tag, which for a cut tag is the daemon that the
 * message's shape names. The program exits after such a line. Returns null for other lines,
 * for the `fatal:` lines of Postfix's user commands (see `COMMANDS`) and for the status
 * messages of postfix-script, which the caller handles as before.
 */
export function fatalErrorOutcome(
  context: PostfixContext,
  record: LogRecord,
  program: PostfixProgram,
): ParseOutcome | null {
  const text = record.message;
  if (!text.startsWith("fatal: ") || COMMANDS.has(program.service)) return null;
  if (SCRIPT_STATUS_PREFIXES.some((prefix) => text.startsWith(prefix))) return null;

  context.sink({
    type: "fatal-error",
    time: record.time,
    position: positionOf(record),
    host: record.host,
    mta: "postfix",
    program: program.tag,
    text,
  });
  return "parsed";
}
