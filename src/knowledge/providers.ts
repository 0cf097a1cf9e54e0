/**
 * Mailbox providers that delist recognises by name, and how to tell them from a relay host
 * name (the MX the MTA talked to) or a recipient domain.
 */

export const PROVIDER_IDS = [
  "gmail",
  "google-workspace",
  "outlook",
  "exchange-online",
  "yahoo",
  "icloud",
  "comcast",
  "gmx",
  "mailru",
  "yandex",
  "orange",
  "mailchannels",
  "t-online",
  "swisscom",
  "relay-host",
  "other",
] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

/**
 * Key of a provider's row in the analysis and in `diagnose --format json`. Each provider has
 * one row, except relay hosts: the first relay host in the log has the row `relay-host`, and
 * each further one `relay-host:` followed by its label (`relay-host:smtp.example.net:587`, see
 * `relayHostLabel`). The first keeps the plain key, so scripts written for one relay host
 * still find it.
 */
export type ProviderKey = ProviderId | `relay-host:${string}`;

/** Returns the provider of a row key: `relay-host` for every relay host's row. */
export function providerOfKey(key: ProviderKey): ProviderId {
  return isRelayHostKey(key) ? "relay-host" : (key as ProviderId);
}

/**
 * The row that relay hosts share once the log has shown more relay hosts than get a row of
 * their own.
 */
export const OTHER_RELAY_HOSTS_KEY = "relay-host:*";

/** True for a row that stands for several receivers, whose name takes a plural verb. */
export function isPluralRow(key: string): boolean {
  return key === "other" || key === OTHER_RELAY_HOSTS_KEY;
}

/** True for the row key of a relay host, the first (`relay-host`) or a further one. */
export function isRelayHostKey(key: string): boolean {
  return key === "relay-host" || key.startsWith("relay-host:");
}

/**
 * Returns the label of a relay host as the log names it: the host name, else its IP, with
 * `:port` when the port is known and is not 25 (`smtp.example.net:587`, `[2001:db8::25]:587`).
 * Returns null when the line names neither host nor IP.
 */
export function relayHostLabel(
  host: string | null,
  ip: string | null,
  port: number | null | undefined,
): string | null {
  const name = host !== null && host !== "" && host !== "none" ? host : ip;
  if (name === null || name === "") return null;
  if (port === null || port === undefined || port === 25) return name;
  return name.includes(":") ? `[${name}]:${port}` : `${name}:${port}`;
}

/** Names for people, used in text and Markdown reports. */
export const PROVIDER_NAMES: Record<ProviderId, string> = {
  gmail: "Gmail",
  "google-workspace": "Google Workspace",
  outlook: "Outlook.com",
  "exchange-online": "Exchange Online",
  yahoo: "Yahoo/AOL",
  icloud: "iCloud Mail",
  comcast: "Comcast",
  gmx: "GMX/WEB.DE",
  mailru: "Mail.ru",
  yandex: "Yandex",
  orange: "Orange",
  mailchannels: "MailChannels",
  "t-online": "T-Online",
  swisscom: "Swisscom (Bluewin)",
  "relay-host": "relay host",
  other: "other receivers",
};

/** The company behind a provider: Google runs both Gmail and Workspace. */
export const PROVIDER_OPERATORS: Record<ProviderId, string> = {
  gmail: "google",
  "google-workspace": "google",
  outlook: "microsoft",
  "exchange-online": "microsoft",
  yahoo: "yahoo",
  icloud: "apple",
  comcast: "comcast",
  gmx: "united-internet",
  mailru: "vk",
  yandex: "yandex",
  orange: "orange",
  mailchannels: "mailchannels",
  "t-online": "telekom",
  swisscom: "swisscom",
  "relay-host": "relay-host",
  other: "other",
};

const GMAIL_DOMAINS = new Set(["gmail.com", "googlemail.com"]);

// Consumer domains hosted by each provider. Yahoo also hosts AOL, Verizon and the former
// AT&T domains; Microsoft's consumer service covers Hotmail, Live and MSN.
const DOMAIN_PROVIDERS: ReadonlyArray<readonly [RegExp, ProviderId]> = [
  [/^(?:gmail|googlemail)\.com$/, "gmail"],
  [/^(?:outlook|hotmail|live|msn|windowslive|passport)\.[a-z.]+$/, "outlook"],
  [
    /^(?:yahoo|ymail|rocketmail|aol|aim|verizon|att|sbcglobal|bellsouth|pacbell|frontier)\.[a-z.]+$/,
    "yahoo",
  ],
  [/^(?:icloud|me|mac)\.com$/, "icloud"],
  [/^comcast\.net$/, "comcast"],
  [/^(?:gmx\.[a-z.]+|web\.de)$/, "gmx"],
  [/^(?:mail|bk|list|inbox|internet)\.ru$/, "mailru"],
  [/^(?:yandex\.[a-z.]+|ya\.ru|narod\.ru)$/, "yandex"],
  [/^(?:orange|wanadoo)\.fr$/, "orange"],
  [/^(?:t-online|magenta)\.de$/, "t-online"],
  [/^bluewin\.ch$/, "swisscom"],
];

