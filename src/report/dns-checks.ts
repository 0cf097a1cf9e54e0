/**
 * The sentences of the "DNS checks" part of a diagnosis report, without layout, so that the
 * text and Markdown reports state the same results in the same words.
 */
import type { BlocklistsSummary, DnsChecksReport } from "../diagnose/types.js";
import { plural } from "./wrap.js";

type DomainCheck = DnsChecksReport["domains"][number];
type PtrCheck = DnsChecksReport["ptr"][number];
type Listing = BlocklistsSummary["listed"][number];

/** Returns the SPF, DKIM and DMARC results of one domain, such as `SPF pass (3 lookups), …`. */
export function domainCheckSentence(domain: DomainCheck): string {
  const lookups = domain.spfLookups === null ? "" : ` (${plural(domain.spfLookups, "lookup")})`;
  const selectors = domain.dkimSelectors.map((entry) => `${entry.selector} ${entry.status}`);
  const dkim = selectors.length > 0 ? ` (${selectors.slice(0, 3).join(", ")})` : "";
  const dmarc = domain.dmarcPolicy === null ? domain.dmarc : `p=${domain.dmarcPolicy}`;
  return `SPF ${domain.spf}${lookups}, DKIM ${domain.dkim}${dkim}, DMARC ${dmarc}`;
}

/** Returns the PTR names of one IP and whether they resolve back to it, or why it was not checked. */
export function ptrCheckSentence(entry: PtrCheck): string {
  const names = entry.names.length > 0 ? entry.names.join(", ") : "no PTR";
  const confirmed = entry.forwardConfirmed ? "forward-confirmed" : "not forward-confirmed";
  return entry.error ?? `${names}, ${confirmed}`;
}

/** Returns the sentence on what the blocklist look-ups showed for all targets together. */
export function blocklistSummarySentence(blocklists: BlocklistsSummary): string {
  const targets = blocklists.targets.join(", ");
  const unanswered =
    blocklists.unanswered > 0
      ? `${plural(blocklists.unanswered, "look-up")} gave no answer to trust`
      : "";
  // When no block list gave a usable reply, "not listed" would claim a check that did not happen.
  const failed =
    blocklists.unanswered === 0
      ? ""
      : ` (${plural(blocklists.unanswered, "look-up")} refused, timed out or failed)`;
  if (blocklists.listsUsed === 0) {
    return `Blocklists for ${targets}: not checked, because no block list gave an answer to trust${failed}.`;
  }
  return (
    `Asked ${plural(blocklists.listsUsed, "blocklist")} about ${targets}: ` +
    (blocklists.listed.length === 0
      ? "not listed"
      : `${plural(blocklists.listed.length, "listing")}`) +
    (unanswered === "" ? "." : `; ${unanswered}.`)
  );
}

/** Returns one listing: the target, the list, what the listing means and where to ask for removal. */
export function listingSentence(listing: Listing): string {
  const removal = listing.delisting === null ? "" : ` (removal: ${listing.delisting})`;
  return `${listing.target} on ${listing.list}: ${listing.meaning ?? "listed"}${removal}`;
}
