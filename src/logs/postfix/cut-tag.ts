/**
 * The daemon or command of a line whose tag lost its service name. rsyslog's `programname` property ends
 * at the first `/`, so a template such as `%programname%[%procid%]: %msg%`, and an RFC 5424
 * APP-NAME taken from that property, turn `postfix/smtp[2000]:` into `postfix[2000]:` unless
 * `global(parser.permitSlashInProgramName="on")` (rsyslog 8.25.0 and later) is set. The bare
 * `postfix` tag otherwise belongs to the `postfix` command, which logs no queue ids and none of
 * the client and queue file lines below, so those message shapes name the program that wrote
 * them.
 */
import { describeProgram, type PostfixProgram } from "./program.js";
import { QUEUE_SPACE_WARNING } from "./queue-space.js";

// The daemons and local submission commands that a message shape can name.
const SERVICES = [
  "smtp",
  "local",
  "virtual",
  "lmtp",
  "pipe",
  "qmgr",
  "smtpd",
  "cleanup",
  "pickup",
  "bounce",
  "postdrop",
  "sendmail",
  "master",
] as const;

type CutService = (typeof SERVICES)[number];

// Descriptions of `SERVICES` by service, as the full tags of one `syslog_name` give them.
type ServicePrograms = ReadonlyMap<CutService, PostfixProgram>;

function describeServices(syslogName: string): ServicePrograms {
  return new Map(
    SERVICES.map((service) => [service, describeProgram(`${syslogName}/${service}`)] as const),
  );
}

const DEFAULT_PROGRAMS = describeServices("postfix");

/** Maximum `syslog_name`s other than `postfix` whose descriptions `CutTagReader` keeps. */
const MAX_CACHED_NAMES = 16;

/**
 * Finds the daemon of lines whose tag lost its service name, and keeps the `syslog_name` of the
 * cut tag: `postfix-out/postfix`, the tag of a line of the systemd unit
 * `postfix@postfix-out.service`, reads as `postfix-out/smtp` and not as `postfix/smtp`.
 */
export class CutTagReader {
  private readonly programs = new Map<string, ServicePrograms>();

  /**
   * Returns the daemon or command that wrote the message `text` of a line with the cut tag
   * `tag`, or null when the shape names none. `messageStart` is the index after `QID: `, or 0
   * for a message without a queue id.
   */
  daemonOf(
    tag: PostfixProgram,
    text: string,
    queued: boolean,
    messageStart: number,
  ): PostfixProgram | null {
    const service = serviceOfCutTag(text, queued, messageStart);
    if (service === null) return null;
    return this.programsOf(tag.syslogName).get(service) ?? null;
  }

  private programsOf(syslogName: string): ServicePrograms {
    if (syslogName === "postfix") return DEFAULT_PROGRAMS;
    let programs = this.programs.get(syslogName);
    if (programs === undefined) {
      programs = describeServices(syslogName);
      if (this.programs.size < MAX_CACHED_NAMES) this.programs.set(syslogName, programs);
    }
    return programs;
  }
}

// Queued messages (after `QID: `) by their start, and the daemon that writes them.
const QUEUED_STARTS: readonly (readonly [string, CutService])[] = [
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

// Messages without a queue id by their start, and the program that writes them. postdrop
// logs `warning: uid=1004: No space left on device` when it gives up on a submission, and
// postdrop and cleanup log `mail_queue_enter: create file …` for the queue they write. master
// binds the listening sockets of master.cf and logs `fatal: bind ADDRESS port PORT: …` when
// that fails, so such a line is master's and not the `postfix` command's. master also logs
// its start, reload and stop: `daemon started -- version 3.7.11, configuration /etc/postfix`,
// `reload -- version …` and `terminating on signal 15`.
const UNQUEUED_STARTS: readonly (readonly [string, CutService])[] = [
  ["connect from ", "smtpd"],
  ["disconnect from ", "smtpd"],
  ["lost connection after ", "smtpd"],
  ["timeout after ", "smtpd"],
  ["NOQUEUE: ", "smtpd"],
  [QUEUE_SPACE_WARNING, "smtpd"],
  ["warning: uid=", "postdrop"],
  ["warning: mail_queue_enter: create file maildrop/", "postdrop"],
  ["warning: mail_queue_enter: create file incoming/", "cleanup"],
  ["fatal: Recipient addresses must be specified", "sendmail"],
  ["fatal: bind ", "master"],
  ["daemon started -- ", "master"],
  ["reload -- version ", "master"],
  ["terminating on signal ", "master"],
];

// The sendmail command's errors about one submission, `fatal: USER(UID): …`, such as
// `fatal: www-data(33): queue file write error` on a full queue disk.
const SENDMAIL_FATAL = /^fatal: [^\s():]+\(\d+\): /;

// cleanup's write error of a queued message, `warning: QID: write queue file: No space left on
// device`, whose queue id comes after `warning: ` and so is not read as the line's.
const CLEANUP_WRITE = ": write queue file: ";

// Returns the service that wrote the message `text` by its shape, or null.
function serviceOfCutTag(text: string, queued: boolean, messageStart: number): CutService | null {
  if (queued && text.startsWith("to=<", messageStart)) return deliveryAgentOf(text, messageStart);
  const starts = queued ? QUEUED_STARTS : UNQUEUED_STARTS;
  const match = starts.find(([start]) => text.startsWith(start, messageStart));
  if (match !== undefined) return match[1];
  if (queued) return null;
  if (SENDMAIL_FATAL.test(text)) return "sendmail";
  if (text.startsWith("warning: ") && text.includes(CLEANUP_WRITE)) return "cleanup";
  return null;
}

// The delivery agent of a `to=<…>, relay=…` line, from its relay: `local` and `virtual` name
// themselves, a socket (`relay=mail.example.com[private/dovecot-lmtp]`) is LMTP, a word
// without brackets (`relay=dovecot`) is a pipe transport, and a host or `none` is smtp.
function deliveryAgentOf(text: string, start: number): CutService {
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
