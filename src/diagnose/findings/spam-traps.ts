import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { finding, plural } from "./build.js";

/** Fewer distinct addresses mailed again after an unknown-user bounce are chance, not habit. */
const MIN_REPEATED_RECIPIENTS = 10;

/**
 * The share of unknown-user bounces in the log whose addresses were mailed again at which the
 * repeats become a warning. Below it they are information. The bounces of the repeats count
 * too, so a sender without bounce suppression that mails each dead address k more times
 * reaches a share of 1/(k+1): 50 % for one more send, still 5 % for 19 more. Users who retype
 * a wrong address stay far below: the log of `bench/generate-postfix.mjs --size-mib 300` has
 * 11 repeated addresses among 7,769 unknown-user bounces and 238,384 recipients (0.14 %).
 * NOTE: 5 % is an estimate set between those cases, not measured on real list senders.
 */
const WARNING_SHARE_OF_UNKNOWN = 0.05;

/**
 * `spam-traps` from the logs: later messages went to addresses that had already bounced as
 * unknown. A sender that keeps mailing dead addresses does not clean its lists, and receivers
 * turn long-dead addresses into spam traps, so this is how trap hits start. The blocklist
 * side (a listing on a list fed by spam traps) joins this finding when blocklists are
 * checked.
 */
export function detectSpamTraps(context: DiagnoseContext): Finding | null {
  const unknown = context.facts.unknownRecipients;
  const recipients = unknown.repeatedRecipients.size;
  const first = unknown.firstRepeat;
  if (recipients < MIN_REPEATED_RECIPIENTS || first === null) return null;
  // Only bounces in the logs mark an address as dead, so bounce messages (`--bounces`) are left
  // out. The count of repeated addresses is an estimate above a few hundred, hence the maximum.
  const unknownBounces = Math.max(unknown.count - unknown.fromBounces, recipients);
  const share = recipients / unknownBounces;
  const habit = share >= WARNING_SHARE_OF_UNKNOWN;
  const senders = [...unknown.repeatsBySender]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([sender, count]) => ({ sender: sender === "" ? "<>" : sender, count }));
  return finding("spam-traps", {
    severity: habit ? "warning" : "info",
    role: "contributing",
    title: habit
      ? "Mail keeps going to addresses that bounced as unknown"
      : "A few addresses that bounced as unknown were mailed again",
    summary:
      `${plural(unknown.repeatedAttempts, "later message")} went to ${plural(recipients, "address", "addresses")}` +
      `${unknown.repeatedRecipients.isExact ? "" : " (estimated)"} that had already bounced as unknown, ` +
      `${percentOf(share)} of the ${plural(unknownBounces, "unknown-user bounce")} in the log. ` +
      (habit
        ? "Receivers count this against the sender, and addresses that stay dead are turned into spam traps."
        : "So small a share points to mistyped addresses tried again rather than to lists kept without bounce suppression."),
    evidence: {
      source: "logs",
      repeatedAttempts: unknown.repeatedAttempts,
      repeatedRecipients: recipients,
      unknownBounces,
      topSenders: senders,
      firstRepeat: {
        time: context.time(first.time),
        file: first.position.file,
        line: first.position.line,
        recipient: first.recipient,
        bouncedAt: context.time(first.bouncedAt),
      },
    },
    samples: [
      context.sample(
        first.time,
        first.position,
        `mail to ${first.recipient}, which bounced as unknown at ${context.time(first.bouncedAt)}`,
      ),
    ],
    fix: [
      "Remove every address that bounced with 5.1.1 (user unknown) from the lists it came from, at the first bounce; mailing software calls this bounce suppression.",
      "For a newsletter, send only to confirmed (double opt-in) addresses and drop addresses that have not opened or clicked for a long time.",
      "Check where the senders above get their addresses: a bought, scraped or very old list is the usual source of trap hits.",
    ],
  });
}

/** Formats a share as a percentage with two significant digits below 10 %: `0.14 %`, `33 %`. */
function percentOf(share: number): string {
  const percent = share * 100;
  const digits = percent < 10 ? Number(percent.toPrecision(2)) : Math.round(percent);
  return `${digits.toLocaleString("en-US")} %`;
}
