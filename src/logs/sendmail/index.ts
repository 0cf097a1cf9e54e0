import type { DeliveryEvent, EventSink, LoggedMessage } from "../events.js";
import { MessageTable, tableKey } from "../exim/message-table.js";
import { isLoopbackIp } from "../exim/loopback.js";
import {
  isDamagedAddress,
  positionOf,
  type LogRecord,
  type ParseOutcome,
  type RecordParser,
} from "../record.js";
import { deliveryStatus } from "./delivery.js";
import {
  parseControllingAddress,
  parseRelay,
  readFields,
  splitRecipients,
  withoutAngles,
  type Fields,
} from "./fields.js";
import { acceptedQueueId, HeldHandoffs, type HeldHandoff } from "./handoffs.js";
import { deliveryEvent, newMessage, queueTimeoutEvents, type QueuedMessage } from "./message.js";
import { queueIdLength } from "./queue-id.js";
import { readSessionLine } from "./server-lines.js";
import { endsSession, SessionLogins } from "./session-login.js";

/**
 * Creates the parser for Sendmail records (programs `sendmail`, `sm-mta`, `sm-msp-queue` and
 * process titles such as `sm-acceptingconnections`). It follows each queue id from `from=`
 * through its `to=` lines, links the submission program's copy of a locally submitted message
 * to the daemon's copy, gives each message the SMTP AUTH login of its session, and reports
 * rejects, AUTH failures, STARTTLS results and daemon starts.
 */
export function createSendmailParser(
  sink: EventSink,
  maxOpenMessages?: number,
  maxOpenSessions?: number,
): SendmailParser {
  return new SendmailLogParser(sink, maxOpenMessages, maxOpenSessions);
}

/** The Sendmail parser, with a view of its correlation state for tests of the memory bound. */
export interface SendmailParser extends RecordParser {
  /** Number of messages whose state is held. */
  readonly openMessages: number;
  readonly evictedMessages: number;
  /** Number of SMTP sessions whose login is kept for their next messages. */
  readonly openSessions: number;
  /** Number of sessions whose login was dropped for the cap. */
  readonly evictedSessions: number;
}

// Syslog tags of Sendmail: `sendmail`, `sm-mta`, `sm-msp-queue`, and tags taken from process
// titles such as `sm-acceptingconnections`. `sm-notify` belongs to NFS and is left out.
const SENDMAIL_PROGRAMS = ["sendmail", "sm-mta", "sm-msp", "sm-accepting"];

class SendmailLogParser implements SendmailParser {
  readonly mta = "sendmail";
  private readonly messages: MessageTable<QueuedMessage>;
  /** Submission copies by host and Message-ID, waiting for the daemon's copy. */
  private readonly submissions = new Map<string, QueuedMessage>();
  private readonly handoffs = new HeldHandoffs();
  private readonly logins: SessionLogins;

  constructor(
    private readonly sink: EventSink,
    maxOpenMessages: number | undefined,
    maxOpenSessions: number | undefined,
  ) {
    this.messages = new MessageTable((state) => this.forget(state), maxOpenMessages);
    this.logins = new SessionLogins(maxOpenSessions);
  }

  get openMessages(): number {
    return this.messages.size;
  }

  get evictedMessages(): number {
    return this.messages.evicted;
  }

  get openSessions(): number {
    return this.logins.size;
  }

  get evictedSessions(): number {
    return this.logins.evicted;
  }

  accepts(program: string): boolean {
    return SENDMAIL_PROGRAMS.some((prefix) => program.startsWith(prefix));
  }

