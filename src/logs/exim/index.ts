import type {
  DeliveryStatus,
  EventSink,
  FatalErrorEvent,
  FrozenEvent,
  LinePosition,
  SessionReplyEvent,
} from "../events.js";
import {
  isDamagedAddress,
  positionOf,
  type LogRecord,
  type ParseOutcome,
  type RecordParser,
} from "../record.js";
import { readArrival } from "./arrival.js";
import { CompletedMessages } from "./completed-messages.js";
import { deliveryStatus, hostInText, readDelivery, type DeliveryFields } from "./delivery.js";
import { FieldReader } from "./field-reader.js";
import { CallerTracker } from "./local-submission.js";
import { readClientAuthFailure, readHostError, withFailedHost } from "./failed-host.js";
import { HeldReplies } from "./held-replies.js";
import { authFailedAt, classifyNote, connectionErrorOf, sessionErrorAt } from "./message-notes.js";
import { MessageTable, tableKey } from "./message-table.js";
import { messageIdLength } from "./message-id.js";
import { deliveryEvent, newMessage, tlsEvent, type MessageState } from "./message.js";
import {
  isConfigErrorStart,
  isConfigErrorStartText,
  isIndented,
  isPanicText,
  panicEvent,
  withConfigErrorReason,
} from "./panic.js";
import { authFailureEvent, parseServerLine, rejectedAt, rejectEvent } from "./server-lines.js";
import { spoolSpaceEvent } from "./spool-space.js";
import { SyslogPartJoiner } from "./part-joiner.js";
import { firstLineRecord, type SplitLine } from "./split-line.js";
import { syslogPartOf, type SyslogPart } from "./syslog-part.js";

/**
 * Creates the parser for Exim main-log records (program `exim`, natively or through syslog).
 * It follows each message from its arrival (`<=`) through its deliveries (`=>` `->` `>>` `*>`
 * `**` `==`) to `Completed`, pairs `cwd=` lines with the local arrivals they precede, and
 * reports frozen messages, SMTP rejects, authentication failures, daemon starts and panics.
 */
export function createEximParser(sink: EventSink, maxOpenMessages?: number): EximParser {
  return new EximLogParser(sink, maxOpenMessages);
}

/** The Exim parser, with a view of its correlation state for tests of the memory bound. */
export interface EximParser extends RecordParser {
  /** Number of messages whose state is held. */
  readonly openMessages: number;
  readonly evictedMessages: number;
  /**
   * Lines that Exim sent to syslog in numbered parts and that were read before all their parts
   * came (see `SyslogPartJoiner`).
   */
  readonly incompleteSplitLines: number;
}

const ARRIVAL_FLAGS = new Set(["<=", "(="]);
const DELIVERY_FLAGS = new Set(["=>", "->", ">>", "*>", "**", "=="]);

/**
 * An address line that reports a failed connection without naming the host, kept until the
 * host line of that failure (`ID H=127.0.0.1 [127.0.0.1] Connection refused`) or the next
 * second of the log. Exim writes the host line first, but a merge or sort of log files can
 * put it after the address line within the same second.
 */
interface AddressWithoutHost {
  readonly state: MessageState;
  readonly record: LogRecord;
  readonly position: LinePosition;
  readonly fields: DeliveryFields;
  readonly status: DeliveryStatus;
}

// Flags by their two char codes, first character in the high byte.
const FLAGS = new Map(
  [...ARRIVAL_FLAGS, ...DELIVERY_FLAGS].map((flag) => [
    flag.charCodeAt(0) * 256 + flag.charCodeAt(1),
    flag,
  ]),
);

// Returns the flag that starts at `index`, or null. Looking it up by char codes avoids making
// a string on every line.
function flagAt(text: string, index: number): string | null {
  if (text.charCodeAt(index + 2) !== 32) return null;
  return FLAGS.get(text.charCodeAt(index) * 256 + text.charCodeAt(index + 1)) ?? null;
}

