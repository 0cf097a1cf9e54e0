import type { DeliveryStatus } from "../events.js";
import { FieldReader, KEY_C, KEY_H, KEY_I, KEY_NONE, KEY_R, KEY_T, KEY_X } from "./field-reader.js";

/** The fields of a delivery line (`=>`, `->`, `>>`, `*>`, `**`, `==`) for one address. */
export interface DeliveryFields {
  recipient: string;
  /** The top-level address the recipient came from, `<parent@…>` after the recipient. */
  originalRecipient: string | null;
  /** The router from `R=`, or null when the line names none. */
  router: string | null;
  transport: string | null;
  relayHost: string | null;
  relayIp: string | null;
  /** The relay's port after its address (`H=host [ip]:587`), or null when the line has none. */
  relayPort: number | null;
  /** The local address the connection left from, `I=[ip]` after `H=`. */
  outgoingIp: string | null;
  /** TLS protocol from `X=`, spelled as OpenSSL does (`TLSv1.3`). */
  tlsProtocol: string | null;
  /** The remote confirmation `C="…"` (`+smtp_confirmation`). */
  confirmation: string | null;
  /** The text after the colon that ends the fields: Exim's reason or the remote reply. */
  errorText: string | null;
}

/**
 * Reads a delivery line whose address starts at `start`:
 * `=> addr <parent> R=router T=transport H=host [ip]:port I=[ip]:port X=… CV=… C="…"`, and on
 * failures `defer (-44) H=host [ip]: SMTP error from remote mail server after …: 550-…\n550 …`.
 * Exim keeps multi-line replies on one line with a literal `\n`, and so does `errorText`.
 */
export function readDelivery(reader: FieldReader, text: string, start: number): DeliveryFields {
  reader.reset(text, start, true);
  const fields: DeliveryFields = {
    recipient: reader.nextBare() ? reader.value() : "",
    originalRecipient: null,
    router: null,
    transport: null,
    relayHost: null,
    relayIp: null,
    relayPort: null,
    outgoingIp: null,
    tlsProtocol: null,
    confirmation: null,
    errorText: null,
  };

  while (reader.next()) {
    const key = reader.key;
    if (key === KEY_NONE) {
      readBareToken(reader, text, fields);
    } else if (key === KEY_T) {
      fields.transport = reader.value();
    } else if (key === KEY_R) {
      fields.router = routerName(reader.value());
    } else if (key === KEY_H) {
      reader.readHost();
      fields.relayHost = reader.hostName;
      fields.relayIp = reader.hostIp;
      fields.relayPort = reader.hostPort;
    } else if (key === KEY_I) {
      fields.outgoingIp = bracketedAddress(text, reader.valueStart, reader.valueEnd);
    } else if (key === KEY_X) {
      fields.tlsProtocol = tlsProtocol(text, reader.valueStart, reader.valueEnd);
    } else if (key === KEY_C) {
      fields.confirmation = reader.value();
    }
  }

  if (reader.textStart >= 0) {
    fields.errorText = text.slice(reader.textStart);
    const named = fields.relayIp === null ? hostInText(fields.errorText) : null;
    if (named !== null) {
      fields.relayHost = named.host;
      fields.relayIp = named.ip;
    }
  }
  return fields;
}

/** Maps a delivery flag and its error text to a status; null for lines that are no attempt. */
export function deliveryStatus(flag: string, errorText: string | null): DeliveryStatus | null {
  switch (flag) {
    case "=>":
    case "->":
    case ">>":
      return "sent";
    case "*>":
      // Delivery suppressed by `-N`: nothing was sent, and nothing failed.
      return "other";
    case "==":
      // `defer (0): SMTP delivery explicitly queued` is no attempt and no failure: Exim left
      // the address for the next queue run, as `queue_smtp_domains` or `-odqs` ask.
      if (errorText?.startsWith(EXPLICITLY_QUEUED) === true) return null;
      // `retry time not reached` (a queue run skipped an address whose next retry is still
      // in the future) is a deferral too, but without an attempt: see `isRetryTimeNotReached`.
      return "deferred";
    case "**":
      return errorText !== null && isTimeout(errorText) ? "expired" : "bounced";
    default:
      return null;
  }
}

const EXPLICITLY_QUEUED = "SMTP delivery explicitly queued";

// Exim gives up on an address after its retry rule's cut-off time. Its bounce messages put
// the last host's error first and `: retry timeout exceeded` after it, and a `**` line of that
// form is read as an attempt whose mail expired.
// NOTE: that form is seen in bounce messages only; whether Exim logs it on a `**` line is not
// confirmed from a real log.
function isTimeout(errorText: string): boolean {
  return (
    isGiveUpWithoutAttempt(errorText) ||
    errorText.endsWith(": retry timeout exceeded") ||
    errorText.includes("have been failing for a long time")
  );
}

