import type { CheckStatus } from "../diagnose/types.js";
import { usableKeys, type DkimCheck } from "./dkim/check.js";
import type { DmarcCheck } from "./dmarc/check.js";
import type { DkimSignatureResult } from "./dkim/verify.js";
import type { MessageCheck } from "./message.js";
import type { PtrCheck } from "./ptr.js";
import type { SpfCheck } from "./spf/check.js";
import type { Problem, Verdict } from "./types.js";

/** One sender rule of a mailbox provider, and whether the checked domain meets it. */
export interface RequirementRow {
  readonly provider: "gmail" | "yahoo" | "outlook";
  /** `all` senders, or `bulk` senders only (about 5,000 messages a day or more). */
  readonly scope: "all" | "bulk";
  readonly rule: string;
  readonly status: CheckStatus;
  readonly evidence: string;
}

/** The DNS checks the table is built from, for one domain. */
export interface RequirementInput {
  readonly domain: string;
  readonly spf: SpfCheck;
  readonly dkim: DkimCheck;
  readonly dmarc: DmarcCheck;
  readonly ptr: PtrCheck;
  /**
   * The verification of a sample message of this domain. When it is present, the DKIM rows
   * and the alignment rows judge the message's signatures and its DMARC evaluation in place of
   * the published keys. The SPF rows stay on DNS in both cases.
   */
  readonly message?: MessageCheck | null;
}

type Rule = Omit<RequirementRow, "status" | "evidence"> & { readonly test: keyof typeof TESTS };

/**
 * The rules of Gmail (support.google.com/mail/answer/81126), Yahoo (senders.yahooinc.com) and
 * Outlook.com (bulk senders from 5 May 2025). Rules DNS cannot show, such as spam rate, TLS and
 * one-click unsubscribe, stay `not-checked`.
 */
const RULES: readonly Rule[] = [
  { provider: "gmail", scope: "all", rule: "SPF or DKIM passes", test: "spfOrDkim" },
  { provider: "gmail", scope: "all", rule: "PTR and forward-confirmed reverse DNS", test: "ptr" },
  { provider: "gmail", scope: "all", rule: "TLS for sending", test: "unchecked" },
  {
    provider: "gmail",
    scope: "all",
    rule: "Spam rate below 0.3 % in Postmaster Tools",
    test: "unchecked",
  },
  { provider: "gmail", scope: "bulk", rule: "SPF and DKIM both pass", test: "spfAndDkim" },
  { provider: "gmail", scope: "bulk", rule: "DKIM key of at least 1024 bits", test: "dkimSize" },
  {
    provider: "gmail",
    scope: "bulk",
    rule: "DMARC record published (p=none is enough)",
    test: "dmarc",
  },
  {
    provider: "gmail",
    scope: "bulk",
    rule: "From domain aligned with SPF or DKIM",
    test: "aligned",
  },
  { provider: "gmail", scope: "bulk", rule: "One-click unsubscribe (RFC 8058)", test: "unchecked" },
  { provider: "yahoo", scope: "all", rule: "SPF or DKIM passes", test: "spfOrDkim" },
  { provider: "yahoo", scope: "all", rule: "Valid forward and reverse DNS", test: "ptr" },
  { provider: "yahoo", scope: "bulk", rule: "SPF and DKIM both pass", test: "spfAndDkim" },
  {
    provider: "yahoo",
    scope: "bulk",
    rule: "DMARC record that passes (p=none is enough)",
    test: "dmarc",
  },
  { provider: "yahoo", scope: "bulk", rule: "One-click unsubscribe (RFC 8058)", test: "unchecked" },
  { provider: "outlook", scope: "bulk", rule: "SPF passes", test: "spf" },
  { provider: "outlook", scope: "bulk", rule: "DKIM passes", test: "dkim" },
  {
    provider: "outlook",
    scope: "bulk",
    rule: "DMARC at least p=none, aligned with SPF or DKIM",
    test: "dmarcAligned",
  },
];

type Outcome = { status: CheckStatus; evidence: string };

