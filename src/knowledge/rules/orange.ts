import type { ReplyRule } from "../rule.js";

/** Orange (France): bilingual replies with Orange's own OFR codes and no enhanced codes. */

/** Orange rules, most specific first. */
export const ORANGE_RULES: readonly ReplyRule[] = [
  {
    id: "orange.cloudmark-block",
    provider: "orange",
    category: "blocklist",
    token: /^OFR006_\d+$/,
    distinctive: true,
    summary: "Orange refuses the IP at the greeting because Cloudmark (CSI) lists it for spam.",
    fix: [
      "Clean up the source of the spam, then request a reset at the Cloudmark link in the reply.",
    ],
    reference: "https://csi.cloudmark.com/reset-request/",
    findings: ["ip-blocklisted"],
  },
  {
    id: "orange.invalid-sender",
    provider: "orange",
    category: "message-format",
    token: /^OFR004_\d+$/,
    distinctive: true,
    summary: "Orange considers the sender address invalid.",
    fix: ["Check the envelope sender address and that its domain resolves."],
    reference: null,
    findings: [],
  },
  {
    id: "orange.invalid-recipient",
    provider: "orange",
    category: "recipient",
    // The number after the underscore is the reason. Replies with the same French and
    // English wording ("Adresse destinataire invalide. Invalid recipient.") carry either
    // OFR_416 or LPN007_416.
    token: /^(?:OFR|LPN\d*)_416$/i,
    distinctive: true,
    summary: "The recipient address does not exist at Orange.",
    fix: ["Remove the address from your lists."],
    reference: null,
    findings: ["unknown-recipients"],
  },
  {
    id: "orange.mailbox-full",
    provider: "orange",
    category: "recipient",
    token: /^OFR_417$/i,
    distinctive: true,
    summary: "The recipient's mailbox is full.",
    fix: ["Nothing to change on the sending side."],
    reference: null,
    findings: [],
  },
  {
    id: "orange.rejected",
    provider: "orange",
    category: "reputation",
    token: /^OFR_506$/i,
    distinctive: true,
    summary: "Orange rejected the mail without naming a reason.",
    fix: ["Check the IP on public blocklists, especially Cloudmark CSI."],
    reference: null,
    // The reply gives no reason, so no finding fits. The report lists this rule's fix when
    // nothing else explains the block.
    findings: [],
  },
];
