const NON_ASCII = /[\u0080-\uffff]/;
const UPPER_ASCII = /[A-Z]+/g;

/**
 * Lower-cases the ASCII letters of a value read from a log, and leaves every other char as it
 * is. Log lines are decoded as latin1, one char per byte, so the two bytes of a UTF-8 `É`
 * (`c3 89`) read as `Ã` and a control char. `toLowerCase` would turn `Ã` into `ã` (`e3`),
 * which garbles the name when it is shown as UTF-8. Domain names are case-insensitive in ASCII
 * only (RFC 4343), and account names are compared the same way here.
 */
export function lowerAscii(text: string): string {
  // Most names are logged in lower case already. Finding that out with this loop costs less
  // than the regular expression and the lower-cased copy below.
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if ((code >= 65 && code <= 90) || code >= 0x80) break;
    index += 1;
  }
  if (index === text.length) return text;
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  return text.replace(UPPER_ASCII, (run) => run.toLowerCase());
}
