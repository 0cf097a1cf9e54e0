import type { Unwrapped } from "./wrappers.js";

/** The codes and one-line text of a reply body. */
export interface ReplyBody {
  readonly replyCode: number | null;
  readonly enhancedStatus: string | null;
  /** The reply region on one line, codes and continuation markers removed, trailer kept. */
  readonly text: string;
}

const ENHANCED = String.raw`[245]\.\d{1,3}\.\d{1,3}`;
const MASK = String.raw`[xX]\.[xX]{1,3}\.[xX]{1,3}`;
// A reply code and an enhanced code (or a poster's x.x.xx mask): "421-4.7.28", "554\n 5.7.1",
// "421: 4.3.2". The code must not be part of a longer number or a dotted name.
const CODE_AND_ENHANCED = new RegExp(
  String.raw`(?<![\w.])([45]\d\d)(?:-|[ \t]*:?\s+)(${ENHANCED}|${MASK})(?![\w.])`,
);
const SUCCESS_AND_ENHANCED = new RegExp(
  String.raw`(?<![\w.])([23]\d\d)(?:-|[ \t]*:?\s+)(${ENHANCED})(?![\w.])`,
);
// A reply code alone, at the start of a line or after a separator ("response: 550 …").
const CODE_ALONE = /(?:^|[\s:>(["'=,])([2-5]\d\d)(?=[ \t-]|$)/m;
const LEADING_ENHANCED = new RegExp(String.raw`^\s*(${ENHANCED})(?![\w.])`);
const ANY_ENHANCED = new RegExp(String.raw`(?<![\w.])(${ENHANCED})(?![\w.])`);

interface Start {
  readonly index: number;
  readonly replyCode: number | null;
  readonly enhanced: string | null;
}

/** Finds the reply in the body and returns its codes and its text on one line. */
export function readBody(unwrapped: Unwrapped): ReplyBody {
  const body = unwrapped.body;
  const start = locateReply(body, unwrapped.replyCode);
  let region = body.slice(start.index);
  if (!unwrapped.flattened) region = endOfWireReply(region, start.replyCode);

  const flat = region.replace(/\s+/g, " ").trim();
  const enhanced = start.enhanced ?? unmaskedEnhanced(flat, start.replyCode);
  const text = stripMarkers(flat, start.replyCode, enhanced);
  return { replyCode: start.replyCode, enhancedStatus: enhanced, text };
}

function locateReply(body: string, codeHint: number | null): Start {
  const failure = CODE_AND_ENHANCED.exec(body) ?? SUCCESS_AND_ENHANCED.exec(body);
  if (failure !== null) {
    const enhanced = failure[2] ?? "";
    return {
      index: failure.index,
      replyCode: Number(failure[1]),
      enhanced: /^\d/.test(enhanced) ? enhanced : null,
    };
  }
  if (codeHint === null) {
    const alone = CODE_ALONE.exec(body);
    if (alone !== null) {
      const index = alone.index + alone[0].length - 3;
      const enhanced = LEADING_ENHANCED.exec(body.slice(index + 3))?.[1] ?? null;
      return { index, replyCode: Number(alone[1]), enhanced };
    }
  }
  // A library that states the code apart often leaves only enhanced codes in the text.
  const enhanced = ANY_ENHANCED.exec(body);
  if (enhanced === null) return { index: 0, replyCode: codeHint, enhanced: null };
  return { index: enhanced.index, replyCode: codeHint, enhanced: enhanced[1] ?? null };
}

/**
 * Cuts a reply kept in wire form after its last line: the first blank line, or the line that
 * starts with "NNN " after "NNN-" continuation lines (RFC 5321 section 4.2.1).
 */
function endOfWireReply(region: string, replyCode: number | null): string {
  const lines = region.split("\n");
  const kept: string[] = [];
  let continued = false;
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === "" && kept.length > 0) break;
    kept.push(line);
    if (replyCode === null) continue;
    if (trimmed.startsWith(`${replyCode}-`)) continued = true;
    else if (continued && (trimmed.startsWith(`${replyCode} `) || trimmed === `${replyCode}`))
      break;
  }
  return kept.join("\n");
}

// When the first marker was masked by the poster ("421-x.x.xx"), a later one may not be.
function unmaskedEnhanced(flat: string, replyCode: number | null): string | null {
  if (replyCode === null) return null;
  const later = new RegExp(String.raw`(?<![\w.])${replyCode}[ -](${ENHANCED})(?![\w.])`).exec(flat);
  return later?.[1] ?? null;
}

/** Removes the reply code, the enhanced code and poster masks wherever they stand as markers. */
function stripMarkers(flat: string, replyCode: number | null, enhanced: string | null): string {
  let text = flat;
  const codes: string[] = [];
  if (enhanced !== null) codes.push(enhanced.replace(/\./g, "\\."));
  codes.push(MASK);
  const status = `(?:${codes.join("|")})`;
  if (replyCode !== null) {
    // "421-4.7.28 ", "421 4.7.28 ", "550 , 550-5.7.26", "421-x.x.xx", and "554-" or a bare
    // "554 " of a reply without enhanced codes.
    const marker = new RegExp(
      String.raw`(?<![\w.#])${replyCode}(?:-|[ \t]*[:,]?[ \t]+|$)(?:${status}(?![\w.])[ \t]*)?`,
      "g",
    );
    text = text.replace(marker, " ");
  }
  // Continuation lines that a client library reduced to their enhanced code ("5.7.25 have a").
  text = text.replace(new RegExp(String.raw`(?<![\w.])${status}(?![\w.])`, "g"), " ");
  return text
    .replace(/\s+/g, " ")
    .replace(/^[\s,;:-]+/, "")
    .trim();
}
