import type { ProbeReply, ProbeResult } from "./types.js";

/**
 * The maximum size in UTF-8 bytes of each reply text, and of the banner, that the history
 * stores. RFC 5321 (section 4.5.3.1.5) allows 512 octets per reply line, so 2 KiB keeps four
 * lines of that maximum, more than a typical refusal or EHLO reply takes. A probe records at
 * most 11 replies (greeting, EHLO, HELO, STARTTLS, EHLO, MAIL, RCPT, DATA, end of data, RSET,
 * QUIT), so with the banner its stored texts stay under 24 KiB. Uncut, each reply could reach
 * the reader's 64 KiB limit.
 */
export const MAX_STORED_TEXT_BYTES = 2048;

/**
 * The maximum number of EHLO extensions stored: several times the ten or so that Postfix lists
 * by default, where a hostile EHLO reply of 64 KiB could list thousands.
 */
export const MAX_STORED_EXTENSIONS = 64;

/** A reply as the history stores it. */
export type StoredProbeReply = ProbeReply & {
  /** The size of the whole text in UTF-8 bytes, set only when the stored `text` was cut. */
  readonly textBytes?: number;
};

/** A probe result as the history stores it, with its texts cut to a fixed size. */
export type StoredProbeResult = Omit<ProbeResult, "replies"> & {
  readonly replies: readonly StoredProbeReply[];
  /** The number of extensions the EHLO reply listed, set only when `extensions` was cut. */
  readonly extensionCount?: number;
};

/**
 * Cuts a probe result for the history: each reply text and the banner to
 * `MAX_STORED_TEXT_BYTES`, and the extensions to `MAX_STORED_EXTENSIONS`. A monitor that
 * probes a broken MX every two hours would otherwise store up to the reader's 64 KiB limit for
 * each reply each time. Everything else is stored as it is, and `delist probe --format json`
 * still prints the whole result.
 */
export function storedProbeResult(result: ProbeResult): StoredProbeResult {
  const extensions = result.extensions;
  return {
    ...result,
    banner: result.banner === null ? null : cutText(result.banner),
    extensions: extensions.slice(0, MAX_STORED_EXTENSIONS),
    ...(extensions.length > MAX_STORED_EXTENSIONS ? { extensionCount: extensions.length } : {}),
    replies: result.replies.map(storedReply),
  };
}

function storedReply(reply: ProbeReply): StoredProbeReply {
  const text = cutText(reply.text);
  if (text === reply.text) return reply;
  return { ...reply, text, textBytes: Buffer.byteLength(reply.text) };
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, at the last line end that fits. A first line
 * longer than `maxBytes` is cut between two characters.
 */
export function cutText(text: string, maxBytes = MAX_STORED_TEXT_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += character.length;
  }
  const head = text.slice(0, end);
  const lineEnd = head.lastIndexOf("\n");
  return lineEnd > 0 ? head.slice(0, lineEnd) : head;
}
