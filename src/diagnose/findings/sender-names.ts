import type { DiagnoseContext } from "../context.js";

/** The name that reports give the sender of a message whose sender the log does not show. */
export const SENDER_NOT_IN_LOG = "sender not in the log";

/**
 * The envelope sender of an evidence entry. A sender that the log does not show, as for a
 * message queued before the log starts, is a null `sender` with a `name` for the reports. So
 * neither reports nor JSON readers take it for the null sender `<>` of bounces.
 */
export type SenderEntry =
  { readonly sender: string } | { readonly sender: null; readonly name: typeof SENDER_NOT_IN_LOG };

/** Writes an envelope sender as reports show it: `<>` for the null sender, else the address. */
export function senderText(sender: string): string {
  return sender === "" ? "<>" : sender;
}

/** Builds the evidence entry of an envelope sender, or of one that the log does not show (null). */
export function senderEntry(sender: string | null): SenderEntry {
  if (sender === null) return { sender: null, name: SENDER_NOT_IN_LOG };
  return { sender: senderText(sender) };
}

/**
 * Returns when the latest outbound message of the envelope sender `sender` entered the queue,
 * in the report's time zone, or null when the log shows none or the sender is unknown.
 */
export function lastMessageOf(context: DiagnoseContext, sender: string | null): string | null {
  if (sender === null) return null;
  const time = context.facts.unknownRecipients.bySender.get(sender)?.lastMessageTime ?? null;
  return time === null ? null : context.time(time);
}
