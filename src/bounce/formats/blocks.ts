/**
 * Recipient blocks of plain-text bounces: the line that names a failed recipient and the
 * error text below it. One scanner serves the many MTAs that share this shape (Postfix and
 * qmail `<addr>:`, Exim's indented address, Sendmail's `>>> addr`, Exchange 2003's
 * `addr on date`, DragonFly's sentence, Gmail's indented address…).
 */
import { ADDRESS, normaliseAddress } from "./address.js";

/** One failed recipient and the text that the bounce gives for it. */
export interface RecipientBlock {
  readonly recipient: string;
  /** The block's lines after the anchor, boilerplate removed, line breaks kept. */
  readonly text: string;
}

const A = ADDRESS.source;

// Sendmail transcripts: "550 <a@b>... User unknown". The error text is in the "<<<" lines of
// the transcript just above it, which the scanner has already given to the block before.
const TRANSCRIPT = new RegExp(String.raw`^\s*[245]\d\d[ -]<(${A})>\.{3}\s*(.*)$`);

// DragonFly, au, IMail, FML and other sentences: "There was an error delivering your mail
// to <a@b>."
const SENTENCE = new RegExp(
  String.raw`(?:delivering your mail to|wasn't delivered to|delivered to the following recipients?:?|could not be delivered to:?|Delivery to|Unable to deliver message to:?|Delivery failed \d+ attempts:|Duplicated Message-ID in)\s+<?(${A})>?`,
  "i",
);

// Each pattern captures the address in group 1 and, where the error starts on the same
// line, the error in group 2.
const ANCHORS: readonly RegExp[] = [
  // Postfix and qmail: "<a@b> (expanded from <c@d>): text", "<a@b>:".
  new RegExp(String.raw`^\s*<(${A})>\s*(?:\(expanded from[^)]*\))?\s*:\s*(.*)$`),
  // Exim, Gmail, GMX, Domino, 1&1: the address alone on its line, maybe quoted, maybe ':'.
  new RegExp(String.raw`^\s*["<]?(${A})[">]?\s*:?\s*$`),
  // Exim's malformed-address report: "a@b <c@d>: malformed address: …".
  new RegExp(String.raw`^\s*(${A})\s+<${A}>\s*:\s*(.+)$`),
  // Sendmail-like lists: ">>> a@b <a@b>", "a@b <a@b>".
  new RegExp(String.raw`^\s*(?:>>>\s*)?(${A})\s+<${A}>\s*(?:\.{3}\s*(.*))?$`),
  // Exchange 2003: "a@b on Thu, 29 Apr 2010 …".
  new RegExp(String.raw`^\s*(${A})\s+on\s+\S.*$`),
  // "Recipient: <a@b>" (au EZweb), "Original-Recipient: a@b" in plain text.
  new RegExp(
    String.raw`^\s*(?:Recipient|Failed recipient|Final-Recipient|Recipient address)\s*:\s*(?:rfc822;\s*)?<?(${A})>?\s*(.*)$`,
    "i",
  ),
  SENTENCE,
  TRANSCRIPT,
  // OpenSMTPD, Zoho, Mimecast and others: the address first on its line, the error after it.
  new RegExp(String.raw`^\s*(?:--\s*|\*\s*)?<?(${A})>?(?:\s*(?:\.{3}|:|\s)\s*(.*))?$`),
];

// Lines that name the recipient inside the error text itself ("Address: <a@b>, ResponseCode
// 421", "rejected recipient <a@b>", "Mailbox is full: <a@b>"): the whole line is the error.
const INLINE_ANCHORS: readonly RegExp[] = [
  new RegExp(String.raw`(?:\bAddress:|rejected recipient)\s*<(${A})>`, "i"),
  new RegExp(String.raw`^\s*[A-Za-z][^<>@]{2,}:\s*<(${A})>\.?\s*$`),
];

// Sentences that every bounce of a format carries and that say nothing about the recipient.
const BOILERPLATE: readonly RegExp[] = [
  /^No action is required on your part/i,
  /^some time, and this warning may be repeated/i,
  /^Delivery attempts will continue/i,
  /^remains undelivered\. Eventually/i,
  /^and when that happens, the message will be returned/i,
  /^For further assistance, please/i,
  /^If you do so, please include this problem report/i,
  /^delete your own text from the/i,
  /^The mail system$/i,
  /^The Postfix program$/i,
];

/** Splits the notification into recipient blocks; the text before the first is `preamble`. */
export function recipientBlocks(notification: string): {
  blocks: RecipientBlock[];
  preamble: string;
} {
  const lines = notification.split("\n");
  const found: { recipient: string; lines: string[] }[] = [];
  const preamble: string[] = [];

  let previousLine = "";
  for (const line of lines) {
    // Exim's "A message sent by\n  <sender>\ncould not be delivered" names the sender.
    const anchor = /\bsent by\s*$/i.test(previousLine) ? null : matchAnchor(line);
    if (line.trim() !== "") previousLine = line;
    const current = found[found.length - 1];
    if (anchor !== null) {
      const same = found.find((block) => block.recipient === anchor.recipient);
      const target = same ?? { recipient: anchor.recipient, lines: [] };
      if (anchor.transcript) target.lines.push(...takeTranscript(current));
      if (same === undefined) found.push(target);
      if (anchor.rest !== "") target.lines.push(anchor.rest);
      continue;
    }
    if (current === undefined) preamble.push(line);
    else current.lines.push(line);
  }
  return {
    blocks: found.map((block) => ({ recipient: block.recipient, text: cleanBlock(block.lines) })),
    preamble: cleanBlock(preamble),
  };
}

interface Anchor {
  readonly recipient: string;
  readonly rest: string;
  readonly transcript: boolean;
}

function matchAnchor(line: string): Anchor | null {
  if (!line.includes("@") || line.length > 400) return null;
  for (const anchor of ANCHORS) {
    const match = anchor.exec(line);
    const recipient = validRecipient(match?.[1]);
    if (match === null || recipient === null) continue;
    // A sentence that names the recipient may also say what failed ("Duplicated Message-ID").
    const rest = anchor === SENTENCE ? line.trim() : (match[2] ?? "").trim();
    return { recipient, rest, transcript: anchor === TRANSCRIPT };
  }
  for (const anchor of INLINE_ANCHORS) {
    const recipient = validRecipient(anchor.exec(line)?.[1]);
    if (recipient !== null) return { recipient, rest: line.trim(), transcript: false };
  }
  return null;
}

function validRecipient(captured: string | undefined): string | null {
  if (captured === undefined) return null;
  const recipient = normaliseAddress(captured);
  return recipient.includes("@") && /\.[A-Za-z]{2,}$/.test(recipient) ? recipient : null;
}

/** Moves the transcript lines at the end of the previous block (`<<< 550 …`) to the new one. */
function takeTranscript(previous: { lines: string[] } | undefined): string[] {
  if (previous === undefined) return [];
  let start = previous.lines.length;
  while (
    start > 0 &&
    /^\s*(?:<<<|>>>|while talking|\.\.\. while talking)/i.test(previous.lines[start - 1] ?? "")
  ) {
    start--;
  }
  return previous.lines.splice(start);
}

function cleanBlock(lines: readonly string[]): string {
  return lines
    .filter((line) => !BOILERPLATE.some((pattern) => pattern.test(line.trim())))
    .join("\n")
    .trim();
}
