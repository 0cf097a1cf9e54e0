import type { LifecycleEvent } from "../events.js";
import type { LogRecord, ParseOutcome } from "../record.js";
import { positionOf, type PostfixContext } from "./context.js";
import { isIgnoredUnqueued } from "./noise.js";

/**
 * Parses the start, reload and stop lines of Postfix: `postfix-script: starting the Postfix mail system`,
 * `master: daemon started -- version 3.6.4, configuration /etc/postfix`, `master: reload --
 * version …`, `master: terminating on signal 15`. One start usually writes both the
 * postfix-script and the master line, and each gives an event.
 */
export function handleLifecycle(context: PostfixContext, record: LogRecord): ParseOutcome {
  const text = record.message;
  const action = actionOf(text);
  if (action === null) {
    return isIgnoredUnqueued(text) || isScriptNoise(text) ? "ignored" : "unparsed";
  }

  const event: LifecycleEvent = {
    type: "lifecycle",
    time: record.time,
    position: positionOf(record),
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

// postfix-script's other messages: `the Postfix mail system is running: PID: 1234`, …
function isScriptNoise(text: string): boolean {
  return text.startsWith("the Postfix mail system") || text.startsWith("fatal: ");
}
