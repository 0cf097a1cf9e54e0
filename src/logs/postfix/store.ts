import {
  newLoggedMessage,
  type DeliveryEvent,
  type LinePosition,
  type LoggedMessage,
} from "../events.js";
import { EvictionPlan, evictionBatch } from "../eviction.js";
import { positionOf, type LogRecord } from "../record.js";
import { SmallMap } from "../small-map.js";
import { detach } from "./fields.js";
import { InstanceEvidence } from "./instance-evidence.js";
import type { QueueKey } from "./queue-id.js";
import { DEFAULT_INSTANCE, QueueTable, type Queue, type SearchFilter } from "./queues.js";

/**
 * Postfix's default `maximal_queue_lifetime` (5 days). A queue id that has been silent for
 * longer than this (log time) cannot belong to a message that is still queued, so its
 * state is dropped and a later line with the same id starts a fresh message.
 */
export const MAX_SILENCE_MS = 5 * 24 * 60 * 60 * 1000;

/**
 * Maximum number of open messages before the least recently active are evicted. Measured
 * with `bench/open-message-cost.mjs` (100,000 messages, Node 20.20, 2-core AMD EPYC): an
 * open message costs about 680 bytes of heap, so 25,000 take about 17 MB, and with
 * `MAX_PENDING_RECIPIENTS` the parser keeps at most about 35 MB. That leaves most of a
 * 250 MB run to Node itself (about 50 MB), the reader, the analysis and the garbage that V8
 * lets pile up between full collections. On logs of 500,000 and 1,000,000 messages that
 * never end, whole runs peaked at 254 and 335 MB of RSS (297 and 437 MB with twice these
 * caps), and at 165 and 178 MB under `node --max-old-space-size=192`.
 * NOTE: the bound of a whole run holds only when the V8 heap is capped as well.
 */
export const MAX_OPEN_MESSAGES = 25_000;

/**
 * Maximum number of pending (deferred) recipients over all open messages. A pending
 * recipient costs about 250 bytes when it shares its reply with the other recipients of its
 * message, because one SMTP transaction deferred them all. With a reply of its own it costs
 * about 720 bytes (same script), so 25,000 of them take 6 to 18 MB.
 */
export const MAX_PENDING_RECIPIENTS = 25_000;

/**
 * Maximum number of ended remote deliveries kept over all open messages, to find a delivery
 * line that repeats one of them (see `MessageStore.isFinished`). One costs a detached address
 * and a set entry, by estimate under 150 bytes, so 25,000 take a few MB (not measured). Past
 * the cap no more are kept until messages close, and a repeat of one not kept counts again.
 */
export const MAX_FINISHED_RECIPIENTS = 25_000;

/**
 * Maximum log time from a filter hop to the first line of the copy it names. The filter queues
 * the copy before it replies, so the copy's first line nearly always comes before the hop's
 * line, and otherwise within seconds when the two are written by different processes.
 */
export const MAX_LINK_WAIT_MS = 10 * 60 * 1000;

/**
 * Maximum number of links that wait for their copy. Only copies not yet seen wait. A hop
 * whose copy is never logged (the log ends, lines were lost) leaves a link behind until the
 * hourly sweep after `MAX_LINK_WAIT_MS`. Past the cap the oldest link is dropped. Every link
 * that goes without its copy is passed to the store's `MissingCopyHandler`.
 */
export const MAX_WAITING_LINKS = 1000;

/**
 * Window, in log time from a message's first line, in which the deliveries of a message that
 * a loopback client queued wait for a filter hop to name the message as its copy. Logs merged
 * from several files, or written by processes that flush late, can show the copy's deliveries
 * a second or two before the hop's `queued as` line. A held delivery goes out as the copy's
 * own once the log is `2 * COPY_HOLD_MS` past that first line.
 * NOTE: 10 seconds is a guess that covers the one-second reorderings seen in tests, not a
 * measured bound.
 */
export const COPY_HOLD_MS = 10 * 1000;

/** Interval, in the log time of each syslog host, between searches for its silent ids. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** When the silent ids of one host's queue are searched for next. */
interface SweepSchedule {
  /** Log time, in the host's clock, from which its lines sweep again. */
  nextTime: number;
  /**
   * Number of lines of the host still to come before a step back of its log time may sweep
   * again. It starts at the open messages and waiting links that the last sweep left.
   */
  linesBeforeStepBack: number;
}

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

