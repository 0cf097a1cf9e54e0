/**
 * Helpers of both MIME paths (postal-mime and the fast path): the content types of the
 * report parts, line-end and quoting clean-up, the body of a message without parts, HTML
 * reduced to text, addresses and dates.
 */
import type { Address } from "postal-mime";

/** Content types of the machine-readable delivery status (RFC 3464 and RFC 6533). */
export const DELIVERY_STATUS = /^(?:message|text)\/(?:global-)?delivery-status\b/;
/** Content type of an RFC 5965 feedback report. */
export const FEEDBACK_REPORT = /^message\/feedback-report\b/;
/** Content types of the returned message or its headers. */
export const ORIGINAL =
  /^(?:message\/(?:rfc822|global)|text\/(?:rfc822-)?headers|message\/rfc822-headers)\b/;

/** Returns the address of a parsed mailbox, or null for a group or an empty address. */
export function mailboxAddress(address: Address | undefined): string | null {
  if (address === undefined) return null;
  if ("address" in address && typeof address.address === "string" && address.address !== "") {
    return address.address;
  }
  return null;
}

/**
 * Converts the line ends of a message written with bare CR (classic Mac OS mail files) to
 * LF; the MIME parser splits lines on LF only. CRLF and LF messages are returned as they are.
 */
export function withLineFeeds(raw: Uint8Array | string): Uint8Array | string {
  if (typeof raw === "string") {
    const head = raw.slice(0, 4096);
    return !head.includes("\r") || head.includes("\n") ? raw : raw.replace(/\r/g, "\n");
  }
  const head = raw.subarray(0, 4096);
  if (!head.includes(0x0d) || head.includes(0x0a)) return raw;
  const copy = Buffer.from(raw);
  for (let index = 0; index < copy.length; index++) if (copy[index] === 0x0d) copy[index] = 0x0a;
  return copy;
}

/**
 * Returns an RFC 5322 `Date` value as ISO 8601 UTC, or null when missing or invalid. A date
 * that ends in a zone abbreviation RFC 5322 does not define is read with that zone's offset
 * when it is in `ZONE_OFFSETS` (`JST`, which Japanese mailers write), else as UTC, as RFC 5322
 * section 4.3 prescribes for alphabetic zones of unknown meaning.
 */
export function isoDate(value: string | undefined): string | null {
  if (value === undefined || value === "") return null;
  let time = Date.parse(value);
  if (Number.isNaN(time)) time = parseWithZoneName(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

// Abbreviations that name one offset wherever mail uses them. Ambiguous ones (IST, BST) are
// left out, so they are read as UTC: a few hours off, which a date window of days allows.
const ZONE_OFFSETS: Readonly<Record<string, string>> = {
  JST: "+0900",
  KST: "+0900",
  HKT: "+0800",
  SGT: "+0800",
  CET: "+0100",
  CEST: "+0200",
  EET: "+0200",
  EEST: "+0300",
  MSK: "+0300",
};

function parseWithZoneName(value: string): number {
  const match = /^(.*\d)\s+([A-Z]{3,4})\s*$/.exec(value.trim());
  if (match === null) return NaN;
  const offset = ZONE_OFFSETS[match[2] ?? ""] ?? "-0000";
  return Date.parse(`${match[1]} ${offset}`);
}

/**
 * Returns the raw body, for a multipart message whose boundary never occurs (so the parser
 * found no parts): the bounce text is then still there, unparsed. `attachmentCount` is the
 * number of attachments the parser found; with any, the body is not returned.
 */
export function rawBody(raw: Uint8Array | string, attachmentCount: number): string {
  if (attachmentCount > 0) return "";
  const text = typeof raw === "string" ? raw : new TextDecoder().decode(raw);
  const separator = /\r?\n\r?\n/.exec(text);
  return separator === null
    ? ""
    : text.slice(separator.index + separator[0].length).replace(/\r\n?/g, "\n");
}

/**
 * Removes one level of `> ` quoting when most lines carry it: a bounce that a person
 * forwarded inline, which is how bounces reach support tickets.
 */
export function unquote(text: string): string {
  if (!text.startsWith(">") && !text.includes("\n>")) return text;
  const lines = text.split("\n");
  const nonEmpty = lines.filter((line) => line.trim() !== "");
  const quoted = nonEmpty.filter((line) => line.startsWith(">"));
  if (nonEmpty.length === 0 || quoted.length < nonEmpty.length / 2) return text;
  return lines.map((line) => line.replace(/^> ?/, "")).join("\n");
}

/** Reduces HTML to its text with line breaks at block ends: enough to find reply texts. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(?:script|style)\b[\s\S]*?<\/(?:script|style)>/gi, " ")
    .replace(/<(?:br|\/p|\/div|\/tr|\/li|\/h\d)\b[^>]*>/gi, "\n")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/gi, " ")
    .replace(/&lt;/gi, "<")
    .replace(/&gt;/gi, ">")
    .replace(/&quot;/gi, '"')
    .replace(/&#39;/gi, "'")
    .replace(/&amp;/gi, "&")
    .replace(/[ \t]+/g, " ");
}

/** Converts CRLF and bare CR line ends to LF. */
export function withoutCarriageReturns(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}
