import type { DeliveryStatus, LocalHandoff } from "../events.js";
import { isLoopbackIp } from "../exim/loopback.js";
import type { Fields, Relay } from "./fields.js";

/** Mailers that speak SMTP to another server; `local`, `prog` and `*file*` stay on this host. */
const SMTP_MAILERS = new Set(["esmtp", "smtp", "smtp8", "dsmtp", "relay"]);

/**
 * Maps a `to=` line to a status. The enhanced code in `dsn=` (8.12 and later) decides when
 * present. Older lines have only `stat=`, where anything but `Sent` and `Deferred` is a
 * permanent failure (`User unknown`, `Service unavailable`, `Host unknown`). Returns null for
 * `stat=queued`, which means the message was queued without a delivery attempt.
 * NOTE: while its cached host status marks a host as down (`Timeout.hoststatus`, 30 minutes by
 * default), Sendmail defers mail for it without connecting and logs the cached error as it
 * logged the real one. The line cannot show this, so such a deferral counts as an attempt.
 */
export function deliveryStatus(dsn: string | undefined, stat: string): DeliveryStatus | null {
  if (stat === "queued" || stat.startsWith("queued ")) return null;
  switch (dsn?.charAt(0)) {
    case "2":
      return "sent";
    case "4":
      return "deferred";
    case "5":
      return "bounced";
  }
  if (stat.startsWith("Sent")) return "sent";
  if (stat.startsWith("Deferred")) return "deferred";
  return "bounced";
}

/** True when the mailer speaks SMTP and the relay is not this host. */
export function isRemoteDelivery(mailer: string | undefined, relay: Relay | null): boolean {
  if (mailer === undefined || !SMTP_MAILERS.has(mailer)) return false;
  if (relay?.ip != null) return !isLoopbackIp(relay.ip);
  return relay?.host !== "localhost";
}

/**
 * Returns `filter` when an SMTP mailer hands the mail to this host (`mailer=relay,
 * relay=[127.0.0.1]`: a content filter or the local MTA, which queues it again), else null.
 */
export function handoffOf(mailer: string | undefined, relay: Relay | null): LocalHandoff | null {
  if (mailer === undefined || !SMTP_MAILERS.has(mailer)) return null;
  return isRemoteDelivery(mailer, relay) ? null : "filter";
}

/**
 * Returns the text of a `to=` line for the reply classifier: the remote server's own reply in
 * `reply=` when the line has one, else `stat=`. On a deferral `stat=` carries the reply
 * (`Deferred: 421 4.7.28 …`), but on a permanent failure it is Sendmail's own summary
 * (`Service unavailable`, `User unknown`), so only `reply=` has the receiver's words.
 * NOTE: the Sendmail releases that write `reply=` were not checked against their sources or
 * release notes. A version without it leaves permanent failures with `stat=` and `dsn=` only.
 */
export function responseOf(fields: Fields): string | null {
  const reply = fields.get("reply");
  if (reply !== undefined && reply.trim() !== "") return reply;
  return fields.get("stat") ?? null;
}
