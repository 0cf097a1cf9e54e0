/**
 * Sendmail's `key=value, key=value` lists and the values inside them: relays, recipient lists
 * and controlling addresses.
 */

/** Fields of one line, by key; a key that appears twice keeps its last value. */
export type Fields = Map<string, string>;

// Fields whose value runs to the end of the line: free text that may contain `, key=`.
const LAST_FIELDS = new Set(["stat", "reject"]);

/**
 * Reads the `key=value` list that starts at `start`. Values end at a comma followed by an
 * optional space and the next `key=`, so `to=<a@example.com>,<b@example.com>` stays one
 * value and `dsn=5.0.0,stat=…` splits. Returns null when the text does not start with a key.
 */
export function readFields(text: string, start: number): Fields | null {
  const fields: Fields = new Map();
  let index = start;
  while (index < text.length) {
    const keyEnd = keyEndAt(text, index);
    if (keyEnd < 0) return fields.size === 0 ? null : fields;
    const key = text.slice(index, keyEnd);
    const valueStart = keyEnd + 1;

    const valueEnd = LAST_FIELDS.has(key) ? text.length : valueEndAt(text, valueStart);
    fields.set(key, text.slice(valueStart, valueEnd));
    index = valueEnd + 1;
    while (text.charCodeAt(index) === 32) index += 1;
  }
  return fields;
}

// Returns the index of `=` when a key (a letter, then letters, digits or `_`) starts here.
function keyEndAt(text: string, start: number): number {
  for (let index = start; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 61) return index > start ? index : -1;
    const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    const other = (code >= 48 && code <= 57) || code === 95;
    if (!letter && !(other && index > start)) return -1;
  }
  return -1;
}

function valueEndAt(text: string, start: number): number {
  let comma = text.indexOf(",", start);
  while (comma >= 0) {
    let next = comma + 1;
    while (text.charCodeAt(next) === 32) next += 1;
    if (keyEndAt(text, next) > 0) return comma;
    comma = text.indexOf(",", comma + 1);
  }
  return text.length;
}

/**
 * A relay as Sendmail logs it: `host. [ip]`, `[host] [ip]`, `[ip] [ip]`, `[ip]`, or
 * `user@localhost`.
 */
export interface Relay {
  /**
   * Host name without the brackets and the trailing dot; null for an address literal or a
   * local user.
   */
  host: string | null;
  ip: string | null;
  /** The user of a local submission, from `relay=user@localhost`. */
  localUser: string | null;
}

/** Parses a `relay=` value; `(may be forged)` after the address is dropped. */
export function parseRelay(value: string): Relay {
  const space = value.indexOf(" ");
  const first = space < 0 ? value : value.slice(0, space);
  const open = value.indexOf("[", space < 0 ? 0 : space);
  const close = open < 0 ? -1 : value.indexOf("]", open);

  if (first.endsWith("@localhost") && open < 0) {
    return { host: null, ip: null, localUser: first.slice(0, -"@localhost".length) };
  }
  // The address in brackets after the first token, else the first token when it is one.
  const second = space >= 0 && close > open ? withoutIpv6Tag(value.slice(open + 1, close)) : null;
  const ip = second ?? literal(first);
  const host = first.startsWith("[") ? bracketedName(first) : first.replace(/\.$/, "");
  return { host: host === "" ? null : host, ip, localUser: null };
}

function literal(token: string): string | null {
  if (!token.startsWith("[") || !token.endsWith("]")) return null;
  const address = withoutIpv6Tag(token.slice(1, -1));
  return isAddressLiteral(address) ? address : null;
}

/**
 * Returns the host name of a bracketed first token, or null for an address literal. Sendmail
 * writes the name in brackets when the mailer's host was given that way, as a `SMART_HOST` of
 * `[smtp.example.net]`, which skips the MX lookup: `relay=[smtp.example.net] [192.0.2.25]`.
 */
function bracketedName(token: string): string | null {
  if (!token.startsWith("[") || !token.endsWith("]")) return null;
  const inside = token.slice(1, -1);
  if (inside.startsWith("IPv6:") || isAddressLiteral(inside)) return null;
  const name = inside.endsWith(".") ? inside.slice(0, -1) : inside;
  return name === "" ? null : name;
}

/**
 * True for an IPv4 address (digits and dots) or an IPv6 address (it has a colon, which no host
 * name has). It does not validate the address, because it only tells an address from a name.
 */
function isAddressLiteral(text: string): boolean {
  return text.includes(":") || /^[0-9.]+$/.test(text);
}

// An IPv6 address literal carries the `IPv6:` tag of RFC 5321, section 4.1.3.
function withoutIpv6Tag(address: string): string {
  return address.startsWith("IPv6:") ? address.slice(5) : address;
}

/** Splits a `to=` list on commas outside `<…>` and quotes and removes the angle brackets. */
export function splitRecipients(value: string): string[] {
  const recipients: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let index = 0; index <= value.length; index++) {
    const code = value.charCodeAt(index);
    if (code === 34) quoted = !quoted;
    else if (code === 60 && !quoted) depth += 1;
    else if (code === 62 && !quoted && depth > 0) depth -= 1;
    else if ((code === 44 || index === value.length) && depth === 0 && !quoted) {
      const recipient = withoutAngles(value.slice(start, index).trim());
      if (recipient !== "") recipients.push(recipient);
      start = index + 1;
    }
  }
  return recipients;
}

/** Removes one pair of surrounding angle brackets. */
export function withoutAngles(address: string): string {
  return address.startsWith("<") && address.endsWith(">") ? address.slice(1, -1) : address;
}

/** The Unix account behind a local submission, from `ctladdr=<user@host> (uid/gid)`. */
export interface ControllingUser {
  user: string;
  uid: number | null;
}

/** Parses `ctladdr=<shopuser@shop.example.com> (1004/1004)` or `ctladdr=root (0/0)`. */
export function parseControllingAddress(value: string): ControllingUser {
  const open = value.lastIndexOf(" (");
  const address = withoutAngles(open < 0 ? value : value.slice(0, open));
  const at = address.indexOf("@");
  const user = at < 0 ? address : address.slice(0, at);

  let uid: number | null = null;
  const slash = open < 0 ? -1 : value.indexOf("/", open);
  if (slash > 0) {
    const parsed = Number(value.slice(open + 2, slash));
    uid = Number.isInteger(parsed) && parsed >= 0 ? parsed : null;
  }
  return { user, uid };
}
