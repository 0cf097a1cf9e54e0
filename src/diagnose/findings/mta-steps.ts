import type { MtaName } from "../../logs/events.js";

/** The MTAs in the order that a fix step names them. */
const MTA_ORDER: readonly MtaName[] = ["postfix", "exim", "sendmail"];

/** Product names of the MTAs, as a fix step writes them. */
export const MTA_TITLES: Readonly<Record<MtaName, string>> = {
  postfix: "Postfix",
  exim: "Exim",
  sendmail: "Sendmail",
};

/**
 * Returns the MTAs whose settings or commands a fix step names: those that the log shows, or
 * Postfix and Exim when it shows none of them, as in a run on bounce messages alone.
 */
export function stepMtas(mtas: ReadonlySet<MtaName>): MtaName[] {
  const logged = MTA_ORDER.filter((mta) => mtas.has(mta));
  return logged.length > 0 ? logged : ["postfix", "exim"];
}

/**
 * Builds a fix step from a sentence that applies to every MTA and one sentence per MTA of
 * `stepMtas(mtas)`, such as "Turn TLS back on. Postfix: `…`. Exim: `…`." Each MTA's `advice`
 * ends its own sentence, so that a report can print a long command on a line of its own.
 */
export function mtaStep(
  lead: string,
  advice: Readonly<Record<MtaName, string>>,
  mtas: ReadonlySet<MtaName>,
): string {
  const sentences = stepMtas(mtas).map((mta) => `${MTA_TITLES[mta]}: ${advice[mta]}.`);
  return `${lead} ${sentences.join(" ")}`;
}

/**
 * A parenthetical that gives a setting per MTA, as the knowledge rules write them:
 * "(Postfix: smtp_helo_name; Exim: helo_data)".
 */
const PER_MTA_SETTINGS = /\s*\(((?:Postfix|Exim|Sendmail): [^()]*)\)/g;

/**
 * Returns a knowledge rule's fix step with only the settings of the MTAs of `stepMtas(mtas)`
 * in its per-MTA parentheticals. A parenthetical that names none of them is left out, so the
 * step keeps its plain words. A parenthetical with a clause that names no MTA stays as it is.
 */
export function fitStepToMtas(step: string, mtas: ReadonlySet<MtaName>): string {
  const shownTitles = new Set(stepMtas(mtas).map((mta) => MTA_TITLES[mta]));
  const titles = new Set(Object.values(MTA_TITLES));
  return step.replace(PER_MTA_SETTINGS, (parenthetical: string, body: string) => {
    const clauses = body.split("; ");
    const labels = clauses.map((clause) => clause.split(":")[0] ?? "");
    if (!labels.every((label) => titles.has(label))) return parenthetical;
    const shownClauses = clauses.filter((_, index) => shownTitles.has(labels[index] ?? ""));
    return shownClauses.length === 0 ? "" : ` (${shownClauses.join("; ")})`;
  });
}

/**
 * The usual names of each MTA's log files, with a glob for the rotated copies. Postfix and
 * Sendmail log through syslog, which writes mail lines to mail.log on Debian and to maillog on
 * Red Hat and the BSDs. Sendmail is most common on the latter, so its list starts with maillog.
 * Exim writes its own main log, mainlog on Debian and exim_mainlog on cPanel.
 */
const ROTATED_LOG_NAMES: Readonly<Record<MtaName, readonly string[]>> = {
  postfix: ["mail.log*", "maillog*"],
  exim: ["mainlog*", "exim_mainlog*"],
  sendmail: ["maillog*", "mail.log*"],
};

/**
 * Returns the log file names of the MTAs of `stepMtas(mtas)` for a hint that requests more
 * logs, such as "mainlog* or exim_mainlog*".
 */
export function rotatedLogNames(mtas: ReadonlySet<MtaName>): string {
  const names = [...new Set(stepMtas(mtas).flatMap((mta) => ROTATED_LOG_NAMES[mta]))];
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1] ?? ""}`;
}