/**
 * The latest deferral of a recipient that is still pending: what an expiry of the message
 * repeats, because it shows why the mail never got through. Its strings are detached copies,
 * so that a deferred queue keeps no chunk of the log alive.
 */
export interface PendingAttempt {
  readonly originalRecipient: string | null;
  readonly transport: string | null;
  readonly remote: boolean;
  readonly relayHost: string | null;
  readonly relayIp: string | null;
  readonly dsn: string | null;
  readonly response: string | null;
}

/** Correlation state of one queued message. */
export interface MessageState {
  readonly message: LoggedMessage;
  origin: MessageOrigin;
  /** Log time of the latest line that named the id. */
  lastTime: number;
  /** True once the `message` event went out. */
  announced: boolean;
  /**
   * Recipients whose latest attempt was deferred, with that attempt; null while none is.
   * A recipient leaves it when its delivery ends (sent, bounced, expired).
   */
  pending: SmallMap<string, PendingAttempt> | null;
  /**
   * The message that a content filter or second instance received and queued again as this
   * one. It is set once a filter hop names this queue id in its reply (`queued as QUEUEID`),
   * and is null otherwise. The delivery events of this message carry it (see `eventMessage`).
   */
  parent: LoggedMessage | null;
  /**
   * Delivery events that wait for a filter hop to link this message as its copy (see
   * `MessageStore.hold`), oldest first, or null when none waits.
   */
  held: DeliveryEvent[] | null;
  /** True once a `hold:` line put the message on hold and its `hold` event went out. */
  putOnHold: boolean;
  /** True once the log showed the held message released and its `hold-released` event went out. */
  releasedFromHold: boolean;
  /**
   * Remote recipients whose delivery ended (sent or bounced) since the message's last qmgr
   * `from=` or cleanup `message-id=` line, by `finishedKey`: one detached string, a set from
   * the second on, or null while none ended.
   */
  finished: string | Set<string> | null;
}

/** A message with held deliveries, and the log time after which they go out unlinked. */
interface HeldCopy {
  readonly state: MessageState;
  readonly releaseAfter: number;
}

/** Receives the held delivery events of a message that no filter hop linked in time. */
export type ReleaseHandler = (events: readonly DeliveryEvent[]) => void;

/** A filter hop's link to a copy whose queue id has no open message yet. */
export interface WaitingLink {
  readonly parent: LoggedMessage;
  /** Log time of the hop's line. */
  readonly time: number;
  /** The hop's line. */
  readonly position: LinePosition;
}

/**
 * Receives each filter hop's link that the store gave up on without seeing the copy: the copy
 * came too late, the wait timed out, the cap dropped the link, or `endLinks` ran.
 */
export type MissingCopyHandler = (link: WaitingLink) => void;

/** Returns the number of ended remote deliveries that `state` keeps. */
function finishedSize(state: MessageState): number {
  const finished = state.finished;
  if (finished === null) return 0;
  return typeof finished === "string" ? 1 : finished.size;
}

/** Returns the message that the delivery events of this message carry. */
export function eventMessage(state: MessageState): LoggedMessage {
  return state.parent ?? state.message;
}

/** Caps of a `MessageStore`. */
export interface StoreLimits {
  /** Open messages before the least recently active are evicted. */
  readonly maxOpenMessages: number;
  /** Pending recipients over all open messages before messages are evicted. */
  readonly maxPendingRecipients: number;
}

const DEFAULT_LIMITS: StoreLimits = {
  maxOpenMessages: MAX_OPEN_MESSAGES,
  maxPendingRecipients: MAX_PENDING_RECIPIENTS,
};

