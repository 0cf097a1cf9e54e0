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
  return postfixQueueCommand(sender, "-d");
}

/**
 * Returns a command that puts on hold (`-h`) or releases (`-H`) the Postfix queue's messages
 * whose envelope sender is `sender`, picked as `postfixDeleteCommand` picks them.
 */
export function postfixQueueCommand(sender: string, action: "-d" | "-h" | "-H"): string {
  return `mailq | tail -n +2 | SENDER=${shellQuote(sender)} awk 'BEGIN { RS = "" } $7 == ENVIRON["SENDER"] { print $1 }' | tr -d '*!' | postsuper ${action} -`;
}

/**
 * Returns a command that deletes from the Exim queue every message whose envelope sender is
 * `sender`, and no other.
 */
export function eximDeleteCommand(sender: string): string {
  return eximQueueCommand(sender, "-Mrm");
}

/**
 * Returns a command that deletes (`-Mrm`), freezes (`-Mf`) or thaws (`-Mt`) the Exim queue's
 * messages whose envelope sender is `sender`, and no other.
 */
export function eximQueueCommand(sender: string, action: "-Mrm" | "-Mf" | "-Mt"): string {
  return `exiqgrep -i -f ${shellQuote(eximSenderPattern(sender))} | xargs exim ${action}`;
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
// (body) file per message id. Quarantine renames the qf file to hf (queue.c of Sendmail 8.14),
// so a message that `holdQueuedStep` held has an hf file in place of its qf file.
const SENDMAIL_DELETE_FILES =
  "stop the queue runs, then delete the `qf` and `df` files of each id from /var/spool/mqueue, with the `hf` file in place of `qf` for a held message";

const SENDMAIL_DELETE = `\`mailq\` lists the ids, and \`mailq -qQ\` those of held messages. To delete them, ${SENDMAIL_DELETE_FILES}`;

/** Commands that delete one queued message by its id, by MTA. */
const DELETE_BY_ID: Readonly<Record<MtaName, string>> = {
  postfix: "`postsuper -d ID`",
  exim: "`exim -Mrm ID`",
  sendmail: SENDMAIL_DELETE_FILES,
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

// Since 8.13, Sendmail quarantines the queued messages that -qI picks by id when -Q has a
// reason, and releases them when it has none. Only -qQ picks quarantined messages, so only
// `mailq -qQ` lists them. Oracle's "Managing sendmail Services in Oracle Solaris 11.2" and
// mailq(1) of Sendmail 8.18 list these options. A bare -Q at the end has no reason, because
// main.c of Sendmail 8.14 turns it into -Q., which quarantine_queue reads as a release.
// NOTE: tests run these commands against a stand-in that reads them as that source does, not
// against a real sendmail.
const SENDMAIL_HOLD_REASON = "held by the admin";

/**
 * Returns a command that quarantines the queued Sendmail message `id`, so that queue runs leave
 * it alone. `-qI` matches `id` anywhere in a queue id, so it must be a whole id.
 */
export function sendmailHoldCommand(id: string): string {
  return `sendmail -qI${shellQuote(id)} -Q${shellQuote(SENDMAIL_HOLD_REASON)}`;
}

/** Returns a command that releases the quarantined Sendmail message `id` to the queue runs. */
export function sendmailReleaseCommand(id: string): string {
  return `sendmail -qQ -qI${shellQuote(id)} -Q`;
}

// `mailq` writes `*`, `X` or `-` right after the id of a message that is being delivered, waits
// for a lower load or is too young to run (mailq(1) of Sendmail 8.18).
const SENDMAIL_HOLD_BY_ID = `\`${sendmailHoldCommand("ID")}\`, where ID is an id from \`mailq\` without the \`*\`, \`X\` or \`-\` that can follow it. \`mailq -qQ\` lists the held messages, and \`${sendmailReleaseCommand("ID")}\` releases one`;

const SENDMAIL_HOLD = `\`mailq\` lists the ids with their senders. Quarantine each message of that sender with ${SENDMAIL_HOLD_BY_ID}`;

/**
 * Builds the fix that puts the queued mail of `senders` (the most frequent first) on hold, so
 * that none of it leaves while the admin finds out whether it is wanted. It names the command
 * that releases the mail again, and the other senders to repeat both for.
 */
export function holdQueuedStep(senders: readonly string[], mtas: ReadonlySet<MtaName>): string {
  const [first, ...others] = senders;
  if (first === undefined) {
    return mtaStep(
      "Put its queued mail on hold as root, so that none of it leaves while you ask: list the queue with `mailq` and hold the ids of its messages.",
      HOLD_BY_ID,
      mtas,
    );
  }
  const commands = stepMtas(mtas).map((mta) => {
    if (mta === "postfix") {
      return `Postfix: ${codeSpan(postfixQueueCommand(first, "-h"))}. With ${codeSpan("postsuper -H -")} in place of ${codeSpan("postsuper -h -")}, the same command releases it.`;
    }
    if (mta === "exim") {
      return `Exim: ${codeSpan(eximQueueCommand(first, "-Mf"))}. With ${codeSpan("exim -Mt")} in place of ${codeSpan("exim -Mf")}, the same command thaws it.`;
    }
    return `Sendmail: ${SENDMAIL_HOLD}.`;
  });
  const repeat =
    others.length === 0 ? "" : ` Repeat it for its other senders: ${listNames(others)}.`;
  return `Put its queued mail, sent as ${first}, on hold as root, so that none of it leaves while you ask. ${commands.join(" ")}${repeat}`;
}

/** Commands that hold one queued message by its id, by MTA. */
const HOLD_BY_ID: Readonly<Record<MtaName, string>> = {
  postfix: "`postsuper -h ID`, and `postsuper -H ID` releases it",
  exim: "`exim -Mf ID`, and `exim -Mt ID` thaws it",
  sendmail: SENDMAIL_HOLD_BY_ID,
};

/** Commands that retry every deferred message of the queue now, by MTA. */
const RETRY_COMMANDS: Readonly<Record<MtaName, string>> = {
  postfix: "`postqueue -f`",
  // -qf forces a delivery attempt whatever the retry times, for messages that are not frozen.
  // -qff would force the frozen ones too, which are mostly undeliverable bounces (backscatter).
  exim: "`exim -qf`",
  sendmail: "`sendmail -q`",
};

/**
 * Builds the step that retries the deferred queue, with the command of each MTA that the log
 * shows, or of Postfix and Exim when it shows none of them.
 */
export function retryQueueStep(lead: string, mtas: ReadonlySet<MtaName>): string {
  return mtaStep(lead, RETRY_COMMANDS, mtas);
}
