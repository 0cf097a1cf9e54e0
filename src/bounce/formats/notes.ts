/**
 * Lotus Notes (Domino) bounces: under "------- Failure Reasons --------" each reason is
 * on the lines above the address it concerns, and "------- Returned Message --------"
 * ends the list.
 */
import type { BounceMessage } from "../mime.js";
import type { RecipientDraft } from "../types.js";
import { isAddress, normaliseAddress } from "./address.js";

const SECTION = /^-+[ \t]*Failure Reasons[ \t]*-+[ \t]*$/m;
const SECTION_END = /^-+[ \t]*Returned Message[ \t]*-+/m;

/** True when the message has the Failure Reasons section of a Notes bounce. */
export function isNotesBounce(message: BounceMessage): boolean {
  return SECTION.test(message.text);
}

/**
 * Returns one draft per address of the section, with the lines above it as its error text.
 * Notes always states a reason there, so a reason that no wording rule reads is `onhold`
 * rather than `undefined`.
 */
export function draftsFromNotes(message: BounceMessage): RecipientDraft[] {
  const start = SECTION.exec(message.text);
  if (start === null) return [];
  const rest = message.text.slice(start.index + start[0].length);
  const end = SECTION_END.exec(rest);
  const lines = (end === null ? rest : rest.slice(0, end.index)).split("\n");

  const drafts: RecipientDraft[] = [];
  let reasonLines: string[] = [];
  for (const line of lines.map((candidate) => candidate.trim())) {
    if (line === "") continue;
    const address = normaliseAddress(line);
    if (!isAddress(address)) {
      reasonLines.push(line);
      continue;
    }
    drafts.push(draftOf(address, reasonLines.join("\n")));
    reasonLines = [];
  }
  return drafts;
}

function draftOf(recipient: string, diagnostic: string): RecipientDraft {
  return {
    recipient,
    action: "failed",
    status: null,
    diagnostic,
    remoteMta: null,
    time: null,
    reason: null,
    defaultReason: "onhold",
    command: null,
    replyCode: null,
    feedbackType: null,
  };
}
