import type {
  RecipientDomainReport,
  RecipientDomainsReport,
} from "../diagnose/recipient-domains.js";
import type { DeferralTotals } from "../diagnose/statistics.js";
import type { Painter } from "./colour.js";
import { count, plural, wrap, wrapBreakingWords, wrapItems } from "./wrap.js";

/** Number of domains that the `delist logs` text table shows. */
const DOMAINS_SHOWN = 10;

/** Number of domains that the diagnosis text lists under the `other` row. */
const OTHER_DOMAINS_SHOWN = 5;

/**
 * Deferrals from which a domain of the `other` row is listed in the diagnosis text without a
 * block reply. Ten is an estimate, because a few deferrals are usually greylisting or a
 * passing fault.
 */
const MANY_DEFERRALS = 10;

/**
 * Renders the busiest recipient domains for `delist logs`, with the domain last, because a long
 * domain name is wrapped under its column. Rows whose counts may miss earlier results get a
 * `~` before their sent count, explained below the table.
 */
export function recipientDomainLines(report: RecipientDomainsReport, paint: Painter): string[] {
  if (report.domains.length === 0) return [];
  const lines = [
    paint.bold("Outbound by recipient domain"),
    `  ${"sent".padStart(9)}${"deferred (rcpts)".padStart(18)}${"bounced".padStart(9)}  ${"top code".padEnd(12)}domain`,
  ];
  for (const domain of report.domains.slice(0, DOMAINS_SHOWN)) {
    const mark = domain.maxUncountedResults > 0 ? "~" : "";
    const deferred = `${count(domain.deferred)} (${count(domain.deferredRecipients)})`;
    const cells =
      `  ${`${mark}${count(domain.sent)}`.padStart(9)}${deferred.padStart(18)}` +
      `${count(domain.bounced).padStart(9)}  ${(domain.topCode?.code ?? "").padEnd(12)}`;
    lines.push(...wrapBreakingWords(domain.domain, cells));
  }
  lines.push(...wrap(domainLegend(report), "  ", "  "));
  return lines;
}

/** Explains the columns, and the `~` mark when the table had to drop domains. */
function domainLegend(report: RecipientDomainsReport): string {
  const legend = "deferred: every retry counted; rcpts: recipients deferred at least once.";
  if (!report.approximate) return legend;
  const maxUncounted = Math.max(0, ...report.domains.map((domain) => domain.maxUncountedResults));
  return (
    `${legend} The log has more recipient domains than the ${count(report.capacity)} counted ` +
    "at once, so domains with little mail may be missing, and a row marked ~ may miss up to " +
    `${plural(maxUncounted, "result")} from before its domain was counted.`
  );
}

/**
 * Renders the domains of the `other` row that sent block replies or deferred at least
 * `MANY_DEFERRALS` times, for the diagnosis text under that row. Returns no lines when there is
 * none among the listed domains.
 * NOTE: only the domains of `report.domains`, those with the most results, are looked at, so a
 * small domain that rejected a few attempts is left out when many busier domains come first.
 */
export function otherReceiverDomainLines(report: RecipientDomainsReport): string[] {
  const withProblems = report.domains
    .filter((domain) => domain.provider === "other" && hasProblems(domain))
    .sort((a, b) => problemCount(b) - problemCount(a));
  if (withProblems.length === 0) return [];
  const lines = wrap("Recipient domains with block replies or many deferrals:", "    ");
  for (const domain of withProblems.slice(0, OTHER_DOMAINS_SHOWN)) {
    lines.push(...wrapItems(otherDomainItems(domain), "      ", "        "));
  }
  const more = withProblems.length - OTHER_DOMAINS_SHOWN;
  if (more > 0) lines.push(`      ${plural(more, "more domain")}`);
  return lines;
}

function hasProblems(domain: RecipientDomainReport): boolean {
  return domain.blockedAttempts > 0 || domain.deferred >= MANY_DEFERRALS;
}

function problemCount(domain: RecipientDomainReport): number {
  return domain.blockedAttempts + domain.deferred + domain.bounced;
}

/**
 * Describes one domain as the items of a list: "example.net: 12 sent", "40 deferrals of 9
 * recipients", "3 bounced", "5 block replies", "most often 450 4.7.1".
 */
function otherDomainItems(domain: RecipientDomainReport): string[] {
  const items = [`${domain.domain}: ${count(domain.sent)} sent`];
  if (domain.deferred > 0) {
    items.push(
      `${plural(domain.deferred, "deferral")} of ${plural(domain.deferredRecipients, "recipient")}`,
    );
  }
  if (domain.bounced > 0) items.push(`${count(domain.bounced)} bounced`);
  if (domain.blockedAttempts > 0) {
    items.push(plural(domain.blockedAttempts, "block reply", "block replies"));
  }
  if (domain.topCode !== null) items.push(`most often ${domain.topCode.code}`);
  const missed = domain.maxUncountedResults;
  if (missed > 0) items.push(`and up to ${plural(missed, "earlier result")} not counted`);
  return items;
}

/**
 * Returns the line on all deferrals of the `delist logs` provider table, such as "In all, 1,552
 * deferrals of 605 recipients in 120 messages.", or no lines when there was none. The legend
 * above it already says that deferrals count every retry.
 */
export function deferralTotalsLines(totals: DeferralTotals): string[] {
  if (totals.deferred === 0) return [];
  return wrap(
    `In all, ${plural(totals.deferred, "deferral")} of ` +
      `${plural(totals.deferredRecipients, "recipient")} in ${plural(totals.deferredMessages, "message")}.`,
    "  ",
    "  ",
  );
}
