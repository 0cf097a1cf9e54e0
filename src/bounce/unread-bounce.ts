/**
 * Messages that look like a bounce but give no recipient: a bounce copied while it was still
 * being written and cut before its delivery report, or a whole bounce in a format that delist
 * does not read. Such a message is reported as unreadable rather than dropped, so that an
 * operator does not lose those failures unawares.
 * A bounce cut inside its delivery report gives the recipients before the cut, and gets a note.
 */
import { isBounceSubject } from "./formats/text-bounce.js";
import { headerValue, type BounceMessage } from "./mime.js";
import { MAX_MIME_PARTS } from "./mime-postal.js";

const MAX_SUBJECT_CHARS = 60;

// How far past the last boundary delimiter the part's header fields are looked for.
const PART_HEADER_BYTES = 1024;

const DELIVERY_REPORT_TYPE = /^Content-Type:[ \t]*message\/(?:global-)?delivery-status\b/im;

/**
 * Returns the error for a message that gave no recipient although its headers mark it as a
 * bounce (a `multipart/report` type, `Auto-Submitted: auto-generated (failure)`, a
 * MAILER-DAEMON or postmaster sender, or a bounce subject), else null. With
 * `partLimitReached`, `raw` is the head within the MIME part limit and the error names the
 * limit. Otherwise it suggests a cut file only when `raw` ends early (see `endsEarly`), and
 * else takes the message as whole, with its report or recipient lines in a format that delist
 * does not read.
 */
export function unreadBounceError(
  message: BounceMessage,
  name: string,
  raw: Uint8Array | string,
  partLimitReached = false,
): string | null {
  const signs = bounceSigns(message);
  if (signs.length === 0) return null;

  const found = `"${name}" looks like a bounce (${signs.join(", ")})`;
  if (partLimitReached) {
    return (
      `${found} but no recipient was read from its first ${MAX_MIME_PARTS - 1} MIME parts. ` +
      `It has more than ${MAX_MIME_PARTS} MIME parts, the limit that delist reads, so the ` +
      `rest were skipped. Save the delivery report part alone as an .eml file and read that`
    );
  }
  if (endsEarly(message, raw)) {
    const missing =
      message.deliveryStatus === null
        ? "has no delivery report"
        : "has a delivery report that names no recipient";
    return (
      `${found} but ${missing}: cut short? ` +
      `No recipient was read from it; check that the file is complete, or copy it again`
    );
  }

  const missing =
    message.deliveryStatus === null
      ? "has no delivery report and no recipient line in a format that delist reads"
      : "has a delivery report that names no recipient";
  return (
    `${found} but ${missing}. No recipient was read from it; ` +
    `give each reply line in it to "delist explain" to decode the reply`
  );
}

/**
 * True when the raw message shows that it ends early: a multipart body without its closing
 * boundary delimiter (`--BOUNDARY--`, RFC 2046 section 5.1.1), or a message without a body.
 * A single-part body cut inside its text looks like a whole one, so it does not count.
 */
function endsEarly(message: BounceMessage, raw: Uint8Array | string): boolean {
  const boundary = boundaryOf(headerValue(message, "content-type") ?? "");
  if (boundary === null) {
    return message.text.trim() === "" && message.deliveryStatus === null;
  }
  const tail = textAfterLast(raw, `--${boundary}`);
  return tail === null || !tail.startsWith("--");
}

/** Returns the header facts that mark `message` as a bounce, in words for the error. */
function bounceSigns(message: BounceMessage): string[] {
  const signs: string[] = [];
  if (/^\s*multipart\/report\b/i.test(headerValue(message, "content-type") ?? "")) {
    signs.push("multipart/report");
  }
  if (
    /^\s*auto-generated\s*\(\s*failure\s*\)/i.test(headerValue(message, "auto-submitted") ?? "")
  ) {
    signs.push("Auto-Submitted: auto-generated (failure)");
  }
  const sender = message.from ?? "";
  if (/^(?:mailer-daemon|postmaster)(?:@|$)/i.test(sender)) signs.push(`sent by ${sender}`);
  if (isBounceSubject(message.subject)) signs.push(`subject "${shortened(message.subject)}"`);
  return signs;
}

function shortened(text: string): string {
  return text.length <= MAX_SUBJECT_CHARS ? text : `${text.slice(0, MAX_SUBJECT_CHARS - 1)}…`;
}

/**
 * True when the raw message ends inside the delivery report part of its multipart body. The
 * last boundary delimiter then opens a `message/delivery-status` part, and the closing
 * delimiter (`--BOUNDARY--`, RFC 2046 section 5.1.1) is missing. A message cut later, inside
 * the returned message, still has its whole report, so it does not count.
 */
export function endsInsideReport(message: BounceMessage, raw: Uint8Array | string): boolean {
  const boundary = boundaryOf(headerValue(message, "content-type") ?? "");
  if (boundary === null) return false;
  const tail = textAfterLast(raw, `--${boundary}`);
  if (tail === null || tail.startsWith("--")) return false;
  const partHeader = tail.split(/\r?\n\r?\n/)[0] ?? "";
  return DELIVERY_REPORT_TYPE.test(partHeader);
}

/** Returns the note for a message whose recipients were read from a cut delivery report. */
export function cutReportNote(name: string): string {
  return (
    `"${name}" ends inside its delivery report, before the closing MIME boundary: cut short? ` +
    `Its recipients were read from what is there, so the last one's fields or reply may be ` +
    `incomplete; check that the file is complete, or copy it again`
  );
}

/**
 * Returns the note for a message with ISO-2022-JP escape sequences cut short, which were left
 * out of its text (see `withoutCutEscapeSequences`).
 */
export function cutEscapeNote(name: string, count: number): string {
  const sequences =
    count === 1 ? "1 ISO-2022-JP escape sequence" : `${count} ISO-2022-JP escape sequences`;
  return (
    `"${name}" has ${sequences} cut short at the end of a line or of the file, left out of ` +
    `its text, so the message may be cut and the text around it incomplete; check that the ` +
    `file is complete, or copy it again`
  );
}

// Returns up to PART_HEADER_BYTES after the last `delimiter`, or null when there is none. The
// bytes are searched through a view, so that a large message is not copied.
function textAfterLast(raw: Uint8Array | string, delimiter: string): string | null {
  if (typeof raw === "string") {
    const last = raw.lastIndexOf(delimiter);
    if (last < 0) return null;
    const after = last + delimiter.length;
    return raw.slice(after, after + PART_HEADER_BYTES);
  }
  const data = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const last = data.lastIndexOf(delimiter, undefined, "latin1");
  if (last < 0) return null;
  const after = last + delimiter.length;
  return data.toString("latin1", after, after + PART_HEADER_BYTES);
}

function boundaryOf(contentType: string): string | null {
  if (!/^\s*multipart\//i.test(contentType)) return null;
  const match = /\bboundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}