const TESTS = {
  spf: (input: RequirementInput): Outcome => spfOutcome(input.spf),
  dkim: (input: RequirementInput): Outcome =>
    input.message == null
      ? dkimOutcome(input.dkim)
      : fromMessage(messageDkimOutcome(input.message)),
  spfOrDkim: (input: RequirementInput): Outcome => either(TESTS.spf(input), TESTS.dkim(input)),
  spfAndDkim: (input: RequirementInput): Outcome => both(TESTS.spf(input), TESTS.dkim(input)),
  dkimSize: (input: RequirementInput): Outcome => {
    const short = input.dkim.evidence.selectors.filter((s) => s.status === "too-short");
    if (input.dkim.verdict === "not-checked")
      return { status: "not-checked", evidence: input.dkim.explanation };
    if (short.length > 0)
      return {
        status: "fail",
        evidence: short.map((s) => `${s.selector}: ${s.bits ?? "?"} bits`).join(", "),
      };
    const sized = input.dkim.evidence.selectors.filter((s) => s.bits !== null);
    return sized.length === 0
      ? { status: "unknown", evidence: "no DKIM key found" }
      : {
          status: "pass",
          evidence: sized.map((s) => `${s.selector}: ${s.bits ?? "?"} bits`).join(", "),
        };
  },
  dmarc: (input: RequirementInput): Outcome => {
    if (input.dmarc.verdict === "not-checked")
      return { status: "not-checked", evidence: input.dmarc.explanation };
    const policy = input.dmarc.evidence.policy;
    return policy === null
      ? { status: "fail", evidence: input.dmarc.explanation }
      : {
          status: "pass",
          evidence: `p=${policy} at _dmarc.${input.dmarc.evidence.recordDomain ?? input.domain}`,
        };
  },
  aligned: (input: RequirementInput): Outcome => {
    if (input.message != null) return fromMessage(messageAlignmentOutcome(input.message));
    const auth = either(TESTS.spf(input), TESTS.dkim(input));
    return auth.status === "pass"
      ? {
          status: "pass",
          evidence: `SPF or DKIM passes for ${input.domain} itself, which is aligned when it is the From domain`,
        }
      : auth;
  },
  dmarcAligned: (input: RequirementInput): Outcome =>
    both(TESTS.dmarc(input), TESTS.aligned(input)),
  ptr: (input: RequirementInput): Outcome => {
    if (input.ptr.evidence.ptr.length === 0)
      return { status: "not-checked", evidence: "no sending IP given (use --ip)" };
    return fromVerdict(
      input.ptr.verdict === "warn" ? "pass" : input.ptr.verdict,
      input.ptr.explanation,
    );
  },
  unchecked: (): Outcome => ({ status: "not-checked", evidence: "not visible in DNS" }),
};

/** Builds the requirement table for one domain. */
export function requirementTable(input: RequirementInput): RequirementRow[] {
  return RULES.map(({ test, ...rule }) => ({ ...rule, ...TESTS[test](input) }));
}

function fromVerdict(verdict: Verdict, evidence: string): Outcome {
  if (verdict === "pass" || verdict === "warn") return { status: "pass", evidence };
  if (verdict === "fail") return { status: "fail", evidence };
  return { status: "not-checked", evidence };
}

/**
 * SPF problems that a receiver meets only when its evaluation reaches the faulty term. RFC 7208
 * (section 4.6.2) evaluates terms left to right and stops at the first match, so an IP that
 * matches earlier still passes. The per-IP evaluation meets them too when it reaches them.
 */
const REACHED_ONLY_CODES = new Set([
  "spf-include-none",
  "spf-loop",
  "spf-dns-error",
  "spf-temperror",
  "spf-lookup-limit",
  "spf-mx-limit",
  "spf-void-limit",
  "spf-void-lookup",
]);

/**
 * True when an SPF problem is an error that fails SPF whatever the sending IPs get, such as
 * `+all`, two records or bad syntax. Errors that a receiver meets only when its evaluation
 * reaches the faulty term are not counted.
 */
export function hasRecordWideSpfError(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === "error" && !REACHED_ONLY_CODES.has(p.code));
}

/**
 * Judges "SPF passes" by the result for each given IP. A record error that evaluation stops
 * before stays in the SPF section, but does not fail the row. Other errors, such as `+all`,
 * a missing record or two records, fail it whatever the IPs get.
 */
function spfOutcome(spf: SpfCheck): Outcome {
  const results = spf.evidence.results;
  const errors = spf.problems.filter((p) => p.severity === "error");
  const [first] = errors;
  const passesBeforeErrors =
    spf.verdict !== "pass" &&
    spf.verdict !== "warn" &&
    results.length > 0 &&
    results.every((r) => r.result === "pass") &&
    !hasRecordWideSpfError(spf.problems);
  if (!passesBeforeErrors) return fromVerdict(spf.verdict, spfEvidence(spf));

  const ips = results.map((r) => `${r.ip}: ${r.result}`).join(", ");
  const error = first === undefined ? spf.explanation : first.message;
  return {
    status: "pass",
    evidence: `SPF ${ips}, because a term matches before the record's error (${error})`,
  };
}

/**
 * Builds the SPF evidence of a row: the result for each IP. An error in the record can fail
 * the check while every IP passes, for example `+all`. The evidence then starts with that
 * error, so a FAIL row never shows only passes.
 */