// MX and submission host names. Google's consumer MX is gmail-smtp-in; Workspace domains point
// at aspmx (older setups) or smtp.google.com (since 2023). Google's submission hosts are
// smtp.gmail.com (any Google account) and smtp-relay.gmail.com (the Workspace SMTP relay).
// Microsoft's consumer service sits under olc.protection.outlook.com. Business tenants sit
// under mail.protection.outlook.com (mail.eo.outlook.com in older setups), or under
// mx.microsoft when the tenant's domain uses Exchange Online's DNSSEC-signed MX
// (contoso-com.o-v1.mx.microsoft), and submit through smtp.office365.com. Tenants in
// Microsoft's US government clouds receive under protection.office365.us: GCC High tenants
// at <tenant>.mail.protection.office365.us, DoD tenants at <tenant>.protection.office365.us.
// NOTE: `detectProvider` picks Gmail or Workspace for Google's submission hosts by the
// recipient's domain, though that domain does not show which kind of account sent the mail.
const RELAY_PROVIDERS: ReadonlyArray<readonly [RegExp, ProviderId]> = [
  [/(?:^|\.)gmail-smtp-in\.l\.google\.com\.?$/, "gmail"],
  [
    /(?:^|\.)(?:aspmx\.l\.google\.com|aspmx\d?\.googlemail\.com|smtp\.google\.com)\.?$/,
    "google-workspace",
  ],
  [/^smtp-relay\.gmail\.com\.?$/, "google-workspace"],
  [/^smtp\.(?:gmail|googlemail)\.com\.?$/, "gmail"],
  [/(?:^|\.)olc\.protection\.outlook\.com\.?$/, "outlook"],
  // Before the bare outlook.com pattern, which would otherwise claim every tenant.
  [
    /(?:^|\.)(?:mail\.protection\.outlook\.com|mail\.eo\.outlook\.com|mx\.microsoft|protection\.office365\.us|smtp\.office365\.com)\.?$/,
    "exchange-online",
  ],
  [/(?:^|\.)(?:hotmail|outlook|msn|live)\.com\.?$/, "outlook"],
  [/(?:^|\.)(?:yahoodns\.net|yahoo\.com|aol\.com)\.?$/, "yahoo"],
  [/(?:^|\.)(?:icloud\.com|me\.com|apple\.com)\.?$/, "icloud"],
  [/(?:^|\.)comcast\.net\.?$/, "comcast"],
  [/(?:^|\.)(?:gmx\.[a-z]+|web\.de)\.?$/, "gmx"],
  [/(?:^|\.)mail\.ru\.?$/, "mailru"],
  [/(?:^|\.)yandex\.(?:ru|net|com)\.?$/, "yandex"],
  // La Poste's MX hosts reply with the same reason codes as Orange's (LPN007_416 beside
  // OFR_416), so their replies take Orange's rules.
  [/(?:^|\.)(?:orange\.fr|laposte\.net)\.?$/, "orange"],
  [/(?:^|\.)mailchannels\.net\.?$/, "mailchannels"],
  [/(?:^|\.)t-online\.de\.?$/, "t-online"],
  [/(?:^|\.)bluewin\.ch\.?$/, "swisscom"],
];

// Inbound MX hosts, which receive mail from other servers, as opposed to the submission hosts
// that serve the provider's own customers (smtp.office365.com, smtp-mail.outlook.com). Only
// Microsoft's are listed, because only Microsoft's rules depend on the difference.
const INBOUND_MX_PROVIDERS: ReadonlyArray<readonly [RegExp, ProviderId]> = [
  [/(?:^|\.)olc\.protection\.outlook\.com\.?$/, "outlook"],
  [
    /(?:^|\.)(?:mail\.protection\.outlook\.com|mail\.eo\.outlook\.com|mx\.microsoft|protection\.office365\.us)\.?$/,
    "exchange-online",
  ],
];

