/**
 * Events that the MTA parsers emit after correlating log lines by queue or message id.
 * Parsers know nothing of analysis: they report what the log shows, and the analysers in
 * `src/analysis/` decide what it means.
 *
 * Times are milliseconds since the Unix epoch (UTC). Naive log timestamps are converted
 * with the time zone the reader was given.
 */

export type MtaName = "postfix" | "exim" | "sendmail";

/**
 * Where a logged message came from: an MTA log, or a bounce notification that
 * `delist diagnose --bounces` turned into a delivery result.
 */
export type MessageSource = MtaName | "bounce";

/** A line of input: the file as the user named it (`-` for stdin) and its 1-based line number. */
export interface LinePosition {
  readonly file: string;
  readonly line: number;
}

/**
 * What the log shows about one queued message. The parser creates it at the first line
 * that names the id and fills fields in as later lines arrive, so every event of the
 * message shares this object and sees the latest state.
 */
export interface LoggedMessage {
  readonly mta: MessageSource;
  /** Syslog host name of the server that logged the message ("" when the log has none). */
  readonly host: string;
  /**
   * The Postfix instance whose queue contains the message, the first path component of the tag of
   * the line that started it (see `postfixInstanceOf`). Null for the other MTAs.
   */
  readonly instance: string | null;
  /** Postfix or Sendmail queue id, or Exim message id. */
  readonly id: string;
  /** Time and position of the first line that named the id. */
  readonly firstTime: number;
  readonly firstPosition: LinePosition;
  /** Envelope sender; "" for the null sender `<>`; null while unknown. */
  sender: string | null;
  /** Message-ID header without angle brackets. */
  messageId: string | null;
  sizeBytes: number | null;
  /** Number of recipients the MTA accepted (Postfix `nrcpt`, Sendmail `nrcpts`). */
  recipientCount: number | null;
  /** Subject, when the MTA logs it (Exim `T=` on `<=` lines). */
  subject: string | null;
  /** The SMTP client that handed the message over; null for local submissions. */
  clientIp: string | null;
  clientHost: string | null;
  helo: string | null;
  /** SMTP AUTH identity: Postfix `sasl_username`, Exim `A=name:id`, Sendmail `authid`. */
  saslUsername: string | null;
  /**
   * Unix account of a local submission: Exim `U=` with `P=local` or on SMTP from a loopback
   * address (there the RFC 1413 ident reply of the local process), and Sendmail `ctladdr`.
   */
  localUser: string | null;
  /** Unix uid of a local submission: Postfix `pickup uid=`, Sendmail `ctladdr (uid/gid)`. */
  uid: number | null;
  /** Working directory of the process that submitted it (Exim `cwd=` with `+arguments`). */
  workingDirectory: string | null;
  /** Command line of that process, when logged (Exim `N args: …`). */
  command: string | null;
  /** Script named by an `X-PHP-Originating-Script` header that the MTA logged, as `uid:file`. */
  script: string | null;
  /** Postfix service that received it (`smtpd`, `submission/smtpd`, `pickup`); Exim `P=`. */
  service: string | null;
  /** True for notifications the MTA generated itself (bounces, delay warnings). */
  isBounce: boolean;
  /**
   * Per-message state of the analysers in `src/analysis/`, kept here so that they find it
   * without a look-up on every event. Parsers set it to null and never read it.
   */
  analysisState: object | null;
}

/** Creates a message of which only the first line is known; later lines fill in the rest. */
export function newLoggedMessage(
  mta: MessageSource,
  host: string,
  id: string,
  firstTime: number,
  firstPosition: LinePosition,
  instance: string | null = null,
): LoggedMessage {
  return {
    mta,
    host,
    instance,
    id,
    firstTime,
    firstPosition,
    sender: null,
    messageId: null,
    sizeBytes: null,
    recipientCount: null,
    subject: null,
    clientIp: null,
    clientHost: null,
    helo: null,
    saslUsername: null,
    localUser: null,
    uid: null,
    workingDirectory: null,
    command: null,
    script: null,
    service: null,
    isBounce: false,
    analysisState: null,
  };
}

