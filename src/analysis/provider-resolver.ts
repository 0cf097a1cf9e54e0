import {
  PROVIDER_OPERATORS,
  providerOfDomain,
  providerOfRelay,
  type ProviderId,
} from "../knowledge/providers.js";

const MAX_ENTRIES = 50_000;

/** A recipient domain as the log wrote it, resolved once. */
interface DomainEntry {
  readonly provider: ProviderId | null;
  /** The domain in lower case, without a trailing `>`; "" when nothing is left. */
  readonly name: string;
}

/**
 * `detectProvider` with a cache per run: a log names a few hundred relay hosts and recipient
 * domains millions of times, and matching each against the provider patterns again is a
 * measurable part of reading a large log. The rules are those of `detectProvider`.
 */
export class ProviderResolver {
  private readonly relays = new Map<string, ProviderId | null>();
  private readonly domains = new Map<string, DomainEntry>();
  // Consecutive deliveries usually go through one relay; comparing with the last one is
  // cheaper than hashing the name again.
  private lastRelay = "";
  private lastRelayProvider: ProviderId | null = null;
  // The provider and the recipient-domain analysis ask for the domain of the same recipient in
  // a row, so the last recipient's entry is kept and the address is split once per delivery.
  private lastRecipient = "";
  private lastDomain: DomainEntry | null = null;

  /** Returns the provider of a delivery to `recipient` through `relayHost`. */
  resolve(relayHost: string | null, recipient: string | null): ProviderId {
    const byRelay = relayHost === null ? null : this.relay(relayHost);
    if (byRelay === "gmail" || byRelay === "google-workspace") {
      // Without a recipient, the MX decides: gmail-smtp-in serves Gmail, aspmx Workspace.
      if (recipient === null) return byRelay;
      return isGmailAddress(recipient) ? "gmail" : "google-workspace";
    }
    if (byRelay !== null) return byRelay;
    if (recipient === null) return "other";
    return this.domainEntry(recipient)?.provider ?? "other";
  }

  /** Returns the lower-cased domain of `recipient`, or null when it has none. */
  recipientDomain(recipient: string): string | null {
    const name = this.domainEntry(recipient)?.name;
    return name === undefined || name === "" ? null : name;
  }

  /** Returns the provider whose MX host `relayHost` is, or null for any other host. */
  relayProvider(relayHost: string | null): ProviderId | null {
    return relayHost === null ? null : this.relay(relayHost);
  }

  /** Returns the company behind the provider of a delivery (`google`, `microsoft`…). */
  operator(relayHost: string | null, recipient: string | null): string {
    return PROVIDER_OPERATORS[this.resolve(relayHost, recipient)];
  }

  private relay(host: string): ProviderId | null {
    if (host === this.lastRelay) return this.lastRelayProvider;
    let provider = this.relays.get(host);
    if (provider === undefined) {
      provider = providerOfRelay(host);
      if (this.relays.size >= MAX_ENTRIES) this.relays.clear();
      this.relays.set(host, provider);
    }
    this.lastRelay = host;
    this.lastRelayProvider = provider;
    return provider;
  }

  private domainEntry(recipient: string): DomainEntry | null {
    if (recipient === this.lastRecipient) return this.lastDomain;
    const at = recipient.lastIndexOf("@");
    const entry =
      at < 0 || at === recipient.length - 1 ? null : this.domain(recipient.slice(at + 1));
    this.lastRecipient = recipient;
    this.lastDomain = entry;
    return entry;
  }

  private domain(domain: string): DomainEntry {
    let entry = this.domains.get(domain);
    if (entry === undefined) {
      const name = (domain.endsWith(">") ? domain.slice(0, -1) : domain).toLowerCase();
      entry = { provider: providerOfDomain(name), name };
      if (this.domains.size >= MAX_ENTRIES) this.domains.clear();
      this.domains.set(domain, entry);
    }
    return entry;
  }
}

function isGmailAddress(recipient: string): boolean {
  // Most addresses are logged in lower case already, so this test spares a lower-cased copy.
  if (recipient.endsWith("@gmail.com")) return true;
  const lower = recipient.toLowerCase();
  return (
    lower.endsWith("@gmail.com") ||
    lower.endsWith("@googlemail.com") ||
    lower.endsWith("@gmail.com>")
  );
}
