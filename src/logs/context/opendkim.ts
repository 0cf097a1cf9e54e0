import type { DkimSigningEvent, EventSink } from "../events.js";
import { positionOf, type LogRecord, type ParseOutcome, type RecordParser } from "../record.js";
import { domainOf } from "../../knowledge/providers.js";

const SIGNED = "DKIM-Signature field added (";
const NO_MATCH = "no signing table match for '";
/** Longest queue id accepted before `: ` (Postfix long ids, Sendmail ids). */
const MAX_ID_LENGTH = 32;

/**
 * Creates the parser for OpenDKIM's signing verdicts on outgoing mail:
 * `QID: DKIM-Signature field added (s=mail, d=example.com)` (signed) and
 * `QID: no signing table match for 'user@example.org'` (not signed; the event carries the
 * sender's domain). Verification results for incoming mail are ignored.
 */
export function createOpendkimParser(sink: EventSink): RecordParser {
  return {
    accepts: (program) => program === "opendkim",
    parse: (record) => parseOpendkim(record, sink),
    finish: () => undefined,
  };
}

function parseOpendkim(record: LogRecord, sink: EventSink): ParseOutcome {
  const text = record.message;
  const colon = text.indexOf(": ");
  const hasId = colon > 0 && colon <= MAX_ID_LENGTH && !text.slice(0, colon).includes(" ");
  const start = hasId ? colon + 2 : 0;

  if (text.startsWith(SIGNED, start)) {
    const tags = text.slice(start + SIGNED.length, text.lastIndexOf(")"));
    sink(signingEvent(record, hasId ? text.slice(0, colon) : null, true, tags));
    return "parsed";
  }
  if (text.startsWith(NO_MATCH, start)) {
    const quote = text.indexOf("'", start + NO_MATCH.length);
    const sender = text.slice(start + NO_MATCH.length, quote < 0 ? text.length : quote);
    const event = signingEvent(record, hasId ? text.slice(0, colon) : null, false, "");
    sink({ ...event, domain: domainOf(sender) });
    return "parsed";
  }
  return "ignored";
}

/** Builds the event; `tags` is the `s=mail, d=example.com` list of a signature. */
function signingEvent(
  record: LogRecord,
  queueId: string | null,
  signed: boolean,
  tags: string,
): DkimSigningEvent {
  return {
    type: "dkim-signing",
    time: record.time,
    position: positionOf(record),
    queueId,
    signed,
    domain: tagValue(tags, "d"),
    selector: tagValue(tags, "s"),
  };
}

/** Returns the value of tag `name` in `s=mail, d=example.com`, or null. */
function tagValue(tags: string, name: string): string | null {
  for (const part of tags.split(",")) {
    const [key, value] = part.split("=");
    if (key?.trim() === name && value !== undefined) return value.trim();
  }
  return null;
}