/**
 * Tells whether a give-up line states that the address's own retry timeout passed (`retry
 * timeout exceeded`). The other give-ups of `isGiveUpWithoutAttempt` say that the domain's
 * hosts have failed for long, which Exim also writes for a new message that it bounces at
 * once without trying them, as the log of test 0461 of Exim's test suite shows.
 */
export function isRetryTimeoutExceeded(errorText: string | null): boolean {
  return errorText?.startsWith("retry timeout exceeded") === true;
}

/**
 * Tells whether a `==` line deferred an address without trying it, because a queue run found
 * that the retry time of its host or of the address had not come yet. Exim writes it as
 * `defer (-53): retry time not reached for any host for 'example.net'` after the transport, or
 * as `routing defer (-52): retry time not reached` before any router ran.
 */
export function isRetryTimeNotReached(errorText: string | null): boolean {
  return errorText?.startsWith("retry time not reached") === true;
}

/**
 * Tells whether a `**` line gives up on an address past its retry cut-off without trying it
 * again: `retry timeout exceeded` alone, or all of a domain's hosts failing for a long time.
 * Such a line ends the recipient's delivery, but it is no attempt.
 */
export function isGiveUpWithoutAttempt(errorText: string | null): boolean {
  if (errorText === null) return false;
  return (
    errorText.startsWith("retry timeout exceeded") ||
    (errorText.startsWith("all hosts") &&
      errorText.includes("have been failing for a long time")) ||
    // An older wording of the same give-up.
    errorText.startsWith("retry time not reached for any host after a long failure period")
  );
}

// A router without a transport ends its field with the colon before the reason
// (`R=r0: bounced (:fail:)`), so the colon is no part of the name.
function routerName(value: string): string {
  return value.endsWith(":") ? value.slice(0, -1) : value;
}

// `<parent@…>` is the original address; `(…)` tokens are intermediate parents, `defer` and
// `(-44)` the deferral and Exim's error number, all skipped.
function readBareToken(reader: FieldReader, text: string, fields: DeliveryFields): void {
  const first = text.charCodeAt(reader.valueStart);
  const last = text.charCodeAt(reader.valueEnd - 1);
  if (first === 60 && last === 62 && fields.originalRecipient === null) {
    fields.originalRecipient = text.slice(reader.valueStart + 1, reader.valueEnd - 1);
  }
}

// Exim logs the outgoing interface as `I=[192.0.2.1]`, followed by the port with
// `+outgoing_port`, when `log_selector` has `+incoming_interface`. Exim's `deliver.c`
// (`d_hostlog`) writes it on `=>`, `->` and `**` lines, and this reads it on any delivery
// line. Returns the address between the brackets, or null for any other form.
function bracketedAddress(text: string, start: number, end: number): string | null {
  if (text.charCodeAt(start) !== 91) return null;
  const close = text.indexOf("]", start);
  if (close < 0 || close > end || close === start + 1) return null;
  return text.slice(start + 1, close);
}

// `TLS1.3:TLS_AES_256_GCM_SHA384:256` (GnuTLS) or `TLSv1.3:…` (OpenSSL) → `TLSv1.3`. The
// common versions return constants, because this runs on most remote deliveries.
function tlsProtocol(text: string, start: number, end: number): string {
  if (text.startsWith("TLS1.3:", start) || text.startsWith("TLSv1.3:", start)) return "TLSv1.3";
  if (text.startsWith("TLS1.2:", start) || text.startsWith("TLSv1.2:", start)) return "TLSv1.2";
  const colon = text.indexOf(":", start);
  const protocol = text.slice(start, colon < 0 || colon > end ? end : colon);
  return protocol.startsWith("TLS1") ? "TLSv" + protocol.slice(3) : protocol;
}

/** A relay host and address named inside error text. */
export interface NamedHost {
  host: string;
  ip: string;
}

/**
 * Finds a host named inside the text, as lines without `H=` do:
 * `SMTP error from remote mail server after end of data: host mx.example.com [192.0.2.1]: 554 …`.
 */
export function hostInText(text: string): NamedHost | null {
  const at = text.indexOf(": host ");
  if (at < 0) return null;
  const nameStart = at + 7;
  const space = text.indexOf(" ", nameStart);
  if (space < 0 || text.charCodeAt(space + 1) !== 91) return null;
  const close = text.indexOf("]", space);
  if (close < 0) return null;
  return { host: text.slice(nameStart, space), ip: text.slice(space + 2, close) };
}