/**
 * Open messages by syslog host, Postfix instance and queue id (its `QueueKey`). Memory stays
 * bounded: `drop` removes a message at `removed`, ids silent for longer than `MAX_SILENCE_MS`
 * are dropped, and past the caps of `StoreLimits` the least recently active messages are
 * evicted and counted.
 *
 * A line finds a message in the queue of its tag's instance first, then in the other queues
 * of its host (see `locate`). The first path component of a tag does not always name an
 * instance: master.cf's `-o syslog_name=postfix-ip2` gives one transport of the default
 * instance the tag `postfix-ip2/smtp`, and its deliveries belong to messages that
 * `postfix/qmgr` logged. That search skips the queues of names that have shown an instance
 * of their own when the line's name has too (see `mayShare`). A hand-off to a second instance
 * names the copy's queue id on a line of the first, so links search every queue of the host.
 */
export class MessageStore {
  private readonly queues = new QueueTable<MessageState>();
  // Filter hops' links to copies not seen yet, by `linkKey`, oldest first.
  private readonly waitingLinks = new Map<string, WaitingLink>();
  // Messages with held deliveries, by `linkKey`, in the order of their first held delivery.
  private readonly heldCopies = new Map<string, HeldCopy>();
  // Sweep schedule of each host's queue, in that host's clock, by queue. The clocks of the
  // hosts of one syslog can differ by hours. With one schedule for all hosts and clocks more
  // than an interval apart, each line after a line of the other host swept again.
  private readonly schedules = new Map<Queue<MessageState>, SweepSchedule>();
  private count = 0;
  private pendingCount = 0;
  private evictedCount = 0;
  private finishedCount = 0;
  private repeatedCount = 0;
  // Most logs have one host, and consecutive lines often name the same message, so the
  // last host and the last message found are kept at hand. A sweep clears the cached queue
  // only when it deletes that queue. Clearing it every hour ran the host look-up again, a
  // path that only the first lines had taken, so V8 discarded the optimized code of every
  // handler that finds a message and compiled it again.
  private lastHost = "";
  private lastInstance = "";
  private lastQueue: Queue<MessageState> | undefined = undefined;
  private lastKey: QueueKey | null = null;
  private lastKeyQueue: Queue<MessageState> | undefined = undefined;
  private lastState: MessageState | undefined = undefined;

  constructor(
    private readonly limits: StoreLimits = DEFAULT_LIMITS,
    private readonly onMissingCopy: MissingCopyHandler = ignoreMissingCopy,
    private readonly onRelease: ReleaseHandler = ignoreRelease,
    private readonly instances: InstanceEvidence = new InstanceEvidence(ignoreEvent),
  ) {}

  /** Number of open messages. */
  get size(): number {
    return this.count;
  }

  /** Number of messages evicted to keep within the caps, before their end was seen. */
  get evicted(): number {
    return this.evictedCount;
  }

  /**
   * Number of delivery lines left out because they repeat an ended remote delivery of an open
   * message (see `isFinished`).
   */
  get repeatedDeliveries(): number {
    return this.repeatedCount;
  }

  /** Number of filter hops' links that wait for their copy's first line. */
  get waitingLinkCount(): number {
    return this.waitingLinks.size;
  }

  /**
   * Makes the message with the id of `copyKey` a copy of `parent`: at once when it is open or
   * removed with held deliveries, else when its first line comes within `MAX_LINK_WAIT_MS` of
   * `time`. Returns the copy's state when this call linked a copy that had no parent yet, else
   * null. The caller then emits the copy's held deliveries (see `takeHeld`).
   */
  link(
    host: string,
    instance: string,
    copyKey: QueueKey,
    parent: LoggedMessage,
    time: number,
    position: LinePosition,
  ): MessageState | null {
    const key = linkKey(host, copyKey);
    const copy =
      this.locate(host, instance, copyKey, searchAll)?.get(copyKey) ??
      this.heldCopies.get(key)?.state;
    if (copy !== undefined) {
      if (copy.message === parent || copy.parent === parent) return null;
      const isFirstLink = copy.parent === null;
      copy.parent = parent;
      this.heldCopies.delete(key);
      return isFirstLink ? copy : null;
    }
    // Deleted first, so that a renewed link moves to the end of the insertion order.
    const renewed = this.waitingLinks.delete(key);
    if (!renewed && this.waitingLinks.size >= MAX_WAITING_LINKS) {
      const [oldest] = this.waitingLinks;
      if (oldest !== undefined) this.dropLink(oldest[0], oldest[1]);
    }
    this.waitingLinks.set(key, { parent, time, position });
    return null;
  }