class EximLogParser implements EximParser {
  readonly mta = "exim";
  private readonly messages: MessageTable<MessageState>;
  // Messages that ended shortly before, for their delivery lines logged after `Completed`.
  private readonly completed = new CompletedMessages<MessageState>();
  private readonly callers = new CallerTracker();
  private readonly reader = new FieldReader();
  // Number of frozen messages whose state the table dropped before their last line.
  private frozenEvicted = 0;
  // Address lines that wait for their host line, oldest first, all of one second of the log.
  private readonly withoutHost: AddressWithoutHost[] = [];
  // Host-line replies that wait for the address lines that may repeat them.
  private readonly heldReplies: HeldReplies;
  // A configuration error's first line, held until the next line shows whether its reason
  // follows (see `continueRecord`).
  private configErrorStart: FatalErrorEvent | null = null;
  // Lines that Exim sent to syslog in numbered parts, held until their later parts come.
  private readonly splitLines = new SyslogPartJoiner<SplitLine>((line, text) =>
    this.sendSplitLine(line, text),
  );
  // The outcome of the split entry that the last `splitLines.add` completed, else null.
  private joinedOutcome: ParseOutcome | null = null;
  // The sink of lines without a message id. It keeps back a configuration error's first line.
  private readonly serverLineSink: EventSink = (event) => {
    if (event.type === "fatal-error" && isConfigErrorStart(event)) {
      this.configErrorStart = event;
      return;
    }
    this.sink(event);
  };

  constructor(
    private readonly sink: EventSink,
    maxOpenMessages: number | undefined,
  ) {
    this.messages = new MessageTable((state) => {
      if (state.frozen) this.frozenEvicted += 1;
    }, maxOpenMessages);
    this.heldReplies = new HeldReplies(sink);
  }

  get openMessages(): number {
    return this.messages.size;
  }

  get evictedMessages(): number {
    return this.messages.evicted;
  }

  get incompleteSplitLines(): number {
    return this.splitLines.incompleteLines;
  }

  // Only arrival and delivery lines: Exim itself repeats notes such as `Message is frozen`
  // when two queue runners meet a message in the same second.
  namesMessage(text: string): boolean {
    const idLength = messageIdLength(text);
    return idLength > 0 && flagAt(text, idLength + 1) !== null;
  }

  accepts(program: string): boolean {
    return program === "exim";
  }

  parse(record: LogRecord): ParseOutcome {
    this.sendConfigErrorStart();
    if (this.withoutHost.length > 0 && record.time !== this.withoutHost[0]?.record.time) {
      this.releaseWithoutHost(null);
    }
    if (this.heldReplies.size > 0) this.heldReplies.sendExpired(record.time);
    if (this.messages.advance(record.time)) this.callers.sweep(record.time);
    if (this.splitLines.size > 0) this.splitLines.expire(record.time);
    if (record.message.charCodeAt(0) === 91) return this.parseBracketed(record);
    return this.parseRecord(record);
  }

  /**
   * Parses a syslog message that starts with `[`. With `+pid`, Exim writing to syslog without
   * its own stamp leaves `[pid] ` before the text. A line that Exim split into numbered parts
   * (`[1\N] `) is held until its later parts come. A configuration error is reported at part 1
   * and gets its reason from the later parts. Any other entry, such as a long `**` line or a
   * reject with its header lines, is parsed once joined, with the outcome going to its last
   * part and `ignored` to the parts before it.
   */
  private parseBracketed(record: LogRecord): ParseOutcome {
    const part = syslogPartOf(record.message);
    if (part === null) return this.parseRecord(withoutPidPrefix(record));
    if (part.index !== 1) return this.addPart(record, part);

    const text = record.message.slice(part.textStart);
    const unmarked = withoutPidPrefix({ ...record, message: text });
    if (isConfigErrorStartText(unmarked.message)) {
      return this.startConfigError(record, part, unmarked);
    }
    const entry: SplitLine = {
      kind: "entry",
      record: unmarked,
      endsAtLineBreak: part.endsAtLineBreak,
    };
    return this.splitLines.start(record, part, entry) ? "ignored" : this.parseRecord(unmarked);
  }

