import type {
  DeliveryEvent,
  EventSink,
  LogEvent,
  LoggedMessage,
  SessionReplyEvent,
  TlsEvent,
} from "../events.js";
import type { LogRecord, ParseOutcome, RecordParser } from "../record.js";
import { readArrival } from "./arrival.js";
import { deliveryStatus, hostInText, readDelivery, type DeliveryFields } from "./delivery.js";
import { FieldReader } from "./field-reader.js";
import { CallerTracker } from "./local-submission.js";
import { isLoopbackIp } from "./loopback.js";
import { classifyNote, sessionErrorAt } from "./message-notes.js";
import { detach, MessageTable, type TableEntry } from "./message-table.js";
import { messageIdLength } from "./message-id.js";
import { authFailureEvent, parseServerLine, rejectedAt, rejectEvent } from "./server-lines.js";

/**
 * Creates the parser for Exim main-log records (program `exim`, natively or through syslog).
 * It follows each message from its arrival (`<=`) through its deliveries (`=>` `->` `>>` `*>`
 * `**` `==`) to `Completed`, pairs `cwd=` lines with the local arrivals they precede, and
 * reports SMTP rejects, authentication failures and daemon starts.
 */
export function createEximParser(sink: EventSink): RecordParser {
  return new EximParser(sink);
}

interface MessageState extends TableEntry {
  readonly message: LoggedMessage;
  /** Recipients that had a delivery line, to mark first attempts; null until the first. */
  attempted: Set<string> | null;
}

const ARRIVAL_FLAGS = new Set(["<=", "(="]);
const DELIVERY_FLAGS = new Set(["=>", "->", ">>", "*>", "**", "=="]);
// Characters that start a flag; any other character after the id starts a note.
const FLAG_START = new Set([..."<(=->*"].map((character) => character.charCodeAt(0)));

class EximParser implements RecordParser {
  private readonly messages = new MessageTable<MessageState>();
  private readonly callers = new CallerTracker();
  private readonly reader = new FieldReader();
  // The message of the previous line. Lines of one message tend to come together, and
  // comparing the start of the text is cheaper than slicing and hashing the id.
  private recent: MessageState | null = null;

  constructor(private readonly sink: EventSink) {}

  accepts(program: string): boolean {
    return program === "exim";
  }

  parse(record: LogRecord): ParseOutcome {
    if (this.messages.advance(record.time)) {
      this.callers.sweep(record.time);
      this.recent = null;
    }
    // With `+pid`, Exim writing to syslog without its own stamp leaves `[pid] ` in the text.
    if (record.message.charCodeAt(0) === 91) return this.parseRecord(withoutPidPrefix(record));
    return this.parseRecord(record);
  }

  private parseRecord(record: LogRecord): ParseOutcome {
    const text = record.message;
    const idLength = messageIdLength(text);
    if (idLength === 0) {
      if (text.startsWith("cwd=")) return this.callers.note(record) ? "parsed" : "unparsed";
      return parseServerLine(record, this.reader, this.sink);
    }

    const flagStart = idLength + 1;
    if (text.charCodeAt(flagStart + 2) === 32 && FLAG_START.has(text.charCodeAt(flagStart))) {
      const flag = text.slice(flagStart, flagStart + 2);
      if (ARRIVAL_FLAGS.has(flag)) return this.parseArrival(record, idLength);
      if (DELIVERY_FLAGS.has(flag)) return this.parseDelivery(record, idLength, flag);
    }
    return this.parseNote(record, idLength);
  }

  finish(): void {
    // Messages are reported at their arrival line, so nothing is pending; the state goes.
    this.messages.drain(() => undefined);
    this.callers.clear();
  }

  private parseArrival(record: LogRecord, idLength: number): ParseOutcome {
    // The message keeps slices of its arrival line, so it gets a copy of the line that pins
    // no larger input string.
    const text = detach(record.message);
    const state = this.stateFor(record, idLength, text);
    const message = state.message;
    if (!readArrival(this.reader, text, idLength + 4, message)) return "unparsed";

    if (message.service?.startsWith("local") === true && !message.isBounce) {
      const caller = this.callers.claim(record);
      if (caller !== null) {
        message.workingDirectory = caller.workingDirectory;
        message.command = caller.command;
      }
    }
    this.sink({ type: "message", time: record.time, position: positionOf(record), message });
    return "parsed";
  }

  private parseDelivery(record: LogRecord, idLength: number, flag: string): ParseOutcome {
    const fields = readDelivery(this.reader, record.message, idLength + 4);
    if (fields.recipient === "") return "unparsed";
    const status = deliveryStatus(flag, fields.errorText);
    if (status === null) return "parsed";

    const state = this.stateFor(record, idLength);
    this.sink(deliveryEvent(record, state, fields, status));
    // `->` lines share the connection of the `=>` line before them: one TLS session.
    if (fields.tlsProtocol !== null && flag !== "->") this.sink(tlsEvent(record, fields));
    return "parsed";
  }

