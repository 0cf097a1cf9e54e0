import type { ReplyRule } from "../rule.js";

/**
 * T-Online (Deutsche Telekom, t-online.de and magenta.de). Its MX hosts answer without
 * enhanced codes in the form `IP=<ip> - <text> (<reason>)`, where the reason in brackets at the
 * end is T-Online's own: `BL` for its own block list, `RDNS` for a missing reverse DNS name.
 * The contact address in the reply (tosa@rx.t-online.de) is where T-Online takes requests.
 */

const POSTMASTER = "https://postmaster.t-online.de/index.en.html";

// The `IP=<ip> - ` prefix together with the reason in brackets is T-Online's own form.
const REPLY_FORM = String.raw`\bIP=[\d.a-f:]+ - .*`;

/** T-Online rules, most specific first. */
export const T_ONLINE_RULES: readonly ReplyRule[] = [
  {
    id: "t-online.blocked",
    provider: "t-online",
    category: "reputation",
    text: new RegExp(`${REPLY_FORM}\\(BL\\)`, "i"),
    distinctive: true,
    summary:
      "T-Online refuses the sending IP because its own block list names it. The list also holds IPs with no or a bad sending history at T-Online, until its postmaster clears them.",
    fix: [
      "Fix any cause of spam from this IP first.",
      "Write to the contact address in the reply with the IP and ask T-Online to clear it; T-Online's postmaster page lists what it checks before it does.",
    ],
    reference: POSTMASTER,
    findings: ["ip-blocklisted"],
  },
  {
    id: "t-online.no-reverse-dns",
    provider: "t-online",
    category: "reverse-dns",
    text: new RegExp(`${REPLY_FORM}\\(RDNS\\)`, "i"),
    distinctive: true,
    summary: "T-Online refuses the sending IP because it has no valid reverse DNS (PTR) name.",
    fix: [
      "Set a PTR record for the sending IP at the IP owner, naming a host that resolves back to the IP.",
    ],
    reference: POSTMASTER,
    findings: ["reverse-dns"],
  },
];
