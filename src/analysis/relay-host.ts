import type { ProviderId } from "../knowledge/providers.js";
import type { DeliveryEvent } from "../logs/events.js";
import type { ExplainedReply } from "../reply/types.js";
import type { ProviderResolver } from "./provider-resolver.js";
import { isBlockSignal } from "./replies.js";

/** The port on which MX hosts receive mail. Submission and relay services listen on others. */
const SMTP_PORT = 25;

/**
 * True when a remote delivery went to a relay host (smarthost) that passes the mail on, and
 * not to the recipient's MX, so that the reply is the relay host's and not the recipient
 * provider's. The log shows this as a port other than 25 (Postfix `relay=host[ip]:587`), an
 * Exim transport named for it (Debian's `remote_smtp_smarthost`), or Sendmail's `relay`
 * mailer to another host (the `DS` smart host). Callers check that the host is not the MX or
 * relay service of a provider that delist names.
 * NOTE: an Exim smarthost whose router and transport names do not contain "smarthost" is not
 * recognised, because Exim logs neither the router type nor, by default, the port.
 */
export function isRelayHostDelivery(event: DeliveryEvent): boolean {
  if (!event.remote) return false;
  const port = event.relayPort;
  if (port !== undefined && port !== null && port !== SMTP_PORT) return true;

  const transport = event.transport;
  if (transport === null) return false;
  switch (event.message.mta) {
    case "exim":
      return transport.toLowerCase().includes("smarthost");
    case "sendmail":
      return transport === "relay";
    default:
      return false;
  }
}

/**
 * Returns the provider whose reply a delivery shows, as `delist diagnose` and `delist monitor`
 * count it. A relay host that delist does not name is `relay-host`, because the recipient's
 * provider has not seen the mail yet. Without a known MX, the recipient's domain decides.
 */
export function deliveryProvider(event: DeliveryEvent, resolver: ProviderResolver): ProviderId {
  if (resolver.relayProvider(event.relayHost) !== null) {
    return resolver.resolve(event.relayHost, event.recipient);
  }
  if (isRelayHostDelivery(event)) return "relay-host";
  const byDomain = resolver.resolve(null, event.recipient);
  return byDomain !== "other" && isNamedRemoteHost(event) ? "relay-host" : byDomain;
}

/**
 * True when a delivery left this host for a named host. Every provider's own domain
 * (gmail.com, outlook.com, yahoo.com…) points only at that provider's MX hosts. So mail for
 * such a domain that went to another named host went through a relay host, also on port 25,
 * such as a Postfix `relayhost` or a transport map entry, and the replies are the relay host's.
 */
function isNamedRemoteHost(event: DeliveryEvent): boolean {
  return event.remote && event.relayHost !== null && event.relayHost !== "none";
}

/** Categories of replies about one recipient, which a relay host passes on without blocking. */
const RECIPIENT_CATEGORIES: ReadonlySet<string> = new Set(["recipient", "recipient-policy"]);

/**
 * True when a failed delivery's reply of `provider` is a block signal. Every failure at a
 * relay host is one unless it concerns one recipient, also one without a reply code such as
 * Exim's failed login to the relay host. The relay host's quota, credential or policy refusal
 * holds all the mail that goes through it, as a receiver's block would.
 */
export function isBlockSignalOf(reply: ExplainedReply, provider: ProviderId): boolean {
  if (isBlockSignal(reply)) return true;
  if (provider !== "relay-host") return false;
  return !RECIPIENT_CATEGORIES.has(reply.category);
}
