/**
 * OpenSMTPD's delivery status notifications. Their `Status` field reports OpenSMTPD's own
 * queue state, not the receiver's code: the class alone (5.0.0, 4.0.0) for most failures,
 * and 4.4.7 beside "Envelope expired" in a notice whose Action is "delayed". A code in the
 * reply text is the receiver's, and a recipient without one gets a placeholder.
 */
import type { BounceMessage } from "../mime.js";
import type { RecipientDraft } from "../types.js";

// The greeting of OpenSMTPD's notifications, in its versions with "e-mail" and "email".
const GREETING = /This is the MAILER-DAEMON, please DO NOT REPLY to this e-?mail\./;

/** Returns the drafts without their `Status` when OpenSMTPD wrote the notification. */
export function withoutOpenSmtpdStatus(
  message: BounceMessage,
  drafts: readonly RecipientDraft[],
): RecipientDraft[] {
  if (!GREETING.test(message.text)) return [...drafts];
  return drafts.map((draft) => ({ ...draft, status: null }));
}
