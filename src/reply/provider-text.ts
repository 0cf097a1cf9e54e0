import { detectProvider, PROVIDER_OPERATORS, type ProviderId } from "../knowledge/providers.js";

/**
 * Telling the provider from the reply text when neither the hints nor the wrapper name the
 * receiving host: Google's `- gsmtp` trailer, help links, host names in the text. Addresses
 * are removed first, so a recipient like `user@yahoo.com` in a Gmail reply does not count.
 */

/**
 * Returns a marker for host names and links under the given domains (a pattern source):
 * `mx1a1.comcast.net`, `https://comcast.net/help`, `ya.cc/1IrBc`. A bare domain is no marker,
 * because other servers name provider domains in their own replies ("Sender domain hotmail.com
 * does not designate …", "forged sender domain comcast.net").
 */
function hostOrLink(domains: string): string {
  return String.raw`(?:\/\/|[\w-]\.)(?:${domains})(?![\w-]|\.[\w-])|\b(?:${domains})\/`;
}

// Host names, help links, trailers and the provider's own reply forms, which only the
// provider's servers write. They are checked in order, and the first match wins.
const EVIDENCE_MARKERS: ReadonlyArray<readonly [RegExp, ProviderId]> = [
  [/\s-\s+gsmtp\b|support\.google\.com|google\.com\/mail/i, "gmail"],
  [
    /mail\.protection\.outlook\.com|protection\.office365\.us|\.mx\.microsoft\b|sender\.office\.com|fwlink\/\?LinkID=526655|aka\.ms\/EXOSmtpErrors/i,
    "exchange-online",
  ],
  [
    new RegExp(
      String.raw`protection\.outlook\.com|mail\.live\.com|postmaster\.live\.com|go\.microsoft\.com|${hostOrLink(String.raw`hotmail\.com|outlook\.com`)}`,
      "i",
    ),
    "outlook",
  ],
  [
    new RegExp(
      String.raw`yahoodns\.net|yahooinc\.com|help\.yahoo\.com|verizonmedia\.com|${hostOrLink(String.raw`yahoo\.com|aol\.com`)}`,
      "i",
    ),
    "yahoo",
  ],
  [new RegExp(hostOrLink(String.raw`icloud\.com|apple\.com`), "i"), "icloud"],
  [new RegExp(hostOrLink(String.raw`comcast\.net`), "i"), "comcast"],
  [
    new RegExp(
      String.raw`Nemesis ESMTP|kundenserver\.de|perfora\.net|${hostOrLink(String.raw`gmx\.(?:net|de|com)|web\.de`)}`,
      "i",
    ),
    "gmx",
  ],
  [new RegExp(hostOrLink(String.raw`mail\.ru`), "i"), "mailru"],
  [new RegExp(hostOrLink(String.raw`yandex\.(?:ru|net|com)|ya\.cc`), "i"), "yandex"],
  [/\b[\w-]+\.orange\.fr\b|\bmwinf\w*|\bOFR\d*_\d+/i, "orange"],
  [new RegExp(hostOrLink(String.raw`mailchannels\.(?:net|com)`), "i"), "mailchannels"],
  [
    new RegExp(
      String.raw`${hostOrLink(String.raw`t-online\.de`)}|\bIP=[\d.a-f:]+ - .*\((?:BL|RDNS|NOWL)\)`,
      "i",
    ),
    "t-online",
  ],
  [new RegExp(hostOrLink(String.raw`bluewin\.ch|swisscom\.ch`), "i"), "swisscom"],
];

// All evidence markers in one pattern. Most replies come from receivers without any marker, and
// one test of the joined pattern then replaces one test per marker.
const ANY_EVIDENCE = new RegExp(
  EVIDENCE_MARKERS.map(([pattern]) => `(?:${pattern.source})`).join("|"),
  "i",
);

// Wording that the provider's replies use but that another server could write too, such as a
// receiver that quotes Gmail's words or names the relay it uses. It names the provider only
// when nothing names the receiving host.
const WORDING_MARKERS: ReadonlyArray<readonly [RegExp, ProviderId]> = [
  [/\bGmail (?:has detected|has blocked|requires|does not accept)\b|spam sent to Gmail/i, "gmail"],
  [/Protocol Filter Agent/i, "outlook"],
  [/\bmailchannels\b/i, "mailchannels"],
];

