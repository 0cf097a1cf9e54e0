import type { DeliveryFields } from "./delivery.js";
import { portAt } from "./field-reader.js";
import { connectionErrorOf } from "./message-notes.js";
import type { MessageState } from "./message.js";

/**
 * A host that a message line without an address names: `H=127.0.0.1 [127.0.0.1] Connection
 * refused` or `plain authenticator failed H=smtp.example.net [192.0.2.250] 535 …`. Exim leaves
 * the host out of the address lines that follow (`== a@example.com R=amavis T=amavis_smtp defer
 * (111): Connection refused`), and they get it when they report the same failure.
 */
export interface FailedHost {
  readonly host: string | null;
  readonly ip: string;
  /** The port after the address (`[192.0.2.250]:587`), or null when the line has none. */
  readonly port: number | null;
  /** The connection failure that the address line repeats, or null for a failed login. */
  readonly connectionError: string | null;
}

/**
 * Exim's text for a transport that required a login to its relay host and got none (`defer
 * (-42)`, ERRNO_AUTHFAIL), because the login failed or the host did not offer AUTH.
 */
export const AUTH_REQUIRED = "authentication required but ";

/**
 * Gives an address line without a host the host of the message's failed connection or login,
 * when the line reports that failure again. Lines of routing failures name no transport and
 * never get one.
 */
export function withFailedHost(state: MessageState, fields: DeliveryFields): void {
  const failed = state.failedHost;
  const errorText = fields.errorText;
  if (failed === null || errorText === null) return;
  if (fields.relayIp !== null || fields.transport === null) return;
  const repeats =
    failed.connectionError === null
      ? errorText.startsWith(AUTH_REQUIRED)
      : errorText.includes(failed.connectionError);
  if (!repeats) return;
  fields.relayHost = failed.host;
  fields.relayIp = failed.ip;
  fields.relayPort = failed.port;
}

/**
 * Reads the host and failure of a connection error line whose text starts at `start`. A failure
 * that `CONNECTION_ERRORS` does not list is the text after the host, as in `H=mx.example.net
 * [192.0.2.1] Network Error`.
 */
export function readHostError(text: string, start: number): FailedHost | null {
  const host = hostAt(text, start);
  if (host === null) return null;
  const connectionError = connectionErrorOf(text, start) ?? failureAfter(text, host.end);
  if (connectionError === null) return null;
  return { host: host.host, ip: host.ip, port: host.port, connectionError };
}

// Returns the text after a host and its `: ` or space, or null when none follows.
function failureAfter(text: string, end: number): string | null {
  let start = end;
  if (text.charCodeAt(start) === 58) start += 1;
  const failure = text.slice(start).trim();
  return failure === "" ? null : failure;
}

/** The relay host and reply of a failed login of this server to a relay host. */
export interface ClientAuthFailure {
  /** Null when the line names no host that can be read. */
  readonly host: FailedHost | null;
  readonly response: string;
}

/**
 * Reads `plain authenticator failed H=name [ip] reply`, or `login authenticator cancelled
 * authentication H=name [ip] reason`, whose text starts at `start`.
 */
export function readClientAuthFailure(text: string, start: number): ClientAuthFailure {
  const hostField = text.indexOf(" H=", start);
  const host = hostField < 0 ? null : hostAt(text, hostField + 1);
  if (host === null) return { host: null, response: text.slice(start) };
  return {
    host: { host: host.host, ip: host.ip, port: host.port, connectionError: null },
    response: text.slice(host.end).trim(),
  };
}

/** A host as a line names it, and the index after its closing bracket or its port. */
interface HostAt {
  readonly host: string | null;
  readonly ip: string;
  readonly port: number | null;
  readonly end: number;
}

/**
 * Reads `H=name [ip]`, `H=[ip]` or `name [ip]` at `start`, each with an optional `:port`
 * after the address, or returns null.
 */
function hostAt(text: string, start: number): HostAt | null {
  const nameStart = text.startsWith("H=", start) ? start + 2 : start;
  let open = nameStart;
  let host: string | null = null;
  if (text.charCodeAt(nameStart) !== 91) {
    const space = text.indexOf(" ", nameStart);
    if (space < 0 || text.charCodeAt(space + 1) !== 91) return null;
    host = text.slice(nameStart, space);
    open = space + 1;
  }
  const close = text.indexOf("]", open);
  if (close < 0) return null;
  const ip = text.slice(open + 1, close);
  const port = text.charCodeAt(close + 1) === 58 ? portAt(text, close + 2) : null;
  let end = close + 1;
  if (port !== null) {
    end += 1;
    while (isDigit(text.charCodeAt(end))) end += 1;
  }
  return { host, ip, port, end };
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