/**
 * Returns the provider whose inbound MX this host is, or null for any other host. Only
 * Outlook.com's and Exchange Online's inbound MX hosts are listed.
 */
export function inboundMxProvider(host: string): ProviderId | null {
  return providerOfPattern(INBOUND_MX_PROVIDERS, host);
}

// Submission hosts at which a provider's customers hand in their own mail, so that a rejection
// there stops the customer's mail. Microsoft 365 tenants submit through smtp.office365.com.
// NOTE: smtp-mail.outlook.com, where Outlook.com accounts submit, is left out, because the
// tenant replies of the rules that depend on this list are documented for Microsoft 365 only.
const SUBMISSION_HOST_PROVIDERS: ReadonlyArray<readonly [RegExp, ProviderId]> = [
  [/^smtp\.office365\.com\.?$/, "exchange-online"],
];

/**
 * Returns the provider whose submission host this is, or null for any other host. Only
 * Microsoft 365's smtp.office365.com is listed.
 */
export function submissionHostProvider(host: string): ProviderId | null {
  return providerOfPattern(SUBMISSION_HOST_PROVIDERS, host);
}

/**
 * Returns a key for the role of a host that sent a reply: `mx:` or `submission:` with the
 * provider whose inbound MX or submission host it is, or "" for any other host. Rules marked
 * `inboundMxOnly` or `submissionHostOnly` read a wording differently by this role, so caches of
 * explained replies include it in their keys.
 */
export function hostRoleKey(host: string): string {
  const inboundMx = inboundMxProvider(host);
  if (inboundMx !== null) return `mx:${inboundMx}`;
  const submission = submissionHostProvider(host);
  return submission === null ? "" : `submission:${submission}`;
}

/** Returns the provider of the first pattern in `table` that the lower-cased host matches. */
function providerOfPattern(
  table: ReadonlyArray<readonly [RegExp, ProviderId]>,
  host: string,
): ProviderId | null {
  const lower = host.toLowerCase();
  for (const [pattern, provider] of table) {
    if (pattern.test(lower)) return provider;
  }
  return null;
}

/** Returns the provider whose recipient domain this is, or null for any other domain. */
export function providerOfDomain(domain: string): ProviderId | null {
  const lower = domain.toLowerCase();
  for (const [pattern, provider] of DOMAIN_PROVIDERS) {
    if (pattern.test(lower)) return provider;
  }
  return null;
}

/** Returns the provider that runs this MX host, or null when the host is not a known one. */
export function providerOfRelay(host: string): ProviderId | null {
  const lower = host.toLowerCase();
  for (const [pattern, provider] of RELAY_PROVIDERS) {
    if (pattern.test(lower)) return provider;
  }
  return null;
}

/**
 * Returns the provider that received (or refused) mail for `recipient` through `relayHost`.
 * The relay decides when it is a known MX, because a company domain hosted at Google or
 * Microsoft has no provider name in its own domain. A Google MX then means Gmail for
 * gmail.com and googlemail.com addresses and Workspace for other domains. Without a
 * recipient, the MX name decides: gmail-smtp-in is the MX of gmail.com, the others serve
 * Workspace domains. When the relay is unknown (a smarthost, or no relay logged), the
 * recipient domain decides.
 */
export function detectProvider(relayHost: string | null, recipient: string | null): ProviderId {
  const domain = recipient === null ? null : domainOf(recipient);
  const byRelay = relayHost === null ? null : providerOfRelay(relayHost);

  if (byRelay === "gmail" || byRelay === "google-workspace") {
    return (recipient === null ? null : googleProviderOf(recipient)) ?? byRelay;
  }
  if (byRelay !== null) return byRelay;
  if (domain === null) return "other";
  return providerOfDomain(domain) ?? "other";
}

/**
 * Returns the provider of a recipient's mailbox at Google: Gmail for gmail.com and
 * googlemail.com addresses, Google Workspace for any other domain, and null for an address
 * without a domain.
 */
export function googleProviderOf(recipient: string): "gmail" | "google-workspace" | null {
  const domain = domainOf(recipient);
  if (domain === null) return null;
  return GMAIL_DOMAINS.has(domain) ? "gmail" : "google-workspace";
}

/** Returns the lower-cased domain of an address, or null when it has no `@`. */
export function domainOf(address: string): string | null {
  const at = address.lastIndexOf("@");
  if (at < 0 || at === address.length - 1) return null;
  let domain = address.slice(at + 1).toLowerCase();
  if (domain.endsWith(">")) domain = domain.slice(0, -1);
  return domain;
}
