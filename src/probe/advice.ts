import type { ReplyRule } from "../knowledge/rule.js";
import { ruleById } from "../knowledge/rules/index.js";

/**
 * The system errors of a failed TCP connection as Node reports them, each with the rule of
 * the same failure as an MTA logs it. The probe's own timeout reads "no TCP connection within
 * N ms".
 */
const ERROR_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bECONNREFUSED\b/, "generic.connect-refused"],
  [/\bETIMEDOUT\b|\bno TCP connection within\b/, "generic.connect-timed-out"],
  [/\bEHOSTUNREACH\b/, "generic.no-route-to-host"],
  [/\bENETUNREACH\b/, "generic.network-unreachable"],
];

/**
 * Returns the connection rule that explains the errors of the hosts a probe could not
 * connect to: the rule of the first error that has one, or null. The same failure in a mail
 * log gets this rule, so the probe gives the advice `diagnose` and `explain` give.
 */
export function connectionFailureAdvice(
  failedHosts: ReadonlyArray<{ readonly error: string }>,
): ReplyRule | null {
  for (const { error } of failedHosts) {
    const id = ERROR_RULES.find(([pattern]) => pattern.test(error))?.[1];
    const rule = id === undefined ? undefined : ruleById(id);
    if (rule !== undefined) return rule;
  }
  return null;
}
