import { appliedDmarcPolicy, appliedDmarcPolicyWords } from "../diagnose/dmarc-policy.js";
import { codeSpan, shellQuote } from "../diagnose/shell-quote.js";
import type { ReadinessItem } from "../diagnose/types.js";
import { usableKeys } from "./dkim/check.js";
import type { DkimSignatureResult } from "./dkim/verify.js";
import type { MessageCheck } from "./message.js";
import type { PtrCheck } from "./ptr.js";
import type { DomainReport } from "./report.js";
import type { Verdict } from "./types.js";
import { hasRecordWideSpfError } from "./requirements.js";

/**
 * Builds the two readiness items DNS decides: SPF/DKIM/DMARC, and PTR with FCrDNS. With a
 * sample message, DKIM of the first domain is judged by the message's signatures, as
 * `applyMessageCheck` judges that domain's requirement rows, and DKIM of the others by DNS.
 */
export function readinessItems(
  domains: readonly DomainReport[],
  ptr: PtrCheck,
  message: MessageCheck | null = null,
): ReadinessItem[] {
  const auth: ReadinessItem = authItem(domains, message);
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

function authItem(domains: readonly DomainReport[], message: MessageCheck | null): ReadinessItem {
  const base = { id: "spf-dkim-dmarc", title: "SPF and DKIM pass, DMARC published" };
  const [first, ...others] = domains;
  if (first === undefined)
    return { ...base, status: "not-checked", detail: "No sending domain known; give --domain." };
  const dkimOf = (domain: DomainReport): DkimPart =>
    domain === first && message !== null ? messageDkimPart(message) : dnsDkimPart(domain);

  const failing = domains.filter(
    (d) =>
      spfState(d) === "fail" ||
      dkimOf(d).state === "fail" ||
      (d.dmarc.verdict !== "not-checked" && d.dmarc.policy === null),
  );
  if (failing.length > 0)
    return {
      ...base,
      status: "fail",
      detail: failing.map((d) => failingText(d, dkimOf(d))).join("; "),
    };

  const unverified = domains.flatMap((d) => unverifiedParts(d, dkimOf(d)));
  if (unverified.length > 0)
    return {
      ...base,
      status: "not-checked",
      detail: unverified.map((part) => `${part}.`).join(" "),
    };

  const names = domains.map((d) => d.domain).join(", ");
  if (message === null)
    return {
      ...base,
      status: "pass",
      detail: `SPF passes, a usable DKIM key is published and DMARC is set for ${names}.`,
    };
  const otherKeys =
    others.length === 0
      ? ""
      : ` For ${others.map((d) => d.domain).join(", ")}, a usable DKIM key is published.`;
  return {
    ...base,
    status: "pass",
    detail:
      `SPF passes, DKIM passes and DMARC is set for ${names}. For ${first.domain}, DKIM is ` +
      `judged by the sample message: ${dkimOf(first).reason}.${otherKeys}`,
  };
}

/**
 * Describes why a domain fails the item: SPF, DKIM and DMARC in one line. DMARC is the policy
 * receivers apply to the domain, as in the DNS checks of `delist diagnose`.
 */
function failingText(domain: DomainReport, dkim: DkimPart): string {
  const dmarc = appliedDmarcPolicyWords(appliedDmarcPolicy(domain.dmarc)) ?? "missing";
  const spf = verdictWords(domain.spf.verdict);
  if (!dkim.fromMessage)
    return `${domain.domain}: SPF ${spf}, DKIM ${verdictWords(domain.dkimSummary.verdict)}, DMARC ${dmarc}`;
  const word = dkim.state === "unverified" ? "not checked" : dkim.state;
  return (
    `${domain.domain}: SPF ${spf}, DMARC ${dmarc}, DKIM ${word} in the sample ` +
    `message, because ${dkim.reason}`
  );
}

/** Spells a verdict for text: `not-checked` as "not checked". */
function verdictWords(verdict: Verdict): string {
  return verdict === "not-checked" ? "not checked" : verdict;
}

/** Whether a part of the SPF/DKIM/DMARC requirement is met, not met, or not shown by DNS. */
export type PartState = "pass" | "fail" | "unverified";

/**
 * Judges a domain as the readiness item does without a sample message: `pass` when SPF passes
 * for every sending IP, a usable DKIM key is published and a DMARC policy is set. SPF without
 * a sending IP to evaluate is `unverified` here, because only an IP shows that SPF passes.
 */
export function dnsAuthenticationState(domain: DomainReport): PartState {
  const evaluated = Object.keys(domain.spf.result).length > 0;
  const spf = spfState(domain) === "pass" && !evaluated ? "unverified" : spfState(domain);
  const dmarc: PartState =
    domain.dmarc.verdict === "not-checked"
      ? "unverified"
      : domain.dmarc.policy === null
        ? "fail"
        : "pass";
  const parts = [spf, dkimState(domain), dmarc];
  if (parts.includes("fail")) return "fail";
  return parts.includes("unverified") ? "unverified" : "pass";
}

/**
 * `fail` when an IP does not pass, or when the record has an error that fails SPF whatever the
 * IPs get, such as `+all`, as the "SPF passes" requirement row judges it.
 */
function spfState(domain: DomainReport): PartState {
  if (domain.spf.verdict === "not-checked") return "unverified";
  const results = Object.values(domain.spf.result);
  if (domain.spf.record === null || results.some((r) => r !== "pass")) return "fail";
  return hasRecordWideSpfError(domain.spf.problems) ? "fail" : "pass";
}

/** The DKIM part of the item for one domain, and why, as text without the final full stop. */
interface DkimPart {
  readonly state: PartState;
  readonly reason: string;
  /** True when a sample message decided the state, false when the published keys did. */
  readonly fromMessage: boolean;
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

function dnsDkimPart(domain: DomainReport): DkimPart {
  const state = dkimState(domain);
  const reason =
    state === "unverified" && domain.dkimSummary.verdict !== "not-checked"
      ? "no DKIM key found under the common selectors, so DKIM is not verified"
      : `DKIM ${domain.dkimSummary.explanation}`;
  return { state, reason, fromMessage: false };
}

/**
 * Judges DKIM by a sample message: a signature must verify and its d= domain must be aligned
 * with the From domain, as the message's "DKIM passes" requirement row demands. A message whose
 * signatures all end in temperror, or whose alignment could not be checked, is unverified.
 */
function messageDkimPart(message: MessageCheck): DkimPart {
  const judged = (state: PartState, reason: string): DkimPart => ({
    state,
    reason,
    fromMessage: true,
  });
  const signatures = message.signatures;
  if (signatures.length === 0) return judged("fail", "the message has no DKIM-Signature header");

  const passing = signatures.filter((s) => s.result === "pass");
  if (passing.length === 0) {
    const results = signatures.map(signatureText).join("; ");
    return signatures.every((s) => s.result === "temperror")
      ? judged("unverified", `its DKIM signature was not verified: ${results}`)
      : judged("fail", `its DKIM signature does not verify: ${results}`);
  }

  const passed = passing.map(signatureText).join("; ");
  const dmarc = message.dmarc;
  if (dmarc === null)
    return judged("fail", `${passed}, but ${message.fromError ?? "the From domain is unknown"}`);
  if (dmarc.result === "temperror")
    return judged("unverified", `${passed}, but alignment was not checked: ${dmarc.reason}`);
  if (!dmarc.dkimAligned)
    return judged(
      "fail",
      `${passed}, but d= is not aligned with the From domain ${dmarc.fromDomain}`,
    );
  return judged("pass", `${passed}, aligned with the From domain ${dmarc.fromDomain}`);
}

function signatureText(signature: DkimSignatureResult): string {
  const comment = signature.comment === null ? "" : ` (${signature.comment})`;
  return `d=${signature.domain} s=${signature.selector ?? "?"} ${signature.result}${comment}`;
}

/**
 * Builds the DKIM part of `unverifiedParts`. A selector given or found in the log whose query
 * got no answer needs the check again, not another selector.
 */
function dkimAdvice(domain: DomainReport, dkim: DkimPart): string {
  const known = domain.dkim.filter((entry) => entry.source !== "common").map((s) => s.selector);
  if (domain.dkimSummary.verdict === "not-checked" && known.length > 0) {
    const command = `delist check ${domain.domain} --selector ${known.map(shellQuote).join(" ")}`;
    return `${domain.domain}: ${dkim.reason}. Check again once DNS answers: ${codeSpan(command)}`;
  }
  return (
    `${domain.domain}: ${dkim.reason}. Give the selector your signer uses (the s= tag of its ` +
    `DKIM-Signature header): \`delist check ${domain.domain} --selector SELECTOR\``
  );
}

/**
 * Lists, as text without the final full stop, the parts of a domain's SPF, DKIM and DMARC
 * that DNS did not show, each with what to do.
 */
function unverifiedParts(domain: DomainReport, dkim: DkimPart): string[] {
  const parts: string[] = [];
  if (spfState(domain) === "unverified")
    parts.push(`${domain.domain}: SPF ${domain.spf.explanation}`);
  if (dkim.state === "unverified" && dkim.fromMessage)
    parts.push(`${domain.domain}: DKIM not checked in the sample message, because ${dkim.reason}`);
  else if (dkim.state === "unverified") parts.push(dkimAdvice(domain, dkim));
  if (domain.dmarc.verdict === "not-checked")
    parts.push(`${domain.domain}: DMARC ${domain.dmarc.explanation}`);
  return parts;
}
