/** The SMTP command that a bounce text says an error answered. */

/** Returns the SMTP command an error text names, lower-case, or null. */
export function commandOf(text: string): string | null {
  const flat = text.replace(/\s+/g, " ");
  if (
    /\b(?:after|in reply to|like our|response to)\s+(?:the\s+)?(?:final\s+)?(?:end of data|DATA)\b|after end of data/i.test(
      flat,
    )
  )
    return "data";
  if (
    /\b(?:after|in reply to|like our|response to)\s+RCPT\b|RCPT TO response|>>> RCPT TO/i.test(flat)
  )
    return "rcpt";
  if (
    /\b(?:after|in reply to|like our|response to)\s+MAIL\b|>>> MAIL FROM|sender was rejected/i.test(
      flat,
    )
  )
    return "mail";
  if (/after initial connection|\bconnect(?:ion)? greeting\b/i.test(flat)) return "connect";
  if (/\b(?:after|in reply to)\s+(?:EHLO|HELO)\b/i.test(flat)) return "helo";
  return null;
}