  private startConfigError(record: LogRecord, part: SyslogPart, unmarked: LogRecord): ParseOutcome {
    const outcome = this.parseRecord(unmarked);
    const event = this.configErrorStart;
    if (event !== null && this.splitLines.start(record, part, { kind: "config-error", event })) {
      this.configErrorStart = null;
    }
    return outcome;
  }

  // A part that no open line waits for is parsed by itself, with its marker, so it usually
  // counts as unparsed.
  private addPart(record: LogRecord, part: SyslogPart): ParseOutcome {
    this.joinedOutcome = null;
    const line = this.splitLines.add(record, part);
    if (line === null) return this.parseRecord(record);
    if (line.kind === "config-error") return "parsed";
    return this.joinedOutcome ?? "ignored";
  }

  /**
   * Sends a configuration error with its reason, or parses the first line of another split
   * entry (see `firstLineRecord`). An entry sent before its last part came is parsed from the
   * parts that came, and its outcome is not counted, because its parts counted as ignored.
   */
  private sendSplitLine(line: SplitLine, text: string): void {
    if (line.kind === "config-error") {
      this.sink(text === "" ? line.event : withConfigErrorReason(line.event, text));
      return;
    }
    this.joinedOutcome = this.parseRecord(firstLineRecord(line, text));
  }

  private parseRecord(record: LogRecord): ParseOutcome {
    const text = record.message;
    const idLength = messageIdLength(text);
    if (idLength === 0) {
      if (text.startsWith("cwd=")) return this.callers.note(record) ? "parsed" : "unparsed";
      return parseServerLine(record, this.reader, this.serverLineSink);
    }

    const flag = flagAt(text, idLength + 1);
    if (flag === null) return this.parseNote(record, idLength);
    if (ARRIVAL_FLAGS.has(flag)) return this.parseArrival(record, idLength);
    if (DELIVERY_FLAGS.has(flag)) return this.parseDelivery(record, idLength, flag);
    return this.parseNote(record, idLength);
  }

  /**
   * Joins an indented line without log framing to the configuration error just before it, as
   * its reason, and returns true. Returns false for other lines, which stay lines without log
   * framing.
   */
  continueRecord(line: string): boolean {
    const start = this.configErrorStart;
    if (start === null || !isIndented(line)) return false;
    this.configErrorStart = null;
    this.sink(withConfigErrorReason(start, line));
    return true;
  }

  continuesCopiedRecord(message: string, line: string): boolean {
    return isIndented(line) && isConfigErrorStartText(withoutPidText(message));
  }

  finish(): void {
    this.sendConfigErrorStart();
    this.splitLines.sendAll();
    this.heldReplies.sendAll();
    this.releaseWithoutHost(null);
    // Messages are reported at their arrival line, so nothing else is pending; the state goes.
    this.messages.drain(() => undefined);
    this.completed.clear();
    this.callers.clear();
  }

  // An arrival line starts a message, so it never takes an ended message's state.
  private parseArrival(record: LogRecord, idLength: number): ParseOutcome {
    const id = record.message.slice(0, idLength);
    const key = tableKey(record.host, id);
    const state = this.messages.touch(key, record.time) ?? this.newState(record, id, key);
    const message = state.message;
    if (!readArrival(this.reader, record.message, idLength + 4, message)) return "unparsed";

    if (message.service?.startsWith("local") === true && !message.isBounce) {
      const caller = this.callers.claim(record);
      if (caller !== null) {
        message.workingDirectory = caller.workingDirectory;
        message.command = caller.command;
      }
    }
    // A message created by this line shares its first position with the event.
    const first = message.firstPosition;
    const isFirstLine = first.line === record.line && first.file === record.file;
    const position = isFirstLine ? first : positionOf(record);
    this.sink({ type: "message", time: record.time, position, message });
    return "parsed";
  }