export type DeliveryStatus = "sent" | "deferred" | "bounced" | "expired" | "other";

/**
 * Kind of hand-off of a delivery that stayed on this server and passed the mail on instead of
 * storing it in a mailbox. `filter` is a hand-off over SMTP or LMTP to a content filter or
 * another MTA on this host (amavis on 127.0.0.1:10024, a second Postfix instance, Sendmail's
 * `relay` mailer to the local MTA), which queues a copy that is delivered later. `forward` is an alias or `.forward`
 * that the local delivery agent queued again for other addresses (Postfix `forwarded as
 * QUEUEID`). `discard` is mail thrown away on purpose (the Postfix `discard` transport).
 */
export type LocalHandoff = "filter" | "forward" | "discard";

/** One attempt to deliver a message to one recipient. */
export interface DeliveryEvent {
  readonly type: "delivery";
  readonly time: number;
  readonly position: LinePosition;
  /**
   * The message delivered. A content filter or a second MTA instance queues a copy, and when
   * the `filter` hand-off's reply names the copy's queue id, the copy's attempts carry the
   * message that the filter received. They then count for the account or program that sent it.
   */
  readonly message: LoggedMessage;
  /** Final recipient address, lower-cased only where the MTA lower-cases it. */
  readonly recipient: string;
  /** The address before alias or forward expansion (Postfix `orig_to`, Exim `<parent>`). */
  readonly originalRecipient: string | null;
  readonly status: DeliveryStatus;
  /** Postfix delivery service, Exim transport, Sendmail mailer, e.g. `smtp`, `lmtp`, `local`. */
  readonly transport: string | null;
  /**
   * The Exim router of the line (`R=`). Null when the line names none, and absent from the
   * events of parsers that do not read it.
   */
  readonly router?: string | null;
  /** True when the attempt went to another server over SMTP, so the mail left this host. */
  readonly remote: boolean;
  readonly relayHost: string | null;
  readonly relayIp: string | null;
  /**
   * TCP port of the relay when the log names it (Postfix `relay=host[ip]:587`, Exim
   * `H=host [ip]:587`). Null when the line names none, and absent from the events of parsers
   * that do not read it.
   */
  readonly relayPort?: number | null;
  /**
   * The sending side of this server that the attempt left from, when the log names it. For
   * Exim it is the outgoing interface address (`203.0.113.5` of `I=[203.0.113.5]:45002`). For
   * Postfix it is the syslog name of the delivery agent (`postfix` of `postfix/smtp`,
   * `postfix-out1` of `postfix-out1/smtp`), because an instance or a master.cf transport with
   * a `syslog_name=` of its own can also bind an address of its own (`smtp_bind_address`).
   * Null when the line names none, and absent from the events of parsers that do not read it.
   */
  readonly outgoingSource?: string | null;
  /**
   * Kind of hand-off of an attempt that stayed on this server without reaching a mailbox. Null
   * for a delivery to a mailbox or to another server, and absent from the events of parsers
   * that do not read it.
   */
  readonly handoff?: LocalHandoff | null;
  /**
   * True for the hand-off of a local submission program's copy to an MTA on this host (the
   * Sendmail submission program relaying to 127.0.0.1), where no copy of that MTA that the log
   * links to this message reports the recipient. Absent otherwise.
   */
  readonly submissionHandoff?: true;
  /** Enhanced status code as the MTA logged it (Postfix and Sendmail `dsn=`). */
  readonly dsn: string | null;
  /** Free text of the result: the remote reply with its wrapper, or the MTA's own reason. */
  readonly response: string | null;
  /** True for the first attempt to this recipient of this message that the log shows. */
  readonly firstAttempt: boolean;
  /**
   * True when the line reports that the MTA gave up on a message that stayed queued too long,
   * and is no attempt to deliver it. Postfix logs this as qmgr `status=expired, returned to
   * sender`, whose relay, DSN and response repeat those of the recipient's last attempt. Exim
   * logs a `**` line with `retry timeout exceeded` alone, without a host. Absent otherwise.
   */
  readonly queueExpiry?: boolean;
  /**
   * Set when the MTA decided the result without trying to deliver. `suspended` is a deferral
   * because the destination failed shortly before: a Postfix `retry` or `error` line with
   * `delivery temporarily suspended: <earlier reason>`, or an Exim `==` line with `retry time
   * not reached`. `mta` is a deferral or bounce that the MTA decided on its own, such as
   * `unknown mail transport error`, a deferral of a `retry:` entry in `transport_maps`, or a
   * Postfix `smtp` bounce with `relay=none` and `mail for … loops back to myself`.
   * `policy` is a bounce that this server's own rules decided on purpose: an Exim `:fail:`
   * alias or a router's own refusal, or a bounce of the Postfix `error` service such as a
   * relocated user or an `error:` entry in `transport_maps`. Absent for delivery attempts.
   */
  readonly withoutAttempt?: WithoutAttemptKind;
  /**
   * Seconds from the message's arrival in the queue to this deferral: Postfix `delay=`. Set on
   * Postfix deferrals only. Null on other Postfix results, and absent from the events of the
   * other parsers.
   */
  readonly delaySeconds?: number | null;
}

