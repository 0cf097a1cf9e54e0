import type { ReplyRule } from "../rule.js";

/**
 * United Internet: GMX, web.de and the 1&1/IONOS inbound servers. Their replies carry no
 * enhanced status codes; the last line and the `c=` case in its link are the decisive part.
 */

const POSTMASTER = "https://postmaster.gmx.net";

/** GMX and web.de rules, most specific first. */
export const UNITED_INTERNET_RULES: readonly ReplyRule[] = [
  {
    id: "gmx.bad-ptr",
    provider: "gmx",
    category: "reverse-dns",
    text: /(?:Bad|invalid) DNS PTR resource record/i,
    distinctive: true,
    summary: "GMX/web.de refuse the connection because the sending IP has no valid PTR record.",
    fix: [
      "Set a PTR record for the sending IP at the IP owner, naming a host whose A record points back to it.",
    ],
    reference: POSTMASTER,
    findings: ["reverse-dns"],
  },
  {
    id: "gmx.bad-ptr-case",
    provider: "gmx",
    category: "reverse-dns",
    token: /^c=rdns$/,
    distinctive: true,
    summary: "GMX/web.de refuse the connection because the sending IP has no valid PTR record.",
    fix: [
      "Set a PTR record for the sending IP at the IP owner, naming a host whose A record points back to it.",
    ],
    reference: POSTMASTER,
    findings: ["reverse-dns"],
  },
  {
    id: "gmx.ip-blocklisted",
    provider: "gmx",
    category: "reputation",
    text: /IP address is (?:block|black) ?listed/i,
    summary: "GMX/web.de refuse the IP because it is on United Internet's own block list.",
    fix: [
      "Fix the cause, then ask for removal through the contact form on the page the reply links to.",
    ],
    reference: POSTMASTER,
    findings: ["ip-blocklisted"],
  },
  {
    id: "gmx.ip-blocklisted-case",
    provider: "gmx",
    category: "reputation",
    token: /^c=(?:bl|bip)$/,
    distinctive: true,
    summary: "GMX/web.de refuse the IP because it is on United Internet's own block list.",
    fix: [
      "Fix the cause, then ask for removal through the contact form on the page the reply links to.",
    ],
    reference: POSTMASTER,
    findings: ["ip-blocklisted"],
  },
  {
    id: "gmx.spf-policy",
    provider: "gmx",
    category: "authentication",
    text: /Reject due to SPF policy/i,
    distinctive: true,
    summary: "GMX/web.de rejected the message because it failed the sending domain's SPF policy.",
    fix: ["Authorise the sending IP in the SPF record of the envelope domain."],
    reference: POSTMASTER,
    findings: ["authentication"],
  },
  {
    id: "gmx.policy-restrictions",
    provider: "gmx",
    category: "reputation",
    text: /Reject due to policy restrictions/i,
    distinctive: true,
    summary: "GMX/web.de rejected the message by a policy on its headers, domain or IP.",
    fix: ["Open the link in the reply; its case (c=) names what was checked."],
    reference: POSTMASTER,
    // The reason is in the linked case, which the reply text does not carry.
    findings: [],
  },
  {
    id: "gmx.sender-dns",
    provider: "gmx",
    category: "authentication",
    text: /Invalid DNS MX or A\/AAAA resource record/i,
    distinctive: true,
    summary: "The sender domain has no valid MX or A/AAAA record.",
    fix: ["Publish MX or A records for the envelope sender domain."],
    reference: POSTMASTER,
    findings: ["authentication"],
  },
  {
    id: "gmx.mailbox-unavailable",
    provider: "gmx",
    category: "recipient",
    text: /mailbox unavailable|Mailbox not found|unknown user/i,
    summary: "The recipient mailbox does not exist.",
    fix: ["Remove the address from your lists."],
    reference: POSTMASTER,
    findings: ["unknown-recipients"],
  },
  {
    id: "gmx.over-quota",
    provider: "gmx",
    category: "recipient",
    text: /quota/i,
    summary: "The recipient's mailbox is full.",
    fix: ["Nothing to change on the sending side."],
    reference: POSTMASTER,
    findings: [],
  },
];
