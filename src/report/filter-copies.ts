import type { ServerReport } from "../diagnose/types.js";
import { plural } from "./wrap.js";

/**
 * Returns the sentence that counts the messages that went to a content filter whose re-queued
 * copy is not in the log, or null when there were none. The text, Markdown and statistics
 * reports share it.
 */
export function missingFilterCopiesSentence(server: ServerReport): string | null {
  const missing = server.missingFilterCopies;
  if (missing === 0) return null;
  const messages = plural(missing, "message");
  const [copies, verb, their] = missing === 1 ? ["copy", "is", "its"] : ["copies", "are", "their"];
  return (
    `${messages} went to a content filter on this server, but the log does not show the ` +
    `${copies} that the filter queued again, so ${their} deliveries to receivers are not counted. ` +
    `The log may end before the ${copies} came, or the ${copies} ${verb} in a file that was not given.`
  );
}
