import type { ReplyRule } from "../rule.js";

/** Comcast / Xfinity (MX *.comcast.net). Blocks name a code that Comcast's page explains. */

const ERROR_CODES = "https://postmaster.comcast.net/smtp-error-codes.php";

/** Id of the rule whose token names public lists, which `comcastListing` describes. */
export const COMCAST_PUBLIC_BLOCKLIST_RULE_ID = "comcast.public-blocklist";

/** Comcast rules, most specific first. */
export const COMCAST_RULES: readonly ReplyRule[] = [
  {
    id: "comcast.ptr-required",
    provider: "comcast",
    category: "reverse-dns",
    text: /PTR record with a valid Reverse DNS/i,
    distinctive: true,
    summary: "Comcast refuses mail from IPs without a valid PTR record.",
    fix: [
      "Set a PTR record for the sending IP at the IP owner, naming a host that resolves back to it.",
    ],
    reference: ERROR_CODES,
    findings: ["reverse-dns"],
  },
  {
    id: "comcast.rdns-failure",
    provider: "comcast",
    category: "reverse-dns",
    text: /Reverse DNS failure/i,
    distinctive: true,
    summary: "Comcast's reverse DNS lookup of the sending IP failed (a temporary DNS error).",
    fix: ["Check that the DNS servers answering for the IP's PTR zone respond reliably."],
    reference: ERROR_CODES,
    findings: ["reverse-dns"],
  },
  {
    id: "comcast.spam-block",
    provider: "comcast",
    category: "reputation",
    token: /^BL000000$/,
    distinctive: true,
    summary: "Comcast blocks the IP because its traffic looks like spam.",
    fix: [
      "Find and stop the source of the spam, then ask Comcast for removal through its postmaster page.",
    ],
    reference: ERROR_CODES,
    findings: ["ip-blocklisted"],
  },
  {
    id: COMCAST_PUBLIC_BLOCKLIST_RULE_ID,
    provider: "comcast",
    category: "blocklist",
    token: /^BL000[01]{3}$/,
    distinctive: true,
    summary:
      "Comcast refuses the IP because a public list names it: Spamhaus ZEN (BL000001), Cloudmark CSI (BL000010) or the SenderScore blocklist (BL000100), or several.",
    fix: ["Look the IP up at the lists the code names and request delisting there."],
    reference: ERROR_CODES,
    findings: ["ip-blocklisted"],
  },
  {
    id: "comcast.dynamic-space",
    provider: "comcast",
    category: "reputation",
    token: /^ES0000(?:01|10)$/,
    distinctive: true,
    summary: "Comcast refuses mail sent directly from residential or dynamic IP space.",
    fix: [
      "Send through a relay with a static IP.",
      "To deliver directly, send from a static IP with a PTR record naming this server.",
    ],
    reference: ERROR_CODES,
    // Comcast rejects the kind of range, not the IP's past mail, so a removal request cannot
    // lift it.
    findings: ["ip-blocklisted"],
    removal: false,
  },
  {
    id: "comcast.dmarc",
    provider: "comcast",
    category: "authentication",
    token: /^DM000001$/,
    distinctive: true,
    summary: "Comcast rejected the message because of the From domain's DMARC policy.",
    fix: ["Make SPF or DKIM pass aligned with the From domain."],
    reference: ERROR_CODES,
    findings: ["authentication"],
  },
  {
    id: "comcast.too-many-sessions",
    provider: "comcast",
    category: "rate-limit",
    text: /Too many sessions opened/i,
    distinctive: true,
    summary:
      "Comcast limits the number of simultaneous connections from one IP (25 at the time of writing).",
    fix: [
      "Open fewer parallel connections to Comcast (Postfix: a transport with a lower destination_concurrency_limit).",
    ],
    reference: ERROR_CODES,
    findings: ["rate-limited"],
  },
  {
    id: "comcast.recipient-rate",
    provider: "comcast",
    category: "rate-limit",
    text: /too many recent messages/i,
    summary: "That recipient received too many messages recently.",
    fix: ["Send fewer messages to that recipient."],
    reference: ERROR_CODES,
    findings: [],
  },
  {
    id: "comcast.unknown-recipient",
    provider: "comcast",
    category: "recipient",
    text: /Not our Customer|mailbox unallocated/i,
    summary: "The recipient is not a Comcast customer, or the mailbox is not allocated.",
    fix: ["Remove the address from your lists."],
    reference: ERROR_CODES,
    findings: ["unknown-recipients"],
  },
  {
    id: "comcast.over-quota",
    provider: "comcast",
    category: "recipient",
    text: /over quota|quota violation/i,
    summary: "The recipient's mailbox is over its quota.",
    fix: ["Nothing to change on the sending side."],
    reference: ERROR_CODES,
    findings: [],
  },
];

// The lists of Comcast's BL000xxx tokens, one per digit from the right: BL000001 is Spamhaus
// ZEN, BL000010 Cloudmark CSI, BL000100 the SenderScore blocklist, and BL000011 both of the
// first two.
const TOKEN_LISTS = ["Spamhaus ZEN", "Cloudmark CSI", "the SenderScore blocklist"] as const;

/** The summary and steps of one `comcast.public-blocklist` reply. */
export interface ComcastListing {
  readonly summary: string;
  readonly fix: readonly string[];
}

/**
 * Describes one reply of `comcast.public-blocklist` by the lists that its token names, such as
 * "Cloudmark CSI lists 192.0.2.26" for BL000010. Returns null for a token that names no list.
 * `judgedIp` is the listed IP when the reply names it.
 */
export function comcastListing(token: string, judgedIp: string | null): ComcastListing | null {
  const bits = /^BL000([01]{3})$/i.exec(token)?.[1];
  if (bits === undefined) return null;
  const lists = TOKEN_LISTS.filter((_list, index) => bits[2 - index] === "1");
  if (lists.length === 0) return null;

  const names = joinNames(lists);
  const verb = lists.length === 1 ? "lists" : "list";
  const ip = judgedIp ?? "the sending IP";
  const request =
    lists.length === 1 ? " and request delisting there" : ", and request delisting from each";
  return {
    summary: `Comcast refuses the IP because ${names} ${verb} ${ip}.`,
    fix: [`Look ${ip} up at ${names}${request}.`],
  };
}

function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1] ?? ""}`;
}
