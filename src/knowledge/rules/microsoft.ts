import type { ReplyRule } from "../rule.js";

/**
 * Microsoft's two receivers under protection.outlook.com: consumer Outlook.com (Hotmail, Live,
 * MSN) and business Exchange Online tenants. The `(S3140)`-style tokens are undocumented; the
 * split "S3140 = the IP, S3150 = the range" follows the reply wording.
 */

const OUTLOOK_TROUBLESHOOTING = "http://mail.live.com/mail/troubleshooting.aspx#errors";
const OUTLOOK_POSTMASTER = "https://postmaster.live.com";
const EXO_NDR =
  "https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/non-delivery-reports-in-exchange-online";
// "Fix email delivery issues for error codes 5.7.700 through 5.7.750 in Exchange Online".
const EXO_TENANT_BLOCKS = "https://go.microsoft.com/fwlink/?linkid=2164955";
const EXO_DELIST_FIX =
  "Request removal at https://sender.office.com (it sends a confirmation link by mail).";

const DELIST_FIX =
  "The IP owner asks for delisting through the Outlook.com sender support form after fixing the cause.";
const SNDS_FIX = "Enrol the IPs in Microsoft SNDS and JMRP to see their data and complaints.";
// Steps for an IP that Outlook.com refuses as part of a dynamic or residential range.
const DYNAMIC_RANGE_FIX = [
  "Send through a relay with a static, reputable IP.",
  "To deliver directly, send from a static IP that its ISP does not list as dynamic, with a PTR record naming this server.",
  "Check the host for malware.",
];
const SPAMHAUS_FIX =
  "Look the IP up at Spamhaus, fix the cause they name, and request delisting there.";

// Codes with which Microsoft 365 refuses to send a tenant's own mail. They mean a banned
// sender (5.7.501 to 5.7.503), a tenant over its sending threshold (5.7.705) and low-reputation
// outbound IPs of a new tenant (5.7.708). They also mean a domain the tenant has not
// registered (5.7.750) and an account blocked for sending spam (5.1.8).
const TENANT_CODES = ["5.7.501", "5.7.502", "5.7.503", "5.7.705", "5.7.708", "5.7.750", "5.1.8"];

/** Enhanced codes `<prefix><from>` to `<prefix><to>`, for the numbered ranges of Exchange Online. */
function codeRange(prefix: string, from: number, to: number): string[] {
  const codes: string[] = [];
  for (let detail = from; detail <= to; detail++) codes.push(`${prefix}${detail}`);
  return codes;
}