// The lookbehind lets a match start only where a run of local-part characters starts, so each
// character is scanned a bounded number of times. Without it, every position inside a long run
// with no "@" starts a scan to the end of the run, which takes quadratic time.
const ADDRESS = /(?<![\w.%+=-])[\w.%+=-]+@[\w-]+(?:\.[\w-]+)+/g;

/**
 * Number of characters that `providerFromText` reads from the start of the text and of the
 * reply. Host names, help links and trailers sit in the reply or in the wrapper just before
 * it, and a reply line has at most 512 octets (RFC 5321 section 4.5.3.1.5). So 8 KiB leaves
 * room for a long multi-line reply, and a pasted megabyte costs no more than 8 KiB.
 */
const PROVIDER_HINT_CHARS = 8_192;

/**
 * Returns the provider the reply text points to, by evidence or by wording, or null. Reads the
 * first 8 KiB of `text` and of `replyText`, the reply itself when the caller has it.
 */
export function providerFromText(text: string, replyText = ""): ProviderId | null {
  const head = textHead(text, replyText);
  return evidenceIn(head) ?? firstMarked(head, WORDING_MARKERS);
}

/**
 * Returns the provider whose host names, help links, trailers or reply forms the text
 * carries, or null. Unlike `providerFromText`, wording that other servers may write as well
 * does not count.
 */
export function providerFromEvidence(text: string, replyText = ""): ProviderId | null {
  return evidenceIn(textHead(text, replyText));
}

/** Returns the provider that wording alone points to, such as "Gmail has detected", or null. */
export function providerFromWording(text: string, replyText = ""): ProviderId | null {
  return firstMarked(textHead(text, replyText), WORDING_MARKERS);
}

/** Returns the first 8 KiB of the text and of the reply, without addresses. */
function textHead(text: string, replyText: string): string {
  const head =
    text.length <= PROVIDER_HINT_CHARS
      ? text
      : `${text.slice(0, PROVIDER_HINT_CHARS)}\n${replyText.slice(0, PROVIDER_HINT_CHARS)}`;
  return head.replace(ADDRESS, " ");
}

function evidenceIn(head: string): ProviderId | null {
  return ANY_EVIDENCE.test(head) ? firstMarked(head, EVIDENCE_MARKERS) : null;
}

function firstMarked(
  text: string,
  markers: ReadonlyArray<readonly [RegExp, ProviderId]>,
): ProviderId | null {
  for (const [pattern, provider] of markers) {
    if (pattern.test(text)) return provider;
  }
  return null;
}

/** Returns true when both providers belong to the same company (Gmail and Workspace, say). */
export function sameOperator(left: ProviderId, right: ProviderId): boolean {
  return PROVIDER_OPERATORS[left] === PROVIDER_OPERATORS[right];
}

/** Returns the provider behind an MX host and recipient, or null for any other receiver. */
export function providerOfReceiver(
  relayHost: string | null,
  recipient: string | null,
): ProviderId | null {
  const detected = detectProvider(relayHost, recipient);
  return detected === "other" ? null : detected;
}

// Where wrappers name the recipient: Postfix "to=<a@b>", Exim "RCPT TO:<a@b>", a Postfix bounce
// line "<a@b>: host …", an Exim bounce line holding only the address, a DSN Final-Recipient.
// The local part excludes "@" and line starts allow only blanks, so no two quantifiers compete
// for the same characters and a long line costs linear time.
const RECIPIENT_PATTERNS: readonly RegExp[] = [
  /\bto=<([^<>\s@]+@[^<>\s]+)>/,
  /RCPT TO:[ \t]*<([^<>\s@]+@[^<>\s]+)>/i,
  /^[ \t]*<([^<>\s@]+@[^<>\s]+)>:/m,
  /^Final-Recipient:[ \t]*rfc822;[ \t]*<?([^<>\s@]+@[^<>\s]+?)>?[ \t]*$/im,
  /^[ \t]*([\w.+=-]+@[\w-]+(?:\.[\w-]+)+)[ \t]*$/m,
];

/** Returns the recipient address that a wrapper around the reply names, or null. */
export function recipientFromText(text: string): string | null {
  for (const pattern of RECIPIENT_PATTERNS) {
    const match = pattern.exec(text);
    if (match?.[1] !== undefined) return match[1];
  }
  return null;
}