  parse(record: LogRecord): ParseOutcome {
    this.messages.advance(record.time);
    if (this.handoffs.size > 0) this.releaseOverdue(record.time);
    const text = record.message;
    const idLength = queueIdLength(text);
    if (idLength === 0) {
      // Sendmail writes `NOQUEUE:` in place of the id before a transaction has one.
      const start = text.startsWith("NOQUEUE: ") ? 9 : 0;
      if (text.startsWith("AUTH=server", start)) return this.parseSessionAuth(record, start);
      return this.parseSessionLine(record, start);
    }

    const start = idLength + 2;
    if (text.startsWith("from=", start)) return this.parseFrom(record, idLength);
    if (text.startsWith("to=", start)) return this.parseTo(record, idLength);
    if (text.startsWith("AUTH=server", start)) return this.parseAuth(record, idLength);
    if (isBounceCreation(text, start)) return this.parseBounceCreation(record, start);
    // `<x@example.com>... User unknown` repeats, without the client, a refusal whose
    // `ruleset=` or `to=` line is logged too.
    if (text.startsWith("<", start) && text.includes(">... ", start)) return "ignored";
    return this.parseSessionLine(record, start);
  }

  /**
   * Emits the `message` event of every message that had no `to=` line yet. The event waits
   * for the first `to=` line because the `AUTH=server` line with the account follows `from=`.
   */
  finish(): void {
    this.messages.drain((state) => {
      this.announce(state, null);
      this.releaseUnlinked(this.handoffs.takeSubmission(state));
    });
    for (const entry of this.handoffs.takeAll()) this.releaseUnlinked(entry);
    this.submissions.clear();
    this.logins.clear();
  }

  private parseSessionLine(record: LogRecord, start: number): ParseOutcome {
    const result = readSessionLine(record, start);
    if (result === null) return "unparsed";
    if (result === "ignored") {
      if (endsSession(record.message, start)) this.logins.close(record);
      return "ignored";
    }
    // STARTTLS comes before AUTH in a session, so an inbound one starts a new session.
    if (result.type === "tls" && result.direction === "inbound") this.logins.close(record);
    this.sink(result);
    return "parsed";
  }

  // `from=<alice@example.com>, size=4312, class=0, nrcpts=2, msgid=<…>, proto=ESMTPSA,
  // daemon=MTA-MSA, relay=laptop.example.com [198.51.100.7]`
  private parseFrom(record: LogRecord, idLength: number): ParseOutcome {
    const text = record.message;
    const fields = readFields(text, idLength + 2);
    if (fields === null) return "unparsed";
    const state = this.stateFor(record, text.slice(0, idLength));
    const message = state.message;

    const from = fields.get("from") ?? "";
    message.sender = from === "<>" ? "" : withoutAngles(from);
    message.sizeBytes = integerOrNull(fields.get("size"));
    message.recipientCount = integerOrNull(fields.get("nrcpts"));
    const msgid = fields.get("msgid");
    if (msgid !== undefined) message.messageId = withoutAngles(msgid);
    const proto = fields.get("proto");
    if (proto !== undefined) message.service = proto.toLowerCase();

    const relay = parseRelay(fields.get("relay") ?? "");
    message.clientHost = relay.host;
    message.clientIp = relay.ip;
    message.saslUsername ??= this.logins.accountFor(record, relay.ip);
    if (relay.localUser !== null) {
      this.noteSubmission(state, relay.localUser);
    } else {
      this.linkSubmission(state);
      this.linkHeldHandoff(tableKey(record.host, text.slice(0, idLength)), state);
    }
    return "parsed";
  }

  /**
   * A local submission shows two queue ids: the submission program's copy (`relay=user@
   * localhost`, mailed to the daemon on 127.0.0.1) and the daemon's copy that delivers it.
   * Both carry the same Message-ID. The daemon's copy takes over the user and uid and is the
   * one reported. The submission copy's hand-off to 127.0.0.1 is no delivery, so one
   * submission is counted once.
   */
  private noteSubmission(state: QueuedMessage, user: string): void {
    state.submission = true;
    state.message.localUser = user;
    state.message.service ??= "local";
    const messageId = state.message.messageId;
    if (messageId !== null) this.submissions.set(tableKey(state.message.host, messageId), state);
  }

  private linkSubmission(state: QueuedMessage): void {
    const message = state.message;
    if (message.messageId === null || !isLocalOrigin(message)) return;
    const key = tableKey(message.host, message.messageId);
    const copy = this.submissions.get(key);
    if (copy === undefined || copy === state) return;

    this.submissions.delete(key);
    this.handOver(copy, state);
  }

