import { joinSplitLinks } from "./split-links.js";
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
const MASK_START = /[xX]\./;
// Between a reply code and its enhanced code: "421-4.7.28", "554\n 5.7.1", "421: 4.3.2". The
// alternatives do not overlap, so a code followed by a long run of blanks costs linear time.
const SEPARATOR = String.raw`(?:-|\s+|[ \t]*:\s*)`;
// Places where a reply code alone can start a reply: the start of a line, or after a wrapper's
// words ("said:", "smtp;", "Server response:", "refused to talk to me:", "returned was:",
// "failed with:", "host h [ip]:"). A number anywhere else is part of something else: an IPv6
// address ("c05::247"), "bits=256", "Content-Length: 399".
const REPLY_START = String.raw`(?:^[ \t]*|\b(?:said|smtp|response|responded|reply|replied|answered|returned|error|reason|was|with|me)[ \t]*[:;][ \t]*|\]:[ \t]*)`;
// RFC 5321 section 4.2 gives reply codes a first digit of 2 to 5. The second digit should be
// 0 to 5, but some servers reply with "571", so it is not checked. The lookbehind keeps a match
// from starting inside a number or a dotted name.
const FAILURE_CODE = String.raw`(?<![\w.])([45]\d\d)`;
const SUCCESS_CODE = String.raw`(?<![\w.])([23]\d\d)`;
const CODE_END = String.raw`(?![\w.])`;

// A failure code followed by an enhanced code of the same class (RFC 3463: the first digit of
// both) or a poster's x.x.xx mask. The class check lets such a pair stand anywhere in the text.
const FAILURE_PAIR = new RegExp(
  String.raw`(?<![\w.])([45])(\d\d)${SEPARATOR}(\1\.\d{1,3}\.\d{1,3}|${MASK})${CODE_END}`,
);
const SUCCESS_PAIR = new RegExp(
  String.raw`(?<![\w.])(2)(\d\d)${SEPARATOR}(2\.\d{1,3}\.\d{1,3})${CODE_END}`,
);
// A code where a reply starts, followed by an enhanced code of any class ("454 5.5.1" exists).
const PLACED_FAILURE_PAIR = new RegExp(
  `${REPLY_START}${FAILURE_CODE}${SEPARATOR}(${ENHANCED}|${MASK})${CODE_END}`,
  "im",
);
const PLACED_SUCCESS_PAIR = new RegExp(
  `${REPLY_START}${SUCCESS_CODE}${SEPARATOR}(${ENHANCED})${CODE_END}`,
  "im",
);
// A reply code alone where a reply starts ("554 go away", "said: 550 550 OU-001"), or before
// the quoted reply of an Amazon SES bounce ("550-'Unknown user'").
const PLACED_CODE = new RegExp(
  String.raw`${REPLY_START}(?<![\w.])([2-5]\d\d)(?=[ \t-]|$)|(?<![\w.])([2-5]\d\d)(?=-')`,
  "im",
);
const LEADING_ENHANCED = new RegExp(String.raw`^\s*(${ENHANCED})${CODE_END}`);
const ANY_ENHANCED = new RegExp(String.raw`(?<![\w.])(${ENHANCED})${CODE_END}`);
// qmail ends its own replies with the enhanced code: "Sorry, no mailbox here by that name.
// (#5.1.1)". The text before it is the reply.
const QMAIL_STATUS = new RegExp(String.raw`\(#(${ENHANCED})\)`);

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
  region = joinSplitLinks(region, start.replyCode, start.enhanced);

  const flat = region.replace(/\s+/g, " ").trim();
  const enhanced =
    start.enhanced ??
    unmaskedEnhanced(flat, start.replyCode) ??
    QMAIL_STATUS.exec(flat)?.[1] ??
    null;
  const text = stripMarkers(flat, start.replyCode, enhanced);
  return { replyCode: start.replyCode, enhancedStatus: enhanced, text };
}

function locateReply(body: string, codeHint: number | null): Start {
  const pair =
    earliestPair(FAILURE_PAIR.exec(body), PLACED_FAILURE_PAIR.exec(body)) ??
    earliestPair(SUCCESS_PAIR.exec(body), PLACED_SUCCESS_PAIR.exec(body));
  if (pair !== null) return pair;

  if (codeHint === null) {
    const placed = PLACED_CODE.exec(body);
    if (placed !== null) {
      const index = codeIndex(placed);
      const enhanced = LEADING_ENHANCED.exec(body.slice(index + 3))?.[1] ?? null;
      return { index, replyCode: Number(placed[1] ?? placed[2]), enhanced };
    }
  }
  const qmail = QMAIL_STATUS.exec(body);
  if (qmail !== null) return { index: 0, replyCode: codeHint, enhanced: qmail[1] ?? null };
  // A library that states the code apart often leaves only enhanced codes in the text.
  const enhanced = ANY_ENHANCED.exec(body);
  if (enhanced === null) return { index: 0, replyCode: codeHint, enhanced: null };
  const index = midSentenceStart(body, enhanced.index) ?? enhanced.index;
  return { index, replyCode: codeHint, enhanced: enhanced[1] ?? null };
}

