import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { finding, plural } from "./build.js";

/** Fewer distinct addresses mailed again after an unknown-user bounce are chance, not habit. */
const MIN_REPEATED_RECIPIENTS = 10;

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
  const senders = [...unknown.repeatsBySender]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([sender, count]) => ({ sender: sender === "" ? "<>" : sender, count }));
  return finding("spam-traps", {
    severity: "warning",
    role: "contributing",
    title: "Mail keeps going to addresses that bounced as unknown",
    summary:
      `${plural(unknown.repeatedAttempts, "later message")} went to ${plural(recipients, "address", "addresses")}` +
      `${unknown.repeatedRecipients.isExact ? "" : " (estimated)"} that had already bounced as unknown. ` +
      "Receivers count this against the sender, and addresses that stay dead are turned into spam traps.",
    evidence: {
      source: "logs",
      repeatedAttempts: unknown.repeatedAttempts,
      repeatedRecipients: recipients,
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
