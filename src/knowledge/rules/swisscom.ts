import type { ReplyRule } from "../rule.js";

/**
 * Swisscom's consumer mail, Bluewin (bluewin.ch). The only reply form delist recognises is
 * `554 5.2.0 sc<number>: IP reputation ratelimit in effect - <link>`, a reputation limit that
 * Swisscom sends with a permanent code.
 */

/** Swisscom rules, most specific first. */
export const SWISSCOM_RULES: readonly ReplyRule[] = [
  {
    id: "swisscom.ip-reputation-rate-limit",
    provider: "swisscom",
    category: "reputation",
    codes: [554],
    enhanced: ["5.2.0"],
    text: /\bsc\d+: IP reputation ratelimit in effect\b/i,
    distinctive: true,
    summary:
      "Swisscom limits the mail it takes from this IP because of the IP's reputation. Its 554 code bounces the message instead of deferring it.",
    fix: [
      "Find what sent unwanted mail from this IP (a compromised account, a web script, forwarded spam or a bought list) and stop it.",
      "Send fewer messages to Swisscom, and send the bounced ones again later at the lower rate.",
      "Check the IP on the public blocklists (delist blocklists <ip>).",
    ],
    reference: null,
    findings: ["rate-limited"],
  },
];
