/**
 * Reading one bounce message into the parts a bounce decoder needs: the top-level headers,
 * the human-readable notification, the machine-readable report (RFC 3464 delivery status or
 * RFC 5965 feedback report) and the returned original message.
 */
import { parseWithFastPath } from "./mime-fast-path.js";
import { withJapaneseCharsetsFixed, withoutCutEscapeSequences } from "./mime-japanese.js";
import { parseWithPostalMime } from "./mime-postal.js";

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

/**
 * Parses raw message bytes, after fixing wrong ISO-2022-JP labels and dropping ISO-2022-JP
 * escape sequences cut short (`mime-japanese.ts`). The fast path reads the common bounce
 * layouts and gives the same result as postal-mime; every other message goes to postal-mime.
 * Rejects only when postal-mime rejects (limits exceeded).
 */
export async function parseBounceMessage(raw: Uint8Array | string): Promise<BounceMessage> {
  const data =
    typeof raw === "string" ? raw : withJapaneseCharsetsFixed(withoutCutEscapeSequences(raw));
  return parseWithFastPath(data) ?? parseWithPostalMime(data);
}

/** Returns the first value of header `name` (lower-case), or null. */
export function headerValue(message: BounceMessage, name: string): string | null {
  return message.headers.find((header) => header.name === name)?.value ?? null;
}