  private parseNote(record: LogRecord, idLength: number): ParseOutcome {
    const text = record.message;
    const start = idLength + 1;
    const kind = classifyNote(text, start);
    switch (kind) {
      case "completed":
      case "removed": {
        const state = this.existingState(record, idLength);
        if (state !== undefined) this.messages.delete(state.message.id);
        this.recent = null;
        return "parsed";
      }
      case "session-reply":
        this.sink(this.sessionReply(record, idLength));
        return "parsed";
      case "auth-failure":
        this.sink(authFailureEvent(record, text.indexOf(" authenticator failed", start)));
        return "parsed";
      case "reject":
        this.sink(rejectEvent(record, this.reader, start, rejectedAt(text, start)));
        return "parsed";
      case "ignored":
      case "unparsed":
        return kind;
    }
  }

  // `ID H=host [ip]: SMTP error from remote mail server after …: reply`, or the same with
  // the host in the text (`… after MAIL FROM:<…>: host mx.example.com [192.0.2.1]: 421 …`).
  private sessionReply(record: LogRecord, idLength: number): SessionReplyEvent {
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

    const state = this.existingState(record, idLength);
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

  // `ownText` is a copy of the line that the new state may keep slices of.
  private stateFor(record: LogRecord, idLength: number, ownText?: string): MessageState {
    const existing = this.existingState(record, idLength);
    if (existing !== undefined) return existing;

    const id = ownText?.slice(0, idLength) ?? detach(record.message.slice(0, idLength));
    const state: MessageState = {
      message: newMessage(record, id),
      attempted: null,
      lastSeen: record.time,
    };
    this.messages.set(id, state);
    this.recent = state;
    return state;
  }

  private existingState(record: LogRecord, idLength: number): MessageState | undefined {
    const recent = this.recent;
    if (recent !== null && sameId(recent.message.id, record.message, idLength)) {
      if (record.time > recent.lastSeen) recent.lastSeen = record.time;
      return recent;
    }
    const state = this.messages.touch(record.message.slice(0, idLength), record.time);
    if (state !== undefined) this.recent = state;
    return state;
  }
}

function deliveryEvent(
  record: LogRecord,
  state: MessageState,
  fields: DeliveryFields,
  status: DeliveryEvent["status"],
): DeliveryEvent {
  state.attempted ??= new Set();
  const known = state.attempted.size;
  const firstAttempt = state.attempted.add(fields.recipient).size !== known;

  return {
    type: "delivery",
    time: record.time,
    position: positionOf(record),
    message: state.message,
    recipient: fields.recipient,
    originalRecipient: fields.originalRecipient,
    status,
    transport: fields.transport,
    remote: isRemote(fields),
    relayHost: fields.relayHost,
    relayIp: fields.relayIp,
    dsn: null,
    response: fields.errorText ?? fields.confirmation,
    firstAttempt,
  };
}

// A named host decides: loopback hosts are content filters or a local LMTP server. Without a
// host, an SMTP transport means the attempt was meant for another server.
function isRemote(fields: DeliveryFields): boolean {
  if (fields.relayIp !== null) return !isLoopbackIp(fields.relayIp);
  return fields.transport !== null && fields.transport.includes("smtp");
}

function tlsEvent(record: LogRecord, fields: DeliveryFields): TlsEvent {
  return {
    type: "tls",
    time: record.time,
    position: positionOf(record),
    direction: "outbound",
    peerHost: fields.relayHost,
    peerIp: fields.relayIp,
    protocol: fields.tlsProtocol,
  };
}

function newMessage(record: LogRecord, id: string): LoggedMessage {
  return {
    mta: "exim",
    host: record.host,
    id,
    firstTime: record.time,
    firstPosition: positionOf(record),
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
  };
}

// Compares from the end, where ids of neighbouring messages differ, so mismatches exit early.
function sameId(id: string, text: string, idLength: number): boolean {
  if (id.length !== idLength) return false;
  for (let i = idLength - 1; i >= 0; i--) {
    if (id.charCodeAt(i) !== text.charCodeAt(i)) return false;
  }
  return true;
}

function withoutPidPrefix(record: LogRecord): LogRecord {
  const text = record.message;
  const close = text.indexOf("] ");
  const pid = close > 1 ? Number(text.slice(1, close)) : NaN;
  if (!Number.isInteger(pid)) return record;
  return { ...record, pid: record.pid ?? pid, message: text.slice(close + 2) };
}

function positionOf(record: LogRecord): LogEvent["position"] {
  return { file: record.file, line: record.line };
}
