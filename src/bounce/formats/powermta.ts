/**
 * PowerMTA's own classification of a bounce: the `X-PowerMTA-BounceCategory` field that it
 * adds to each recipient of its delivery status notifications, from its bounce category
 * patterns (`bad-mailbox`, `inactive-mailbox`, `quota-issues`, …).
 */
import type { BounceReason } from "../types.js";

// Categories whose meaning is one bounce reason. The others (`other`, `bad-configuration`,
// `bad-connection`, `protocol-errors`, `content-related`, `routing-errors`) leave the
// decision to the status code and the reply.
const CATEGORY_REASONS: Readonly<Record<string, BounceReason>> = {
  "bad-mailbox": "userunknown",
  "bad-domain": "hostunknown",
  "inactive-mailbox": "suspend",
  "quota-issues": "mailboxfull",
  "message-expired": "expired",
  "no-answer-from-host": "networkerror",
  "spam-related": "spamdetected",
  "virus-related": "virusdetected",
  "policy-related": "policyviolation",
  "relaying-issues": "norelaying",
  "invalid-sender": "rejected",
};

/** Returns the reason of a PowerMTA bounce category, or null for none or a vague one. */
export function reasonOfBounceCategory(category: string | undefined): BounceReason | null {
  if (category === undefined) return null;
  return CATEGORY_REASONS[category.trim().toLowerCase()] ?? null;
}
