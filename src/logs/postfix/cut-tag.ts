/**
 * The daemon of a line whose tag lost its service name. rsyslog's `programname` property ends
 * at the first `/`, so a template such as `%programname%[%procid%]: %msg%`, and an RFC 5424
 * APP-NAME taken from that property, turn `postfix/smtp[2000]:` into `postfix[2000]:` unless
 * `global(parser.permitSlashInProgramName="on")` (rsyslog 8.25.0 and later) is set. The bare
 * `postfix` tag otherwise belongs to the `postfix` command, which logs no queue ids and none of
 * the client lines below, so those message shapes name the daemon that wrote them.
 */
import { describeProgram, type PostfixProgram } from "./program.js";

// Descriptions of the daemons that a message shape can name, as their full tags give them.
const DAEMONS = new Map(
  ["smtp", "local", "virtual", "lmtp", "pipe", "qmgr", "smtpd", "cleanup", "pickup", "bounce"].map(
    (service) => [service, describeProgram(`postfix/${service}`)] as const,
  ),
);

// Queued messages (after `QID: `) by their start, and the daemon that writes them.
const QUEUED_STARTS: readonly (readonly [string, string])[] = [
  ["from=<", "qmgr"],
  ["removed", "qmgr"],
  ["expired, returned to sender", "qmgr"],
  ["client=", "smtpd"],
  ["reject: RCPT from ", "smtpd"],
  ["message-id=", "cleanup"],
  ["resent-message-id=", "cleanup"],
  ["reject: header ", "cleanup"],
  ["reject: body ", "cleanup"],
  ["uid=", "pickup"],
  ["sender non-delivery notification: ", "bounce"],
  ["sender delivery status notification: ", "bounce"],
  ["host ", "smtp"],
  ["lost connection with ", "smtp"],
  ["conversation with ", "smtp"],
];

// Messages without a queue id by their start, and the daemon that writes them.
const UNQUEUED_STARTS: readonly (readonly [string, string])[] = [
  ["connect from ", "smtpd"],
  ["disconnect from ", "smtpd"],
  ["lost connection after ", "smtpd"],
  ["timeout after ", "smtpd"],
  ["NOQUEUE: ", "smtpd"],
];

/**
 * Returns the daemon that wrote the message `text` of a line tagged only `postfix`, or null
 * when the shape names none. `messageStart` is the index after `QID: `, or 0 for a message
 * without a queue id.
 */
export function daemonOfCutTag(
  text: string,
  queued: boolean,
  messageStart: number,
): PostfixProgram | null {
  if (queued && text.startsWith("to=<", messageStart)) {
    return DAEMONS.get(deliveryAgentOf(text, messageStart)) ?? null;
  }
  const starts = queued ? QUEUED_STARTS : UNQUEUED_STARTS;
  const match = starts.find(([start]) => text.startsWith(start, messageStart));
  return match === undefined ? null : (DAEMONS.get(match[1]) ?? null);
}

// The delivery agent of a `to=<…>, relay=…` line, from its relay: `local` and `virtual` name
// themselves, a socket (`relay=mail.example.com[private/dovecot-lmtp]`) is LMTP, a word
// without brackets (`relay=dovecot`) is a pipe transport, and a host or `none` is smtp.
function deliveryAgentOf(text: string, start: number): string {
  const relayStart = text.indexOf(", relay=", start);
  if (relayStart < 0) return "smtp";
  const valueStart = relayStart + 8;
  let valueEnd = text.indexOf(",", valueStart);
  if (valueEnd < 0) valueEnd = text.length;
  const relay = text.slice(valueStart, valueEnd);
  if (relay === "local" || relay === "virtual") return relay;
  const bracket = relay.indexOf("[");
  if (bracket < 0) return relay === "none" ? "smtp" : "pipe";
  // A socket path has a `/` in the brackets, and an IP address has none.
  return relay.includes("/", bracket) ? "lmtp" : "smtp";
}
