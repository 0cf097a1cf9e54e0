import type { DeliveryEvent, LinePosition } from "../logs/events.js";
import { detach, increment } from "./time.js";

/** The earliest deferral or bounce of an `UndeliveredTally`, kept as evidence. */
export interface UndeliveredSample {
  readonly time: number;
  readonly position: LinePosition;
  readonly recipient: string;
  readonly status: "deferred" | "bounced";
  /** Postfix delivery service, Exim transport or Sendmail mailer, when the line names one. */
  readonly transport: string | null;
  /** The Exim router (`R=`), when the line names one. */
  readonly router: string | null;
  /** The reason text as the MTA logged it, or null when the line has none. */
  readonly text: string | null;
  /**
   * The server that the line names, such as the relay host of a failed login that Exim's
   * address line repeats, or null.
   */
  readonly relayHost: string | null;
  readonly relayIp: string | null;
}

/**
 * Counts deferrals and bounces that no receiver decided, such as failed local deliveries or
 * mail that this server refused to send on its own, and keeps the earliest of them.
 */
export class UndeliveredTally {
  /** Deferral lines: every retry counts. */
  deferred = 0;
  bounced = 0;
  first: UndeliveredSample | null = null;
  /** Time of the latest of them in ms since the epoch, or -Infinity before the first. */
  lastTime = -Infinity;
  /**
   * Deferrals and bounces of each server that logged them, by `serverOf` name. Lines of servers
   * past the limit of `ServerAnalyser.hosts` are in no server's count.
   */
  readonly byHost = new Map<string, number>();

  /**
   * Counts a `deferred` or `bounced` delivery event of the server named `host`, or of no
   * counted server when it is null. Other statuses are ignored.
   */
  add(event: DeliveryEvent, host: string | null = null): void {
    const status = event.status;
    if (status === "deferred") this.deferred += 1;
    else if (status === "bounced") this.bounced += 1;
    else return;
    if (host !== null) increment(this.byHost, host);
    if (event.time > this.lastTime) this.lastTime = event.time;
    if (this.first !== null && this.first.time <= event.time) return;
    this.first = {
      time: event.time,
      position: { file: event.position.file, line: event.position.line },
      recipient: detach(event.recipient),
      status,
      transport: event.transport === null ? null : detach(event.transport),
      router: event.router === undefined || event.router === null ? null : detach(event.router),
      text: event.response === null ? null : detach(event.response),
      relayHost: event.relayHost === null ? null : detach(event.relayHost),
      relayIp: event.relayIp === null ? null : detach(event.relayIp),
    };
  }
}
