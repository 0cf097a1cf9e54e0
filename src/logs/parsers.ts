import type { EventSink } from "./events.js";
import type { RecordParser } from "./record.js";
import { createDovecotParser } from "./context/dovecot.js";
import { createFirewallParser } from "./context/firewall.js";
import { createOpendkimParser } from "./context/opendkim.js";
import { createEximParser } from "./exim/index.js";
import { createPostfixParser } from "./postfix/index.js";
import { createSendmailParser } from "./sendmail/index.js";

/** Creates every parser delist has, all sending their events to `sink`. */
export function createLogParsers(sink: EventSink): RecordParser[] {
  return [
    createPostfixParser(sink),
    createEximParser(sink),
    createSendmailParser(sink),
    createDovecotParser(sink),
    createOpendkimParser(sink),
    createFirewallParser(sink),
  ];
}