/** The reason that a delivery result involved no attempt (see `DeliveryEvent.withoutAttempt`). */
export type WithoutAttemptKind = "suspended" | "mta" | "policy";

/**
 * A remote reply logged without a recipient: a refusal at the greeting, EHLO or MAIL FROM
 * (Postfix `QID: host H[ip] said: …` or `… refused to talk to me`), or an Exim
 * `SMTP error from remote mail server` line for the whole connection. The Exim parser makes
 * none for a host line whose reply the address lines after it repeat: those count it.
 */
export interface SessionReplyEvent {
  readonly type: "session-reply";
  readonly time: number;
  readonly position: LinePosition;
  readonly message: LoggedMessage | null;
  readonly relayHost: string | null;
  readonly relayIp: string | null;
  readonly response: string;
}

/** A message entered the queue; emitted once per message, when its sender and origin are known. */
export interface MessageEvent {
  readonly type: "message";
  readonly time: number;
  readonly position: LinePosition;
  readonly message: LoggedMessage;
  /**
   * True for a transaction that ended without an accepted recipient (Sendmail's `from=` line
   * with `nrcpts=0`), so nothing was queued. It shows the MTA, host and day of the log, but
   * counts as no message. Absent for queued messages.
   */
  readonly nothingQueued?: true;
}

/** This server refused an SMTP client (inbound): RCPT, HELO, DNSBL, relay-access rejects. */
export interface RejectEvent {
  readonly type: "reject";
  readonly time: number;
  readonly position: LinePosition;
  readonly clientIp: string | null;
  readonly clientHost: string | null;
  /** SMTP command at which the client was refused, as logged (`RCPT`, `CONNECT`…). */
  readonly stage: string | null;
  readonly response: string;
  readonly sender: string | null;
  readonly recipient: string | null;
  /**
   * Reply code of the reject when the parser reads it apart from `response`: the code that
   * starts an Exim reason, else `5xx` for Exim's `rejected` and `4xx` for `temporarily
   * rejected`. Absent from the events of parsers whose `response` starts with the code.
   */
  readonly replyCode?: string;
  /**
   * True when the MTA only logged what a restriction would have rejected and let the
   * client go on (Postfix `reject_warning`, from a `warn_if_reject` restriction). Absent
   * for real rejects.
   */
  readonly warningOnly?: boolean;
}

