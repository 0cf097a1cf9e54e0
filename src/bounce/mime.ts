/**
 * Reading one bounce message with postal-mime into the parts a bounce decoder needs: the
 * top-level headers, the human-readable notification, the machine-readable report
 * (RFC 3464 delivery status or RFC 5965 feedback report) and the returned original message.
 */
import PostalMime, { type Email } from "postal-mime";

/** One header field as it appears in the message, name lower-cased. */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/** The parts of a bounce message that the decoders read. */
export interface BounceMessage {
  readonly headers: readonly HeaderField[];
  readonly subject: string;
  /** Address of the `From` header, or null. */
  readonly from: string | null;
  /** First address of the `To` header, or null. */
  readonly to: string | null;
  /** `Date` as ISO 8601 UTC, or null when missing or invalid. */
  readonly date: string | null;
  /** The text/plain parts (or the text of the HTML part when there is none), LF line ends. */
  readonly text: string;
  /** Body of a `message/delivery-status` part (or its `global` and `text/` variants). */
  readonly deliveryStatus: string | null;
  /** Body of a `message/feedback-report` part (RFC 5965). */
  readonly feedbackReport: string | null;
  /** The returned message or its headers (`message/rfc822`, `text/rfc822-headers`). */
  readonly original: string | null;
}

// Each returned message stays an attachment and is not parsed as a message of its own: the
// decoders need only its headers, and a nested parse would double the work and the memory.
const PARSE_OPTIONS = {
  maxRfc822NestingDepth: 0,
  attachmentEncoding: "utf8",
  maxPartCount: 200,
  maxNestingDepth: 20,
} as const;

const DELIVERY_STATUS = /^(?:message|text)\/(?:global-)?delivery-status\b/;
const FEEDBACK_REPORT = /^message\/feedback-report\b/;
const ORIGINAL =
  /^(?:message\/(?:rfc822|global)|text\/(?:rfc822-)?headers|message\/rfc822-headers)\b/;

/** Parses raw message bytes; rejects only when postal-mime rejects (limits exceeded). */
export async function parseBounceMessage(raw: Uint8Array | string): Promise<BounceMessage> {
  const email = await PostalMime.parse(withLineFeeds(raw), PARSE_OPTIONS);
  return {
    headers: email.headers.map((header) => ({ name: header.key, value: header.value })),
    subject: email.subject ?? "",
    from: mailboxAddress(email.from),
    to: mailboxAddress(email.to?.[0]),
    date: isoDate(email.date),
    text: unquote(notificationText(email) || rawBody(raw, email)),
    deliveryStatus: partText(email, DELIVERY_STATUS),
    feedbackReport: partText(email, FEEDBACK_REPORT),
    original: partText(email, ORIGINAL),
  };
}

/**
 * Converts the line ends of a message written with bare CR (classic Mac OS mail files) to
 * LF; the MIME parser splits lines on LF only. CRLF and LF messages are returned as they are.
 */
function withLineFeeds(raw: Uint8Array | string): Uint8Array | string {
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

/** Returns the first value of header `name` (lower-case), or null. */
export function headerValue(message: BounceMessage, name: string): string | null {
  return message.headers.find((header) => header.name === name)?.value ?? null;
}

function mailboxAddress(address: Email["from"] | undefined): string | null {
  if (address === undefined) return null;
  if ("address" in address && typeof address.address === "string" && address.address !== "") {
    return address.address;
  }
  return null;
}

function isoDate(value: string | undefined): string | null {
  if (value === undefined || value === "") return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/**
 * Returns the raw body, for a multipart message whose boundary never occurs (so the parser found no
 * parts): the bounce text is then still there, unparsed.
 */
function rawBody(raw: Uint8Array | string, email: Email): string {
  if (email.attachments.length > 0) return "";
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
function unquote(text: string): string {
  if (!text.startsWith(">") && !text.includes("\n>")) return text;
  const lines = text.split("\n");
  const nonEmpty = lines.filter((line) => line.trim() !== "");
  const quoted = nonEmpty.filter((line) => line.startsWith(">"));
  if (nonEmpty.length === 0 || quoted.length < nonEmpty.length / 2) return text;
  return lines.map((line) => line.replace(/^> ?/, "")).join("\n");
}

function notificationText(email: Email): string {
  const text = [...malformedTextParts(email), email.text ?? ""].join("\n");
  if (text.trim() !== "") return text;
  if (email.html === undefined) return "";
  return htmlToText(email.html);
}

/**
 * Returns the text of parts whose `Content-Type` lost the semicolon before its parameters
 * ("text/plain   charset=iso-2022-jp"): postal-mime keeps such a part as an attachment,
 * but some bounce notices are written that way.
 */
function malformedTextParts(email: Email): string[] {
  return email.attachments
    .filter((part) => part.disposition === null && /^text\/plain\s+\S/.test(part.mimeType))
    .map((part) =>
      typeof part.content === "string" ? part.content : new TextDecoder().decode(part.content),
    );
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

function partText(email: Email, mimeType: RegExp): string | null {
  for (const attachment of email.attachments) {
    if (!mimeType.test(attachment.mimeType)) continue;
    const content = attachment.content;
    return withoutCarriageReturns(
      typeof content === "string" ? content : new TextDecoder().decode(content),
    );
  }
  return null;
}

function withoutCarriageReturns(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}