  /**
   * Holds a delivery of a message that may be a filter's copy, so that a filter hop logged
   * after it can still link the two (see `COPY_HOLD_MS`). The state stays reachable after
   * `drop`, until a link takes it or `sweep` releases it.
   */
  hold(host: string, key: QueueKey, state: MessageState, event: DeliveryEvent): void {
    if (state.held === null) {
      state.held = [];
      const id = linkKey(host, key);
      this.release(id);
      this.heldCopies.set(id, {
        state,
        releaseAfter: state.message.firstTime + 2 * COPY_HOLD_MS,
      });
    }
    state.held.push(event);
  }

  /** Removes and returns the held deliveries of `state`, or an empty list for none. */
  takeHeld(state: MessageState): readonly DeliveryEvent[] {
    const held = state.held ?? [];
    state.held = null;
    return held;
  }

  /**
   * Gives up on every link that still waits for its copy, and releases every held delivery,
   * as at the end of the input.
   */
  endLinks(): void {
    for (const id of [...this.heldCopies.keys()]) this.release(id);
    for (const [key, link] of this.waitingLinks) this.dropLink(key, link);
  }

  /**
   * Returns the open message with the id of this key, or undefined (also when its state
   * went stale).
   */
  find(host: string, instance: string, key: QueueKey, time: number): MessageState | undefined {
    const queue = this.queueOf(host, instance);
    if (queue !== undefined) {
      const state =
        key === this.lastKey && queue === this.lastKeyQueue ? this.lastState : queue.get(key);
      if (state !== undefined) return this.touch(queue, key, state, time);
    }
    if (!this.mayBeElsewhere(instance)) return undefined;
    return this.findElsewhere(host, instance, key, time);
  }

  /**
   * Returns the open message with the id of this key in the queue of `instance`, or undefined
   * (also when its state went stale). The lines that start a message (smtpd's `client=`,
   * pickup's `uid=`) look here only, so they never take the message of another instance that
   * uses the same id, as a message that the log showed only from mid-delivery on.
   */
  findInQueue(
    host: string,
    instance: string,
    key: QueueKey,
    time: number,
  ): MessageState | undefined {
    const queue = this.queueOf(host, instance);
    const state = queue?.get(key);
    if (queue === undefined || state === undefined) return undefined;
    return this.touch(queue, key, state, time);
  }

  /**
   * Starts a fresh message for the queue id `id` with this key in the queue of `instance`,
   * replacing any open one of that queue.
   */
  create(
    record: LogRecord,
    instance: string,
    key: QueueKey,
    id: string,
    origin: MessageOrigin,
  ): MessageState {
    const queue = this.queueOf(record.host, instance) ?? this.queues.create(record.host, instance);
    const state: MessageState = {
      message: newMessage(record, instance, id),
      origin,
      lastTime: record.time,
      announced: false,
      pending: null,
      parent: null,
      held: null,
      putOnHold: false,
      releasedFromHold: false,
      finished: null,
    };
    if (this.waitingLinks.size > 0) state.parent = this.takeLink(record.host, key, record.time);
    // A queue id used again while its last message still has held deliveries ends the wait.
    if (this.heldCopies.size > 0) this.release(linkKey(record.host, key));
    const replaced = queue.get(key);
    if (replaced === undefined) this.count += 1;
    else {
      this.pendingCount -= replaced.pending?.size ?? 0;
      this.finishedCount -= finishedSize(replaced);
    }
    queue.set(key, state);
    this.lastKey = null;
    return state;
  }

  /** Forgets a message (`removed`, or rejected before it was queued). */
  drop(host: string, instance: string, key: QueueKey): void {
    const queue = this.locate(host, instance, key, this.mayShare);
    const state = queue?.get(key);
    if (queue !== undefined && state !== undefined) this.removeState(queue, key, state);
    this.lastKey = null;
    this.lastState = undefined;
  }

  /** Returns true when `recipient` of this message has a deferral that is still pending. */
  isPending(state: MessageState, recipient: string): boolean {
    return state.pending?.has(recipient) === true;
  }

