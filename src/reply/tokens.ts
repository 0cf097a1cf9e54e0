/**
 * Provider reason tokens and Google's per-transaction trailer, both read from the one-line
 * reply text.
 */
import type { ProviderId } from "../knowledge/providers.js";
import { providerFromEvidence } from "./provider-text.js";

// GMX and web.de: the case parameter of the explanation link.
const CASE_PARAMETER = /[?&](c=[a-z0-9]+)\b/i;

// Providers write their tokens in upper case, but admins paste replies in lower case too, so
// the patterns ignore case and `findProviderToken` returns the provider's own spelling.
const TOKEN_PATTERNS: readonly (readonly [RegExp, TokenCase])[] = [
  // Admin-defined Google Workspace rules mark their replies "- gcdp <session id>".
  [/\s-\s(gcdp)\b/i, "lower"],
  // Yahoo [TSS04] [BL21] [PH01] and the older [TS03], Apple [CS01] [HM07] [HME1], MailChannels
  // [CSR] [CS].
  [/\[((?:TSS?|IPTS|BL|GL|PH|CS|HM)\d\d|HME\d|CSR|CS)\]/i, "upper"],
  // Microsoft (S3150) (AS3140) (S775) (AS16012609).
  [/\((A?S\d{3,8})\)/i, "upper"],
  // Legacy Hotmail and Outlook.com policy codes.
  [/\b((?:OU|SC|DY|RP)-00\d)\b/i, "upper"],
  // Comcast BL000000, ES000010, DM000001.
  [/\b((?:BL|ES|DM)\d{6})\b/i, "upper"],
  // Orange OFR006_102, OFR_416, ofr_506, and LPN007_416 on the same bilingual replies.
  [/\b((?:OFR|LPN)\d*_\d+)\b/i, "upper"],
  [CASE_PARAMETER, "lower"],
  // Yahoo's unknown-account replies.
  [/delivery error: (dd)\b/i, "lower"],
];

// The provider that writes each kind of token. GMX's `c=` case parameter is left out, because
// a link of any other server can carry a `c=` parameter too.
const TOKEN_PROVIDERS: ReadonlyArray<readonly [RegExp, ProviderId]> = [
  [/^gcdp$/, "google-workspace"],
  [/^(?:(?:TSS?|IPTS|BL|GL|PH)\d\d|dd)$/, "yahoo"],
  [/^(?:(?:CS|HM)\d\d|HME\d)$/, "icloud"],
  [/^CSR?$/, "mailchannels"],
  [/^(?:A?S\d{3,8}|(?:OU|SC|DY|RP)-00\d)$/, "outlook"],
  [/^(?:BL|ES|DM)\d{6}$/, "comcast"],
  [/^(?:OFR|LPN)\d*_\d+$/, "orange"],
];

/**
 * Returns the provider that writes a token as `findProviderToken` returns it, or null for a
 * token that other servers can write too. Microsoft's tokens give `outlook`, though Exchange
 * Online writes some of them, because the rules of both services are looked up together.
 */
export function providerOfToken(token: string): ProviderId | null {
  for (const [pattern, provider] of TOKEN_PROVIDERS) {
    if (pattern.test(token)) return provider;
  }
  return null;
}

/**
 * Returns a token as `findProviderToken` returns it with the brackets that its provider writes
 * around it: `[TSS04]` for Yahoo, Apple and MailChannels, `(S3150)` for Microsoft, and other
 * tokens bare.
 */
export function bracketedToken(token: string): string {
  if (/^(?:(?:TSS?|IPTS|BL|GL|PH|CS|HM)\d\d|HME\d|CSR|CS)$/.test(token)) return `[${token}]`;
  if (/^A?S\d{3,8}$/.test(token)) return `(${token})`;
  return token;
}

/** The case in which a provider writes a token. */
type TokenCase = "upper" | "lower";

/**
 * Returns the provider's own reason token in the provider's spelling (`TSS04` for a pasted
 * `[tss04]`), or null when the reply carries none.
 */
export function findProviderToken(text: string): string | null {
  for (const [pattern, tokenCase] of TOKEN_PATTERNS) {
    const token = pattern === CASE_PARAMETER ? findCaseParameter(text) : pattern.exec(text)?.[1];
    if (token !== undefined)
      return tokenCase === "upper" ? token.toUpperCase() : token.toLowerCase();
  }
  return null;
}

/**
 * Returns the first `c=` parameter of a link that is not on another provider's host. Mail.ru's
 * spam replies link to "help.mail.ru/notspam-support/id?c=…", whose `c=` is no GMX case.
 */
function findCaseParameter(text: string): string | undefined {
  if (!CASE_PARAMETER.test(text)) return undefined;
  for (const word of text.split(/\s+/)) {
    const parameter = CASE_PARAMETER.exec(word)?.[1];
    if (parameter !== undefined && !isOtherProvidersLink(word)) return parameter;
  }
  return undefined;
}

// The host of a link, with or without its scheme: "https://postmaster.gmx.net/…", "web.de/…",
// also after an opening bracket or quote.
const LINK_HOST = /^[(<["']*(?:[a-z][a-z0-9+.-]*:)?(?:\/\/)?([^/?#]+)/i;

function isOtherProvidersLink(link: string): boolean {
  const host = LINK_HOST.exec(link)?.[1];
  if (host === undefined) return false;
  const provider = providerFromEvidence(`//${host}/`);
  return provider !== null && provider !== "gmx";
}

// "<id> - gsmtp" ends every Gmail reply; Workspace admin rules add "- gcdp <session id>" before it.
const GSMTP_MARK = /\s-\s+gsmtp\b/;
const GCDP_END = /\s-\s+gcdp\s+\S+$/;

/**
 * Removes Google's per-transaction trailer (and anything a wrapper appended after it): the word
 * before "- gsmtp", which is the transaction id, and a "- gcdp <session id>" before either. Every
 * transaction id in the test corpus has digits (`d75a77b69052e-4b2a1c2e3d4si1234qtb.12`), so a
 * last word without any is text of a reply that lost its id on the way, and it stays.
 */
export function stripGoogleTrailer(text: string): string {
  const index = text.search(GSMTP_MARK);
  if (index < 0) return text;

  let head = text.slice(0, index).trimEnd();
  let gcdp = GCDP_END.exec(head);
  if (gcdp === null) {
    const lastBlank = head.search(/\s\S*$/);
    if (lastBlank >= 0 && /\d/.test(head.slice(lastBlank))) head = head.slice(0, lastBlank);
    gcdp = GCDP_END.exec(head);
  }
  if (gcdp !== null) head = head.slice(0, gcdp.index);
  return head.trim();
}