/** A failed SMTP AUTH or mailbox login. */
export interface AuthFailureEvent {
  readonly type: "auth-failure";
  readonly time: number;
  readonly position: LinePosition;
  readonly clientIp: string | null;
  /** The account name tried, when the log shows it (Exim `set_id=`, Dovecot `user=`). */
  readonly username: string | null;
  readonly program: string;
  /** The MTA that logged the failure, or null for Dovecot's lines. */
  readonly mta: MtaName | null;
}

/**
 * A message that Postfix put on hold (`QID: hold: …` of cleanup or smtpd). It waits in the
 * hold queue until `postsuper -H` releases it. A message gets one event, however many lines
 * hold it.
 */
export interface HoldEvent {
  readonly type: "hold";
  readonly time: number;
  readonly position: LinePosition;
  /**
   * The rule that held it: a `header_checks` or `body_checks` rule of cleanup, or an smtpd
   * access restriction on the client, its HELO, sender or recipient (`client`).
   */
  readonly kind: HoldKind;
}

/** The kind of rule that put a message on hold (see `HoldEvent.kind`). */
export type HoldKind = "header" | "body" | "client";

/**
 * A message put on hold earlier in the log left the hold queue: a `postsuper` line
 * `QID: released from hold`, or the queue manager taking the message in. One per message.
 */
export interface HoldReleasedEvent {
  readonly type: "hold-released";
  readonly time: number;
  readonly position: LinePosition;
}

/**
 * The MTA froze a message in its queue, so that no delivery is tried until it is thawed, or a
 * frozen message left that state: Exim `Frozen`, `Message is frozen`, `frozen by …`, then
 * `Unfrozen by …`, `Completed` or `removed by …`.
 */
export interface FrozenEvent {
  readonly type: "frozen";
  readonly time: number;
  readonly position: LinePosition;
  readonly message: LoggedMessage;
  /** True while the message is frozen, false when it was thawed or left the queue. */
  readonly frozen: boolean;
}

/**
 * A successful login, context for a compromised account: a mailbox login (Dovecot), or an
 * SMTP AUTH login that the MTA logs on a line of its own (Sendmail `AUTH=server`).
 */
export interface LoginEvent {
  readonly type: "login";
  readonly time: number;
  readonly position: LinePosition;
  readonly username: string;
  readonly clientIp: string | null;
  /** `smtp` for an MTA's SMTP AUTH login, else Dovecot's service (`imap`, `pop3`, `submission`). */
  readonly protocol: string;
  /** The MTA that logged the login, or null for Dovecot's lines. */
  readonly mta: MtaName | null;
}

/**
 * An outbound TLS session (Postfix `TLS connection established to`, Exim `X=` on delivery). The
 * peer and protocol are null when not logged, and also when the line was counted by its start
 * alone (see `RecordParser.timedPrefixes`), as diagnose counts Postfix's lines.
 */
export interface TlsEvent {
  readonly type: "tls";
  readonly time: number;
  readonly position: LinePosition;
  readonly direction: "outbound" | "inbound";
  readonly peerHost: string | null;
  readonly peerIp: string | null;
  /** TLS protocol version, such as `TLSv1.3`, when logged. */
  readonly protocol: string | null;
}

/** The MTA started, reloaded or stopped. */
export interface LifecycleEvent {
  readonly type: "lifecycle";
  readonly time: number;
  readonly position: LinePosition;
  /** Syslog host name of the line ("" when the log has none). */
  readonly host: string;
  /** The syslog tag without the process id, such as `postfix-out/master`, or `exim`. */
  readonly program: string;
  readonly action: "start" | "reload" | "stop";
  readonly mta: MtaName;
  readonly version: string | null;
}

/**
 * A `fatal:` line of the MTA's start command or of one of its daemons, such as Postfix's
 * `postfix/master[…]: fatal: bind 0.0.0.0 port 25: Address already in use`. The program exits
 * after it, so the MTA or that daemon stops until a later start. Exim's panic lines give this
 * event too (see `isPanicText`), though Exim goes on after some of them.
 */
