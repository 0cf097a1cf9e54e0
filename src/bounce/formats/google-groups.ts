/**
 * Google Groups refusals: a post to a group that does not exist or does not let the sender
 * post. The notice is in the sender's language, so it is recognised by its sender, its
 * help link and the failed group address, not by its words.
 */
import { headerValue, type BounceMessage } from "../mime.js";
import type { RecipientDraft } from "../types.js";
import { normaliseAddress } from "./address.js";

/** True for a Google Groups posting refusal. */
export function isGoogleGroupsRefusal(message: BounceMessage): boolean {
  const failed = headerValue(message, "x-failed-recipients") ?? "";
  return (
    /@googlegroups\.com\b/i.test(failed) ||
    (/@google(?:mail)?\.com$/i.test(message.from ?? "") &&
      /groups\.google\.com\/support/i.test(message.text))
  );
}

/** One draft per failed group address, with the reason `rejected`: the group refused the post. */
export function draftsFromGoogleGroups(message: BounceMessage): RecipientDraft[] {
  const failed = headerValue(message, "x-failed-recipients") ?? "";
  const firstLines = message.text.trim().split("\n").slice(0, 2).join(" ");
  return failed
    .split(/[,\s]+/)
    .filter((part) => part.includes("@"))
    .map((address) => ({
      recipient: normaliseAddress(address),
      action: "failed",
      status: null,
      diagnostic: firstLines,
      remoteMta: null,
      time: null,
      reason: "rejected",
      command: null,
      replyCode: null,
      feedbackType: null,
    }));
}