  private parseDelivery(record: LogRecord, idLength: number, flag: string): ParseOutcome {
    const fields = readDelivery(this.reader, record.message, idLength + 4);
    if (fields.recipient === "" || isDamagedAddress(fields.recipient)) return "unparsed";
    const status = deliveryStatus(flag, fields.errorText);
    if (status === null) return "parsed";

    const state = this.stateFor(record, idLength);
    withFailedHost(state, fields);
    if (this.heldReplies.size > 0) {
      const key = tableKey(record.host, record.message.slice(0, idLength));
      this.heldReplies.dropRepeated(key, fields);
      if (fields.relayIp !== null) this.heldReplies.sendOtherHosts(key, fields.relayIp);
    }
    const position = positionOf(record);
    if (lacksFailedHost(fields)) {
      this.withoutHost.push({ state, record: { ...record }, position, fields, status });
      return "parsed";
    }
    this.releaseWithoutHost(state);
    const event = deliveryEvent(record, position, state, fields, status);
    if (event === null) return "parsed";
    this.sink(event);
    // `->` lines share the connection of the `=>` line before them: one TLS session.
    if (fields.tlsProtocol !== null && flag !== "->") {
      this.sink(tlsEvent(record, position, fields));
    }
    return "parsed";
  }

  private parseNote(record: LogRecord, idLength: number): ParseOutcome {
    const text = record.message;
    const start = idLength + 1;
    const kind = classifyNote(text, start);
    // Only the host line of their failure can name the host of waiting address lines, so any
    // other line of their message sends them on first and keeps the message's lines in order.
    if (kind !== "host-error" && this.withoutHost.length > 0) {
      const state = this.findState(tableKey(record.host, text.slice(0, idLength)), record.time);
      if (state !== undefined) this.releaseWithoutHost(state);
    }
    switch (kind) {
      case "completed":
      case "removed":
        this.endMessage(record, idLength, kind === "completed");
        return "parsed";
      case "frozen":
      case "thawed":
        this.noteFrozen(record, idLength, kind === "frozen");
        return "parsed";
      case "session-reply":
        this.noteSessionReply(record, idLength);
        return "parsed";
      case "auth-failure":
        this.sink(authFailureEvent(record, authFailedAt(text, start)));
        return "parsed";
      case "client-auth-failure":
        this.sink(this.clientAuthFailure(record, idLength));
        return "parsed";
      case "client-auth-cancelled":
        this.noteClientAuthCancelled(record, idLength);
        return "parsed";
      case "host-error":
        return this.noteHostError(record, idLength);
      case "reject":
        this.sink(rejectEvent(record, this.reader, start, rejectedAt(text, start)));
        return "parsed";
      case "ignored":
        return kind;
      case "unparsed":
        return this.parseUnknownNote(record, start);
    }
  }

  // A panic while Exim handles a message, and a spool write that failed while Exim received
  // it, carry the message's id.
  private parseUnknownNote(record: LogRecord, start: number): ParseOutcome {
    if (isPanicText(record.message, start)) {
      this.sink(panicEvent(record, start));
      return "parsed";
    }
    const spoolSpace = spoolSpaceEvent(record, start);
    if (spoolSpace === null) return "unparsed";
    this.sink(spoolSpace);
    return "parsed";
  }

  private sendConfigErrorStart(): void {
    if (this.configErrorStart === null) return;
    this.sink(this.configErrorStart);
    this.configErrorStart = null;
  }

  // Only a completed message is kept for late lines: after `removed by …` Exim delivers nothing.
  private endMessage(record: LogRecord, idLength: number, completed: boolean): void {
    const key = tableKey(record.host, record.message.slice(0, idLength));
    const state = this.messages.touch(key, record.time);
    if (this.heldReplies.size > 0) this.heldReplies.sendOf(key);
    this.leaveFrozen(record, idLength, state);
    if (state === undefined) return;
    this.messages.delete(key);
    if (completed) this.completed.add(key, state, record.time);
  }

