import { problem, type Problem } from "../types.js";
import type { SpfRecord } from "./record.js";

/** IPv4 ranges wider than this many prefix bits are "suspicious entries" (Gmail's 4.7.24). */
export const WIDEST_IPV4_PREFIX = 16;
/** IPv6 ranges wider than this many prefix bits are flagged the same way. */
export const WIDEST_IPV6_PREFIX = 32;

/**
 * Finds the policy problems of one record that evaluation alone does not show: `+all` and
 * `?all`, no `all` at all, `ptr`, and address ranges so wide that Gmail rate-limits mail for
 * "suspicious entries" (reply 451 4.7.24).
 */
export function recordProblems(record: SpfRecord, domain: string): Problem[] {
  const problems: Problem[] = [];
  const all = record.directives.find((d) => d.mechanism.kind === "all");
  if (all?.qualifier === "+") {
    problems.push(
      problem(
        "spf-pass-all",
        "error",
        `${domain} ends with "+all", which lets every server on the internet send as it.`,
        'End the record with "~all" or "-all".',
      ),
    );
  } else if (all?.qualifier === "?") {
    problems.push(
      problem(
        "spf-neutral-all",
        "warning",
        `${domain} ends with "?all", so mail from unlisted servers is neutral rather than failing.`,
        'End the record with "~all" or "-all".',
      ),
    );
  } else if (all === undefined && record.redirect === null) {
    problems.push(
      problem(
        "spf-no-all",
        "warning",
        `${domain} has no "all" term, so mail from unlisted servers is neutral.`,
        'End the record with "~all" or "-all".',
      ),
    );
  }
  if (record.directives.some((d) => d.mechanism.kind === "ptr")) {
    problems.push(
      problem(
        "spf-ptr",
        "warning",
        `${domain} uses "ptr", which RFC 7208 (section 5.5) says not to use: it is slow, and some receivers ignore it.`,
        "Replace ptr with the ip4: and ip6: ranges of your servers.",
      ),
    );
  }
  problems.push(...rangeProblems(record, domain));
  if (record.unknownModifiers.length > 0) {
    problems.push(
      problem(
        "spf-unknown-modifier",
        "info",
        `${domain} has modifiers that receivers ignore: ${record.unknownModifiers.join(" ")}.`,
        null,
      ),
    );
  }
  return problems;
}

function rangeProblems(record: SpfRecord, domain: string): Problem[] {
  const problems: Problem[] = [];
  for (const directive of record.directives) {
    const mechanism = directive.mechanism;
    const tooWide =
      (mechanism.kind === "ip4" && mechanism.prefix < WIDEST_IPV4_PREFIX) ||
      (mechanism.kind === "ip6" && mechanism.prefix < WIDEST_IPV6_PREFIX);
    if (!tooWide || directive.qualifier === "-" || directive.qualifier === "~") continue;
    problems.push(
      problem(
        "spf-broad-range",
        "error",
        `${domain} authorises the range "${directive.text}", far more addresses than any sender uses; Gmail defers such mail as suspicious (4.7.24).`,
        "List only the addresses or small ranges your servers send from.",
      ),
    );
  }
  return problems;
}
