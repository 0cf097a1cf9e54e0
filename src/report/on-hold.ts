import type { ServerReport } from "../diagnose/types.js";
import { count, plural, wrap } from "./wrap.js";

/**
 * Returns the sentences on the messages that Postfix put on hold, such as "3 messages were put
 * on hold (2 by header checks, 1 by an smtpd restriction). 1 was released later. The other 2
 * wait in the hold queue until postsuper -H releases them.", or null when none was. The text,
 * Markdown and statistics reports share it.
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
  const heldSentence = `${plural(held.messages, "message")} ${verb} put on hold (${rules.join(", ")}).`;
  return [heldSentence, ...releaseSentences(held.messages, held.released)].join(" ");
}

/** Says how many held messages were released and how many still wait in the hold queue. */
function releaseSentences(messages: number, released: number): string[] {
  const waiting = messages - released;
  if (released === 0) {
    const pronoun = messages === 1 ? "It waits" : "They wait";
    return [
      `${pronoun} in the hold queue until postsuper -H releases ${messages === 1 ? "it" : "them"}.`,
    ];
  }
  if (waiting === 0) {
    return [messages === 1 ? "It was released later." : "All were released later."];
  }
  const waits =
    waiting === 1
      ? "The other waits in the hold queue until postsuper -H releases it."
      : `The other ${count(waiting)} wait in the hold queue until postsuper -H releases them.`;
  return [`${count(released)} ${released === 1 ? "was" : "were"} released later.`, waits];
}

/** Renders `putOnHoldSentence` for a terminal; no lines when no message was put on hold. */
export function putOnHoldLines(server: ServerReport): string[] {
  const sentence = putOnHoldSentence(server);
  return sentence === null ? [] : wrap(sentence, "  ");
}
