import type { MtaName } from "../../logs/events.js";
import { codeSpan, regexLiteral, shellQuote } from "../shell-quote.js";
import { listNames } from "./build.js";
import { mtaStep, stepMtas } from "./mta-steps.js";

/**
 * Returns a command that deletes from the Postfix queue every message whose envelope sender is
 * `sender`. `mailq` prints one paragraph per message, and the sender is its seventh field: it
 * follows the queue id (marked `*` when active, `!` when held), the size and the four fields of
 * the arrival time. The sender reaches awk through the environment, because `awk -v` would
 * expand backslash escapes in it. `postsuper -d -` reads the queue ids from standard input.
 * NOTE: a sender with a space in it (a quoted local part) spans two fields and is not matched.
 */
export function postfixDeleteCommand(sender: string): string {
  return `mailq | tail -n +2 | SENDER=${shellQuote(sender)} awk 'BEGIN { RS = "" } $7 == ENVIRON["SENDER"] { print $1 }' | tr -d '*!' | postsuper -d -`;
}

/**
 * Returns a command that deletes from the Exim queue every message whose envelope sender is
 * `sender`, and no other.
 */
export function eximDeleteCommand(sender: string): string {
  return `exiqgrep -i -f ${shellQuote(eximSenderPattern(sender))} | xargs exim -Mrm`;
}

/**
 * Returns the `exiqgrep -f` pattern that matches the envelope sender `sender` and nothing else.
 * exiqgrep matches the Perl regular expression anywhere in the sender, which it wraps in `<>`
 * (exiqgrep(8), Exim 4.97), so an unanchored `crm@example\.com` also matches
 * `xcrm@example.com` and `crm@example.com.au`.
 */
export function eximSenderPattern(sender: string): string {
  return `^<${regexLiteral(sender)}>$`;
}

// Sendmail has no command that deletes by sender: its queue is one qf (envelope) and one df
// (body) file per message id.
const SENDMAIL_DELETE =
  "`mailq` lists the ids; stop the queue runs, then delete the `qf` and `df` files of each id from /var/spool/mqueue";

/** Commands that delete one queued message by its id, by MTA. */
const DELETE_BY_ID: Readonly<Record<MtaName, string>> = {
  postfix: "`postsuper -d ID`",
  exim: "`exim -Mrm ID`",
  sendmail:
    "stop the queue runs, then delete the `qf` and `df` files of each id from /var/spool/mqueue",
};

/**
 * Builds the fix that deletes the queued mail of `senders` (the most frequent first), with
 * the commands of the MTAs that the log shows, or of Postfix and Exim when it shows none of
 * them. The commands name the first sender, and the step lists the others to repeat them for.
 * Each command ends a sentence, so that a report can print it on a line of its own.
 */
export function deleteQueuedStep(senders: readonly string[], mtas: ReadonlySet<MtaName>): string {
  const [first, ...others] = senders;
  if (first === undefined) {
    return mtaStep(
      "Delete its queued mail as root: list the queue with `mailq` and delete the ids of its messages.",
      DELETE_BY_ID,
      mtas,
    );
  }
  const commands = stepMtas(mtas).map((mta) => {
    if (mta === "postfix") return `Postfix: ${codeSpan(postfixDeleteCommand(first))}.`;
    if (mta === "exim") return `Exim: ${codeSpan(eximDeleteCommand(first))}.`;
    return `Sendmail: ${SENDMAIL_DELETE}.`;
  });
  const repeat =
    others.length === 0 ? "" : ` Repeat it for its other senders: ${listNames(others)}.`;
  return `Delete its queued mail, sent as ${first}, as root. ${commands.join(" ")}${repeat}`;
}

/** Commands that retry every deferred message of the queue now, by MTA. */
const RETRY_COMMANDS: Readonly<Record<MtaName, string>> = {
  postfix: "`postqueue -f`",
  // -qff forces a delivery attempt whatever the retry times, for frozen messages too.
  exim: "`exim -qff`",
  sendmail: "`sendmail -q`",
};

/**
 * Builds the step that retries the deferred queue, with the command of each MTA that the log
 * shows, or of Postfix and Exim when it shows none of them.
 */
export function retryQueueStep(lead: string, mtas: ReadonlySet<MtaName>): string {
  return mtaStep(lead, RETRY_COMMANDS, mtas);
}
