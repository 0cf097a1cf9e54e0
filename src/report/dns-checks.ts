/**
 * The sentences of the "DNS checks" part of a diagnosis report, without layout, so that the
 * text and Markdown reports state the same results in the same words.
 */
import { appliedDmarcPolicyWords } from "../diagnose/dmarc-policy.js";
import type { BlocklistsSummary, DnsChecksReport } from "../diagnose/types.js";
import { plural } from "./wrap.js";

type DomainCheck = DnsChecksReport["domains"][number];
type PtrCheck = DnsChecksReport["ptr"][number];
type Listing = BlocklistsSummary["listed"][number];

/**
 * Returns the SPF, DKIM and DMARC results of one domain, such as `SPF pass (3 lookups), …`.
 * DMARC is given as the policy receivers apply to the domain, such as `sp=none` for a
 * subdomain, not as the record's `p=`.
 */
export function domainCheckSentence(domain: DomainCheck): string {
  const lookups = domain.spfLookups === null ? "" : ` (${plural(domain.spfLookups, "lookup")})`;
  const selectors = domain.dkimSelectors.map(
    (entry) => `${entry.selector} ${statusWords(entry.status)}`,
  );
  const dkim = selectors.length > 0 ? ` (${selectors.slice(0, 3).join(", ")})` : "";
  const dmarc = appliedDmarcPolicyWords(domain) ?? statusWords(domain.dmarc);
  return `SPF ${statusWords(domain.spf)}${lookups}, DKIM ${statusWords(domain.dkim)}${dkim}, DMARC ${dmarc}`;
}

/** Spells a JSON status value as words: `not-checked` as "not checked", `dns-error` as "DNS error". */
function statusWords(status: string): string {
  return status === "dns-error" ? "DNS error" : status.replaceAll("-", " ");
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
  const failed = blocklists.unanswered === 0 ? "" : ` (${unansweredCauses(blocklists)})`;
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

/**
 * Describes the look-ups that gave no answer to trust, counting those never sent apart from
 * those sent. A look-up is not sent when its list's test queries got no answer or showed the
 * list unusable.
 */
function unansweredCauses(blocklists: BlocklistsSummary): string {
  const sent = blocklists.unanswered - blocklists.notAsked;
  const parts: string[] = [];
  if (blocklists.notAsked > 0) {
    parts.push(
      `${plural(blocklists.notAsked, "look-up")} not sent, because the lists' test queries got no answer or showed them unusable`,
    );
  }
  // A sent look-up may have been refused, timed out or fallen outside the zone files.
  if (sent > 0) parts.push(`${plural(sent, "look-up")} sent without a usable answer`);
  return parts.join("; ");
}

/** Compares the HELO name with the forward-confirmed PTR name of each IP whose PTR was checked. */
export function heloCheckSentence(helo: string, ptr: DnsChecksReport["ptr"]): string {
  const compared = ptr.filter((entry) => entry.heloMatches !== null && entry.error === null);
  if (compared.length === 0) return "not compared, because no PTR was checked";
  return compared
    .map((entry) =>
      entry.heloMatches === true
        ? `a forward-confirmed PTR name of ${entry.ip}`
        : `not a forward-confirmed PTR name of ${entry.ip} (PTR: ${entry.names.join(", ") || "none"})`,
    )
    .join("; ");
}

/** Returns one listing: the target, the list, what the listing means and where to ask for removal. */
export function listingSentence(listing: Listing): string {
  const removal = listing.delisting === null ? "" : ` (removal: ${listing.delisting})`;
  return `${listing.target} on ${listing.list}: ${listing.meaning ?? "listed"}${removal}`;
}
