/**
 * Splitting a reply into a memo key and its per-transaction values (IP addresses, e-mail
 * addresses, session and queue ids, time stamps), so that the many replies of a large log that
 * differ only in those values share one memo entry. It scans char codes instead of running a
 * regular expression, because it runs once for every reply of a log.
 */

/** A reply with its per-transaction values cut out. */
export interface NormalisedReply {
  /** The reply with each value replaced by U+0000. */
  readonly key: string;
  /** The values, in the order they appear. */
  readonly values: readonly string[];
}

/** Stands for a value in a key or template; never part of a real reply. */
export const VALUE_MARK = "\u0000";

// Characters of a token: letters, digits and . _ : % + - @ (addresses, IPs, hosts and ids).
const TOKEN_NONE = 0;
const TOKEN_OTHER = 1;
const TOKEN_DIGIT = 2;
const TOKEN_AT = 3;
const TOKEN_CLASS = buildTokenClass();
const BACKSLASH = 92;

function buildTokenClass(): Uint8Array {
  const table = new Uint8Array(128);
  for (let code = 48; code <= 57; code++) table[code] = TOKEN_DIGIT;
  for (let code = 65; code <= 90; code++) table[code] = TOKEN_OTHER;
  for (let code = 97; code <= 122; code++) table[code] = TOKEN_OTHER;
  for (const char of "._:%+-") table[char.charCodeAt(0)] = TOKEN_OTHER;
  table["@".charCodeAt(0)] = TOKEN_AT;
  return table;
}

/** Splits a reply into its memo key and values. */
export function normaliseReply(text: string): NormalisedReply {
  const values: string[] = [];
  let key = "";
  let copiedTo = 0;
  forEachValue(text, (start, end) => {
    values.push(text.slice(start, end));
    key += text.slice(copiedTo, start) + VALUE_MARK;
    copiedTo = end;
  });
  return { key: key + text.slice(copiedTo), values };
}

/** Calls `visit` with the bounds of every per-transaction value in the text, in order. */
export function forEachValue(text: string, visit: (start: number, end: number) => void): void {
  const length = text.length;
  let index = 0;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code === BACKSLASH) {
      // An escape such as Exim's literal "\n" ends a token and starts none.
      index += 2;
      continue;
    }
    if (code >= 128 || TOKEN_CLASS[code] === TOKEN_NONE) {
      index++;
      continue;
    }
    const start = index;
    let digits = 0;
    let hasAt = false;
    while (index < length) {
      const next = text.charCodeAt(index);
      const kind = next < 128 ? TOKEN_CLASS[next] : TOKEN_NONE;
      if (kind === TOKEN_NONE) break;
      if (kind === TOKEN_DIGIT) digits++;
      else if (kind === TOKEN_AT) hasAt = true;
      index++;
    }
    if (isValue(text, start, index, digits, hasAt)) visit(start, index);
  }
}

// Reply codes, enhanced codes and provider tokens (Comcast BL000001, Orange OFR006_102,
// Microsoft AS16012609) decide the meaning, so they stay in the key even when long, and in
// either case, because pasted replies may be in lower case.
const KEPT_TOKEN = /^(?:\d{3}-|[245]\.\d{1,3}\.\d{1,3}$|(?:BL|ES|DM)\d{6}$|OFR|A?S\d+$)/i;

function isValue(
  text: string,
  start: number,
  end: number,
  digits: number,
  hasAt: boolean,
): boolean {
  if (hasAt) return true;
  const length = end - start;
  if (digits === 0 || length < 7) return false;
  // Fast path for the continuation markers that fill Gmail replies ("421-4.7.28").
  if (text.charCodeAt(start + 3) === 45 && digits >= 3 && isDigit(text.charCodeAt(start)))
    return false;
  const token = text.slice(start, end);
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(token)) return true;
  if (length < 8 || KEPT_TOKEN.test(token)) return false;
  return !isStableHostName(token);
}

// Host names such as alt1.gmail-smtp-in.l.google.com or mx-ha03.web.de name the receiver and
// recur; names with a long number in the first label (mta4221.mail.gq1.yahoo.com) do not.
function isStableHostName(token: string): boolean {
  const firstDot = token.indexOf(".");
  if (firstDot < 0 || token.includes(":")) return false;
  const lastLabel = token.slice(token.lastIndexOf(".") + 1);
  if (!/^[A-Za-z]{2,}$/.test(lastLabel)) return false;
  const firstLabelDigits = token.slice(0, firstDot).replace(/\D/g, "").length;
  return firstLabelDigits < 3;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
