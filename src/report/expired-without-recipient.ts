import type { ServerReport } from "../diagnose/types.js";
import { plural } from "./wrap.js";

/**
 * Returns the sentence that counts the messages that expired in the queue with every deferral
 * before the log, or null when there were none. The text, Markdown and statistics reports
 * share it.
 */
export function expiredWithoutRecipientSentence(server: ServerReport): string | null {
  const expired = server.expiredWithoutRecipient;
  if (expired === 0) return null;
  const single = expired === 1;
  return (
    `${plural(expired, "message")} expired in the queue and ${single ? "was" : "were"} returned ` +
    `to ${single ? "its sender" : "their senders"}, so ${single ? "it was" : "they were"} lost. ` +
    `${single ? "Its" : "Their"} delivery attempts came before the log starts, so the recipients ` +
    "and their providers are unknown. The rotated log files of the days before show them."
  );
}
