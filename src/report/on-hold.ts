import type { ServerReport } from "../diagnose/types.js";
import { count, plural, wrap } from "./wrap.js";

/**
 * Returns the sentence on the messages that Postfix put on hold, such as "3 messages were put
 * on hold (2 by header checks, 1 by an smtpd restriction). They wait in the hold queue until
 * postsuper -H releases them.", or null when none was. The text, Markdown and statistics
 * reports share it.
 */
export function putOnHoldSentence(server: ServerReport): string | null {
  const held = server.putOnHold;
  if (held.messages === 0) return null;
  const rules = [
    held.header > 0 ? `${count(held.header)} by header checks` : null,
    held.body > 0 ? `${count(held.body)} by body checks` : null,
    held.client > 0
      ? `${count(held.client)} by ${held.client === 1 ? "an smtpd restriction" : "smtpd restrictions"}`
      : null,
  ].filter((rule) => rule !== null);
  const verb = held.messages === 1 ? "was" : "were";
  const pronoun = held.messages === 1 ? "It waits" : "They wait";
  return (
    `${plural(held.messages, "message")} ${verb} put on hold (${rules.join(", ")}). ` +
    `${pronoun} in the hold queue until postsuper -H releases ${held.messages === 1 ? "it" : "them"}.`
  );
}

/** Renders `putOnHoldSentence` for a terminal; no lines when no message was put on hold. */
export function putOnHoldLines(server: ServerReport): string[] {
  const sentence = putOnHoldSentence(server);
  return sentence === null ? [] : wrap(sentence, "  ");
}