// The words before an enhanced code that is in mid-sentence after " - ".
const BEFORE_MID_SENTENCE_STATUS = /\S[ \t]+-[ \t]+$/;

/**
 * Returns the start of the line when the enhanced code at `index` is in mid-sentence after
 * " - ", as in Yahoo's "Mail from 192.0.2.21 not allowed - 5.7.1 [BL23] …", whose text before
 * the code belongs to the reply. Returns null when the code starts the reply text.
 */
function midSentenceStart(body: string, index: number): number | null {
  const lineStart = body.lastIndexOf("\n", index - 1) + 1;
  return BEFORE_MID_SENTENCE_STATUS.test(body.slice(lineStart, index)) ? lineStart : null;
}

/**
 * Returns the earlier of a same-class pair found anywhere (enhanced code in group 3) and a
 * pair where a reply starts (code in group 1, enhanced code in group 2).
 */
function earliestPair(
  anywhere: RegExpExecArray | null,
  placed: RegExpExecArray | null,
): Start | null {
  const fromAnywhere =
    anywhere === null ? null : pairStart(anywhere.index, anywhere[0].slice(0, 3), anywhere[3]);
  const fromPlaced =
    placed === null ? null : pairStart(codeIndex(placed), placed[1] ?? "", placed[2]);
  if (fromAnywhere === null) return fromPlaced;
  if (fromPlaced === null) return fromAnywhere;
  return fromPlaced.index < fromAnywhere.index ? fromPlaced : fromAnywhere;
}

function pairStart(index: number, code: string, enhanced: string | undefined): Start {
  const status = enhanced ?? "";
  return { index, replyCode: Number(code), enhanced: /^\d/.test(status) ? status : null };
}

/** Returns the position of the reply code in a match that may start with a wrapper's words. */
function codeIndex(match: RegExpExecArray): number {
  return match.index + match[0].search(/\d/);
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

// A reply code followed by an enhanced code, for `unmaskedEnhanced`.
const CODE_AND_ENHANCED = new RegExp(String.raw`(?<![\w.])(\d+)[ -](${ENHANCED})(?![\w.])`, "g");

// When the first marker was masked by the poster ("421-x.x.xx"), a later one may not be.
function unmaskedEnhanced(flat: string, replyCode: number | null): string | null {
  if (replyCode === null) return null;
  const code = String(replyCode);
  // As in stripMarkers, a match of another code cannot hide one of this code.
  CODE_AND_ENHANCED.lastIndex = 0;
  let match = CODE_AND_ENHANCED.exec(flat);
  while (match !== null && match[1] !== code) match = CODE_AND_ENHANCED.exec(flat);
  return match?.[2] ?? null;
}

// Any reply code as a marker: "421-4.7.28 ", "421 4.7.28 ", "550 , 550-5.7.26", "421-x.x.xx",
// and "554-" or a bare "554 " of a reply without enhanced codes. Groups: the code, the enhanced
// code or mask after it, and the blanks after that.
const MARKER = new RegExp(
  String.raw`(?<![\w.#])(\d+)(?:-|[ \t]+|[ \t]*[:,][ \t]+|$)(?:(${ENHANCED}|${MASK})(?![\w.])([ \t]*))?`,
  "g",
);
const STATUS_MARKER = new RegExp(String.raw`(?<![\w.])(?:${ENHANCED}|${MASK})(?![\w.])`, "g");

/**
 * Removes the reply code, the enhanced code and poster masks wherever they stand as markers.
 * The patterns match any code, and the replacements put back what belongs to other codes, so
 * no pattern is compiled per reply. Skipping a match of another code loses no marker of the
 * reply's own: after its code, such a match has only separators, blanks and an enhanced code,
 * and none of these can start a marker.
 */
function stripMarkers(flat: string, replyCode: number | null, enhanced: string | null): string {
  let text = flat;
  if (replyCode !== null) {
    const code = String(replyCode);
    text = text.replace(
      MARKER,
      (marker: string, found: string, status: string | undefined, blanks: string | undefined) => {
        if (found !== code) return marker;
        if (status === undefined || isOwnStatus(status, enhanced)) return " ";
        return ` ${status}${blanks ?? ""}`;
      },
    );
  }
  if (enhanced !== null && text.includes(`(#${enhanced})`))
    text = text.replace(`(#${enhanced})`, " ");
  // Continuation lines that a client library reduced to their enhanced code ("5.7.25 have a").
  // The search is skipped when neither the code nor a mask's "x." can occur in the text.
  if ((enhanced !== null && text.includes(enhanced)) || MASK_START.test(text)) {
    text = text.replace(STATUS_MARKER, (status) => (isOwnStatus(status, enhanced) ? " " : status));
  }
  return text
    .replace(/\s+/g, " ")
    .replace(/^[\s,;:-]+/, "")
    .trim();
}

/** True for the reply's own enhanced code and for a poster's mask ("x.x.xx"). */
function isOwnStatus(status: string, enhanced: string | null): boolean {
  return status === enhanced || status.startsWith("x") || status.startsWith("X");
}