const outlook: readonly ReplyRule[] = [
  {
    id: "outlook.ip-blocklist",
    provider: "outlook",
    category: "reputation",
    codes: [550],
    token: /^A?S3140$/,
    distinctive: true,
    summary:
      "Outlook.com refuses mail from this IP because the IP is on Microsoft's own block list.",
    fix: [DELIST_FIX, SNDS_FIX, "Find and stop what damaged the IP first."],
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: ["ip-blocklisted"],
  },
  {
    id: "outlook.range-blocklist",
    provider: "outlook",
    category: "reputation",
    codes: [550],
    token: /^A?S3150$/,
    distinctive: true,
    summary:
      "Outlook.com refuses mail from this IP because part of its network (the range) is on Microsoft's own block list.",
    fix: [
      "Usually only the hosting provider, who owns the range, can get it delisted: ask them to request it through the Outlook.com sender support form, and send through another range or a relay meanwhile.",
      SNDS_FIX,
    ],
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: ["ip-blocklisted"],
  },
  {
    // 5.7.708 from Outlook.com's own MX: no tenant sent the mail, so the rejected traffic is
    // that of the server that connected.
    id: "outlook.ip-not-accepted",
    provider: "outlook",
    category: "reputation",
    enhanced: ["5.7.708"],
    text: /traffic not accepted from this IP/i,
    codeAlone: ["5.7.708"],
    inboundMxOnly: true,
    summary:
      "Outlook.com's MX accepts no traffic from this IP, because Microsoft blocks the IP for its reputation.",
    fix: [DELIST_FIX, SNDS_FIX, "Find and stop what damaged the IP first."],
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: ["ip-blocklisted"],
  },
  {
    // The same reply from a tenant's MX (<tenant>.mail.protection.outlook.com). The recipient's
    // Microsoft 365 organisation refuses the IP there, so Outlook.com's consumer pages do not
    // apply. Without such a host, the reply reads as Outlook.com's.
    id: "exchange-online.spamhaus",
    provider: "exchange-online",
    category: "blocklist",
    token: /^AS3130$/,
    inboundMxOnly: true,
    summary:
      "Exchange Online (the recipient's Microsoft 365 tenant) refuses the IP because Spamhaus lists it.",
    fix: [SPAMHAUS_FIX],
    reference: EXO_NDR,
    findings: ["ip-blocklisted"],
  },
  {
    id: "outlook.spamhaus",
    provider: "outlook",
    category: "blocklist",
    token: /^AS3130$/,
    distinctive: true,
    summary: "Outlook.com refuses the IP because Spamhaus lists it.",
    fix: [SPAMHAUS_FIX],
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: ["ip-blocklisted"],
  },
  {
    id: "outlook.domain-spamhaus",
    provider: "outlook",
    category: "blocklist",
    token: /^S8002$/,
    distinctive: true,
    summary: "Outlook.com refuses the MAIL FROM domain because it is on a Spamhaus domain list.",
    fix: ["Look the domain up in the Spamhaus DBL and request delisting after fixing the cause."],
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: ["ip-blocklisted"],
  },
  {
    id: "outlook.ip-reputation-rate-limit",
    provider: "outlook",
    category: "reputation",
    codes: [451, 421],
    enhanced: ["4.7.650", "4.7.651"],
    text: /rate limited due to IP reputation/i,
    codeAlone: ["4.7.650", "4.7.651"],
    distinctive: true,
    // The rule also explains these replies in Exchange Online rows, so the summary names
    // Microsoft, which runs both services.
    summary: "Microsoft temporarily rate-limits this IP because of its reputation.",
    fix: ["Let the queue retry at a lower rate.", "Warm up new IPs slowly.", SNDS_FIX],
    reference: OUTLOOK_POSTMASTER,
    findings: ["rate-limited"],
    // The Outlook.com sender support form is for listings such as S3140 and S3150. This limit
    // lifts as the IP's reputation grows, so no request applies to it.
    removal: false,
  },
  {
    id: "outlook.reputation-rate-limit",
    provider: "outlook",
    category: "reputation",
    token: /^RP-00[1-3]$/,
    distinctive: true,
    summary:
      "Outlook.com limits the connections or messages from this IP because of its reputation.",
    fix: ["Lower the sending rate to Microsoft and let the queue retry.", SNDS_FIX],
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: ["rate-limited"],
  },
  {
    id: "outlook.required-authentication",
    provider: "outlook",
    category: "authentication",
    codes: [550],
    enhanced: ["5.7.515"],
    text: /required authentication level/i,
    codeAlone: ["5.7.515"],
    distinctive: true,
    summary:
      "The sending domain does not meet Outlook.com's authentication rule for high-volume senders: SPF, DKIM and DMARC must pass.",
    fix: [
      "Make SPF pass for the envelope domain, sign with DKIM, and publish DMARC (p=none at least) aligned with SPF or DKIM.",
      "The Spf=, Dkim= and DMARC= results at the end of the reply name the check that failed.",
    ],
    reference: "https://go.microsoft.com/fwlink/p/?linkid=2319303",
    findings: ["authentication"],
  },
  {
    // Some SC-001 replies name their cause: "Hotmail does not relay dynamically-assigned IP
    // ranges". That is the refusal of a dynamic range, as with DY-001, under another token.
    id: "outlook.policy-dynamic-range",
    provider: "outlook",
    category: "reputation",
    token: /^SC-001$/,
    text: /dynamically[- ]assigned IP ranges/i,
    distinctive: true,
    summary:
      "Outlook.com rejected the mail for policy reasons, because it treats the IP as part of a dynamically assigned (dynamic or residential) range.",
    fix: DYNAMIC_RANGE_FIX,
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: ["ip-blocklisted"],
    // As for DY-001, a delisting request cannot change the kind of range.
    removal: false,
  },
  {
    // SC-001 is a policy rejection for spam-like content or a poor IP or domain reputation.
    // Its replies ask the sender to contact their Internet service provider, so the IP's
    // standing comes first.
    id: "outlook.policy-rejection",
    provider: "outlook",
    category: "reputation",
    token: /^SC-001$/,
    distinctive: true,
    summary:
      "Outlook.com rejected the mail for policy reasons: the IP's or domain's reputation, or spam-like content.",
    fix: [
      "Check the IP's standing in SNDS and find what hurt it: complaints, a compromised account or script, or mail to old lists.",
      "Review the content and links for what spam filters flag.",
      SNDS_FIX,
      DELIST_FIX,
    ],
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: ["ip-blocklisted", "spam-content"],
  },
  {
    id: "outlook.sender-policy",
    provider: "outlook",
    category: "reputation",
    token: /^SC-00[2-4]$/,
    distinctive: true,
    summary:
      "Outlook.com blocks the sender for namespace mining (SC-002), an open proxy or relay (SC-003), or complaints (SC-004).",
    fix: [
      "Stop sending to guessed or old addresses, close open relays, and enrol in JMRP for complaints.",
      DELIST_FIX,
    ],
    reference: OUTLOOK_TROUBLESHOOTING,
    // The SC replies state that the sender's network is on Microsoft's block list.
    findings: ["ip-blocklisted"],
  },
  {
    id: "outlook.dynamic-ip",
    provider: "outlook",
    category: "reputation",
    token: /^DY-00[12]$/,
    distinctive: true,
    summary:
      "Outlook.com treats the IP as dynamic or residential (DY-001) or as a likely compromised host (DY-002); this is not about PTR records.",
    fix: DYNAMIC_RANGE_FIX,
    reference: OUTLOOK_TROUBLESHOOTING,
    // DY-001 rejects the kind of range (Microsoft's own list of dynamic and residential space),
    // which a delisting request cannot change.
    // NOTE: DY-002, a host that looks compromised, shares this rule. Whether Microsoft lifts it
    // on request once the host is clean is not known, so delist offers no form for it either.
    findings: ["ip-blocklisted"],
    removal: false,
  },
  {
    id: "outlook.spamhaus-policy",
    provider: "outlook",
    category: "blocklist",
    token: /^OU-001$/,
    distinctive: true,
    summary: "Outlook.com blocks the IP by a policy tied to a Spamhaus listing.",
    fix: [
      "Look the IP up at Spamhaus and request delisting; on a shared ESP IP, ask the ESP or move to a dedicated IP.",
    ],
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: ["ip-blocklisted"],
  },
  {
    id: "outlook.reputation-policy",
    provider: "outlook",
    category: "reputation",
    token: /^OU-002$/,
    distinctive: true,
    summary: "Outlook.com blocks the mail by a policy based on content or reputation.",
    fix: [DELIST_FIX, SNDS_FIX],
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: [],
  },
  {
    id: "outlook.dmarc-legacy",
    provider: "outlook",
    category: "authentication",
    codes: [550],
    enhanced: ["5.7.0"],
    text: /domain owner policy restrictions/i,
    distinctive: true,
    summary:
      "An older Outlook.com wording of a DMARC rejection: the From domain's policy refused the message.",
    fix: ["Make SPF or DKIM pass aligned with the From domain."],
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: ["authentication"],
  },
  {
    id: "outlook.mailbox-unavailable",
    provider: "outlook",
    category: "recipient",
    codes: [550],
    enhanced: ["5.5.0"],
    text: /mailbox unavailable/i,
    codeAlone: ["5.5.0"],
    summary: "The recipient mailbox does not exist or is unavailable at Outlook.com.",
    fix: ["Remove the address from your lists."],
    reference: OUTLOOK_TROUBLESHOOTING,
    findings: ["unknown-recipients"],
  },
  {
    id: "outlook.recipient-rate",
    provider: "outlook",
    category: "rate-limit",
    codes: [554, 452],
    enhanced: ["5.2.121", "5.2.122"],
    codeAlone: ["5.2.121", "5.2.122"],
    summary:
      "The recipient gets more mail per hour than Microsoft allows (from you, or from everyone).",
    fix: ["Send fewer messages to that recipient per hour."],
    reference: EXO_NDR,
    findings: [],
  },
  {
    id: "outlook.server-problem",
    provider: "outlook",
    category: "transient",
    codes: [421, 451, 452],
    enhanced: ["4.3.1", "4.3.2", "4.4.0"],
    codeAlone: ["4.3.1", "4.3.2", "4.4.0"],
    summary: "A temporary problem on Microsoft's side.",
    fix: ["Nothing to change; the queue retries."],
    reference: EXO_NDR,
    findings: [],
  },
];

