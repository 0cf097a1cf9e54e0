import type { LinePosition, SessionReplyEvent, TlsEvent } from "../events.js";
import { positionOf, type LogRecord, type ParseOutcome } from "../record.js";
import { findOrCreate, type PostfixContext, type QueuedLine } from "./context.js";
import { peerInText } from "./delivery.js";
import { hasPrefixAt, peerBetween, prefixAt, type Peer } from "./fields.js";
import { eventMessage } from "./store.js";

/**
 * Lines of the SMTP client about a whole connection rather than one recipient: rejections
 * at the greeting, EHLO or MAIL FROM, lost or timed-out conversations, and TLS sessions.
 */

const SESSION_PREFIXES = ["host ", "lost connection with ", "conversation with "];
const SASL_FAILED = "SASL authentication failed; server ";

/**
 * Emits a `session-reply` for `QID: host H[ip] said: …`, `… refused to talk to me: …`,
 * `lost connection with H[ip] while …`, `conversation with H[ip] timed out while …` and a
 * relay host's SASL rejection. Returns null for any other line.
 */
export function handleSessionReply(context: PostfixContext, line: QueuedLine): ParseOutcome | null {
  const text = line.record.message;
  const isSaslFailure = text.startsWith(SASL_FAILED, line.start);
  if (!isSaslFailure && prefixAt(text, SESSION_PREFIXES, line.start) === null) return null;
  const response = text.slice(line.start);
  let peer: Peer | null;
  if (isSaslFailure) {
    const end = response.indexOf(" ", SASL_FAILED.length);
    peer = peerBetween(response, SASL_FAILED.length, end < 0 ? response.length : end);
  } else {
    if (response.startsWith("host ") && !isRemoteReply(response)) return null;
    peer = peerInText(response);
  }

  const state = findOrCreate(context, line);
  const event: SessionReplyEvent = {
    type: "session-reply",
    time: line.record.time,
    position: positionOf(line.record),
    message: eventMessage(state),
    relayHost: peer?.host ?? null,
    relayIp: peer?.ip ?? null,
    response,
  };
  context.sink(event);
  return "parsed";
}

function isRemoteReply(text: string): boolean {
  return text.includes(" said: ") || text.includes(" refused to talk to me");
}

/** Returns the length of the trust word (with its space) at `start`, or 0. */
function trustWordLength(text: string, start: number): number {
  // The first letter picks the one word to compare.
  let word: string;
  switch (text.charCodeAt(start)) {
    case 84: // T
      word = "Trusted ";
      break;
    case 85: // U
      word = "Untrusted ";
      break;
    case 65: // A
      word = "Anonymous ";
      break;
    case 86: // V
      word = "Verified ";
      break;
    default:
      return 0;
  }
  return hasPrefixAt(text, word, start) ? word.length : 0;
}

const ESTABLISHED = "TLS connection established ";

/**
 * Emits a `tls` event for `Trusted TLS connection established to H[ip]:25: TLSv1.3 with
 * …` (outbound, smtp and lmtp), and ignores `… established from H[ip]: …` (inbound, smtpd).
 * Returns null when the text at `start` is not such a line.
 */
export function handleTls(
  context: PostfixContext,
  record: LogRecord,
  start: number,
): ParseOutcome | null {
  const text = record.message;
  const trust = trustWordLength(text, start);
  if (trust === 0 || !hasPrefixAt(text, ESTABLISHED, start + trust)) return null;

  let index = start + trust + ESTABLISHED.length;
  // Nothing reads the TLS of inbound sessions, so their lines are ignored (see
  // `QUIET_SMTPD_PREFIXES`).
  if (text.startsWith("from ", index)) return "ignored";
  if (!text.startsWith("to ", index)) return null;
  index += 3;

  const peerEnd = text.indexOf(": ", index);
  const peer = peerBetween(text, index, peerEnd < 0 ? text.length : peerEnd);
  const event: TlsEvent = {
    type: "tls",
    time: record.time,
    position: positionOf(record),
    direction: "outbound",
    peerHost: peer?.host ?? null,
    peerIp: peer?.ip ?? null,
    protocol: peerEnd < 0 ? null : protocolAt(text, peerEnd + 2),
  };
  context.sink(event);
  return "parsed";
}

/**
 * Starts of the outbound TLS lines of `smtp` and `lmtp` without a queue id, from which
 * diagnose needs only the time (see `RecordParser.timedPrefixes`). Postfix writes one per TLS
 * session when `smtp_tls_loglevel` is 1 or more, so a busy server can write nearly as many of
 * them as `to=` lines.
 */
export const OUTBOUND_TLS_PREFIXES: readonly string[] = [
  "Trusted TLS connection established to ",
  "Untrusted TLS connection established to ",
  "Anonymous TLS connection established to ",
  "Verified TLS connection established to ",
];

/**
 * Emits the `tls` event of a line that starts with one of `OUTBOUND_TLS_PREFIXES`, read from
 * its time and position alone, so the peer and protocol are null.
 */
export function passOutboundTls(
  context: PostfixContext,
  time: number,
  position: LinePosition,
): void {
  const event: TlsEvent = {
    type: "tls",
    time,
    position,
    direction: "outbound",
    peerHost: null,
    peerIp: null,
    protocol: null,
  };
  context.sink(event);
}

/** Returns the protocol word (`TLSv1.3`) at `index`, or null when none is logged there. */
function protocolAt(text: string, index: number): string | null {
  if (!text.startsWith("TLS", index) && !text.startsWith("SSL", index)) return null;
  const end = text.indexOf(" ", index);
  return end < 0 ? text.slice(index) : text.slice(index, end);
}
