/** The SMTP command that a bounce text says an error answered. */

const AFTER = String.raw`\b(?:after|in reply to|like our|response to)\s+(?:the\s+)?(?:final\s+)?`;

// Checked in order; the first match names the command.
const COMMANDS: readonly (readonly [RegExp, string])[] = [
  [
    new RegExp(`${AFTER}(?:end of data|DATA)\\b|after end of data|SMTP command:? DATA\\b`, "i"),
    "data",
  ],
  [
    new RegExp(
      `${AFTER}RCPT\\b|RCPT TO response|>>> RCPT TO|does not like recipient|\\[RCPT_TO\\]|SMTP:RCPT\\b`,
      "i",
    ),
    "rcpt",
  ],
  [
    new RegExp(
      `${AFTER}MAIL\\b|>>> MAIL FROM|sender was rejected|\\[MAIL_FROM\\]|SMTP:MAIL\\b`,
      "i",
    ),
    "mail",
  ],
  [/after initial connection|\bconnect(?:ion)? greeting\b/i, "connect"],
  [/\b(?:after|in reply to)\s+(?:EHLO|HELO)\b/i, "helo"],
  // au (KDDI, ezweb.ne.jp) rejects a message that the recipient's own filter blocks after
  // DATA with "550 : User unknown", leaving the address out. It rejects an unknown address
  // at RCPT TO with "550 <address>: User unknown". Relaying MTAs quote either reply.
  [/\b550:? : User unknown\b/i, "data"],
  [/\b550:? <[^<>\s]+@[^<>\s]+>: User unknown\b/i, "rcpt"],
];

// Words that each pattern above needs; a text without any of them names no command.
const COMMAND_WORDS = /data|rcpt|mail|recipient|sender|connect|helo|ehlo|user unknown/i;

/** Returns the SMTP command an error text names, lower-case, or null. */
export function commandOf(text: string): string | null {
  if (!COMMAND_WORDS.test(text)) return null;
  const flat = text.replace(/\s+/g, " ");
  for (const [pattern, command] of COMMANDS) if (pattern.test(flat)) return command;
  return null;
}