  /** Makes `attempt` the pending deferral of `recipient`; the key must be a detached copy. */
  defer(state: MessageState, recipient: string, attempt: PendingAttempt): void {
    state.pending ??= new SmallMap();
    const size = state.pending.size;
    state.pending.set(recipient, attempt);
    this.pendingCount += state.pending.size - size;
  }

  /** Ends the pending deferral of `recipient`, if any. */
  settle(state: MessageState, recipient: string): void {
    if (state.pending?.delete(recipient) !== true) return;
    this.pendingCount -= 1;
    if (state.pending.size === 0) state.pending = null;
  }

  /**
   * Returns true when a remote delivery of `key` (see `finishedKey`) to this message ended
   * before, so that a line for it now repeats that line. Postfix writes one final line per
   * recipient and queue id, and a reused id starts with a new cleanup or qmgr line, which
   * calls `forgetFinished`.
   */
  isFinished(state: MessageState, key: string): boolean {
    const finished = state.finished;
    if (finished === null) return false;
    return typeof finished === "string" ? finished === key : finished.has(key);
  }

  /** Counts a delivery line that `isFinished` found to repeat an ended delivery. */
  countRepeatedDelivery(): void {
    this.repeatedCount += 1;
  }

  /** Keeps `key` as an ended remote delivery of this message, below `MAX_FINISHED_RECIPIENTS`. */
  finish(state: MessageState, key: string): void {
    if (this.finishedCount >= MAX_FINISHED_RECIPIENTS) return;
    const own = detach(key);
    const finished = state.finished;
    if (finished === null) state.finished = own;
    else if (typeof finished === "string") state.finished = new Set([finished, own]);
    else finished.add(own);
    this.finishedCount += 1;
  }

  /** Forgets the ended deliveries of a message whose queue id a new line may have reused. */
  forgetFinished(state: MessageState): void {
    this.finishedCount -= finishedSize(state);
    state.finished = null;
  }

  // Removes and returns the parent that a filter hop linked to this id, if it is recent.
  private takeLink(host: string, key: QueueKey, time: number): LoggedMessage | null {
    const linkId = linkKey(host, key);
    const link = this.waitingLinks.get(linkId);
    if (link === undefined) return null;
    if (link.time < time - MAX_LINK_WAIT_MS) {
      this.dropLink(linkId, link);
      return null;
    }
    this.waitingLinks.delete(linkId);
    return link.parent;
  }

  // Sends the held deliveries of the message with this `linkKey` on unlinked, if it has any.
  private release(id: string): void {
    const held = this.heldCopies.get(id);
    if (held === undefined) return;
    this.heldCopies.delete(id);
    const events = this.takeHeld(held.state);
    if (events.length > 0) this.onRelease(events);
  }

  // Releases the held messages whose wait ended before `time`, oldest first. A log that steps
  // back in time (another file) can leave a later entry due, which a later line releases.
  private releaseDue(time: number): void {
    for (const [id, held] of this.heldCopies) {
      if (held.releaseAfter >= time) return;
      this.release(id);
    }
  }

  private dropLink(key: string, link: WaitingLink): void {
    this.waitingLinks.delete(key);
    this.onMissingCopy(link);
  }

  private queueOf(host: string, instance: string): Queue<MessageState> | undefined {
    if (host === this.lastHost && instance === this.lastInstance && this.lastQueue !== undefined) {
      return this.lastQueue;
    }
    const queue = this.queues.get(host, instance);
    if (queue !== undefined) {
      this.lastHost = host;
      this.lastInstance = instance;
      this.lastQueue = queue;
    }
    return queue;
  }

  // Returns the open message with this key in another queue of `host` than that of
  // `instance` that the line may take (see `mayShare`), or undefined. Kept out of `find`,
  // which runs for most lines.
  private findElsewhere(
    host: string,
    instance: string,
    key: QueueKey,
    time: number,
  ): MessageState | undefined {
    const other = this.queues.otherInstanceWith(host, instance, key, this.mayShare);
    if (other === undefined) return undefined;
    const queue = this.queues.get(host, other);
    const state = queue?.get(key);
    if (queue === undefined || state === undefined) return undefined;
    this.noteAlias(host, instance, other, state, time);
    return this.touch(queue, key, state, time);
  }

