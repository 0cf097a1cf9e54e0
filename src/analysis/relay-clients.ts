import { MostlyRepeatedCounter, hashString } from "./distinct.js";
import type { Delivery } from "./delivery.js";
import { dropQuieterHalf } from "./quieter-half.js";
import { detach, hourOf } from "./time.js";

/** Outbound recipients of one relay client in one hour. */
export interface RelayClientHour {
  recipients: number;
  /** When the client's earliest message of the hour entered the queue (epoch ms). */
  firstTime: number;
  /** Distinct envelope senders of those recipients' messages, the null sender `<>` included. */
  readonly senders: MostlyRepeatedCounter;
}

/** Outbound mail of one client IP address that submitted without SMTP AUTH. */
export interface RelayClient {
  readonly ip: string;
  recipients: number;
  readonly hourly: Map<number, RelayClientHour>;
}

/**
 * Client addresses tracked at once. Past this, the half with the fewest recipients is dropped,
 * as `OriginAnalyser` drops origins, so that a log of mail forwarded from many senders on the
 * internet stays in bounded memory while a busy relay client is still followed.
 */
const MAX_RELAY_CLIENTS = 10_000;

/**
 * Counts outbound recipients per hour by the client IP address of messages that no SMTP AUTH
 * account or local program submitted. A web server or a device that the MTA lets relay by its
 * address sends such mail, and an abused one can spread a burst over hundreds of envelope
 * senders, none of them large enough to stand out alone.
 */
export class RelayClientAnalyser {
  readonly clients = new Map<string, RelayClient>();
  /** Clients dropped to bound memory (see `MAX_RELAY_CLIENTS`). */
  dropped = 0;

  /** Counts the first remote attempt of a recipient of a message without an origin. */
  addDelivery(delivery: Delivery): void {
    const { event, state } = delivery;
    const message = state.message;
    if (!event.firstAttempt || message.isBounce || message.clientIp === null) return;
    const client = this.clientOf(message.clientIp);
    const key = hourOf(message.firstTime);
    let hour = client.hourly.get(key);
    if (hour === undefined) {
      hour = { recipients: 0, firstTime: message.firstTime, senders: new MostlyRepeatedCounter() };
      client.hourly.set(key, hour);
    } else if (message.firstTime < hour.firstTime) {
      hour.firstTime = message.firstTime;
    }
    client.recipients += 1;
    hour.recipients += 1;
    if (message.sender !== null) hour.senders.addHash(hashString(message.sender));
  }

  private clientOf(ip: string): RelayClient {
    const known = this.clients.get(ip);
    if (known !== undefined) return known;
    if (this.clients.size >= MAX_RELAY_CLIENTS) this.dropQuietest();
    const created: RelayClient = { ip: detach(ip), recipients: 0, hourly: new Map() };
    this.clients.set(created.ip, created);
    return created;
  }

  // Removes the half of the clients with the fewest recipients.
  private dropQuietest(): void {
    this.dropped += dropQuieterHalf(this.clients, (a, b) => a.recipients - b.recipients);
  }
}
