import type { ReplyRule } from "../rule.js";

/**
 * Failures of the sending server to reach a receiver at all: the TCP connection timed out or
 * was refused, no route led there, or the server never sent its greeting. The receiving
 * server did not reply, so nothing here is a judgement of the sender, and none of these is a
 * block signal. The sending MTA writes these texts itself:
 *
 * - Postfix: `connect to H[ip]:25: Connection timed out`, `lost connection with H[ip] while
 *   receiving the initial server greeting`, `conversation with H[ip] timed out while …`, also
 *   after `delivery temporarily suspended: `.
 * - Exim: `defer (110): Connection timed out`, `(111): Connection refused`, `(113): No route to
 *   host`, `(101): Network is unreachable` (the number is the Linux errno), and per-host lines
 *   `H [ip] Connection timed out`.
 * - Sendmail: `Deferred: Connection timed out with H.`, `Deferred: Connection refused by H.`.
 */

// The text before the system error of a failed connection: nothing (Exim's error text),
// Postfix's `connect to H[ip]:25: `, Exim's `defer (110): `, Sendmail's `Deferred: `, or the
// `[ip]` of a host.
const ERROR_POSITION = String.raw`(?:^|\bconnect to \S+: |\bdefer \(-?\d+\):\s*|\bDeferred:\s*|\]\s*:?\s*)`;

function systemErrorPattern(message: string): RegExp {
  return new RegExp(ERROR_POSITION + message, "i");
}

/**
 * The placeholder in the steps for the MX host that the connection failed to reach.
 * `withFailedHost` replaces it, and so does `delist diagnose` for an outage.
 */
export const MX_HOST_PLACEHOLDER = "<MX host>";

/** The SMTP port that the rules' texts and test commands name. */
const SMTP_PORT = 25;

const TEST_FIX = `Test from the server itself: \`nc -vz ${MX_HOST_PLACEHOLDER} 25\` (or \`telnet ${MX_HOST_PLACEHOLDER} 25\`) should print the receiver's 220 greeting within a few seconds.`;

/** The test step for when the text names no host. */
const TEST_ANY_HOST_FIX =
  "Test port 25 of the recipient domain's MX hosts from the server itself. `dig +short MX` with the recipient's domain lists them, and `nc -vz` with each host name and 25 (or `telnet`) should print the receiver's 220 greeting within a few seconds.";

const PROVIDER_FIX =
  "Many hosting and cloud providers block outbound port 25 by default: ask yours to open it, or check its control panel for the setting.";
const FIREWALL_FIX =
  "Check the server's own firewall for outbound rules on port 25 (`iptables -S OUTPUT`, `nft list ruleset`, or the cloud security group's egress rules).";
const RELAY_FIX =
  "If port 25 cannot be opened, send through the provider's relay host or an email service on port 587 with SMTP AUTH (Postfix: relayhost = [smtp.example.net]:587; Sendmail: SMART_HOST in the mc file).";

/**
 * No SMTP reply is involved, so a reply with a reply code must not match. The matcher
 * rejects a reply whose code is not on the list and skips the check for a reply without a
 * code, so an empty list admits exactly the replies without one.
 */
const NO_REPLY_CODE: readonly number[] = [];

