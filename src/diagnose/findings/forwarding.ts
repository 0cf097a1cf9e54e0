import type { LogFacts } from "../../analysis/analyser.js";
import type { Backscatter } from "../../analysis/forwarding.js";
import type { MtaName } from "../../logs/events.js";
import type { DiagnoseContext } from "../context.js";
import { ownSendingDomains } from "../dns.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural } from "./build.js";
import { mtaStep } from "./mta-steps.js";

/** Forwarded messages below this count are not worth a finding unless receivers rejected them. */
const MIN_FORWARDED = 10;

/**
 * `forwarding`: mail that arrived for local addresses is forwarded to Gmail or other
 * providers. Spam among it is counted against this server, and without SRS the original
 * sender's SPF fails and strict DMARC domains are rejected. Forwards that stay inside the site
 * (to a private address or to the server's own domains) do not count, because no outside
 * receiver judges them.
 */
export function detectForwarding(context: DiagnoseContext): Finding | null {
  const forwarding = context.facts.forwarding.outside(ownDomains(context.facts));
  if (forwarding.messages === 0) return null;
  if (forwarding.messages < MIN_FORWARDED && forwarding.blockedAttempts === 0) return null;

  const srs = forwarding.srsMessages >= forwarding.messages / 2;
  const localDomains = new Set(context.facts.server.localDomains.keys());
  const foreignSenders = [...forwarding.senderDomains].filter(
    ([domain]) => !localDomains.has(domain),
  );
  // A few rejected forwards happen anywhere; a handful or more makes forwarding a cause.
  const rejected = forwarding.blockedAttempts >= 5;
  const scatter = backscatterOf(context);
  return finding("forwarding", {
    severity: forwardingSeverity(rejected, srs),
    role: "cause",
    title: `${plural(forwarding.messages, "message")} were forwarded to other providers${srs ? "" : " without SRS"}`,
    summary:
      `${plural(forwarding.aliases.size, "local address", "local addresses")} ${forwarding.aliases.size === 1 ? "forwards" : "forward"} to outside mailboxes` +
      (rejected
        ? `; receivers rejected or deferred ${plural(forwarding.blockedAttempts, "forwarding attempt")}.`
        : ".") +
      backscatterSentence(scatter),
    evidence: {
      forwardedMessages: forwarding.messages,
      attempts: forwarding.attempts,
      sent: forwarding.sent,
      blockedAttempts: forwarding.blockedAttempts,
      aliases: Object.fromEntries(forwarding.aliases),
      messagesByAlias: Object.fromEntries(
        [...forwarding.messagesByAlias].sort((a, b) => b[1] - a[1]),
      ),
      recipientsByOperator: Object.fromEntries(forwarding.recipientsByOperator),
      srs,
      srsMessages: forwarding.srsMessages,
      foreignSenderDomains: foreignSenders.length,
      blockReasons: Object.fromEntries(forwarding.blockRules),
      first: forwarding.first === null ? null : context.time(forwarding.first.time),
      lastMessage: context.timeOrNull(forwarding.lastMessage),
      backscatter: scatter,
    },
    samples:
      forwarding.first === null
        ? []
        : [
            context.sample(
              forwarding.first.time,
              forwarding.first.position,
              "first forwarded delivery",
            ),
          ],
    fix: [
      "Filter spam before forwarding: run the spam filter on mail for forwarded addresses and do not forward what it flags.",
      ...(srs ? [] : [srsStep(context.facts.server.mtas)]),
      "Add ARC signatures to forwarded mail so receivers can trust the original authentication.",
      "Better still, let users fetch their mail (IMAP) or have Gmail collect it, instead of forwarding.",
      ...(scatter === null ? [] : BACKSCATTER_FIXES),
    ],
    references: [REFERENCES.gmailGuidelines],
  });
}

/**
 * Backscatter becomes part of the finding at this many bounce recipients outside the site's
 * own domains, when they are also at least half of all its bounce recipients.
 */
const MIN_BACKSCATTER = 10;

/**
 * Returns the server's bounces to outside domains when they are backscatter (see
 * `MIN_BACKSCATTER`), or null. When receivers reject forwarded spam, the server bounces it to
 * the spam's envelope sender, which is mostly forged.
 */
function backscatterOf(context: DiagnoseContext): Backscatter | null {
  const scatter = context.facts.forwarding.backscatter(ownDomains(context.facts));
  if (scatter.outside < MIN_BACKSCATTER || scatter.outside * 2 < scatter.bounces) return null;
  return scatter;
}

function backscatterSentence(scatter: Backscatter | null): string {
  if (scatter === null) return "";
  const domains = scatter.topDomains.map((entry) => entry.domain).join(", ");
  const share =
    scatter.outside === scatter.bounces
      ? plural(scatter.outside, "bounce")
      : `${scatter.outside.toLocaleString("en-US")} of its ${plural(scatter.bounces, "bounce")}`;
  return (
    ` The server also sent ${share} to outside domains (${domains}). The envelope senders of` +
    " spam are mostly forged, and bounces to them are backscatter, which gets a server listed" +
    " on backscatterer.org."
  );
}

const BACKSCATTER_FIXES = [
  "Stop the backscatter: reject spam during the SMTP session (spam filter as a milter or before-queue filter, recipient checks) instead of accepting it and bouncing it later, or discard what the filter flags after accepting it.",
  "Once the bounces stop, check whether backscatterer.org lists the IP, and ask it for removal if it does.",
];

/** The SRS rewriter of the envelope sender of forwarded mail, by MTA. */
const SRS_REWRITERS: Readonly<Record<MtaName, string>> = {
  postfix: "postsrsd",
  exim: "its SRS support",
  sendmail: "a milter that rewrites the envelope sender with SRS",
};

/** Builds the step that turns on SRS for forwarded mail, with the rewriters of `mtas`. */
export function srsStep(mtas: ReadonlySet<MtaName>): string {
  return mtaStep(
    "Rewrite the envelope sender of forwarded mail with SRS so SPF passes.",
    SRS_REWRITERS,
    mtas,
  );
}

function forwardingSeverity(rejected: boolean, srs: boolean): "critical" | "warning" | "info" {
  if (rejected) return "critical";
  return srs ? "info" : "warning";
}

/**
 * Returns the domains of the site: those it delivers mail for locally, those its accounts and
 * local programs send from, and its dotted syslog host names.
 */
function ownDomains(facts: LogFacts): Set<string> {
  const hostnames = [...facts.server.hostnames.keys()].filter((name) => name.includes("."));
  return new Set(
    [...facts.server.localDomains.keys(), ...ownSendingDomains(facts), ...hostnames].map((domain) =>
      domain.toLowerCase(),
    ),
  );
}