  /** Makes the daemon's copy the reported one, with the user and uid of the submission copy. */
  private handOver(submission: QueuedMessage, daemon: QueuedMessage): void {
    submission.handedOver = true;
    const message = daemon.message;
    message.localUser ??= submission.message.localUser;
    message.uid ??= submission.message.uid;
    const messageId = submission.message.messageId;
    if (messageId === null) return;
    const key = tableKey(submission.message.host, messageId);
    if (this.submissions.get(key) === submission) this.submissions.delete(key);
  }

  /**
   * Links the daemon copy that just showed its `from=` line to a submission copy whose
   * hand-off reply named it earlier (see `holdHandoff`). The held hand-off then counts as a
   * hop to the local MTA only, because the daemon copy reports the message and its deliveries.
   */
  private linkHeldHandoff(daemonKey: string, daemon: QueuedMessage): void {
    if (this.handoffs.size === 0) return;
    const entry = this.handoffs.take(daemonKey);
    if (entry === undefined) return;
    entry.submission.awaitingDaemon = false;
    this.handOver(entry.submission, daemon);
    for (const event of entry.events) this.sink(event);
  }

  /**
   * Holds the successful hand-off of a submission copy to the daemon on this host when its
   * reply names the daemon's queue id (`Sent (… Message accepted for delivery)`) and the log
   * has not shown that copy yet. The two processes can log in either order. Returns true when
   * the events are held. When the daemon copy is already known, links the two and returns
   * false.
   * NOTE: a recipient line of the submission copy that an earlier line already reported (a
   * rejected recipient logged first) still leaves both copies reported.
   */
  private holdHandoff(
    record: LogRecord,
    state: QueuedMessage,
    fields: Fields,
    recipients: readonly string[],
    relay: ReturnType<typeof parseRelay>,
  ): boolean {
    const id = acceptedQueueId(fields.get("stat") ?? "");
    if (id === null) return false;
    const daemonKey = tableKey(record.host, id);
    const daemon = this.messages.touch(daemonKey, record.time);
    if (daemon === state) return false;
    if (daemon !== undefined) {
      this.handOver(state, daemon);
      return false;
    }
    if (state.announced) return false;

    const events = recipients.map((recipient) =>
      deliveryEvent(record, state, fields, recipient, "sent", relay),
    );
    state.awaitingDaemon = true;
    this.handoffs.hold(daemonKey, state, events, record.time);
    return true;
  }

  /** Reports the hand-offs whose daemon copy did not come in time as those of an unlinked copy. */
  private releaseOverdue(now: number): void {
    for (const entry of this.handoffs.takeOverdue(now)) this.releaseUnlinked(entry);
  }

  /**
   * Reports a submission copy whose daemon copy the log did not show, with its held hand-off
   * events, as a copy that was never linked is reported.
   */
  private releaseUnlinked(entry: HeldHandoff | undefined): void {
    if (entry === undefined) return;
    const submission = entry.submission;
    submission.awaitingDaemon = false;
    this.announce(submission, null);
    for (const event of entry.events) this.sink(handoffEvent(event));
  }

  /**
   * `AUTH=server, relay=laptop.example.com [198.51.100.7], authid=alice, mech=LOGIN, bits=0`
   * without a queue id: the login of this process's SMTP session, for its next messages. The
   * line proves the login even when no message follows, so it is also emitted as a login event.
   */
  private parseSessionAuth(record: LogRecord, start: number): ParseOutcome {
    const fields = readFields(record.message, start);
    const authid = fields?.get("authid");
    if (fields === null || authid === undefined || authid === "") return "unparsed";

    const account = withoutAngles(authid);
    const relay = parseRelay(fields.get("relay") ?? "");
    // NOTE: without a process id in the syslog tag the login is read but tied to no message.
    this.logins.open(record, account, relay.ip);
    this.emitLogin(record, account, relay.ip);
    return "parsed";
  }