/** Rules for connection failures, in matching order. */
export const CONNECTION_RULES: readonly ReplyRule[] = [
  {
    id: "generic.connect-timed-out",
    provider: null,
    category: "transient",
    codes: NO_REPLY_CODE,
    text: systemErrorPattern("Connection timed out"),
    summary:
      "The sending server could not open a connection to the receiver: no answer came to its TCP connection request, so no SMTP reply was received.",
    fix: [TEST_FIX, PROVIDER_FIX, FIREWALL_FIX, RELAY_FIX],
    reference: null,
    findings: [],
  },
  {
    id: "generic.connect-refused",
    provider: null,
    category: "transient",
    codes: NO_REPLY_CODE,
    text: systemErrorPattern("Connection refused"),
    summary:
      "The receiver's address rejected the TCP connection on port 25 (no SMTP server listened), or a firewall on the way answered for it.",
    fix: [
      TEST_FIX,
      "If every receiver refuses, a firewall or the hosting provider intercepts outbound port 25; otherwise that receiver's mail server is down and the queue retries.",
      PROVIDER_FIX,
      RELAY_FIX,
    ],
    reference: null,
    findings: [],
  },
  {
    id: "generic.no-route-to-host",
    provider: null,
    category: "transient",
    codes: NO_REPLY_CODE,
    text: systemErrorPattern("No route to host"),
    summary:
      "The sending server has no route to the receiver's address, or a router or firewall on the way rejected the packets.",
    fix: [
      TEST_FIX,
      "Check the server's routes and default gateway (`ip route`), and whether an IPv6 address is tried without working IPv6 (Postfix: inet_protocols = ipv4; Exim: disable_ipv6 = true; Sendmail: CLIENT_OPTIONS with Family=inet in the mc file).",
      FIREWALL_FIX,
      PROVIDER_FIX,
    ],
    reference: null,
    findings: [],
  },
  {
    id: "generic.network-unreachable",
    provider: null,
    category: "transient",
    codes: NO_REPLY_CODE,
    text: systemErrorPattern("Network is unreachable"),
    summary:
      "The sending server has no network route for the receiver's address family or range, often an IPv6 address on a server without IPv6.",
    fix: [
      "If the address in the text is IPv6 and the server has no IPv6 connectivity, let the MTA use IPv4 only (Postfix: inet_protocols = ipv4; Exim: disable_ipv6 = true; Sendmail: CLIENT_OPTIONS with Family=inet in the mc file).",
      "Otherwise check the server's routes and default gateway (`ip route`).",
      TEST_FIX,
    ],
    reference: null,
    findings: [],
  },
  {
    id: "generic.no-greeting",
    provider: null,
    category: "transient",
    codes: NO_REPLY_CODE,
    text: /\b(?:lost connection with|conversation with) \S+ (?:timed out )?while receiving the initial server greeting|Remote host closed connection in response to initial connection/i,
    summary:
      "The TCP connection opened, but the receiver closed it or sent no SMTP greeting; a firewall or proxy that intercepts port 25 does this, and so does a receiver that drops unwanted clients.",
    fix: [TEST_FIX, PROVIDER_FIX, FIREWALL_FIX, RELAY_FIX],
    reference: null,
    findings: [],
  },
  {
    id: "generic.conversation-timed-out",
    provider: null,
    category: "transient",
    codes: NO_REPLY_CODE,
    text: /\bconversation with \S+ timed out while /i,
    summary:
      "The receiver stopped answering in the middle of the SMTP session, so the sending server gave up waiting.",
    fix: [
      "Nothing to change if it is rare; the queue retries.",
      "If it happens during the TLS handshake or message body to every receiver, check the path MTU and any firewall that inspects SMTP.",
      TEST_FIX,
    ],
    reference: null,
    findings: [],
  },
  {
    id: "generic.retry-time-not-reached",
    provider: null,
    category: "transient",
    codes: NO_REPLY_CODE,
    text: /\bretry time not reached\b/i,
    summary:
      "Exim did not try to deliver: earlier attempts to these hosts or this address failed, and their next retry time has not come yet.",
    fix: [
      "Look up the earlier deferrals of the same domain in the log: their reason is the one to fix.",
      "`exim -brt <domain>` prints the retry rule that applies.",
    ],
    reference: null,
    findings: [],
  },
  {
    // Postfix: `Host or domain name not found. Name service error for name=example.com
    // type=MX: Host not found, try again`; Sendmail: `Deferred: Name server: example.com.:
    // host name lookup failure`. Tried before the permanent rule below, which it contains.
    id: "generic.dns-lookup-failed",
    provider: null,
    category: "transient",
    codes: NO_REPLY_CODE,
    text: /\bHost not found, try again\b|\bhost name lookup failure\b/i,
    summary:
      "The sending server could not look up the receiving domain's MX or address records: its DNS resolver gave no usable answer, so no connection was tried.",
    fix: [
      "Test the resolver the MTA uses, on the server itself: `dig MX <domain>` (Postfix in a chroot reads /var/spool/postfix/etc/resolv.conf).",
      "If every domain fails, the server's resolver is down or blocked; if only this one does, its DNS is broken and the queue retries.",
    ],
    reference: null,
    findings: [],
  },
  {
    // Postfix: `Host or domain name not found. Name service error for name=example.invalid
    // type=A: Host not found`; Sendmail: `Host unknown (Name server: example.invalid: host not
    // found)`; Gmail's DSN: `DNS Error: … lookup of example.invalid responded with code
    // NXDOMAIN Domain name not found: example.invalid`.
    id: "generic.domain-not-found",
    provider: null,
    category: "recipient",
    codes: NO_REPLY_CODE,
    text: /\bHost or domain name not found\b|\bHost unknown \(Name server\b|\bresponded with code NXDOMAIN\b/i,
    summary:
      "The recipient's domain has no MX or address record in DNS, so the mail cannot be delivered anywhere.",
    fix: [
      "Check the recipient address for a typing error in the domain.",
      "Remove the address from mailing lists if the domain has expired.",
    ],
    reference: null,
    findings: [],
  },
];

// Exim tried no host for `retry time not reached`, and the line repeats an earlier failure. A
// failed DNS look-up tried no connection either, and a domain that does not exist is a
// recipient problem.
const NOT_CONNECTION_FAILURES: ReadonlySet<string> = new Set([
  "generic.retry-time-not-reached",
  "generic.dns-lookup-failed",
  "generic.domain-not-found",
]);

/**
 * Ids of the rules whose texts count as a failed connection to the receiver for the
 * `unreachable` provider status.
 */
export const CONNECTION_FAILURE_RULE_IDS: ReadonlySet<string> = new Set(
  CONNECTION_RULES.map((rule) => rule.id).filter((id) => !NOT_CONNECTION_FAILURES.has(id)),
);

/**
 * Returns the connection-failure rule whose wording `text` has, or null. `text` is the reason
 * as the MTA logged it. The log analysis calls this beside the reply classifier, because a
 * provider rule keyed on the DSN alone (Gmail's 4.4.2) would otherwise take these texts.
 */
export function connectionFailureRule(text: string): ReplyRule | null {
  for (const rule of CONNECTION_RULES) {
    if (!CONNECTION_FAILURE_RULE_IDS.has(rule.id)) continue;
    if (rule.text?.test(text) === true) return rule;
  }
  return null;
}

// The host in a failed connection as the MTAs write it: Postfix's `connect to H[ip]:25`,
// `lost connection with H[ip]` and `conversation with H[ip]`, Exim's `H=H [ip]` and `H [ip]`
// at the start, Sendmail's `with H.` and `by H.` at the end.
const FAILED_HOST =
  /(?:\bconnect to |\bwith |\bby |\bH=|^)([a-z0-9-]+(?:\.[a-z0-9-]+)+)\.?(?=\[| \[|:|\.?$)/i;

/**
 * Returns the host that a failed connection went to, as the text of a connection failure
 * names it, or null when it names none. The result contains only letters, digits, dots and
 * hyphens, so it is safe to print inside a shell command.
 */
export function failedConnectionHost(text: string): string | null {
  return FAILED_HOST.exec(text)?.[1] ?? null;
}

const PLAIN_HOST = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i;

/**
 * Returns the host of a logged connection failure: the relay host the log line names, else the
 * host its text names, or null. Like `failedConnectionHost`, the result is a plain host name,
 * safe to print inside a shell command.
 */
export function failedHostOf(failure: {
  readonly relayHost: string | null;
  readonly text: string;
}): string | null {
  const relay = failure.relayHost;
  if (relay !== null && PLAIN_HOST.test(relay)) return relay;
  return failedConnectionHost(failure.text);
}

/**
 * Returns the steps of a connection rule with `host` in place of `MX_HOST_PLACEHOLDER`, and
 * `port` in place of 25 in the commands that test it. When `host` is null, the test step
 * describes in words which hosts to test.
 */
export function withFailedHost(
  steps: readonly string[],
  host: string | null,
  port = SMTP_PORT,
): string[] {
  if (host !== null) {
    return steps.map((step) =>
      step
        .replaceAll(`${MX_HOST_PLACEHOLDER} ${SMTP_PORT}\``, `${host} ${port}\``)
        .replaceAll(MX_HOST_PLACEHOLDER, host),
    );
  }
  return steps.map((step) => (step === TEST_FIX ? TEST_ANY_HOST_FIX : step));
}
