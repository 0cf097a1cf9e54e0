/**
 * Repairs of raw messages that the MIME parsers cannot read as they are: a delivery status
 * part labelled base64 that is plain text, and a message with more parts than the parser's
 * limit.
 */
import { MAX_MIME_PARTS } from "./mime-postal.js";

/** A raw message after a repair, and whether the repair changed it. */
export interface Repaired {
  readonly raw: Uint8Array | string;
  readonly changed: boolean;
}

const STATUS_TYPE = /^Content-Type:[ \t]*(?:message|text)\/(?:global-)?delivery-status\b/gim;
const BASE64_LABEL = /^(Content-Transfer-Encoding:[ \t]*)base64([ \t]*\r?)$/im;
const NOT_BASE64 = /[^A-Za-z0-9+/=\s]/;

/**
 * Relabels as 7bit each delivery status part whose `Content-Transfer-Encoding` is base64
 * but whose body has characters outside the base64 alphabet (RFC 2045 section 6.8), such as
 * the colons of its fields. Decoding such a body as base64 would turn its fields into noise.
 */
export function withPlainDeliveryStatus(raw: Uint8Array | string): Repaired {
  const text = latin1Text(raw);
  if (!/delivery-status/i.test(text) || !/base64/i.test(text)) return { raw, changed: false };

  let repaired = text;
  let changed = false;
  for (const match of text.matchAll(STATUS_TYPE)) {
    const headerStart = Math.max(
      repaired.lastIndexOf("\n--", match.index),
      repaired.lastIndexOf("\n\n", match.index),
      repaired.lastIndexOf("\n\r\n", match.index),
    );
    const blankLine = /\r?\n\r?\n/.exec(repaired.slice(match.index));
    if (blankLine === null) continue;
    const headerEnd = match.index + blankLine.index;
    const header = repaired.slice(headerStart + 1, headerEnd);
    if (!BASE64_LABEL.test(header)) continue;

    const bodyStart = headerEnd + blankLine[0].length;
    const nextBoundary = repaired.indexOf("\n--", bodyStart);
    const body = repaired.slice(bodyStart, nextBoundary < 0 ? repaired.length : nextBoundary);
    if (!NOT_BASE64.test(body)) continue;

    // Same length as the label it replaces, so the offsets of later matches stay valid.
    const relabelled = header.replace(BASE64_LABEL, "$17bit  $2");
    repaired = repaired.slice(0, headerStart + 1) + relabelled + repaired.slice(headerEnd);
    changed = true;
  }
  if (!changed) return { raw, changed };
  return { raw: typeof raw === "string" ? repaired : Buffer.from(repaired, "latin1"), changed };
}

/** Returns the note for a delivery status part that was relabelled as plain text. */
export function plainDeliveryStatusNote(name: string): string {
  return (
    `the delivery status part of "${name}" is labelled base64 but is not base64, so it was ` +
    "read as plain text"
  );
}

/**
 * Cuts a message before the boundary line that opens its `MAX_MIME_PARTS`th part, and
 * returns it unchanged when it has fewer parts. postal-mime counts the message itself and
 * every part, containers included, so the head has fewer parts than the limit. Servers put the delivery report before the returned message and any attachments,
 * so the head usually contains it.
 */
export function headWithinPartLimit(raw: Uint8Array | string): Repaired {
  const text = latin1Text(raw);
  const boundaries = new Set<string>();
  for (const match of text.matchAll(/\bboundary[ \t]*=[ \t]*(?:"([^"\r\n]+)"|([^\s;"]+))/gi)) {
    boundaries.add((match[1] ?? match[2] ?? "").trimEnd());
  }

  let openedParts = 1;
  for (const line of text.matchAll(/^--([^\r\n]*?)[ \t]*\r?$/gm)) {
    const boundary = line[1] ?? "";
    if (boundary.endsWith("--") && boundaries.has(boundary.slice(0, -2))) continue;
    if (!boundaries.has(boundary)) continue;
    openedParts++;
    if (openedParts < MAX_MIME_PARTS) continue;
    const head = text.slice(0, line.index);
    return { raw: typeof raw === "string" ? head : Buffer.from(head, "latin1"), changed: true };
  }
  return { raw, changed: false };
}

/** True for postal-mime's error for a message with more parts than its limit. */
export function isPartLimitError(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "EMAXPARTCOUNT";
}

/** Returns the note for a message of which only the parts within the limit were read. */
export function partLimitNote(name: string): string {
  return (
    `"${name}" has more than ${MAX_MIME_PARTS} MIME parts, the limit that delist reads, so ` +
    `only its first ${MAX_MIME_PARTS - 1} parts were read and the rest were skipped`
  );
}

/** Returns the error for a message that stays over the part limit after its head was cut. */
export function partLimitError(name: string): string {
  return (
    `cannot read "${name}": it has more than ${MAX_MIME_PARTS} MIME parts, the limit that ` +
    "delist reads, even before its part boundaries; save the delivery report part alone as " +
    "an .eml file and read that"
  );
}

/** Returns the bytes as Latin-1 text, one character a byte, without copying them first. */
function latin1Text(raw: Uint8Array | string): string {
  if (typeof raw === "string") return raw;
  return Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString("latin1");
}