const exchangeOnline: readonly ReplyRule[] = [
  {
    id: "exchange-online.banned-ip",
    provider: "exchange-online",
    category: "reputation",
    codes: [550],
    enhanced: codeRange("5.7.", 606, 649),
    text: /banned sending IP/i,
    codeAlone: codeRange("5.7.", 606, 649),
    distinctive: true,
    summary: "Exchange Online has banned the sending IP.",
    fix: [
      EXO_DELIST_FIX,
      "Then find why the IP was listed: a shared range, or a compromised host or account.",
    ],
    reference: EXO_NDR,
    findings: ["ip-blocklisted"],
  },
  {
    id: "exchange-online.ip-restricted",
    provider: "exchange-online",
    category: "reputation",
    codes: [450, 451, 421],
    enhanced: [...codeRange("4.7.", 500, 699), ...codeRange("4.7.", 850, 899)],
    text: /Access denied, please try again later/i,
    codeAlone: [...codeRange("4.7.", 500, 699), ...codeRange("4.7.", 850, 899)],
    summary: "Exchange Online temporarily restricts a suspicious IP.",
    fix: ["Let the queue retry; the restriction lifts when the traffic looks fine."],
    reference: EXO_NDR,
    findings: ["rate-limited"],
    // The delisting portal (sender.office.com) is for banned IPs (5.7.606 to 5.7.649), not for
    // this temporary restriction.
    removal: false,
  },
  {
    id: "exchange-online.banned-sender",
    provider: "exchange-online",
    category: "reputation",
    codes: [550],
    enhanced: ["5.7.511"],
    codeAlone: ["5.7.511"],
    summary: "Exchange Online has banned this sender's IP.",
    fix: ["Mail delist@microsoft.com with the full non-delivery report."],
    reference: EXO_NDR,
    findings: ["ip-blocklisted"],
  },
  {
    id: "exchange-online.recipient-blocklist",
    provider: "exchange-online",
    category: "recipient-policy",
    codes: [550],
    enhanced: ["5.7.513"],
    codeAlone: ["5.7.513"],
    summary: "The recipient organisation put this IP on its own block list.",
    fix: ["Contact the recipient organisation; Microsoft cannot remove it."],
    reference: EXO_NDR,
    findings: ["ip-blocklisted"],
    // Microsoft's delisting portal does not touch a tenant's own block list.
    removal: false,
  },
  {
    id: "exchange-online.dmarc-reject",
    provider: "exchange-online",
    category: "authentication",
    codes: [550],
    enhanced: ["5.7.509"],
    codeAlone: ["5.7.509"],
    summary: "The From domain publishes DMARC p=reject and the message failed DMARC.",
    fix: ["Make SPF or DKIM pass aligned with the From domain."],
    reference: EXO_NDR,
    findings: ["authentication"],
  },
  {
    id: "exchange-online.spf-violation",
    provider: "exchange-online",
    category: "authentication",
    codes: [550],
    enhanced: ["5.7.23"],
    codeAlone: ["5.7.23"],
    summary: "The message failed the sending domain's SPF policy.",
    fix: ["Authorise the sending IP in the SPF record of the envelope domain."],
    reference: EXO_NDR,
    findings: ["authentication"],
  },
  {
    id: "exchange-online.from-invalid",
    provider: "exchange-online",
    category: "message-format",
    codes: [550],
    enhanced: ["5.7.512"],
    codeAlone: ["5.7.512"],
    summary: "The From header is not RFC 5322 compliant (section 3.6.2).",
    fix: ["Fix the From header the mailer writes."],
    reference: EXO_NDR,
    findings: [],
  },
  {
    id: "exchange-online.helo-impersonation",
    provider: "exchange-online",
    category: "protocol",
    codes: [550],
    enhanced: ["5.7.506"],
    codeAlone: ["5.7.506"],
    summary: "The server introduced itself in EHLO with a name of the recipient's own servers.",
    fix: ["Send the server's own fully qualified host name in EHLO."],
    reference: EXO_NDR,
    findings: [],
  },
  {
    id: "exchange-online.recipient-rejected",
    provider: "exchange-online",
    category: "recipient-policy",
    codes: [550],
    enhanced: ["5.7.504", "5.7.505", "5.7.507", "5.7.510"],
    codeAlone: ["5.7.504", "5.7.505", "5.7.507", "5.7.510"],
    summary:
      "The recipient organisation refuses this mail (blocked sender, banned recipient, or no mail over IPv6).",
    fix: ["Contact the recipient organisation."],
    reference: EXO_NDR,
    findings: [],
  },
  {
    id: "exchange-online.ipv6-limit",
    provider: "exchange-online",
    category: "reputation",
    codes: [550, 450],
    enhanced: ["5.7.508"],
    codeAlone: ["5.7.508"],
    summary: "The sending IPv6 range is over Microsoft's limits.",
    fix: ["Send over IPv4 or lower the volume from that range."],
    reference: EXO_NDR,
    findings: ["rate-limited"],
  },
  {
    id: "exchange-online.ipv6-ptr",
    provider: "exchange-online",
    category: "reverse-dns",
    codes: [550],
    enhanced: ["5.7.25"],
    codeAlone: ["5.7.25"],
    summary: "Mail over IPv6 must come from an IP with a PTR record.",
    fix: ["Set a PTR record for the IPv6 address, or send over IPv4."],
    reference: EXO_NDR,
    findings: ["reverse-dns"],
  },
  {
    id: "exchange-online.ipv6-authentication",
    provider: "exchange-online",
    category: "authentication",
    codes: [450, 451],
    enhanced: ["4.7.26"],
    codeAlone: ["4.7.26"],
    summary: "Mail over IPv6 must pass SPF or DKIM.",
    fix: ["Make SPF or DKIM pass, or send over IPv4."],
    reference: EXO_NDR,
    findings: ["authentication"],
  },
  {
    // Directory-based edge blocking: the tenant's domain is authoritative and has no recipient
    // of that name. "Access denied" reads like a policy refusal, but the address does not exist.
    id: "exchange-online.unknown-recipient",
    provider: "exchange-online",
    category: "recipient",
    codes: [550],
    enhanced: ["5.4.1"],
    text: /Recipient address rejected: Access denied/i,
    summary:
      "The recipient address does not exist in the recipient's Microsoft 365 organisation, which refused it at its edge.",
    fix: ["Check the address for typos; if it is spelled right, remove it from your lists."],
    reference: EXO_NDR,
    findings: ["unknown-recipients"],
  },
  {
    id: "exchange-online.not-authorized",
    provider: "exchange-online",
    category: "recipient-policy",
    codes: [550],
    enhanced: ["5.7.1"],
    text: /Delivery not authorized|unable to relay|Client was not authenticated/i,
    summary:
      "The recipient's tenant does not accept this mail: relaying refused or the sender is not allowed.",
    fix: ["Check that you deliver to the right MX; contact the recipient organisation."],
    reference: EXO_NDR,
    findings: [],
  },
  {
    // 5.7.708 from a tenant's MX, the counterpart of `outlook.ip-not-accepted`.
    id: "exchange-online.ip-not-accepted",
    provider: "exchange-online",
    category: "reputation",
    enhanced: ["5.7.708"],
    text: /traffic not accepted from this IP/i,
    codeAlone: ["5.7.708"],
    inboundMxOnly: true,
    summary:
      "The Exchange Online MX accepts no traffic from this IP, because Microsoft blocks the IP for its reputation.",
    // NOTE: Microsoft documents 5.7.708 only for a tenant's outbound mail, so whether its
    // delisting portal lifts the block at a tenant's MX is not confirmed.
    fix: [
      EXO_DELIST_FIX,
      "Then find why the IP was blocked: a shared range, or a compromised host or account.",
    ],
    reference: EXO_NDR,
    findings: ["ip-blocklisted"],
  },
  {
    // The tenant codes from smtp.office365.com: this server relays its mail through the
    // tenant, so Microsoft's rejection of the tenant stops all of that mail.
    id: "exchange-online.tenant-relay-blocked",
    provider: "exchange-online",
    category: "sender-account",
    enhanced: TENANT_CODES,
    codeAlone: TENANT_CODES,
    submissionHostOnly: true,
    summary:
      "Microsoft 365 refuses to send mail for this tenant or account at smtp.office365.com, so none of the mail relayed through it leaves.",
    fix: [
      "Find and stop the compromised account, script or device that sends spam through the tenant: for outbound spam, Microsoft 365 bans a sender (5.1.8, 5.7.501 to 5.7.503) or stops a tenant over its threshold (5.7.705).",
      "For 5.7.750, add the sending domain to the tenant as an accepted domain and verify it in the Microsoft 365 admin center.",
      "Then ask Microsoft support, through the Microsoft 365 admin center, to lift the restriction. For 5.7.708, which new tenants with little reputation get, ask them for an exception.",
    ],
    reference: EXO_TENANT_BLOCKS,
    findings: [],
    // Microsoft names no delisting form for a tenant's restriction: its support lifts it.
    removal: false,
  },
  {
    // Microsoft documents 5.7.708 for mail of a tenant, often a new one, sent from its
    // low-reputation outbound IPs. A direct sender gets it from an inbound MX instead, and the
    // rules above read it there and at smtp.office365.com.
    id: "exchange-online.outbound-ip-not-accepted",
    provider: "exchange-online",
    category: "sender-account",
    enhanced: ["5.7.708"],
    codeAlone: ["5.7.708"],
    summary:
      "Microsoft 365 refuses to send this tenant's mail from a low-reputation IP, as it does for new tenants. A server that delivered straight to a Microsoft MX gets this reply as a block of its own IP.",
    fix: [
      "When sending through Microsoft 365: check the tenant for compromised accounts and open relays, then ask Microsoft support for an exception.",
      "When your own server delivered straight to a *.protection.outlook.com MX, Microsoft blocks your server's IP: ask for delisting through the Outlook.com sender support form (https://olcsupport.office.com/) for consumer domains or at https://sender.office.com for business domains, and check the IP in SNDS.",
    ],
    reference: EXO_TENANT_BLOCKS,
    findings: [],
  },
  {
    // 5.7.705 (the tenant sent too much spam) and 5.7.750 (mail from domains the tenant has
    // not registered) name the tenant and its domains, not the IP that connected, so they keep
    // this reading whatever host sends them.
    id: "exchange-online.outbound-restriction",
    provider: "exchange-online",
    category: "sender-account",
    enhanced: TENANT_CODES.filter((code) => code !== "5.7.708"),
    codeAlone: TENANT_CODES.filter((code) => code !== "5.7.708"),
    summary:
      "Microsoft 365 refuses to send for this tenant or account (banned sender, tenant over its limits, unregistered domain, or a compromised account).",
    fix: [
      "Only matters when sending through Microsoft 365: check the tenant and the account in the admin center.",
    ],
    reference: EXO_NDR,
    findings: [],
  },
];

/** Outlook.com and Exchange Online rules, most specific first. */
export const MICROSOFT_RULES: readonly ReplyRule[] = [...outlook, ...exchangeOnline];