export interface FatalErrorEvent {
  readonly type: "fatal-error";
  readonly time: number;
  readonly position: LinePosition;
  /** Syslog host name of the line ("" when the log has none). */
  readonly host: string;
  readonly mta: MtaName;
  /** The syslog tag without the process id, such as `postfix/master`, or `exim`. */
  readonly program: string;
  /** The line's message from `fatal:` on, or an Exim panic line's message after its id. */
  readonly text: string;
}

/**
 * A line that shows the file system of the MTA's queue short of free space. Postfix smtpd
 * checks the free space at each MAIL FROM. Below 1.5 times `message_size_limit` (or below
 * `queue_minfree`), it logs `warning: not enough free space in mail queue: N bytes < …` and
 * rejects the client with `452 4.3.1 Insufficient system storage`, so no mail comes in. Mail
 * submitted on this host does not pass that check: the sendmail command hands it to postdrop,
 * which writes it to the maildrop queue, and pickup passes it to cleanup, which writes the
 * incoming queue. Those writes fail with `No space left on device` once the disk is full.
 *
 * Exim and Sendmail lines of the same fault are described in `src/logs/exim/spool-space.ts`
 * and `src/logs/sendmail/queue-space.ts`.
 */
export interface QueueSpaceEvent {
  readonly type: "queue-space";
  readonly time: number;
  readonly position: LinePosition;
  /** Syslog host name of the line ("" when the log has none). */
  readonly host: string;
  readonly mta: MtaName;
  /**
   * The Postfix instance of the line, the first path component of its tag (see
   * `postfixInstanceOf`). Null for Exim and Sendmail lines.
   */
  readonly instance: string | null;
  /**
   * `reject` for smtpd's 452 4.3.1 reply to a client, `warning` for smtpd's free-space warning,
   * `write-error` for a `warning:` or `fatal:` line of cleanup or postdrop that ends in
   * `No space left on device`, and `sendmail-error` for the Postfix sendmail command's
   * `fatal: USER(UID): queue file write error` or `… error writing queue file: …` line.
   * Exim lines are `warning` (a failed free-space check) or `write-error`. Sendmail lines are
   * `reject`, `warning` or `write-error`. `other-write-error` is a queue file write of any MTA
   * that failed for another cause than lack of space, such as `File too large` or `Permission
   * denied`, which is no disk fault.
   */
  readonly kind: "reject" | "warning" | "write-error" | "sendmail-error" | "other-write-error";
  /**
   * True when the line ends a local submission: every `sendmail-error`, and postdrop's
   * `warning: uid=UID: No space left on device`. postdrop's `mail_queue_enter: create file …`
   * warning is false, because postdrop tries again every 10 seconds. Exim's `Message abandoned`
   * lines that name a login in place of a client host, and Sendmail's `SYSERR(USER)` lines of a
   * user other than `root` or `smmsp`, are true too.
   */
  readonly submissionFailed: boolean;
  /** The Unix user id of the failed submission (`uid=1004`, `www-data(33)`), or null. */
  readonly uid: number | null;
  /** The IP address of the client that a Postfix `reject` names, else null. */
  readonly clientIp: string | null;
  /**
   * The syslog pid and the queue id of a Sendmail line, each null when the line has none. One
   * failed submission can log several `SYSERR` lines, which share them. Null for other MTAs.
   */
  readonly pid: number | null;
  readonly queueId: string | null;
  /** The line's message after the syslog header. */
  readonly text: string;
}

/**
 * The evidence of one syslog host's lines on a Postfix `syslog_name` other than the default
 * `postfix`. A second Postfix instance logs under such a name, and so does a master.cf service
 * with `-o syslog_name=NAME`, which has no queue of its own. The parser emits one event per
 * host, name and kind, at the first line that shows it.
 */
