/**
 * Selectors tried when none is given or found: the defaults of common signing software and
 * mailbox providers. NOTE: a custom or rotated selector (Microsoft 365 tenants, Amazon SES)
 * is missed, so "no key found" among these means unverified, not absent.
 */
export const COMMON_SELECTORS: readonly string[] = [
  "default",
  "dkim",
  "mail",
  "selector1",
  "selector2",
  "google",
  "s1",
  "s2",
  "k1",
  "k2",
  "key1",
  "smtp",
  "mx",
  "email",
  "dkim1",
  "mandrill",
  "everlytickey1",
  "zoho",
];

/**
 * Reads the `s=` and `d=` tags of every DKIM-Signature header in a message (headers only; the
 * body is not needed), so `--message` can name the selectors to check.
 */
export function selectorsInMessage(message: string): { domain: string; selector: string }[] {
  const headerEnd = message.search(/\r?\n\r?\n/);
  const headers = (headerEnd < 0 ? message : message.slice(0, headerEnd)).replace(
    /\r?\n[ \t]+/g,
    " ",
  );
  const found: { domain: string; selector: string }[] = [];
  for (const line of headers.split(/\r?\n/)) {
    if (!/^dkim-signature\s*:/i.test(line)) continue;
    const selector = /(?:^|;)\s*s\s*=\s*([^;\s]+)/i.exec(line.slice(line.indexOf(":") + 1))?.[1];
    const domain = /(?:^|;)\s*d\s*=\s*([^;\s]+)/i.exec(line.slice(line.indexOf(":") + 1))?.[1];
    if (selector !== undefined && domain !== undefined)
      found.push({ domain: domain.toLowerCase(), selector });
  }
  return found;
}