  // `424EF3Ab003120: AUTH=server, relay=…, authid=alice, …`: the login line after a queue id
  // names the message itself.
  private parseAuth(record: LogRecord, idLength: number): ParseOutcome {
    const text = record.message;
    const fields = readFields(text, idLength + 2);
    const authid = fields?.get("authid");
    if (fields === null || authid === undefined) return "unparsed";

    const account = withoutAngles(authid);
    this.stateFor(record, text.slice(0, idLength)).message.saslUsername = account;
    if (account !== "") this.emitLogin(record, account, parseRelay(fields.get("relay") ?? "").ip);
    return "parsed";
  }

  private emitLogin(record: LogRecord, account: string, clientIp: string | null): void {
    this.sink({
      type: "login",
      time: record.time,
      position: positionOf(record),
      username: account,
      clientIp,
      protocol: "smtp",
      mta: "sendmail",
    });
  }

  // `to=<a@example.com>,<b@example.com>, ctladdr=…, delay=…, xdelay=…, mailer=esmtp,
  // pri=…, relay=mx.example.com. [192.0.2.1], dsn=2.0.0, stat=Sent (…)`: one event per address.
  private parseTo(record: LogRecord, idLength: number): ParseOutcome {
    const text = record.message;
    const fields = readFields(text, idLength + 2);
    const stat = fields?.get("stat");
    if (fields === null || stat === undefined) return "unparsed";
    const recipients = splitRecipients(fields.get("to") ?? "");
    if (recipients.some(isDamagedAddress)) return "unparsed";
    const state = this.stateFor(record, text.slice(0, idLength));

    this.noteControllingUser(state, fields);
    const relayValue = fields.get("relay");
    const relay = relayValue === undefined ? null : parseRelay(relayValue);
    const status = deliveryStatus(fields.get("dsn"), stat);
    const submissionHandoff = state.submission && relay?.ip != null && isLoopbackIp(relay.ip);
    const accepted = submissionHandoff && status === "sent";
    if (accepted && relay !== null && !state.handedOver) {
      if (this.holdHandoff(record, state, fields, recipients, relay)) return "parsed";
    }
    this.announce(state, record);
    if (status === null) return "parsed";

    // The submission copy's hand-off to the daemon is no delivery. A daemon copy that took the
    // message over reports the recipients it accepted, so their hand-off counts as a hop to the
    // local MTA only. A recipient that the daemon rejected or deferred, or any recipient of a
    // daemon whose copy is not linked (Postfix on 127.0.0.1), shows only here.
    const linked = accepted && state.handedOver;
    for (const recipient of recipients) {
      const event = deliveryEvent(record, state, fields, recipient, status, relay);
      this.sink(submissionHandoff && !linked ? handoffEvent(event) : event);
    }
    return "parsed";
  }

  // `ctladdr=<shopuser@shop.example.com> (1004/1004)` names the Unix user behind a local
  // submission. On mail that came in over SMTP it names the user of a program or file
  // delivery instead, which is no sign of who sent it.
  private noteControllingUser(state: QueuedMessage, fields: Fields): void {
    const value = fields.get("ctladdr");
    const message = state.message;
    if (value === undefined || !isLocalOrigin(message)) return;
    const controlling = parseControllingAddress(value);
    message.localUser ??= controlling.user;
    message.uid ??= controlling.uid;
  }

  // `424EF3Ab003120: 424EF3Ac003120: DSN: User unknown`: the second id is the bounce.
  private parseBounceCreation(record: LogRecord, start: number): ParseOutcome {
    const text = record.message;
    const bounceLength = queueIdLength(text, start);
    const bounce = this.stateFor(record, text.slice(start, start + bounceLength));
    bounce.message.isBounce = true;
    if (isQueueTimeout(text, start + bounceLength + 2)) this.expire(record, start - 2);
    return "parsed";
  }

