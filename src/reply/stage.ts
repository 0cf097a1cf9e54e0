import type { SmtpStage } from "../knowledge/categories.js";

/**
 * Returns the SMTP stage named by a wrapper's wording: Postfix `in reply to <X> command`, Exim
 * `after <X>`. Unknown wording gives `other`.
 */
export function stageFromWording(wording: string): SmtpStage {
  const lower = wording.toLowerCase();
  if (lower.includes("end of data")) return "end-of-data";
  if (/^\s*(?:rcpt|rcpt to)\b/.test(lower) || lower.includes("rcpt to")) return "rcpt";
  if (lower.includes("mail from")) return "mail";
  if (/\b(?:ehlo|helo|lhlo)\b/.test(lower)) return "helo";
  if (lower.includes("starttls")) return "starttls";
  if (/\bauth\b/.test(lower)) return "auth";
  if (/\bdata\b/.test(lower)) return "data";
  if (/initial connection|greeting|connect/.test(lower)) return "connect";
  if (/\bquit\b/.test(lower)) return "quit";
  return "other";
}
