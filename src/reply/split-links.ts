/**
 * Joining links that a line break split. Google wraps its replies at roughly 70 characters, as
 * seen in logs and bounces, and breaks a long link where the line is full
 * ("…/help/bulk_mail.", then "421 4.7.0 html to review"). A break after a link usually ends the
 * link, so a break joins only when the piece after it is unlikely to be a word of its own (see
 * `continuesLink`).
 */

// A link starts after a blank, a bracket or a quote, so links never overlap and a long run of
// "http://" costs linear time.
const LINK = String.raw`(?<![^\s(<"'])((?:https?:\/\/|www\.)[^\s<>"']+)`;
// A continuation marker of a reply line ("421-4.7.0 ", "421 4.7.0 ", "554 ", "421-x.x.xx "):
// the reply code in one group and the enhanced code or mask in the next.
const MARKER = String.raw`(\d{3})(?:-|[ \t]+)(?:([245]\.\d{1,3}\.\d{1,3}|[xX]\.[xX]{1,3}\.[xX]{1,3})[ \t]+)?`;
// A break after a link: a line end with or without a marker, as in the wire form and in
// pastes, or a marker within the line, where Postfix joined the reply's lines with blanks.
const LINK_BREAK = new RegExp(
  String.raw`${LINK}(?:[ \t]*\n[ \t]*(?:${MARKER})?|[ \t]+${MARKER})(?=\S)`,
  "g",
);

// The piece after a break, read from the break's end.
const PIECE = /\S+/y;
// The transaction id before Google's "- gsmtp" trailer, which follows a link at the end of a
// reply ("…?p=sender-guidelines. d9443c01a7336-1fed7ee81f0si149452475ad.272 - gsmtp").
const GOOGLE_ID = /\S+[ \t\n]+-[ \t\n]+gsmtp\b/y;
// File name extensions of web pages, after a link that ends in ".".
const PAGE_EXTENSION = /^(?:s?html?|php\d?|aspx?|jsp|cgi)(?:[?#/]\S*)?$/i;
// Characters that a link may hold but a word does not: a path, query or fragment.
const LINK_SYNTAX = /[/?#=&%]|\w\.\w/;
// Punctuation that ends a sentence or clause after a link.
const TRAILING_PUNCTUATION = /[.,;:!?)\]>'"]+$/;
// At most this many pieces join into one link, which bounds the passes over the text.
const MAX_PIECES = 8;

/**
 * Returns the reply with each link rejoined where a line break split it. `replyCode` and
 * `enhanced` are the reply's own codes: a marker with another code starts another reply, so
 * the break before it stays.
 */
export function joinSplitLinks(
  region: string,
  replyCode: number | null,
  enhanced: string | null,
): string {
  if (!region.includes("://") && !region.includes("www.")) return region;

  let text = region;
  for (let pass = 1; pass < MAX_PIECES; pass++) {
    const joined = joinOnce(text, replyCode, enhanced);
    if (joined === text) break;
    text = joined;
  }
  return text;
}

function joinOnce(text: string, replyCode: number | null, enhanced: string | null): string {
  return text.replace(
    LINK_BREAK,
    (
      match: string,
      link: string,
      lineCode: string | undefined,
      lineStatus: string | undefined,
      inlineCode: string | undefined,
      inlineStatus: string | undefined,
      offset: number,
    ) => {
      const code = lineCode ?? inlineCode;
      const status = lineStatus ?? inlineStatus;
      if (!isOwnMarker(code, status, replyCode, enhanced)) return match;
      return continuesLink(link, text, offset + match.length) ? link : match;
    },
  );
}

function isOwnMarker(
  code: string | undefined,
  status: string | undefined,
  replyCode: number | null,
  enhanced: string | null,
): boolean {
  if (code === undefined) return true;
  if (replyCode === null || Number(code) !== replyCode) return false;
  return status === undefined || status === enhanced || /^[xX]\./.test(status);
}

/**
 * True when the text from `start`, right after a break, continues the link before it. Links
 * seldom end in "=", "&", "%", "-" or "_", so after these any word continues the link. After
 * "/", "?" or "#" the next piece must contain link syntax itself ("mail/?p=BlockedMessage"),
 * because a link that ends in "/" is often followed by a plain word ("https://sender.office.com/
 * and follow"). After "." the next piece must be a page's file extension ("html") or contain a
 * path ("com/mail"), because "." also ends a sentence. Google's transaction id never continues
 * a link.
 */
function continuesLink(link: string, text: string, start: number): boolean {
  PIECE.lastIndex = start;
  GOOGLE_ID.lastIndex = start;
  const piece = PIECE.exec(text)?.[0];
  if (piece === undefined || !/^[\w~%]/.test(piece) || GOOGLE_ID.test(text)) return false;

  const word = piece.replace(TRAILING_PUNCTUATION, "");
  const last = link.slice(-1);
  if ("=&%-_".includes(last)) return true;
  if ("/?#".includes(last)) return LINK_SYNTAX.test(word);
  if (last === ".") return PAGE_EXTENSION.test(word) || word.includes("/");
  return false;
}