  /**
   * Ends the delivery of the returned message (the first `idLength` characters of the line)
   * at its queue timeout, with an `expired` event for each recipient still deferred. A
   * message that the log named only on this line gets no `message` event, because it
   * entered the queue before the log starts.
   */
  private expire(record: LogRecord, idLength: number): void {
    const id = record.message.slice(0, idLength);
    const state = this.messages.touch(tableKey(record.host, id), record.time);
    let events: DeliveryEvent[];
    if (state === undefined) {
      events = queueTimeoutEvents(record, newMessage(record, id), null);
    } else {
      this.announce(state, record);
      events = queueTimeoutEvents(record, state.message, state.deferred);
      state.deferred = null;
    }
    for (const event of events) this.sink(event);
  }

  /**
   * Emits the `message` event of `state` once. A `from=` line with `nrcpts=0` ends a
   * transaction in which no recipient was accepted, so nothing was queued and the event is
   * marked `nothingQueued`. Its rejected recipients count through their `ruleset=` or reject
   * lines.
   */
  private announce(state: QueuedMessage, record: LogRecord | null): void {
    if (state.announced || state.handedOver || state.awaitingDaemon) return;
    state.announced = true;
    this.sink({
      type: "message",
      time: record?.time ?? state.message.firstTime,
      position: record === null ? state.message.firstPosition : positionOf(record),
      message: state.message,
      ...(state.message.recipientCount === 0 ? { nothingQueued: true } : {}),
    });
  }

  // Evicted messages are reported before their state goes, like those left at the end.
  private forget(state: QueuedMessage): void {
    this.releaseUnlinked(this.handoffs.takeSubmission(state));
    this.announce(state, null);
    const messageId = state.message.messageId;
    if (messageId === null) return;
    const key = tableKey(state.message.host, messageId);
    if (this.submissions.get(key) === state) this.submissions.delete(key);
  }

  private stateFor(record: LogRecord, id: string): QueuedMessage {
    const key = tableKey(record.host, id);
    const existing = this.messages.touch(key, record.time);
    if (existing !== undefined) return existing;
    const state: QueuedMessage = {
      message: newMessage(record, id),
      announced: false,
      submission: false,
      handedOver: false,
      awaitingDaemon: false,
      deferred: null,
      lastSeen: record.time,
    };
    this.messages.set(key, state);
    return state;
  }
}

/** Marks a submission copy's hand-off to an MTA whose copy the log does not link. */
function handoffEvent(event: DeliveryEvent): DeliveryEvent {
  return { ...event, submissionHandoff: true };
}

// `DSN:` (8.12 and later), `return to sender:` and `postmaster notify:` after a second id.
function isBounceCreation(text: string, start: number): boolean {
  const length = queueIdLength(text, start);
  if (length === 0) return false;
  const after = start + length + 2;
  return (
    text.startsWith("DSN:", after) ||
    text.startsWith("return to sender:", after) ||
    text.startsWith("postmaster notify:", after)
  );
}

// Submitted on this host: by the submission program, or handed to the daemon over loopback.
function isLocalOrigin(message: LoggedMessage): boolean {
  return message.clientIp === null ? message.clientHost === null : isLoopbackIp(message.clientIp);
}

function integerOrNull(value: string | undefined): number | null {
  if (value === undefined) return null;
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : null;
}

/**
 * True when the bounce created on this line, whose reason starts at `at`, returns a message
 * whose queue lifetime ended: `DSN: Cannot send message for 5 days`, or the same reason after
 * `return to sender:`. A delay warning (`DSN: Warning: could not send message for past 4
 * hours`), a `Return receipt` and the `postmaster notify:` copy end nothing.
 */
function isQueueTimeout(text: string, at: number): boolean {
  let reason = at;
  if (text.startsWith("DSN: ", at)) reason += 5;
  else if (text.startsWith("return to sender: ", at)) reason += 18;
  else return false;
  return text.startsWith(QUEUE_TIMEOUT_REASON, reason);
}

// The reason that Sendmail's `dropenvelope` (envelope.c) gives a message that outlived
// `Timeout.queuereturn`, followed by that time.
const QUEUE_TIMEOUT_REASON = "Cannot send message for ";