  // Notes `other` as an alias of `instance` when a line of the instance `instance` continues a
  // message that a receiving line of `other`, which has shown no instance of its own, started.
  private noteAlias(
    host: string,
    instance: string,
    other: string,
    state: MessageState,
    time: number,
  ): void {
    if (state.origin !== "smtpd" && state.origin !== "pickup") return;
    const instances = this.instances;
    if (!instances.isInstance(host, instance) || instances.isInstance(host, other)) return;
    instances.noteAlias(state.message, other, instance, time);
  }

  // Returns a found message after its line at `time`, and keeps it at hand for the next
  // look-up. Returns undefined, and drops the message, when its id went stale.
  private touch(
    queue: Queue<MessageState>,
    key: QueueKey,
    state: MessageState,
    time: number,
  ): MessageState | undefined {
    if (state.lastTime < time - MAX_SILENCE_MS) {
      this.removeState(queue, key, state);
      return undefined;
    }
    if (time > state.lastTime) state.lastTime = time;
    this.lastKey = key;
    this.lastKeyQueue = queue;
    this.lastState = state;
    return state;
  }

  // Returns the queue with an open message of this key: that of `instance` on `host`, else
  // another queue of `host` that `accepts` lets the line search, or undefined.
  private locate(
    host: string,
    instance: string,
    key: QueueKey,
    accepts: SearchFilter,
  ): Queue<MessageState> | undefined {
    const queue = this.queueOf(host, instance);
    if (queue?.has(key) === true || !this.mayBeElsewhere(instance)) return queue;
    const other = this.queues.otherInstanceWith(host, instance, key, accepts);
    return other === undefined ? undefined : this.queues.get(host, other);
  }

  // True when a line of `line` may take a message of the queue of `other`, which is unless both
  // have shown an instance of their own (see `InstanceEvidence`). Otherwise either may be a
  // master.cf service with `-o syslog_name`, which logs under its own name but uses the queue
  // of its instance. Two instances have a queue directory each, so the message of one is never
  // the other's, even with the same queue id. A line that the log showed from mid-delivery on
  // then starts a message of its own, and a `removed` line ends its own instance's message.
  // NOTE: a name whose own queue manager or master has not logged yet counts as a possible
  // alias, so until then its lines can still take another instance's message of the same id.
  private readonly mayShare: SearchFilter = (host, line, other) =>
    !this.instances.isInstance(host, line) || !this.instances.isInstance(host, other);

  // True when a message of a line of `instance` may be open in another queue: the default
  // instance's queue for the lines of any other, and any queue once there are several.
  private mayBeElsewhere(instance: string): boolean {
    return this.queues.hasOtherInstances || instance !== DEFAULT_INSTANCE;
  }

  private removeState(queue: Queue<MessageState>, key: QueueKey, state: MessageState): void {
    queue.delete(key);
    this.count -= 1;
    this.pendingCount -= state.pending?.size ?? 0;
    this.finishedCount -= finishedSize(state);
    this.lastKey = null;
    this.lastState = undefined;
  }

  /**
   * Evicts the least recently active messages while a cap is exceeded and, with the `host`
   * and `instance` of a line, drops the silent ids of that queue once per `SWEEP_INTERVAL_MS`
   * of its log time or when that time steps back (see `isSweepDue`). The parser calls it
   * before each line, so no handler keeps a state that this removes.
   */
  sweep(time: number, host: string | null = null, instance = DEFAULT_INSTANCE): void {
    if (this.heldCopies.size > 0) this.releaseDue(time);
    const { maxOpenMessages, maxPendingRecipients } = this.limits;
    while (this.count > maxOpenMessages || this.pendingCount > maxPendingRecipients) {
      if (this.count === 0) break;
      this.evictLeastActive(evictionBatch(maxOpenMessages));
    }
    if (host === null) return;
    const queue = this.queueOf(host, instance);
    if (queue === undefined) return;
    let schedule = this.schedules.get(queue);
    if (schedule !== undefined && !isSweepDue(schedule, time)) return;
    schedule ??= { nextTime: 0, linesBeforeStepBack: 0 };
    this.schedules.set(queue, schedule);
    this.removeSilent(host, instance, queue, time - MAX_SILENCE_MS);
    schedule.nextTime = time + SWEEP_INTERVAL_MS;
    schedule.linesBeforeStepBack = queue.size + this.waitingLinks.size;
    // NOTE: this judges the waiting links of every host by the clock of this host, so the
    // links of a host whose clock is more than `MAX_LINK_WAIT_MS` behind are dropped early.
    this.removeStaleLinks(time - MAX_LINK_WAIT_MS);
  }

