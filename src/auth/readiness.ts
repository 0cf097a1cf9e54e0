import type { ReadinessItem } from "../diagnose/types.js";
import { usableKeys } from "./dkim/check.js";
import type { PtrCheck } from "./ptr.js";
import type { DomainReport } from "./report.js";

/** Builds the two readiness items DNS decides: SPF/DKIM/DMARC, and PTR with FCrDNS. */
export function readinessItems(domains: readonly DomainReport[], ptr: PtrCheck): ReadinessItem[] {
  const auth: ReadinessItem = authItem(domains);
  const reverse: ReadinessItem =
    ptr.evidence.ptr.length === 0
      ? {
          id: "ptr",
          title: "PTR and forward-confirmed reverse DNS valid",
          status: "not-checked",
          detail: "No sending IP known; give --ip.",
        }
      : {
          id: "ptr",
          title: "PTR and forward-confirmed reverse DNS valid",
          status: ptrStatus(ptr),
          detail: ptr.explanation,
        };
  return [auth, reverse];
}

/** `fail` when a checked IP lacks FCrDNS, `not-checked` when a PTR query failed, else `pass`. */
function ptrStatus(ptr: PtrCheck): ReadinessItem["status"] {
  const results = ptr.evidence.ptr;
  if (results.some((r) => r.error === null && !r.forwardConfirmed)) return "fail";
  if (ptr.verdict === "not-checked" || results.some((r) => r.error !== null)) return "not-checked";
  return "pass";
}

function authItem(domains: readonly DomainReport[]): ReadinessItem {
  const base = { id: "spf-dkim-dmarc", title: "SPF and DKIM pass, DMARC published" };
  if (domains.length === 0)
    return { ...base, status: "not-checked", detail: "No sending domain known; give --domain." };
  const failing = domains.filter(
    (d) =>
      spfState(d) === "fail" ||
      dkimState(d) === "fail" ||
      (d.dmarc.verdict !== "not-checked" && d.dmarc.policy === null),
  );
  if (failing.length > 0)
    return {
      ...base,
      status: "fail",
      detail: failing
        .map(
          (d) =>
            `${d.domain}: SPF ${d.spf.verdict}, DKIM ${d.dkimSummary.verdict}, DMARC ${d.dmarc.policy === null ? "missing" : `p=${d.dmarc.policy}`}`,
        )
        .join("; "),
    };
  const unverified = domains.flatMap((d) => unverifiedParts(d));
  if (unverified.length > 0)
    return {
      ...base,
      status: "not-checked",
      detail: unverified.map((part) => `${part}.`).join(" "),
    };
  return {
    ...base,
    status: "pass",
    detail: `SPF passes, a usable DKIM key is published and DMARC is set for ${domains.map((d) => d.domain).join(", ")}.`,
  };
}

/** Whether a part of the SPF/DKIM/DMARC requirement is met, not met, or not shown by DNS. */
type PartState = "pass" | "fail" | "unverified";

function spfState(domain: DomainReport): PartState {
  if (domain.spf.verdict === "not-checked") return "unverified";
  const results = Object.values(domain.spf.result);
  if (domain.spf.record === null || results.some((r) => r !== "pass")) return "fail";
  return "pass";
}

/**
 * `pass` only when DNS shows a usable key. No key under the common selectors is
 * `unverified`, not `fail`, because the signer may use a selector that is not on that list.
 */
function dkimState(domain: DomainReport): PartState {
  const verdict = domain.dkimSummary.verdict;
  if (verdict === "fail") return "fail";
  if (verdict === "not-checked" || domain.dkim.length === 0) return "unverified";
  return usableKeys(domain.dkim).length > 0 ? "pass" : "fail";
}

/**
 * Lists, as text without the final full stop, the parts of a domain's SPF, DKIM and DMARC
 * that DNS did not show, each with what to do.
 */
function unverifiedParts(domain: DomainReport): string[] {
  const parts: string[] = [];
  if (spfState(domain) === "unverified")
    parts.push(`${domain.domain}: SPF ${domain.spf.explanation}`);
  if (dkimState(domain) === "unverified") {
    const reason =
      domain.dkimSummary.verdict === "not-checked"
        ? `DKIM ${domain.dkimSummary.explanation}`
        : "no DKIM key found under the common selectors, so DKIM is not verified";
    parts.push(
      `${domain.domain}: ${reason}. Give the selector your signer uses (the s= tag of its ` +
        `DKIM-Signature header): \`delist check ${domain.domain} --selector SELECTOR\``,
    );
  }
  if (domain.dmarc.verdict === "not-checked")
    parts.push(`${domain.domain}: DMARC ${domain.dmarc.explanation}`);
  return parts;
}
