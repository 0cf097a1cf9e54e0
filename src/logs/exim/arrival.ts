import type { LoggedMessage } from "../events.js";
import {
  FieldReader,
  KEY_A,
  KEY_H,
  KEY_ID,
  KEY_NONE,
  KEY_P,
  KEY_R,
  KEY_S,
  KEY_T,
  KEY_U,
} from "./field-reader.js";
import { isLoopbackIp } from "./loopback.js";

/**
 * Fills `message` from an arrival line, `<= sender H=… I=… U=… P=… A=… S=… id=… T="…" for …`,
 * whose sender starts at `start`. On arrival lines `T=` is the subject (`+subject`), not a
 * transport. Returns false when the line has no sender token.
 */
export function readArrival(
  reader: FieldReader,
  text: string,
  start: number,
  message: LoggedMessage,
): boolean {
  reader.reset(text, start, false);
  if (!reader.nextBare()) return false;
  message.sender = reader.valueIs("<>") ? "" : reader.value();

  let user: string | null = null;
  let hasParent = false;
  while (reader.next()) {
    const key = reader.key;
    if (key === KEY_NONE) {
      if (readBareToken(reader, message)) break;
    } else if (key === KEY_H) {
      readClient(reader, message);
    } else if (key === KEY_P) {
      message.service = reader.value();
    } else if (key === KEY_U) {
      user = reader.value();
    } else if (key === KEY_A) {
      message.saslUsername = authenticatedId(reader);
    } else if (key === KEY_S) {
      message.sizeBytes = reader.integerValue();
    } else if (key === KEY_ID) {
      message.messageId = reader.value();
    } else if (key === KEY_T) {
      message.subject = reader.value();
    } else if (key === KEY_R) {
      hasParent = true;
    }
  }

  // `U=` names the Unix user that ran the submitting process for local protocols. On SMTP
  // arrivals it is the RFC 1413 ident reply of the client, which only this host's own ident
  // server gives truthfully, so it is kept for loopback clients alone.
  // NOTE: a content filter that re-injects mail over SMTP (amavis on 127.0.0.1) also gets its
  // ident reply kept, so with ident lookups on, its mail reads as from the filter's user.
  // An empty `U=` (a line cut after the key, or an ident reply without a name) names nobody.
  if (user !== null && user.trim() !== "" && isLocalOrigin(message)) message.localUser = user;
  // `<= <> R=<parent id>` is a bounce or delay warning that Exim generated for a message it
  // holds; a null sender arriving over SMTP is someone else's bounce.
  message.isBounce = message.sender === "" && hasParent;
  return true;
}

function isLocalOrigin(message: LoggedMessage): boolean {
  if (message.service?.startsWith("local") === true) return true;
  return message.clientIp !== null && isLoopbackIp(message.clientIp);
}

// Handles `for rcpt1 rcpt2` (returns true: nothing follows it) and `from <sender>`.
function readBareToken(reader: FieldReader, message: LoggedMessage): boolean {
  if (reader.valueIs("for")) {
    let count = 0;
    while (reader.nextBare()) count += 1;
    message.recipientCount = count;
    return true;
  }
  // `from <address>` names a second sender address; the envelope sender is the address after
  // `<=`, so this one is read past and not kept.
  if (reader.valueIs("from")) reader.nextBare();
  return false;
}

function readClient(reader: FieldReader, message: LoggedMessage): void {
  reader.readHost();
  message.clientHost = reader.hostName;
  message.helo = reader.hostHelo;
  message.clientIp = reader.hostIp;
}

// `A=dovecot_login:alice@example.com` names the authenticator, then the id it set. Without a
// `server_set_id` Exim logs the authenticator alone, and the account is unknown.
function authenticatedId(reader: FieldReader): string | null {
  const value = reader.quoted ? reader.value() : null;
  if (value !== null) {
    const colon = value.indexOf(":");
    return colon < 0 || colon === value.length - 1 ? null : value.slice(colon + 1);
  }
  const colon = reader.text.indexOf(":", reader.valueStart);
  if (colon < 0 || colon >= reader.valueEnd - 1) return null;
  return reader.text.slice(colon + 1, reader.valueEnd);
}