  private removeStaleLinks(oldest: number): void {
    for (const [key, link] of this.waitingLinks) {
      if (link.time < oldest) this.dropLink(key, link);
    }
  }

  // Kept out of `sweep`, which runs on every line, because a callback that captures a local
  // makes V8 allocate a context each time the function that creates it is entered.
  private removeSilent(
    host: string,
    instance: string,
    queue: Queue<MessageState>,
    oldest: number,
  ): void {
    const test = (state: MessageState): boolean => state.lastTime < oldest;
    this.count -= this.removeFromQueue(host, instance, queue, test);
  }

  private evictLeastActive(batch: number): void {
    const times = new Float64Array(this.count);
    let index = 0;
    this.queues.forEach((queue) => {
      for (const state of queue.values()) times[index++] = state.lastTime;
    });
    const plan = new EvictionPlan(times, batch);
    this.evictedCount += this.removeWhere((state) => plan.evicts(state.lastTime));
  }

  // Removes the states that `test` selects and returns how many went.
  private removeWhere(test: (state: MessageState) => boolean): number {
    let removed = 0;
    this.queues.forEach((queue, host, instance) => {
      removed += this.removeFromQueue(host, instance, queue, test);
    });
    this.count -= removed;
    return removed;
  }

  // Removes the states of one queue that `test` selects, and the queue when it is empty
  // then, and returns how many states went. The caller updates `count`.
  private removeFromQueue(
    host: string,
    instance: string,
    queue: Queue<MessageState>,
    test: (state: MessageState) => boolean,
  ): number {
    let removed = 0;
    for (const [key, state] of queue) {
      if (!test(state)) continue;
      queue.delete(key);
      this.pendingCount -= state.pending?.size ?? 0;
      this.finishedCount -= finishedSize(state);
      removed += 1;
    }
    if (queue.size === 0) {
      this.queues.delete(host, instance);
      this.schedules.delete(queue);
      if (queue === this.lastQueue) this.lastQueue = undefined;
    }
    this.lastKey = null;
    this.lastState = undefined;
    return removed;
  }
}

/**
 * Counts a line of the host and returns true when the line, at log `time`, should sweep its
 * queue. A host whose log time steps back by more than an interval is swept again: a file of
 * an earlier day read after a later one, or a clock set back. The schedule then follows the
 * earlier time, so the earlier lines still drop their silent ids. Two machines that log under
 * one host name with clocks an interval apart step back on every change of machine. A sweep
 * visits every open message of the host, so a step back sweeps again only after as many lines
 * as the last sweep left open messages and waiting links. The re-sweeps then cost a few visits
 * per line instead of one sweep per line, and an earlier file's silent ids go at most that many
 * lines late.
 */
function isSweepDue(schedule: SweepSchedule, time: number): boolean {
  schedule.linesBeforeStepBack -= 1;
  if (time >= schedule.nextTime) return true;
  if (time >= schedule.nextTime - 2 * SWEEP_INTERVAL_MS) return false;
  return schedule.linesBeforeStepBack <= 0;
}

function ignoreMissingCopy(): void {
  // The default handler of a store whose owner does not report missing copies.
}

// A filter hop to a second instance names the copy's queue id on a line of the first, so a
// link searches every queue of the host.
function searchAll(): boolean {
  return true;
}

function ignoreEvent(): void {
  // The default sink of a store whose owner does not report Postfix instances.
}

function ignoreRelease(): void {
  // The default handler of a store whose owner emits no held deliveries.
}

function linkKey(host: string, key: QueueKey): string {
  return `${host}\0${key}`;
}

function newMessage(record: LogRecord, instance: string, id: string): LoggedMessage {
  const position = positionOf(record);
  // `instance` is a `PostfixProgram`'s, which is detached already.
  const host = detach(record.host);
  return newLoggedMessage("postfix", host, detach(id), record.time, position, instance);
}
