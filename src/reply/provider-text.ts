import { detectProvider, PROVIDER_OPERATORS, type ProviderId } from "../knowledge/providers.js";

/**
 * Telling the provider from the reply text when neither the hints nor the wrapper name the
 * receiving host: Google's `- gsmtp` trailer, help links, host names in the text. Addresses
 * are removed first, so a recipient like `user@yahoo.com` in a Gmail reply does not count.
 */

// Checked in order; the first match wins. Each entry names the provider the marker implies.
const TEXT_MARKERS: ReadonlyArray<readonly [RegExp, ProviderId]> = [
  [/\s-\s+gsmtp\b|support\.google\.com|google\.com\/mail|\bgmail\b/i, "gmail"],
  [
    /mail\.protection\.outlook\.com|sender\.office\.com|fwlink\/\?LinkID=526655/i,
    "exchange-online",
  ],
  [
    /olc\.protection\.outlook\.com|protection\.outlook\.com|mail\.live\.com|postmaster\.live\.com|go\.microsoft\.com|\bhotmail\b|\boutlook\.com\b|Protocol Filter Agent/i,
    "outlook",
  ],
  [
    /yahoodns\.net|yahooinc\.com|help\.yahoo\.com|verizonmedia\.com|\byahoo\.com\b|\baol\.com\b/i,
    "yahoo",
  ],
  [/icloud\.com|support\.apple\.com|\bapple\.com\b/i, "icloud"],
  [/comcast/i, "comcast"],
  [/\bgmx\.(?:net|de|com)\b|\bweb\.de\b|Nemesis ESMTP|kundenserver\.de|perfora\.net/i, "gmx"],
  [/\bmail\.ru\b/i, "mailru"],
  [/yandex|\bya\.cc\b/i, "yandex"],
  [/orange\.fr|\bmwinf\w*|\bOFR\d*_\d+/i, "orange"],
  [/mailchannels/i, "mailchannels"],
];

const ADDRESS = /[\w.%+=-]+@[\w-]+(?:\.[\w-]+)+/g;

/** Returns the provider the reply text points to, or null. */
export function providerFromText(text: string): ProviderId | null {
  const withoutAddresses = text.replace(ADDRESS, " ");
  for (const [pattern, provider] of TEXT_MARKERS) {
    if (pattern.test(withoutAddresses)) return provider;
  }
  return null;
}

/** Returns true when both providers belong to the same company (Gmail and Workspace, say). */
export function sameOperator(left: ProviderId, right: ProviderId): boolean {
  return PROVIDER_OPERATORS[left] === PROVIDER_OPERATORS[right];
}

// NOTE: detectProvider in knowledge/providers.ts matches <tenant>.mail.protection.outlook.com
// with its outlook.com pattern first, so Exchange Online tenants are checked here before it.
const EXCHANGE_ONLINE_MX = /(?:^|\.)mail\.protection\.outlook\.com\.?$/i;

/** Returns the provider behind an MX host and recipient, or null for any other receiver. */
export function providerOfReceiver(
  relayHost: string | null,
  recipient: string | null,
): ProviderId | null {
  if (relayHost !== null && EXCHANGE_ONLINE_MX.test(relayHost)) return "exchange-online";
  const detected = detectProvider(relayHost, recipient);
  return detected === "other" ? null : detected;
}

// Where wrappers name the recipient: Postfix "to=<a@b>", Exim "RCPT TO:<a@b>", a Postfix bounce
// line "<a@b>: host …", an Exim bounce line holding only the address, a DSN Final-Recipient.
const RECIPIENT_PATTERNS: readonly RegExp[] = [
  /\bto=<([^<>\s]+@[^<>\s]+)>/,
  /RCPT TO:\s*<([^<>\s]+@[^<>\s]+)>/i,
  /^\s*<([^<>\s]+@[^<>\s]+)>:/m,
  /^Final-Recipient:\s*rfc822;\s*<?([^<>\s]+@[^<>\s]+?)>?\s*$/im,
  /^\s*([\w.+=-]+@[\w-]+(?:\.[\w-]+)+)\s*$/m,
];

/** Returns the recipient address that a wrapper around the reply names, or null. */
export function recipientFromText(text: string): string | null {
  for (const pattern of RECIPIENT_PATTERNS) {
    const match = pattern.exec(text);
    if (match?.[1] !== undefined) return match[1];
  }
  return null;
}