function spfEvidence(spf: SpfCheck): string {
  const results = spf.evidence.results.map((r) => `${r.ip}: ${r.result}`).join(", ");
  const ipEvidence = results === "" ? spf.explanation : `SPF ${results}`;
  const ipFails = spf.evidence.results.some((r) => r.result !== "pass");
  const errors = spf.problems.filter((p) => p.severity === "error");
  const [first] = errors;
  if (spf.verdict !== "fail" || ipFails || first === undefined) return ipEvidence;

  const others = errors.length - 1;
  const more = others > 0 ? ` (and ${others} more SPF error${others === 1 ? "" : "s"})` : "";
  return results === "" ? `${first.message}${more}` : `${first.message}${more} (${ipEvidence})`;
}

// NOTE: without a signed message, a published usable key counts as "DKIM passes"; the
// signature itself is verified only with `delist check --message`.
function dkimOutcome(dkim: DkimCheck): Outcome {
  if (dkim.verdict === "not-checked") return { status: "not-checked", evidence: dkim.explanation };
  const usable = usableKeys(dkim.evidence.selectors);
  if (usable.length > 0)
    return {
      status: "pass",
      evidence: `key published for ${usable.map((s) => s.selector).join(", ")}`,
    };
  const checked = dkim.evidence.selectors.length > 0;
  return { status: checked ? "fail" : "unknown", evidence: dkim.explanation };
}

/** Marks the evidence of a row judged by the sample message, so it is not read as DNS. */
function fromMessage(outcome: Outcome): Outcome {
  return { status: outcome.status, evidence: `sample message: ${outcome.evidence}` };
}

/**
 * Judges "DKIM passes" by a sample message: a signature must verify, and its d= domain must be
 * aligned with the From domain, because only an aligned signature counts for DMARC.
 */
function messageDkimOutcome(message: MessageCheck): Outcome {
  const signatures = message.signatures;
  if (signatures.length === 0)
    return { status: "fail", evidence: "the message has no DKIM-Signature header" };

  const passing = signatures.filter((s) => s.result === "pass");
  if (passing.length === 0) {
    const temporary = signatures.every((s) => s.result === "temperror");
    const results = signatures.map(signatureText).join("; ");
    return { status: temporary ? "not-checked" : "fail", evidence: results };
  }

  const dmarc = message.dmarc;
  const passed = passing.map(signatureText).join("; ");
  if (dmarc === null)
    return {
      status: "fail",
      evidence: `${passed}, but ${message.fromError ?? "the From domain is unknown"}`,
    };
  if (dmarc.result === "temperror")
    return { status: "not-checked", evidence: `${passed}; alignment not checked: ${dmarc.reason}` };
  if (!dmarc.dkimAligned)
    return {
      status: "fail",
      evidence: `${passed}, but d= is not aligned with the From domain ${dmarc.fromDomain}`,
    };
  return { status: "pass", evidence: `${passed}, aligned with ${dmarc.fromDomain}` };
}

/** Judges "From domain aligned with SPF or DKIM" by a sample message's DMARC evaluation. */
function messageAlignmentOutcome(message: MessageCheck): Outcome {
  const dmarc = message.dmarc;
  if (dmarc === null)
    return { status: "fail", evidence: message.fromError ?? "the From domain is unknown" };
  if (dmarc.result === "temperror")
    return { status: "not-checked", evidence: `DMARC not checked: ${dmarc.reason}` };
  if (dmarc.spfAligned || dmarc.dkimAligned) {
    const method = dmarc.spfAligned ? "SPF" : "DKIM";
    return { status: "pass", evidence: `${method} passes aligned with ${dmarc.fromDomain}` };
  }

  const dkim = messageDkimOutcome(message);
  // Without an IP, SPF of the message was not evaluated, so it may still pass aligned.
  if (message.spf === null)
    return either(dkim, {
      status: "not-checked",
      evidence: "SPF not evaluated because no sending IP was given (use --ip)",
    });
  const spf = `SPF of ${message.envelopeDomain} from ${message.spf.ip}: ${message.spf.result}`;
  return {
    status: "fail",
    evidence: `neither SPF nor DKIM passes aligned with ${dmarc.fromDomain} (${spf}; ${dkim.evidence})`,
  };
}

/** Formats one signature result like the "Sample message" block of `delist check`. */
function signatureText(signature: DkimSignatureResult): string {
  const comment = signature.comment === null ? "" : ` (${signature.comment})`;
  return `DKIM d=${signature.domain} s=${signature.selector ?? "?"}: ${signature.result}${comment}`;
}

const RANK: Record<CheckStatus, number> = { pass: 0, "not-checked": 1, unknown: 2, fail: 3 };

/** For "A or B", the better of the two outcomes counts. */
function either(a: Outcome, b: Outcome): Outcome {
  return RANK[a.status] <= RANK[b.status] ? a : b;
}

/** For "A and B", the worse of the two outcomes counts. */
function both(a: Outcome, b: Outcome): Outcome {
  if (a.status === "pass" && b.status === "pass")
    return { status: "pass", evidence: `${a.evidence}; ${b.evidence}` };
  return RANK[a.status] >= RANK[b.status] ? a : b;
}
