import { detectProvider, PROVIDER_OPERATORS, type ProviderId } from "../knowledge/providers.js";

/**
 * Telling the provider from the reply text when neither the hints nor the wrapper name the
 * receiving host: Google's `- gsmtp` trailer, help links, host names in the text. Addresses
 * are removed first, so a recipient like `user@yahoo.com` in a Gmail reply does not count.
 */

// Checked in order; the first match wins. Each entry names the provider the marker implies.
// Markers are host names, help links, trailers and reply forms, never a bare provider name,
// because other servers name providers in their own replies ("forged Gmail sender").
const TEXT_MARKERS: ReadonlyArray<readonly [RegExp, ProviderId]> = [
  [
    /\s-\s+gsmtp\b|support\.google\.com|google\.com\/mail|\bGmail (?:has detected|has blocked|requires|does not accept)\b|spam sent to Gmail/i,
    "gmail",
  ],
  [
    /mail\.protection\.outlook\.com|sender\.office\.com|fwlink\/\?LinkID=526655|aka\.ms\/EXOSmtpErrors/i,
    "exchange-online",
  ],
  [
    /olc\.protection\.outlook\.com|protection\.outlook\.com|mail\.live\.com|postmaster\.live\.com|go\.microsoft\.com|\bhotmail\.com\b|\boutlook\.com\b|Protocol Filter Agent/i,
    "outlook",
  ],
  [
    /yahoodns\.net|yahooinc\.com|help\.yahoo\.com|verizonmedia\.com|\byahoo\.com\b|\baol\.com\b/i,
    "yahoo",
  ],
  [/icloud\.com|support\.apple\.com|\bapple\.com\b/i, "icloud"],
  [/\bcomcast\.net\b/i, "comcast"],
  [/\bgmx\.(?:net|de|com)\b|\bweb\.de\b|Nemesis ESMTP|kundenserver\.de|perfora\.net/i, "gmx"],
  [/\bmail\.ru\b/i, "mailru"],
  [/\byandex\.(?:ru|net|com)\b|\bya\.cc\b/i, "yandex"],
  [/\b[\w-]+\.orange\.fr\b|\bmwinf\w*|\bOFR\d*_\d+/i, "orange"],
  [/mailchannels/i, "mailchannels"],
  [/\bt-online\.de\b|\bIP=[\d.a-f:]+ - .*\((?:BL|RDNS|NOWL)\)/i, "t-online"],
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
 * Returns the provider the reply text points to, or null. Reads the first 8 KiB of `text` and
 * of `replyText`, the reply itself when the caller has it.
 */
export function providerFromText(text: string, replyText = ""): ProviderId | null {
  const head =
    text.length <= PROVIDER_HINT_CHARS
      ? text
      : `${text.slice(0, PROVIDER_HINT_CHARS)}\n${replyText.slice(0, PROVIDER_HINT_CHARS)}`;
  const withoutAddresses = head.replace(ADDRESS, " ");
  for (const [pattern, provider] of TEXT_MARKERS) {
    if (pattern.test(withoutAddresses)) return provider;
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
