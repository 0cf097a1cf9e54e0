import type { EventSink, SessionReplyEvent } from "../events.js";
import type { DeliveryFields } from "./delivery.js";

/**
 * How long a host line's reply waits for an address line that repeats it, in ms of log time.
 * In Exim's test-suite logs `5510` and `0909` the address lines follow the host line at once,
 * and the extra second allows for address lines stamped in the next second.
 */
export const REPLY_HOLD_MS = 1000;

/**
 * Number of waiting replies past which the oldest is sent without waiting. It bounds the state
 * on a log whose lines all carry one time stamp, as Exim's own test-suite logs do.
 */
const MAX_HELD_REPLIES = 100;

interface HeldReply {
  /** The message's key in the parser's table (`tableKey`). */
  readonly key: string;
  readonly event: SessionReplyEvent;
}

/**
 * Host-line replies (`ID H=host [ip]: SMTP error from remote mail server after …: reply`)
 * that wait for the address lines of their message. Exim writes a host line when a host
 * fails the whole connection or the whole message. When no other host is left, the `==` or
 * `**` line of each address repeats the same reply from the same host, as in Exim's
 * test-suite log `test/log/5510`. The reply then counts once, as the recipients' replies, and
 * its session reply is dropped. A reply that no address line repeats, because Exim tried the
 * next host or the log ends, is sent as a session reply.
 */
export class HeldReplies {
  private readonly replies: HeldReply[] = [];

  constructor(private readonly sink: EventSink) {}

  /** Number of waiting replies. */
  get size(): number {
    return this.replies.length;
  }

  /** Keeps the session reply of a host line of message `key` until an address line repeats it. */
  hold(key: string, event: SessionReplyEvent): void {
    if (this.replies.length >= MAX_HELD_REPLIES) {
      const oldest = this.replies.shift();
      if (oldest !== undefined) this.sink(oldest.event);
    }
    this.replies.push({ key, event });
  }

  /**
   * Drops the waiting reply of message `key` that the address line with `fields` repeats: the
   * same host address and the same reply text. Returns true when it dropped one.
   */
  dropRepeated(key: string, fields: DeliveryFields): boolean {
    if (fields.relayIp === null || fields.errorText === null) return false;
    const index = this.replies.findIndex(
      (held) =>
        held.key === key &&
        held.event.relayIp === fields.relayIp &&
        held.event.response === fields.errorText,
    );
    if (index < 0) return false;
    this.replies.splice(index, 1);
    return true;
  }

  /**
   * Sends the waiting replies of message `key` from hosts other than `relayIp`, the host of an
   * address line that cannot repeat them. Exim moved on to that host (MX fallback), so the
   * earlier host's reply comes before the line's own result, as in the log.
   */
  sendOtherHosts(key: string, relayIp: string): void {
    this.sendWhere((held) => held.key === key && held.event.relayIp !== relayIp);
  }

  /** Sends the replies that waited longer than `REPLY_HOLD_MS` before `time`. */
  sendExpired(time: number): void {
    this.sendWhere((held) => held.event.time < time - REPLY_HOLD_MS);
  }

  /** Sends the waiting replies of message `key`, which has ended. */
  sendOf(key: string): void {
    this.sendWhere((held) => held.key === key);
  }

  /** Sends every waiting reply, oldest first. */
  sendAll(): void {
    this.sendWhere(() => true);
  }

  private sendWhere(due: (held: HeldReply) => boolean): void {
    const replies = this.replies;
    let remaining = 0;
    for (const entry of replies) {
      if (due(entry)) this.sink(entry.event);
      else replies[remaining++] = entry;
    }
    replies.length = remaining;
  }
}
