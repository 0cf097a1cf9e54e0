import type { DeliveryEvent, LoggedMessage } from "../events.js";
import type { LogRecord } from "../record.js";
import { detach } from "./fields.js";

/**
 * Postfix's default `maximal_queue_lifetime` (5 days). A queue id that has been silent for
 * longer than this (log time) cannot belong to a message that is still queued, so its
 * state is dropped and a later line with the same id starts a fresh message.
 */
export const MAX_SILENCE_MS = 5 * 24 * 60 * 60 * 1000;

/** How often, in log time, the store looks for silent ids to evict. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** How the message entered the queue, as far as the log shows. */
export type MessageOrigin =
  /** Only later lines were seen: the log starts mid-flight or lines were lost. */
  | "unknown"
  /** An SMTP client (`smtpd … client=`). */
  | "smtpd"
  /** A local submission (`pickup … uid=`). */
  | "pickup"
  /** Postfix created it itself: `cleanup` came first, or a bounce line named it. */
  | "internal";

/** Correlation state of one queued message. */
export interface MessageState {
  readonly message: LoggedMessage;
  origin: MessageOrigin;
  /** Log time of the latest line that named the id. */
  lastTime: number;
  /** True once the `message` event went out. */
  announced: boolean;
  /** True once a recipient was deferred, so the state may stay for days. */
  longLived: boolean;
  /**
   * Recipients attempted so far, for `firstAttempt` and expiry: the last deferral while the
   * recipient is still pending, null once its delivery ended (sent, bounced, expired).
   */
  recipients: Map<string, DeliveryEvent | null> | null;
}

/**
 * Open messages by syslog host and queue id. Memory stays bounded: `drop` forgets a
 * message at `removed`, and ids silent for longer than `MAX_SILENCE_MS` are evicted.
 */
export class MessageStore {
  private readonly hosts = new Map<string, Map<string, MessageState>>();
  private nextSweep = -Infinity;
  private count = 0;
  // Most logs have one host, and consecutive lines often name the same message, so the
  // last host and the last message found are kept at hand.
  private lastHost: string | null = null;
  private lastQueue: Map<string, MessageState> | undefined = undefined;
  private lastId: string | null = null;
  private lastIdQueue: Map<string, MessageState> | undefined = undefined;
  private lastState: MessageState | undefined = undefined;

  /** Number of open messages. */
  get size(): number {
    return this.count;
  }

  /** Returns the open message with this id, or undefined (also when its state went stale). */
  find(host: string, id: string, time: number): MessageState | undefined {
    const queue = this.queueOf(host);
    if (queue === undefined) return undefined;
    const state = id === this.lastId && queue === this.lastIdQueue ? this.lastState : queue.get(id);
    if (state === undefined) return undefined;
    if (state.lastTime < time - MAX_SILENCE_MS) {
      this.drop(host, id);
      return undefined;
    }
    if (time > state.lastTime) state.lastTime = time;
    this.lastId = id;
    this.lastIdQueue = queue;
    this.lastState = state;
    return state;
  }

  /** Starts a fresh message for this id, replacing any open one. */
  create(record: LogRecord, id: string, origin: MessageOrigin): MessageState {
    let queue = this.queueOf(record.host);
    if (queue === undefined) {
      queue = new Map();
      this.hosts.set(detach(record.host), queue);
      this.lastHost = null;
    }
    const state: MessageState = {
      message: newMessage(record, id),
      origin,
      lastTime: record.time,
      announced: false,
      longLived: false,
      recipients: null,
    };
    if (!queue.has(id)) this.count += 1;
    queue.set(id, state);
    this.lastId = null;
    return state;
  }

  /** Returns the open message with this id, or a stub created from this line. */
  findOrCreate(record: LogRecord, id: string): MessageState {
    return this.find(record.host, id, record.time) ?? this.create(record, id, "unknown");
  }

  /** Forgets a message (`removed`, or rejected before it was queued). */
  drop(host: string, id: string): void {
    if (this.queueOf(host)?.delete(id) === true) this.count -= 1;
    this.lastId = null;
    this.lastState = undefined;
  }

  private queueOf(host: string): Map<string, MessageState> | undefined {
    if (host === this.lastHost) return this.lastQueue;
    const queue = this.hosts.get(host);
    if (queue !== undefined) {
      this.lastHost = host;
      this.lastQueue = queue;
    }
    return queue;
  }

  /** Evicts silent ids, at most once per `SWEEP_INTERVAL_MS` of log time. */
  sweep(time: number): void {
    // A log that steps back by more than an interval (another host's file) sweeps again.
    if (time < this.nextSweep && time >= this.nextSweep - SWEEP_INTERVAL_MS) return;
    this.nextSweep = time + SWEEP_INTERVAL_MS;
    const oldest = time - MAX_SILENCE_MS;
    for (const [host, queue] of this.hosts) {
      for (const [id, state] of queue) {
        if (state.lastTime < oldest) {
          queue.delete(id);
          this.count -= 1;
        }
      }
      if (queue.size === 0) this.hosts.delete(host);
    }
    this.lastHost = null;
    this.lastId = null;
    this.lastState = undefined;
  }
}

function newMessage(record: LogRecord, id: string): LoggedMessage {
  return {
    mta: "postfix",
    host: detach(record.host),
    id: detach(id),
    firstTime: record.time,
    firstPosition: { file: record.file, line: record.line },
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
