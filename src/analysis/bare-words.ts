import type { DeliveryEvent, LoggedMessage } from "../logs/events.js";
import { detach } from "./time.js";
import { UndeliveredTally } from "./undelivered.js";

/**
 * A message whose local delivery bounced for at least this many recipients without `@` is
 * taken for a command line that passed words as recipients, such as `mail root This is the
 * subject` where `-s` and its quotes are missing. Two unknown users in one message are a
 * plausible mistake of their own, so it takes three. Three is an estimate.
 */
export const BARE_WORDS_MIN = 3;
/** Words of the first such message kept as the example. */
const BARE_WORDS_SHOWN = 5;

/**
 * Failed local deliveries, with the bounces of messages that listed several recipients without
 * `@` counted apart (see `BARE_WORDS_MIN`), and the lines that name a loopback host apart.
 */
export class LocalFailureTally extends UndeliveredTally {
  /**
   * Of the deferrals and bounces, those of deliveries to a host on a loopback address, such as
   * SMTP to a content filter on 127.0.0.1. A failure that stays on this server and names a
   * host names a loopback one, because one at any other address is remote.
   */
  toLoopback = 0;
  /** Bounces to recipients without `@` of the messages that had `BARE_WORDS_MIN` of them. */
  bareWordBounces = 0;
  /** Messages that had `BARE_WORDS_MIN` such bounces. */
  bareWordMessages = 0;
  /** The recipients of the first such message, up to `BARE_WORDS_SHOWN`, in log order. */
  readonly bareWords: string[] = [];
  // Bare recipients that bounced so far, per message. Entries die with their messages.
  private readonly bareByMessage = new WeakMap<LoggedMessage, string[]>();
  private exampleMessage: LoggedMessage | null = null;

  override add(event: DeliveryEvent, host: string | null = null): void {
    super.add(event, host);
    const failed = event.status === "deferred" || event.status === "bounced";
    if (failed && event.relayIp !== null) this.toLoopback += 1;
    if (event.status !== "bounced" || event.recipient.includes("@")) return;
    const words = this.bareByMessage.get(event.message) ?? [];
    words.push(detach(event.recipient));
    this.bareByMessage.set(event.message, words);
    if (words.length < BARE_WORDS_MIN) return;

    if (words.length === BARE_WORDS_MIN) {
      this.bareWordMessages += 1;
      this.bareWordBounces += BARE_WORDS_MIN;
      if (this.exampleMessage === null) {
        this.exampleMessage = event.message;
        this.bareWords.push(...words);
      }
      return;
    }
    this.bareWordBounces += 1;
    if (this.exampleMessage === event.message && this.bareWords.length < BARE_WORDS_SHOWN) {
      this.bareWords.push(words[words.length - 1] ?? "");
    }
  }
}
