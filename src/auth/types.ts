import type { DnsFailure } from "../dns/types.js";
import { isTemporaryFailure } from "../dns/types.js";

/**
 * The verdict of one check: `pass`, `warn` (works, but a receiver may object), `fail`
 * (receivers reject or defer for it) or `not-checked` (DNS could not be reached, or the check
 * was skipped).
 */
export type Verdict = "pass" | "warn" | "fail" | "not-checked";

export const VERDICTS: readonly Verdict[] = ["pass", "warn", "fail", "not-checked"];

/** One thing wrong or worth knowing that a check found, with the fix in words. */
export interface Problem {
  /** Stable code such as `spf-lookup-limit`; reports and tests key on it. */
  readonly code: string;
  readonly severity: "error" | "warning" | "info";
  readonly message: string;
  readonly fix: string | null;
}

/** Result of every check: a verdict, one sentence why, the evidence and the problems. */
export interface CheckResult<E> {
  readonly verdict: Verdict;
  readonly explanation: string;
  readonly evidence: E;
  readonly problems: readonly Problem[];
}

/** Builds a problem. */
export function problem(
  code: string,
  severity: Problem["severity"],
  message: string,
  fix: string | null = null,
): Problem {
  return { code, severity, message, fix };
}

/** `fail` when any problem is an error, `warn` when any is a warning, else `pass`. */
export function verdictOf(problems: readonly Problem[]): Verdict {
  if (problems.some((p) => p.severity === "error")) return "fail";
  if (problems.some((p) => p.severity === "warning")) return "warn";
  return "pass";
}

/** The explanation of a check that DNS could not answer. */
export const DNS_UNREACHABLE = "not checked: DNS unreachable";

/** The explanation of a check whose query got no reply in time while DNS answered others. */
export const DNS_TIMED_OUT = "not checked: the DNS query timed out";

/** The explanation of a check skipped because the run sends no DNS queries. */
export const DNS_OFFLINE = "not checked: --offline";

/**
 * Builds the explanation of a check whose query failed: `not checked: ` and the reason. The
 * reason is "--offline" for a query not sent, "the DNS query timed out" for a query that got
 * no reply in time, "DNS unreachable" when the server could not be reached, else the failure's
 * detail. A query that the DNS context did not send after earlier ones got no reply carries
 * the kind of those failures, so it gets the same reason.
 */
export function notCheckedText(failure: DnsFailure): string {
  if (failure.kind === "offline") return DNS_OFFLINE;
  if (failure.kind === "timeout") return DNS_TIMED_OUT;
  if (failure.kind === "unreachable" || failure.kind === "not-recorded") return DNS_UNREACHABLE;
  return `not checked: ${failure.detail}`;
}

/**
 * True when a failure means DNS gave no usable answer at all: a timeout, a network error, a
 * truncated answer whose retry over TCP failed, a replay gap, no query sent because the run is offline, a name outside the zone files given,
 * or SERVFAIL or REFUSED. A resolver returns SERVFAIL when it could not reach the zone's name
 * servers, and a server returns REFUSED for zones it does not serve, so neither shows whether
 * the record exists.
 */
export function isUnanswered(failure: DnsFailure): boolean {
  return (
    failure.kind === "timeout" ||
    failure.kind === "unreachable" ||
    failure.kind === "truncated" ||
    failure.kind === "not-recorded" ||
    failure.kind === "offline" ||
    failure.kind === "not-in-zone" ||
    failure.kind === "servfail" ||
    failure.kind === "refused"
  );
}

/** Builds the problem for a DNS error other than a plain "does not exist". */
export function dnsProblem(code: string, failure: DnsFailure): Problem {
  const temporary = isTemporaryFailure(failure.kind);
  return problem(
    code,
    temporary ? "error" : "warning",
    `The ${failure.type} query for ${failure.name} failed: ${failure.detail}.`,
    temporary
      ? "Make every name server of the zone answer; receivers defer mail while DNS fails."
      : null,
  );
}

/** Builds the result of a check that could not reach DNS. */
export function notChecked<E>(evidence: E, explanation = DNS_UNREACHABLE): CheckResult<E> {
  return { verdict: "not-checked", explanation, evidence, problems: [] };
}