export interface PostfixInstanceEvent {
  readonly type: "postfix-instance";
  readonly time: number;
  /** The line that shows it: for an alias, the first line of the message that the owner took. */
  readonly position: LinePosition;
  /** Syslog host name of the line ("" when the log has none). */
  readonly host: string;
  /** The first path component of the tags, such as `postfix-out`. */
  readonly name: string;
  /**
   * `instance` when `name` has lines of its own master, postfix-script, `postfix` command or
   * queue manager, or of a `postfix@NAME` systemd unit. A master.cf `-o syslog_name` renames
   * one service, so such lines show a Postfix instance with a queue of its own. `alias` when
   * the lines of the instance `owner` continued a message that a receiving line of `name`
   * started: `name` is then the `-o syslog_name` of a master.cf service of `owner` and uses
   * its queue.
   */
  readonly kind: "instance" | "alias";
  /** The instance whose queue an alias uses, or null for an instance. */
  readonly owner: string | null;
}

/** An OpenDKIM verdict on signing an outgoing message. */
export interface DkimSigningEvent {
  readonly type: "dkim-signing";
  readonly time: number;
  readonly position: LinePosition;
  /** Queue id the OpenDKIM line names, when present. */
  readonly queueId: string | null;
  readonly signed: boolean;
  /** Signing domain (`d=`), or the sender domain that had no signing-table match. */
  readonly domain: string | null;
  readonly selector: string | null;
}

/**
 * An outgoing TCP connection to port 25 that a firewall rule logged (netfilter LOG), to
 * compare with the connections the MTA itself logged.
 */
export interface SmtpConnectionEvent {
  readonly type: "smtp-connection";
  readonly time: number;
  readonly position: LinePosition;
  readonly source: string | null;
  readonly sourcePort: number | null;
  readonly destination: string;
  /** True when the firewall forwarded it from another machine (`IN=` set), not this host. */
  readonly forwarded: boolean;
  /** The Unix user of the local process (`UID=`, iptables `--log-uid`), when logged. */
  readonly uid: number | null;
  /** True when the rule's log prefix names a block, drop or reject of the packet. */
  readonly blocked: boolean;
  /** The rule's log prefix, such as `SMTP-OUT:` or `[UFW BLOCK]`; "" for none. */
  readonly prefix: string;
}

/**
 * The outcome of a content-filter hop whose reply names the copy that the filter queued again
 * (Postfix `status=sent (… queued as QUEUEID)` of a `filter` hand-off). `copy` is the copy's
 * message once the log shows the copy and its `message` event went out. The copy's deliveries
 * carry `message`, so the copy is no second queued message. `copy` is null when no line of the
 * copy came within ten minutes of the hop or before the input ended, as when the copy is in a
 * file that was not read. The copy's deliveries, if any, then do not count for the sender of
 * `message`. Emitted once per copy, at the line that completes the link or, for a missing copy,
 * when the parser stops waiting for it.
 */
export interface FilterCopyEvent {
  readonly type: "filter-copy";
  readonly time: number;
  /** The line that completed the link, or the hop's line when the copy is missing. */
  readonly position: LinePosition;
  /** The message that the filter received. */
  readonly message: LoggedMessage;
  readonly copy: LoggedMessage | null;
}

export type LogEvent =
  | DeliveryEvent
  | SessionReplyEvent
  | MessageEvent
  | FilterCopyEvent
  | FrozenEvent
  | HoldEvent
  | HoldReleasedEvent
  | RejectEvent
  | AuthFailureEvent
  | LoginEvent
  | TlsEvent
  | LifecycleEvent
  | FatalErrorEvent
  | DkimSigningEvent
  | SmtpConnectionEvent
  | PostfixInstanceEvent
  | QueueSpaceEvent;

/** Receives events in the order the parsers emit them (log order, not strictly time order). */
export type EventSink = (event: LogEvent) => void;