  // Only changes of state make events: a queue run writes `Message is frozen` for every frozen
  // message it skips.
  private noteFrozen(record: LogRecord, idLength: number, frozen: boolean): void {
    if (!frozen) {
      const key = tableKey(record.host, record.message.slice(0, idLength));
      this.leaveFrozen(record, idLength, this.messages.touch(key, record.time));
      return;
    }
    const state = this.stateFor(record, idLength);
    if (state.frozen) return;
    state.frozen = true;
    this.sink(frozenEvent(record, state, true));
  }

  /**
   * Reports that a message left the frozen state (thawed, delivered or removed) when its state
   * shows it frozen. Once the table has dropped the state of a frozen message, any message
   * without a frozen state may be that one, so its line reports the end too. The analyser
   * ignores ends of messages that it does not hold as frozen.
   */
  private leaveFrozen(record: LogRecord, idLength: number, state: MessageState | undefined): void {
    if (state?.frozen === true) {
      state.frozen = false;
      this.sink(frozenEvent(record, state, false));
    } else if (this.frozenEvicted > 0) {
      const message = state?.message ?? newMessage(record, record.message.slice(0, idLength));
      this.sink(frozenEvent(record, { message }, false));
    }
  }

  // `ID plain authenticator failed H=smtp.example.net [192.0.2.250] 535 5.7.8 Error: …`: this
  // server, as a client, failed to log in to a relay host. The relay's reply is a session reply,
  // as Postfix's `SASL authentication failed; server … said: 535 …` is.
  private clientAuthFailure(record: LogRecord, idLength: number): SessionReplyEvent {
    const login = readClientAuthFailure(record.message, idLength + 1);
    const state = this.stateFor(record, idLength);
    if (login.host !== null) state.failedHost = login.host;
    return {
      type: "session-reply",
      time: record.time,
      position: positionOf(record),
      message: state.message,
      relayHost: login.host?.host ?? null,
      relayIp: login.host?.ip ?? null,
      response: login.response,
    };
  }

  // `ID login authenticator cancelled authentication H=smtp.example.net [192.0.2.250] Invalid
  // base64 string in server response "334 User?"`: this server gave up its own login, so no
  // reply of the relay host ends it. The line makes no event, but its host goes to the
  // address lines after it that repeat the failed login (`authentication required but …`).
  private noteClientAuthCancelled(record: LogRecord, idLength: number): void {
    const login = readClientAuthFailure(record.message, idLength + 1);
    if (login.host !== null) this.stateFor(record, idLength).failedHost = login.host;
  }

  // `ID H=127.0.0.1 [127.0.0.1] Connection refused`, also without `H=`. No server replied, so
  // the line makes no event, but its host goes to the address lines after it.
  private noteHostError(record: LogRecord, idLength: number): ParseOutcome {
    const host = readHostError(record.message, idLength + 1);
    if (host === null) return "ignored";
    const state = this.stateFor(record, idLength);
    state.failedHost = host;
    this.releaseWithoutHost(state);
    return "parsed";
  }

  /**
   * Sends the delivery events of the address lines that wait for a host line: those of
   * `state`, or all of them for null. Each line gets the host of its message's failed
   * connection when it repeats that failure.
   */
  private releaseWithoutHost(state: MessageState | null): void {
    const waiting = this.withoutHost;
    if (waiting.length === 0) return;
    let remaining = 0;
    for (const line of waiting) {
      if (state !== null && line.state !== state) {
        waiting[remaining++] = line;
        continue;
      }
      withFailedHost(line.state, line.fields);
      const event = deliveryEvent(line.record, line.position, line.state, line.fields, line.status);
      if (event !== null) this.sink(event);
    }
    waiting.length = remaining;
  }

