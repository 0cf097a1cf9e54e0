import type { ReplyRule } from "../knowledge/rule.js";
import type { ParsedReply, PermanenceSource } from "./types.js";

/** Whether a reply is permanent, and what that rests on. */
export interface Permanence {
  readonly permanent: boolean;
  readonly source: PermanenceSource;
}

/**
 * Decides whether a reply is permanent. A rule's `permanent` overrides the codes. Otherwise the
 * reply code decides, else the class of the enhanced code. A reply without either takes the
 * class of its rule's replies when the rule has one fixed class, and is not permanent, with an
 * unknown source, when it has none.
 */
export function permanenceOf(rule: ReplyRule, parsed: ParsedReply): Permanence {
  if (rule.permanent !== undefined) return { permanent: rule.permanent, source: "rule" };
  if (parsed.replyCode !== null) return { permanent: parsed.replyCode >= 500, source: "code" };
  if (parsed.enhancedStatus !== null) {
    return { permanent: parsed.enhancedStatus.startsWith("5."), source: "code" };
  }

  const fixed = fixedClassOf(rule);
  return fixed === null ? { permanent: false, source: null } : { permanent: fixed, source: "rule" };
}

/**
 * Returns true when every reply code and enhanced code that a provider rule accepts is
 * permanent, false when every one is temporary, and null otherwise. A rule without code lists
 * has no fixed class, and neither has a generic rule: its code lists say which codes it
 * accepts, while the same wording comes with other codes from other servers.
 */
export function fixedClassOf(rule: ReplyRule): boolean | null {
  if (rule.provider === null) return null;

  const classes = new Set<string>();
  for (const code of rule.codes ?? []) classes.add(String(code).charAt(0));
  for (const status of rule.enhanced ?? []) classes.add(status.charAt(0));
  if (classes.size !== 1) return null;
  if (classes.has("5")) return true;
  return classes.has("4") ? false : null;
}
