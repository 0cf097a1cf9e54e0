/**
 * Notices of Verizon's e-mail to SMS gateway (`post_master@vtext.com`): the gateway's own
 * verdict on the first line ("Error: Invalid user address"), the remote reply under
 * "Error message below:", and the recipient only in the "Message details" list of the
 * envelope ("RCPT TO: a@b").
 */
import type { BounceMessage } from "../mime.js";
import type { RecipientDraft } from "../types.js";
import { ADDRESS, normaliseAddress } from "./address.js";

const NOTICE = /^Error:[ \t]*(.+)\n\s*\nError message below:[ \t]*\n([^\n]*)/m;
const ENVELOPE_RECIPIENT = new RegExp(
  String.raw`^[ \t]*RCPT TO:[ \t]*<?(${ADDRESS.source})>?[ \t]*$`,
  "gm",
);

/** True for a notice in the gateway's layout. */
export function isVerizonNotice(message: BounceMessage): boolean {
  return NOTICE.test(message.text);
}

/**
 * Returns one draft per envelope recipient. The verdict "Invalid user address" means that
 * the address is unknown; other verdicts leave the reason to the reply.
 */
export function draftsFromVerizon(message: BounceMessage): RecipientDraft[] {
  const notice = NOTICE.exec(message.text);
  const verdict = notice?.[1]?.trim() ?? "";
  const reply = notice?.[2]?.trim() ?? "";
  const code = /^([45]\d\d)\b/.exec(reply)?.[1];
  const recipients = [...message.text.matchAll(ENVELOPE_RECIPIENT)].map((match) =>
    normaliseAddress(match[1] ?? ""),
  );
  return [...new Set(recipients)].map((recipient) => ({
    recipient,
    action: "failed",
    status: null,
    diagnostic: `${verdict}: ${reply}`,
    remoteMta: null,
    time: null,
    reason: /^invalid user address$/i.test(verdict) ? "userunknown" : null,
    command: null,
    replyCode: code === undefined ? null : Number(code),
    feedbackType: null,
  }));
}