  /**
   * Holds the reply of a host line for the address lines that may repeat it (see
   * `HeldReplies`). A line that names no host goes out at once.
   */
  private noteSessionReply(record: LogRecord, idLength: number): void {
    const key = tableKey(record.host, record.message.slice(0, idLength));
    const event = this.sessionReply(record, idLength, this.findState(key, record.time));
    if (event.relayIp === null) this.sink(event);
    else this.heldReplies.hold(key, event);
  }

  // `ID H=host [ip]: SMTP error from remote mail server after …: reply`, or the same with
  // the host in the text (`… after MAIL FROM:<…>: host mx.example.com [192.0.2.1]: 421 …`).
  private sessionReply(
    record: LogRecord,
    idLength: number,
    state: MessageState | undefined,
  ): SessionReplyEvent {
    const text = record.message;
    const response = text.slice(sessionErrorAt(text, idLength + 1));
    let relayHost: string | null;
    let relayIp: string | null;
    if (text.startsWith("H=", idLength + 1)) {
      this.reader.reset(text, idLength + 1, true);
      this.reader.next();
      this.reader.readHost();
      relayHost = this.reader.hostName;
      relayIp = this.reader.hostIp;
    } else {
      const named = hostInText(response);
      relayHost = named?.host ?? null;
      relayIp = named?.ip ?? null;
    }

    return {
      type: "session-reply",
      time: record.time,
      position: positionOf(record),
      message: state?.message ?? null,
      relayHost,
      relayIp,
      response,
    };
  }

  /**
   * Returns the state of the message that the line names: an open message, one that ended
   * shortly before (see `CompletedMessages`), or a new one.
   */
  private stateFor(record: LogRecord, idLength: number): MessageState {
    const id = record.message.slice(0, idLength);
    const key = tableKey(record.host, id);
    return this.findState(key, record.time) ?? this.newState(record, id, key);
  }

  // A late line uses an ended message's state without putting it back among the open ones.
  private findState(key: string, time: number): MessageState | undefined {
    const open = this.messages.touch(key, time);
    if (open !== undefined || this.completed.size === 0) return open;
    return this.completed.find(key, time);
  }

  private newState(record: LogRecord, id: string, key: string): MessageState {
    const state: MessageState = {
      message: newMessage(record, id),
      deferred: null,
      failedHost: null,
      frozen: false,
      lastSeen: record.time,
    };
    this.messages.set(key, state);
    return state;
  }
}

/**
 * True for an address line of a transport that failed to connect and names no host, which the
 * host line of that failure (see `AddressWithoutHost`) can still name.
 */
function lacksFailedHost(fields: DeliveryFields): boolean {
  return (
    fields.relayIp === null &&
    fields.transport !== null &&
    fields.errorText !== null &&
    connectionErrorOf(fields.errorText, 0) !== null
  );
}

function frozenEvent(
  record: LogRecord,
  state: Pick<MessageState, "message">,
  frozen: boolean,
): FrozenEvent {
  return {
    type: "frozen",
    time: record.time,
    position: positionOf(record),
    message: state.message,
    frozen,
  };
}

function withoutPidPrefix(record: LogRecord): LogRecord {
  const text = record.message;
  const start = pidPrefixEnd(text);
  if (start === 0) return record;
  const pid = Number(text.slice(1, start - 2));
  return { ...record, pid: record.pid ?? pid, message: text.slice(start) };
}

function withoutPidText(text: string): string {
  return text.charCodeAt(0) === 91 ? text.slice(pidPrefixEnd(text)) : text;
}

// The index after a leading `[pid] `, or 0 when the text starts with none.
function pidPrefixEnd(text: string): number {
  const close = text.indexOf("] ");
  const pid = close > 1 ? Number(text.slice(1, close)) : NaN;
  return Number.isInteger(pid) ? close + 2 : 0;
}
